"""What 点's pages share: the tabs, the action pages (a confirmation form whose POST calls
a service and shows its refusal), the enterprise a create page is opened for, the
attachment uploads."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import redirect
from django.utils.functional import cached_property
from django.views.generic import FormView

from core.attachments.views import AttachmentsContextMixin, AttachmentUploadView
from core.forms import parse_id
from core.record_views import RecordActionMixin
from core.views import RecordDetailView, TableListView
from enterprises.forms import EnterpriseLookupField
from enterprises.models import Enterprise

from ..models import DemonstrationSite, Topic

TABS = "showcase/_tabs.html"


def error_messages(error):
    """The messages of a service's ValidationError, as the user reads them."""
    if hasattr(error, "error_dict"):
        return [m for messages_ in error.message_dict.values() for m in messages_]
    return list(error.messages)


class ListView(TableListView):
    tabs_template = TABS


class DetailView(AttachmentsContextMixin, RecordDetailView):
    """A record page of 点: facts, actions, history, and its attachments when the model
    has them (``attachment_upload_url_name``)."""

    tabs_template = TABS

    def get_context_data(self, **kwargs):
        if self.attachment_upload_url_name is None:
            # No attachments on this record: skip the mixin's part.
            return RecordDetailView.get_context_data(self, **kwargs)
        return super().get_context_data(**kwargs)


class ActionView(RecordActionMixin, FormView):
    """An action on one record (name a site, move a topic, claim, accept, review …): GET
    asks (a form with the date and what the action needs), POST acts through a service
    in one transaction. A refusal of the service is shown on the form, in the user's
    words; nothing is written."""

    template_name = "showcase/action_form.html"
    submit_label = None
    explanation = ""
    done_text = ""

    def act(self, form):
        raise NotImplementedError

    def refusal(self):
        """Why the action cannot happen now (shown before the user tries), or None."""
        return None

    def get_explanation(self):
        return self.explanation

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            submit_label=self.submit_label,
            explanation=self.get_explanation(),
            refusal=self.refusal(),
            **kwargs,
        )

    def form_valid(self, form):
        try:
            with transaction.atomic():
                self.act(form)
        except ValidationError as error:
            for message in error_messages(error):
                form.add_error(None, message)
            return self.form_invalid(form)
        if self.done_text:
            messages.success(self.request, self.done_text)
        return redirect(self.get_success_url())


class ContextEnterpriseMixin:
    """The enterprise a create page is opened for: ``?site=``, ``?topic=`` or
    ``?enterprise=`` (a pk, a USCC or a registered name), within the user's scope."""

    @cached_property
    def context_site(self):
        return self._lookup(DemonstrationSite, "site")

    @cached_property
    def context_topic(self):
        return self._lookup(Topic, "topic")

    def _lookup(self, model, name):
        pk = parse_id(self.request.GET.get(name))
        if pk is None:
            return None
        return model.objects.for_user(self.request.user).filter(pk=pk).first()

    @cached_property
    def context_enterprise(self):
        if self.context_topic is not None:
            return self.context_topic.enterprise
        if self.context_site is not None:
            return self.context_site.enterprise
        raw = self.request.GET.get("enterprise", "").strip()
        if not raw:
            return None
        queryset = Enterprise.objects.for_user(self.request.user).live()
        if raw.isdigit():
            pk = parse_id(raw)
            return queryset.filter(pk=pk).first() if pk is not None else None
        field = EnterpriseLookupField(required=False)
        field.queryset = queryset
        try:
            return field.clean(raw)
        except ValidationError:
            return None


def upload_view(model):
    """The attachment upload view of a record page (POST only, editors, scoped)."""
    return type(f"{model.__name__}AttachmentUpload", (AttachmentUploadView,), {"model": model})
