"""The audit log for admins: record changes and sign-in/import events, filterable."""

import datetime as dt

from django import forms
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.generic import ListView

from audit.history import present_changes
from audit.models import Change, Event
from core.forms import BoundedDateField  # dependency-free (Django only)

from .models import User
from .permissions import AdminRequiredMixin


class AuditFilterForm(forms.Form):
    user = forms.ModelChoiceField(label=_("User"), queryset=User.objects.all(), required=False)
    # 1900–2100: beyond, the day bounds below would overflow (9999-12-31 + 1 day).
    date_from = BoundedDateField(label=_("From"), required=False)
    date_to = BoundedDateField(label=_("To"), required=False)


class ChangeFilterForm(AuditFilterForm):
    action = forms.ChoiceField(
        label=_("Action"), required=False, choices=[("", _("All")), *Change.Action.choices]
    )
    record_type = forms.ModelChoiceField(
        label=_("Record type"), queryset=ContentType.objects.none(), required=False
    )
    record = forms.CharField(label=_("Record"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        used = Change.objects.values_list("content_type", flat=True).distinct()
        self.fields["record_type"].queryset = ContentType.objects.filter(pk__in=used)
        self.fields["record_type"].label_from_instance = lambda ct: (
            ct.model_class()._meta.verbose_name if ct.model_class() else ct.model
        )


class EventFilterForm(AuditFilterForm):
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("All")), *Event.Kind.choices]
    )
    username = forms.CharField(label=_("Username"), required=False)


def _day_bounds(date_from, date_to):
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(date_from, dt.time.min, tzinfo=tz) if date_from else None
    end = (
        dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
        if date_to
        else None
    )
    return start, end


class _AuditListView(AdminRequiredMixin, ListView):
    paginate_by = 50
    form_class = None

    def filtered(self, queryset):
        self.filter_form = self.form_class(self.request.GET or None)
        if not self.filter_form.is_valid():
            return queryset
        data = self.filter_form.cleaned_data
        if data["user"]:
            queryset = queryset.filter(actor=data["user"])
        start, end = _day_bounds(data["date_from"], data["date_to"])
        if start:
            queryset = queryset.filter(at__gte=start)
        if end:
            queryset = queryset.filter(at__lt=end)
        return self.filter_more(queryset, data)

    def get_context_data(self, **kwargs):
        query = self.request.GET.copy()
        query.pop("page", None)
        return super().get_context_data(
            filter_form=self.filter_form, query=query.urlencode(), **kwargs
        )


class ChangeListView(_AuditListView):
    template_name = "accounts/audit_changes.html"
    form_class = ChangeFilterForm

    def get_queryset(self):
        return self.filtered(Change.objects.select_related("actor", "content_type", "event"))

    def filter_more(self, queryset, data):
        if data["action"]:
            queryset = queryset.filter(action=data["action"])
        if data["record_type"]:
            queryset = queryset.filter(content_type=data["record_type"])
        if data["record"]:
            queryset = queryset.filter(object_repr__contains=data["record"])
        return queryset

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["entries"] = present_changes(context["object_list"])
        return context


class EventListView(_AuditListView):
    template_name = "accounts/audit_events.html"
    form_class = EventFilterForm

    def get_queryset(self):
        return self.filtered(Event.objects.select_related("actor"))

    def filter_more(self, queryset, data):
        if data["kind"]:
            queryset = queryset.filter(kind=data["kind"])
        if data["username"]:
            queryset = queryset.filter(username__contains=data["username"])
        return queryset
