"""View mixins for roles. Scope is ``core.views.ScopedQuerysetMixin`` (``for_user``)."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied


class EditorRequiredMixin(LoginRequiredMixin):
    """Writes: leaders (read-only) get 403."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not request.user.can_edit:
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class AdminRequiredMixin(LoginRequiredMixin):
    """User management and the audit log: admins only."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not request.user.is_system_admin:
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)
