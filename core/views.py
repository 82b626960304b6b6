"""Generic scoped views. Every queryset starts from ``for_user``; writes need an editor."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.generic import CreateView, DetailView, ListView, UpdateView

from accounts.permissions import EditorRequiredMixin
from audit import version

from .versioning import VersionedEditMixin


class CachedBodyMixin:
    """A page whose body is rendered once per data version (``audit.version``) and reused.

    The body (``body_template_name``) is cached under the language, the day and
    ``body_key()``, which must name everything else it depends on besides the data: the
    user's scope and rights, the parameters. The page around it (``template_name``: menu,
    user, CSRF token, messages) is rendered per request, so keep per-request things out
    of the body.
    """

    body_template_name = None

    def dispatch(self, request, *args, **kwargs):
        # The data version is read (and kept for the request) before any data the body
        # shows: a change committed in between then makes the next request render afresh,
        # instead of old data being stored under the new version.
        version.current()
        return super().dispatch(request, *args, **kwargs)

    def body_key(self):
        raise NotImplementedError

    def body_context(self):
        raise NotImplementedError

    def page_with_body(self, **context):
        today = timezone.localdate()
        key = version.key_of(self.body_template_name, get_language(), today, *self.body_key())
        body = version.cached(f"body:{key}", self._render_body)
        return TemplateResponse(self.request, self.template_name, {"body": body, **context})

    def _render_body(self):
        return render_to_string(self.body_template_name, self.body_context(), self.request)


class ScopedQuerysetMixin(LoginRequiredMixin):
    def get_queryset(self):
        return self.model.objects.for_user(self.request.user)


class ScopedDetailView(ScopedQuerysetMixin, DetailView):
    pass


class ScopedListView(ScopedQuerysetMixin, ListView):
    paginate_by = 50

    def get_context_data(self, **kwargs):
        query = self.request.GET.copy()
        query.pop("page", None)
        return super().get_context_data(query=query.urlencode(), **kwargs)


class FormPageMixin:
    """Passes the user to the form, uses the generic form page, and says what was saved."""

    template_name = "includes/record_form.html"
    page_title = ""
    success_text = _("Saved.")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            page_title=self.get_page_title(), cancel_url=self.get_cancel_url(), **kwargs
        )

    def get_page_title(self):
        return self.page_title

    def get_cancel_url(self):
        obj = getattr(self, "object", None)
        return obj.get_absolute_url() if obj is not None and obj.pk else None

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, self.success_text)
        return response


class RecordCreateView(EditorRequiredMixin, FormPageMixin, CreateView):
    pass


class RecordUpdateView(
    EditorRequiredMixin, VersionedEditMixin, FormPageMixin, ScopedQuerysetMixin, UpdateView
):
    """Edit a record of the user's area; optimistic locking is part of it (a POST without
    the version it was opened at, or with an older one, is refused: the conflict page)."""


class VersionedUpdateView(RecordUpdateView):
    """The name the first edit views used; every ``RecordUpdateView`` is versioned now."""


class ParentMixin:
    """A view under a parent record (``pk`` in the URL is the parent's, e.g. an enterprise).

    ``model`` names the parent so the URL-walking test makes the right object; the parent
    comes from ``for_user``, so a stranger gets 404.
    """

    parent_field = "enterprise"

    @cached_property
    def parent(self):
        return get_object_or_404(
            self.model.objects.for_user(self.request.user), pk=self.kwargs["pk"]
        )

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        instance = self.form_class._meta.model(**{self.parent_field: self.parent})
        return {**kwargs, "instance": instance}

    def get_cancel_url(self):
        return self.parent.get_absolute_url()

    def get_success_url(self):
        return self.parent.get_absolute_url()

    def get_context_data(self, **kwargs):
        return super().get_context_data(parent=self.parent, **kwargs)
