"""Downloading and uploading attachments.

- Downloads (``AttachmentFileView``) check scope through the owning record:
  ``type(owner).objects.for_user(user)`` must contain it, else 404 (a stranger cannot tell
  an attachment from a missing one). Files are streamed by the app; no web server
  location serves MEDIA_ROOT.
- Uploads: a record page mounts a subclass of ``AttachmentUploadView`` with ``model`` set
  to its own model, at e.g. ``sites/<int:pk>/attachments/``. POST only, editors only
  (403 for leaders), the record from ``model.objects.for_user`` (404 for strangers).
  ``AttachmentsContextMixin`` gives a record page its attachments and the upload form.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from accounts.permissions import EditorRequiredMixin
from core.models import Attachment

from . import files
from .forms import AttachmentForm
from .services import attachment_add, attachments_of

SANDBOX = "default-src 'none'; img-src 'self'; sandbox"


def owner_visible(attachment, user):
    """May ``user`` see the record this attachment belongs to?"""
    model = attachment.content_type.model_class()
    manager = getattr(model, "objects", None) if model is not None else None
    if manager is None or not hasattr(manager, "for_user"):
        return bool(getattr(user, "is_system_admin", False))
    return manager.for_user(user).filter(pk=attachment.object_id).exists()


class AttachmentFileView(LoginRequiredMixin, View):
    model = Attachment
    field = "file"

    def get(self, request, pk):
        attachment = get_object_or_404(Attachment.objects.select_related("content_type"), pk=pk)
        if not owner_visible(attachment, request.user):
            raise Http404
        stored = getattr(attachment, self.field)
        if not stored:
            raise Http404
        try:
            handle = stored.open("rb")
        except FileNotFoundError as error:
            raise Http404 from error
        if self.field == "thumbnail":
            mime = "image/png" if stored.name.endswith(".png") else "image/jpeg"
        else:
            mime = attachment.mime_type
        response = FileResponse(
            handle,
            content_type=mime,
            # A PDF is downloaded, not shown inside the app's origin.
            as_attachment=attachment.kind == Attachment.Kind.PDF and self.field == "file",
            filename=attachment.original_name,
        )
        response["Cache-Control"] = "private, max-age=3600"
        response["Content-Security-Policy"] = SANDBOX
        return response


class ThumbnailView(AttachmentFileView):
    field = "thumbnail"


class OwnerMixin:
    """The owning record (``model``, ``pk`` from the URL), from ``for_user``: 404 outside
    the user's scope. Resolved before the method is dispatched."""

    model = None

    def dispatch(self, request, *args, **kwargs):
        self.owner = get_object_or_404(self.model.objects.for_user(request.user), pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)


class AttachmentUploadView(EditorRequiredMixin, OwnerMixin, View):
    """Attach a file to the record ``model``/``pk``; then back to the record's page with a
    message (the refusal says why: type, size, damage)."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        form = AttachmentForm(request.POST, request.FILES)
        if form.is_valid():
            attachment = attachment_add(
                owner=self.owner,
                upload=form.cleaned_data["file"],
                caption=form.cleaned_data["caption"],
                by=request.user,
                inspected=form.inspected,
            )
            messages.success(
                request, _("Attached “%(name)s”.") % {"name": attachment.original_name}
            )
        else:
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, error)
        return redirect(self.get_success_url())

    def get_success_url(self):
        return self.owner.get_absolute_url()


class AttachmentsContextMixin:
    """For a record page (a DetailView): ``attachments`` and, for editors, the
    ``attachment_form`` posting to ``attachment_upload_url``."""

    attachment_upload_url_name = None

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["attachments"] = attachments_of(self.object)
        if self.request.user.can_edit and self.attachment_upload_url_name:
            context["attachment_form"] = AttachmentForm()
            context["attachment_upload_url"] = reverse(
                self.attachment_upload_url_name, args=[self.object.pk]
            )
        context["attachment_max_mb"] = files.megabytes(settings.ATTACHMENT_MAX_BYTES)
        return context
