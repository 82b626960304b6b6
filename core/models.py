"""Models every part of the matrix shares. Today: attachments (photos and PDFs on any
record). The rules for a file (its type by content, its size, its thumbnail) live in
``core/attachments/``; this module is only the record."""

import uuid

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models import Q
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from areas.scoping import ScopedQuerySet
from audit.models import AuditedModel


def attachment_path(instance, filename):
    """Stored names never come from the uploader: ``attachments/YYYY/MM/<uuid>.<ext>``,
    the extension chosen from the detected type (``filename`` is already that)."""
    now = timezone.now()
    return f"attachments/{now:%Y/%m}/{filename}"


def thumbnail_path(instance, filename):
    now = timezone.now()
    return f"attachments/{now:%Y/%m}/thumbs/{filename}"


def new_stored_name(ext):
    return f"{uuid.uuid4().hex}{ext}"


class AttachmentQuerySet(ScopedQuerySet):
    """Scope through the owning record: an attachment is visible to whoever may see the
    record it is attached to (``type(owner).objects.in_area(area)``)."""

    def in_area(self, area):
        condition = Q(pk__in=[])
        type_ids = self.order_by().values_list("content_type", flat=True).distinct()
        for type_id in type_ids:
            model = ContentType.objects.get_for_id(type_id).model_class()
            manager = getattr(model, "objects", None) if model is not None else None
            if manager is None or not hasattr(manager, "in_area"):
                continue  # an owner without a scope is visible to admins only
            condition |= Q(
                content_type_id=type_id, object_id__in=manager.in_area(area).values("pk")
            )
        return self.filter(condition)

    def of(self, owner):
        return self.filter(
            content_type=ContentType.objects.get_for_model(owner, for_concrete_model=True),
            object_id=owner.pk,
        )


class Attachment(AuditedModel):
    """A photo or PDF attached to one record of any part (a site, a topic, a deed …)."""

    class Kind(models.TextChoices):
        IMAGE = "image", _("Image")
        PDF = "pdf", _("PDF document")

    content_type = models.ForeignKey(
        ContentType, verbose_name=_("record type"), on_delete=models.PROTECT, related_name="+"
    )
    object_id = models.PositiveBigIntegerField(_("record id"))
    owner = GenericForeignKey("content_type", "object_id")
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=255)
    thumbnail = models.FileField(
        _("thumbnail"), upload_to=thumbnail_path, max_length=255, blank=True
    )
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    mime_type = models.CharField(_("content type"), max_length=50)
    original_name = models.CharField(_("file name"), max_length=255)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    width = models.PositiveIntegerField(_("width"), null=True, blank=True)
    height = models.PositiveIntegerField(_("height"), null=True, blank=True)
    caption = models.CharField(_("caption"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    objects = AttachmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["uploaded_at", "pk"]
        indexes = [
            models.Index(fields=["content_type", "object_id"], name="attachment_owner"),
        ]

    def __str__(self):
        return self.caption or self.original_name

    def get_absolute_url(self):
        return reverse("attachments:download", args=[self.pk])

    def thumbnail_url(self):
        return reverse("attachments:thumbnail", args=[self.pk]) if self.thumbnail else ""

    @property
    def is_image(self):
        return self.kind == self.Kind.IMAGE


@receiver(post_delete, sender=Attachment)
def _remove_files(sender, instance, **kwargs):
    """Delete the stored files once the deletion is committed (a rolled-back delete keeps
    them)."""
    names = [f.name for f in (instance.file, instance.thumbnail) if f]
    if not names:
        return
    storage = instance.file.storage

    def remove():
        for name in names:
            storage.delete(name)

    transaction.on_commit(remove)
