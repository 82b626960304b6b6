from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _


class DateInput(forms.DateInput):
    """The browser's native date picker; works on phones and with JavaScript off."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def formfield_for(field, **kwargs):
    if isinstance(field, models.DateField) and not isinstance(field, models.DateTimeField):
        kwargs.setdefault("widget", DateInput)
    return field.formfield(**kwargs)


EMPTY_CHOICE = _("Please choose")


def choose_prompt(form):
    """An empty choice reads 请选择, not "---------"."""
    for field in form.fields.values():
        if isinstance(field, forms.ModelChoiceField) and field.empty_label is not None:
            field.empty_label = EMPTY_CHOICE
        elif isinstance(field, forms.ChoiceField) and not isinstance(field, forms.ModelChoiceField):
            field.choices = [
                ("", EMPTY_CHOICE) if value == "" and label == "---------" else (value, label)
                for value, label in field.choices
            ]


class BaseModelForm(forms.ModelForm):
    """Model forms with date pickers and the acting user at hand (for scoped choices)."""

    def __init__(self, *args, user=None, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)
        choose_prompt(self)

    class Meta:
        formfield_callback = formfield_for


class VersionedFormMixin(forms.Form):
    """Carries the record version the user started from, to refuse overwriting newer edits."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    opened_at = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from django.utils import timezone

        instance = getattr(self, "instance", None)
        if instance is not None and instance.pk:
            self.fields["version"].initial = instance.version
            self.fields["opened_at"].initial = timezone.now().isoformat()
