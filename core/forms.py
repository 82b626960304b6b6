import datetime as dt

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _


class DateInput(forms.DateInput):
    """The browser's native date picker; works on phones and with JavaScript off."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


# ---------------------------------------------------------------------------
# Bounded input: every date and id a user can send is checked before it reaches the ORM.

# The dates this application records: anything outside is a typing error (or an attack
# on date arithmetic, e.g. 9999-12-31 + 1 day).
MIN_DATE = dt.date(1900, 1, 1)
MAX_DATE = dt.date(2100, 12, 31)
# Primary keys are 64-bit (BigAutoField); versions are PositiveIntegerField (32-bit).
MAX_ID = 2**63 - 1
MAX_VERSION = 2**31 - 1


def date_in_range(value):
    """Raise ValidationError (in the user's language) for a date outside 1900–2100."""
    if value is not None and not (MIN_DATE <= value <= MAX_DATE):
        raise ValidationError(
            _("Enter a date between %(min)s and %(max)s.")
            % {"min": MIN_DATE.isoformat(), "max": MAX_DATE.isoformat()},
            code="date_range",
        )


class BoundedDateField(forms.DateField):
    """A date between 1900-01-01 and 2100-12-31, with the browser's date picker.

    Every date a form or a filter reads from input uses it (``BaseModelForm`` makes it the
    field of every model DateField; ``BoundedDateFilter`` for filters)."""

    widget = DateInput
    default_validators = [date_in_range]


class BoundedDateFilter(django_filters.DateFilter):
    field_class = BoundedDateField


def parse_id(value, maximum=MAX_ID):
    """A positive id written in ASCII digits (no sign, no spaces, no other scripts'
    digits), at most ``maximum``; else None. For ids read from GET/POST by hand."""
    if value is None:
        return None
    text = str(value)
    if not text or len(text) > 20 or not (text.isascii() and text.isdigit()):
        return None
    number = int(text)
    return number if 0 < number <= maximum else None


def parse_moment(value):
    """An ISO date-time from input as an aware datetime inside 1900–2100, else None."""
    try:
        moment = parse_datetime(str(value or "")[:64])
    except ValueError:
        return None
    if moment is None or not (MIN_DATE.year <= moment.year <= MAX_DATE.year):
        return None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def search_text(value, max_length=100):
    """Free text for a ``contains`` search read from GET by hand: no NUL or other control
    characters (PostgreSQL refuses NUL in text), at most ``max_length`` characters."""
    text = "".join(c for c in str(value or "") if c >= " " and c != "\x7f")
    return text.strip()[:max_length]


def formfield_for(field, **kwargs):
    if isinstance(field, models.DateField) and not isinstance(field, models.DateTimeField):
        kwargs.setdefault("widget", DateInput)
        kwargs.setdefault("form_class", BoundedDateField)
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


class CarriedField(forms.CharField):
    """A hidden value the form carries and reads itself: never an error the user cannot
    see (not even for a NUL character); the ``clean_<name>`` method decides."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        super().__init__(required=False, strip=False, **kwargs)
        self.validators = []


class VersionedFormMixin(forms.Form):
    """Carries the record version the user started from, to refuse overwriting newer edits.

    ``cleaned_data["version"]`` is the version as an int, or None when the POST has none
    or one that cannot be a version (tampered, cut off): the edit view then refuses the
    save as stale (``core.versioning.save_with_version``). ``opened_at`` (when the form
    was opened, to show what changed since) is an aware datetime or None; it never makes
    the form invalid, since the user cannot see or fix a hidden field.
    """

    version = CarriedField()
    opened_at = CarriedField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from django.utils import timezone

        instance = getattr(self, "instance", None)
        if instance is not None and instance.pk:
            self.fields["version"].initial = instance.version
            self.fields["opened_at"].initial = timezone.now().isoformat()

    def clean_version(self):
        return parse_id(self.cleaned_data.get("version"), maximum=MAX_VERSION)

    def clean_opened_at(self):
        return parse_moment(self.cleaned_data.get("opened_at"))
