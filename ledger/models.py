"""An uploaded ledger kept between preview and confirm.

An ``ImportBatch`` holds the file's rows (as parsed, before validation) and the preview
the user saw, compressed. It is a working copy, not domain data, so it is not audited:
the import itself is recorded as one ``audit.Event`` and a ``Change`` per record. Only
its owner can see or confirm it (``for_user``); old batches are deleted on the next
upload (``purge_stale``).
"""

import datetime as dt
import json
import zlib

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .parsing import Sheet

KEEP_DAYS = 7


class ImportBatchQuerySet(models.QuerySet):
    def for_user(self, user):
        """A user's own uploads only, admins included: confirming is personal."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(user=user)

    def purge_stale(self):
        """Delete uploads older than KEEP_DAYS (an import's record is its audit Event)."""
        cutoff = timezone.now() - dt.timedelta(days=KEEP_DAYS)
        self.filter(created_at__lt=cutoff).delete()


def _pack(data):
    """JSON, compressed as it is produced (no full-size copy of a large upload in memory)."""
    compressor = zlib.compressobj(3)
    out, buffer, size = [], [], 0
    for chunk in json.JSONEncoder(ensure_ascii=False).iterencode(data):
        buffer.append(chunk)
        size += len(chunk)
        if size > 1 << 16:
            out.append(compressor.compress("".join(buffer).encode()))
            buffer, size = [], 0
    out.append(compressor.compress("".join(buffer).encode()))
    out.append(compressor.flush())
    return b"".join(out)


def _unpack(blob):
    return json.loads(zlib.decompress(bytes(blob))) if blob else None


class ImportBatch(models.Model):
    class Status(models.TextChoices):
        PREVIEW = "preview", _("Previewed")
        COMMITTED = "committed", _("Imported")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    file_name = models.CharField(_("file name"), max_length=255)
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PREVIEW
    )
    summary = models.JSONField(_("summary"), default=dict)
    digest = models.CharField(max_length=64, blank=True)
    rows_blob = models.BinaryField(editable=False, null=True)
    plan_blob = models.BinaryField(editable=False, null=True)
    event = models.ForeignKey(
        "audit.Event",
        verbose_name=_("event"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    committed_at = models.DateTimeField(_("imported at"), null=True, blank=True)

    objects = ImportBatchQuerySet.as_manager()

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return self.file_name

    def get_absolute_url(self):
        return reverse("ledger:preview", args=[self.pk])

    @property
    def is_committed(self):
        return self.status == self.Status.COMMITTED

    # The parsed sheet and the preview, stored compressed.

    def store_sheet(self, sheet):
        self.rows_blob = _pack(
            {
                "file_name": sheet.file_name,
                "sheet_name": sheet.sheet_name,
                "header_row": sheet.header_row,
                "headers": sheet.headers,
                "columns": sheet.columns,
                "ignored": sheet.ignored,
                "rows": sheet.rows,
            }
        )

    def load_sheet(self):
        data = _unpack(self.rows_blob)
        if data is None:
            return None
        data["rows"] = [(number, values) for number, values in data["rows"]]
        return Sheet(**data)

    def store_plan(self, rows):
        self.plan_blob = _pack(rows)

    def load_plan(self):
        return _unpack(self.plan_blob) or []
