from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.utils import timezone
from django.utils.formats import time_format
from django.utils.translation import gettext_lazy as _

from areas.forms import AreaChoiceField
from areas.models import Area
from audit.middleware import client_ip
from core.forms import VersionedFormMixin  # dependency-free (Django only): see its docstring

from .lockout import locked_until
from .models import User


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _("Wrong username or password. Both are case-sensitive."),
        "inactive": _("This account has been deactivated. Ask your administrator."),
        "locked": _(
            "Too many failed sign-ins for this account from this computer. "
            "Try again after %(until)s."
        ),
    }

    def clean(self):
        username = self.cleaned_data.get("username")
        if username:
            until = locked_until(username, client_ip(self.request))
            if until:
                raise forms.ValidationError(
                    self.error_messages["locked"],
                    code="locked",
                    params={"until": time_format(timezone.localtime(until), "H:i")},
                )
        return super().clean()


class SetPasswordFields(forms.Form):
    """Two password fields checked against the site's password policy."""

    password1 = forms.CharField(
        label=_("New password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        strip=False,
        help_text=_(
            "At least 12 characters; not only digits, the same characters again and again "
            "or neighbouring keys (qwerty, 1qaz2wsx); not a common password."
        ),
    )
    password2 = forms.CharField(
        label=_("New password again"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        strip=False,
    )

    def clean_password2(self):
        p1, p2 = self.cleaned_data.get("password1"), self.cleaned_data.get("password2")
        if p1 and p2 and p1 != p2:
            raise forms.ValidationError(_("The two passwords do not match."), code="mismatch")
        return p2

    def validate_password_for(self, user):
        password = self.cleaned_data.get("password2")
        if password:
            try:
                password_validation.validate_password(password, user)
            except forms.ValidationError as error:
                self.add_error("password2", error)


class UserForm(VersionedFormMixin, forms.ModelForm):
    area = AreaChoiceField(
        label=_("Area scope"),
        queryset=Area.objects.select_related("parent__parent").order_by("level", "name"),
        help_text=_("The user sees and edits records in this area and the areas below it."),
    )

    class Meta:
        model = User
        fields = ["username", "full_name", "phone", "role", "area", "is_active"]

    def __init__(self, *args, editor, **kwargs):
        super().__init__(*args, **kwargs)
        self.editor = editor
        if self.instance.pk == editor.pk:
            # An admin cannot lock themselves out by demoting or deactivating themselves.
            self.fields["role"].disabled = True
            self.fields["is_active"].disabled = True


class UserCreateForm(UserForm, SetPasswordFields):
    class Meta(UserForm.Meta):
        fields = ["username", "full_name", "phone", "role", "area"]

    def _post_clean(self):
        super()._post_clean()
        self.validate_password_for(self.instance)

    def save(self, commit=True):
        user = super().save(commit=False)
        user.set_password(self.cleaned_data["password1"])
        if commit:
            user.save()
        return user


class PasswordResetByAdminForm(SetPasswordFields):
    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean(self):
        cleaned = super().clean()
        self.validate_password_for(self.user)
        return cleaned


class UserFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    role = forms.ChoiceField(
        label=_("Role"), required=False, choices=[("", _("All roles")), *User.Role.choices]
    )
    active = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All")), ("1", _("Active")), ("0", _("Deactivated"))],
    )


class ViewingAreaForm(forms.Form):
    area = AreaChoiceField(label=_("Area"), queryset=Area.objects.none())

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = Area.objects.for_user(user).in_tree_order()
