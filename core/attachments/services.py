"""Writing attachments. Keyword-only, atomic; the file is checked by content first."""

from pathlib import PurePath

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _

from audit.context import current_actor
from core.models import Attachment, new_stored_name

from . import files


def attachments_of(owner):
    """The attachments of one record, oldest first (the record's page has checked scope)."""
    return Attachment.objects.of(owner).select_related("uploaded_by")


def original_name(upload):
    """The uploader's file name without any directory part (shown, never used to store)."""
    name = PurePath(str(getattr(upload, "name", "") or "").replace("\\", "/")).name
    return name[:255] or _("attachment")


@transaction.atomic
def attachment_add(*, owner, upload, caption="", by=None, inspected=None):
    """Attach ``upload`` to ``owner`` (any saved record): type checked by content, size
    limited, a thumbnail made for images. ``inspected`` (from ``files.inspect``) saves
    reading the file twice when a form has already checked it."""
    if owner.pk is None:
        raise ValidationError(_("Save the record before attaching files to it."))
    inspected = inspected or files.inspect(upload)
    attachment = Attachment(
        content_type=ContentType.objects.get_for_model(owner, for_concrete_model=True),
        object_id=owner.pk,
        kind=inspected.kind,
        mime_type=inspected.mime_type,
        original_name=original_name(upload),
        size=inspected.size,
        sha256=inspected.sha256,
        width=inspected.width,
        height=inspected.height,
        caption=caption,
        uploaded_by=by or current_actor(),
    )
    attachment.file.save(
        new_stored_name(inspected.extension), ContentFile(inspected.data), save=False
    )
    if inspected.kind == files.IMAGE:
        data, extension = files.make_thumbnail(inspected.data)
        attachment.thumbnail.save(new_stored_name(extension), ContentFile(data), save=False)
    attachment.save()
    return attachment
