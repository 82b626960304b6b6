from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import LoginRequiredMixin
from django.db.models import Q
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, resolve_url
from django.urls import reverse, reverse_lazy
from django.utils.functional import cached_property
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import CreateView, FormView, ListView, TemplateView, UpdateView

from audit.models import Event
from core.versioning import VersionedEditMixin  # Django and audit only: see its docstring

from .forms import (
    LoginForm,
    PasswordResetByAdminForm,
    UserCreateForm,
    UserFilterForm,
    UserForm,
    ViewingAreaForm,
)
from .models import User
from .permissions import AdminRequiredMixin


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def get_default_redirect_url(self):
        # Leaders read figures: without a ?next=, they land on the dashboard.
        user = self.request.user
        if user.is_authenticated and user.role == user.Role.LEADER:
            return resolve_url("dashboard:home")
        return super().get_default_redirect_url()


class LogoutView(auth_views.LogoutView):
    pass


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("home")

    def form_valid(self, form):
        messages.success(self.request, _("Your password has been changed."))
        return super().form_valid(form)


class ViewingAreaView(LoginRequiredMixin, View):
    """Remember which area inside their scope a user is looking at."""

    def post(self, request):
        form = ViewingAreaForm(request.POST, user=request.user)
        if form.is_valid():
            request.user.viewing_area = form.cleaned_data["area"]
            request.user.save(update_fields=["viewing_area"])
        else:
            messages.error(request, _("That area is not in your scope."))
        target = request.POST.get("next") or reverse("home")
        if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
            target = reverse("home")
        return HttpResponseRedirect(target)


# ---------------------------------------------------------------------------
# User management (admins only)


class UserListView(AdminRequiredMixin, ListView):
    template_name = "accounts/user_list.html"
    paginate_by = 50

    def get_queryset(self):
        self.filter_form = UserFilterForm(self.request.GET or None)
        users = User.objects.for_user(self.request.user).select_related("area__parent")
        if self.filter_form.is_valid():
            data = self.filter_form.cleaned_data
            if data["q"]:
                users = users.filter(
                    Q(username__contains=data["q"])
                    | Q(full_name__contains=data["q"])
                    | Q(phone__contains=data["q"])
                )
            if data["role"]:
                users = users.filter(role=data["role"])
            if data["active"]:
                users = users.filter(is_active=data["active"] == "1")
        return users.order_by("-is_active", "username")

    def get_context_data(self, **kwargs):
        return super().get_context_data(filter_form=self.filter_form, **kwargs)


class UserCreateView(AdminRequiredMixin, CreateView):
    template_name = "accounts/user_form.html"
    form_class = UserCreateForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "editor": self.request.user}

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, _("User %(name)s created.") % {"name": self.object})
        return response

    def get_success_url(self):
        return reverse("accounts:user_list")


class UserUpdateView(AdminRequiredMixin, VersionedEditMixin, UpdateView):
    """Two administrators editing one user: the second save is refused (the kit's
    optimistic locking)."""

    model = User
    template_name = "accounts/user_form.html"
    form_class = UserForm

    def get_queryset(self):
        return User.objects.for_user(self.request.user).select_related("area")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "editor": self.request.user}

    def get_success_message(self):
        return _("User %(name)s saved.") % {"name": self.object}

    def get_success_url(self):
        return reverse("accounts:user_edit", args=[self.object.pk])


class UserDeactivateView(AdminRequiredMixin, TemplateView):
    model = User
    template_name = "accounts/user_deactivate.html"

    def get_object(self):
        return get_object_or_404(User.objects.for_user(self.request.user), pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        return super().get_context_data(target=self.get_object(), **kwargs)

    def post(self, request, pk):
        target = self.get_object()
        if target.pk == request.user.pk:
            messages.error(request, _("You cannot deactivate your own account."))
        elif target.is_active:
            target.is_active = False
            target.save(update_fields=["is_active"])
            messages.success(request, _("User %(name)s deactivated.") % {"name": target})
        return redirect("accounts:user_edit", pk=target.pk)


class UserPasswordResetView(AdminRequiredMixin, FormView):
    model = User
    template_name = "accounts/user_password.html"
    form_class = PasswordResetByAdminForm

    @cached_property
    def target(self):
        return get_object_or_404(User.objects.for_user(self.request.user), pk=self.kwargs["pk"])

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.target}

    def get_context_data(self, **kwargs):
        return super().get_context_data(target=self.target, **kwargs)

    def form_valid(self, form):
        self.target.set_password(form.cleaned_data["password1"])
        self.target.save(update_fields=["password"])
        Event.objects.create(
            kind=Event.Kind.PASSWORD_RESET,
            actor=self.request.user,
            username=self.target.username,
            ip=self.request.META.get("REMOTE_ADDR"),
        )
        messages.success(
            self.request,
            _("Password of %(name)s reset. Give it to them in person.") % {"name": self.target},
        )
        return redirect("accounts:user_edit", pk=self.target.pk)
