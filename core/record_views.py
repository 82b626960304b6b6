"""Generic scoped views that end, delete or archive one record, after confirmation.

Each finds its record through ``Model.objects.for_user`` (404 outside the user's area),
is an editor view (403 for leaders), asks first on a page of its own (GET) and acts on
POST, in one transaction, then says what it did and goes back to ``get_success_url()``.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView

from accounts.permissions import EditorRequiredMixin

from .forms import BoundedDateField, DateInput
from .views import ScopedQuerysetMixin


class RecordActionMixin(EditorRequiredMixin, ScopedQuerysetMixin):
    """The record, the page title, where to go after (the record's parent, or its list)."""

    page_title = ""
    success_url = None

    def get_object_queryset(self):
        return self.get_queryset()

    @cached_property
    def object(self):
        return get_object_or_404(self.get_object_queryset(), pk=self.kwargs["pk"])

    def get_success_url(self):
        if self.success_url:
            return str(self.success_url)
        return self.object.get_absolute_url()

    def get_cancel_url(self):
        return self.get_success_url()

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            object=self.object,
            page_title=self.page_title,
            cancel_url=self.get_cancel_url(),
            **kwargs,
        )


class ConfirmForm(forms.Form):
    """Nothing to fill in: the POST is the confirmation."""


class RecordDeleteView(RecordActionMixin, FormView):
    """Delete after confirmation; the deletion is recorded in the history."""

    form_class = ConfirmForm
    template_name = "core/confirm_delete.html"
    page_title = gettext_lazy("Delete")
    done_text = gettext_lazy("%(name)s deleted.")

    def form_valid(self, form):
        success_url = self.get_success_url()  # before the record is gone
        name = str(self.object)
        with transaction.atomic():
            self.object.delete()
        messages.success(self.request, self.done_text % {"name": name})
        return redirect(success_url)


class EndForm(forms.Form):
    """The day a dated fact ends (core/dated.py): after its start, not in the future. The
    field is named as the record's end field (``until``, ``end`` …)."""

    def __init__(self, *args, record, **kwargs):
        super().__init__(*args, **kwargs)
        self.record = record
        self.end_name = record.dated_fields[1]
        self.fields[self.end_name] = BoundedDateField(
            label=gettext_lazy("End date"), widget=DateInput, initial=timezone.localdate
        )

    def clean(self):
        cleaned = super().clean()
        end = cleaned.get(self.end_name)
        if end is not None:
            record = self.record
            setattr(record, self.end_name, end)
            errors = record.dated_errors()
            setattr(record, self.end_name, None)
            if errors:
                self.add_error(self.end_name, list(errors.values())[0])
        return cleaned


class RecordEndView(RecordActionMixin, FormView):
    """End a dated fact that is still open (``DatedMixin``) on a chosen day."""

    form_class = EndForm
    template_name = "includes/record_form.html"
    page_title = gettext_lazy("End")

    def get_object_queryset(self):
        end_field = self.model.dated_fields[1]
        return self.get_queryset().filter(**{f"{end_field}__isnull": True})

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "record": self.object}

    def get_context_data(self, **kwargs):
        return super().get_context_data(parent=self.object, submit_label=_("End"), **kwargs)

    def form_valid(self, form):
        end = form.cleaned_data[form.end_name]
        with transaction.atomic():
            self.end(self.object, end)
        messages.success(self.request, _("Ended on %(day)s.") % {"day": end})
        return redirect(self.get_success_url())

    def end(self, record, day):
        setattr(record, record.dated_fields[1], day)
        record.save(update_fields=[record.dated_fields[1]])


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        max_length=200,
        help_text=gettext_lazy(
            "Why is this record removed? For example: entered twice by mistake."
        ),
    )


class RecordArchiveView(RecordActionMixin, FormView):
    """Archive (soft delete) a record entered by mistake, with a reason. The model or the
    view provides ``archive(record, reason)``; archived records count nowhere."""

    form_class = ReasonForm
    template_name = "core/confirm_archive.html"
    page_title = gettext_lazy("Archive")
    done_text = gettext_lazy("%(name)s archived. It no longer counts anywhere; you can restore it.")
    explanation = ""

    def archive(self, record, reason):
        raise ImproperlyConfigured(f"{type(self).__name__} must define archive()")

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            explanation=self.explanation, submit_label=_("Archive"), **kwargs
        )

    def form_valid(self, form):
        with transaction.atomic():
            self.archive(self.object, form.cleaned_data["reason"])
        messages.success(self.request, self.done_text % {"name": self.object})
        return redirect(self.get_success_url())


class RecordRestoreView(RecordActionMixin, FormView):
    form_class = ConfirmForm
    template_name = "core/confirm_restore.html"
    page_title = gettext_lazy("Restore")

    def restore(self, record):
        raise ImproperlyConfigured(f"{type(self).__name__} must define restore()")

    def form_valid(self, form):
        with transaction.atomic():
            self.restore(self.object)
        messages.success(self.request, _("%(name)s restored.") % {"name": self.object})
        return redirect(self.get_success_url())
