"""An uploaded sheet kept between upload, preview and confirm.

An ``ImportBatch`` holds the uploaded file until the task worker has read it, then the
file's rows (as parsed, before validation) and the preview the user saw, compressed. It
is a working copy, not domain data, so it is not audited: the import itself is
recorded as one ``audit.Event`` and a ``Change`` per record. Only its owner can see or
confirm it (``for_user``); old batches are deleted on the next upload (``purge_stale``).

Its ``status`` follows the work (``ledger/tasks.py``): queued → reading (parse and plan,
in the worker) → preview (or failed: the file cannot be read) → committing (in the
worker) → committed, or back to preview with a ``notice`` (the data changed since the
preview; the commit failed). ``job`` names the task that may write the batch: a task
superseded by a retry finds another job there and leaves. ``heartbeat_at`` and
``progress`` are written by the worker as it goes; a running batch whose heartbeat has
stopped belongs to a worker that was killed (``is_stalled``).
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


class _Packer:
    """JSON compressed as it is produced (no full-size copy of a large upload in memory)."""

    def __init__(self):
        self.compressor = zlib.compressobj(3)
        self.out, self.buffer, self.size = [], [], 0

    def write(self, text):
        self.buffer.append(text)
        self.size += len(text)
        if self.size > 1 << 16:
            self.out.append(self.compressor.compress("".join(self.buffer).encode()))
            self.buffer, self.size = [], 0

    def close(self):
        self.out.append(self.compressor.compress("".join(self.buffer).encode()))
        self.out.append(self.compressor.flush())
        return b"".join(self.out)


_ENCODER = json.JSONEncoder(ensure_ascii=False)


def _pack(data):
    packer = _Packer()
    for chunk in _ENCODER.iterencode(data):
        packer.write(chunk)
    return packer.close()


def pack_lines(head, items):
    """``head`` (a JSON object) on the first line, then one JSON value per line: read back
    one line at a time (``unpack_lines``), so a large batch is never decoded whole."""
    packer = _Packer()
    packer.write(LINES_MAGIC + _ENCODER.encode(head) + "\n")
    for item in items:
        packer.write(_ENCODER.encode(item) + "\n")
    return packer.close()


LINES_MAGIC = "#lines\n"


def _lines(blob):
    """The text lines of a packed blob, decompressed a piece at a time."""
    decompressor = zlib.decompressobj()
    data = memoryview(bytes(blob))
    rest = b""
    for start in range(0, len(data), 1 << 16):
        rest += decompressor.decompress(data[start : start + (1 << 16)])
        *lines, rest = rest.split(b"\n")
        yield from lines
    rest += decompressor.flush()
    if rest:
        yield from rest.split(b"\n")


def unpack_lines(blob, intern=None):
    """(head, items) of ``pack_lines``; ``intern``: a dict sharing repeated strings."""
    lines = _lines(blob)
    first = next(lines, b"")
    if first + b"\n" != LINES_MAGIC.encode():
        return None, None
    head = json.loads(next(lines))
    if intern is None:
        return head, (json.loads(line) for line in lines if line)

    def items():
        for line in lines:
            if line:
                number, values = json.loads(line)
                yield number, [intern.setdefault(v, v) if type(v) is str else v for v in values]

    return head, items()


def _unpack(blob):
    if not blob:
        return None
    head, items = unpack_lines(blob)
    if head is not None:
        return list(items)
    return json.loads(zlib.decompress(bytes(blob)))


class ImportBatch(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting")
        READING = "reading", _("Reading")
        PREVIEW = "preview", _("Previewed")
        FAILED = "failed", _("Not readable")
        COMMITTING = "committing", _("Importing")
        COMMITTED = "committed", _("Imported")

    RUNNING = (Status.QUEUED, Status.READING, Status.COMMITTING)

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    file_name = models.CharField(_("file name"), max_length=255)
    kind = models.CharField(_("kind of sheet"), max_length=40, blank=True)
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
    # Asked for on upload: the date of the figures (``as_of_default``: only today by
    # default) and the sheet of a workbook to read.
    as_of = models.DateField(_("date of the figures"), null=True, blank=True)
    as_of_default = models.BooleanField(default=True)
    sheet_name = models.CharField(_("sheet"), max_length=100, blank=True)
    upload = models.BinaryField(editable=False, null=True)  # the file, until it is read
    # The work in the task worker.
    job = models.CharField(max_length=32, blank=True)
    task_id = models.CharField(max_length=64, blank=True)
    progress = models.JSONField(default=dict, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    notice = models.CharField(max_length=20, blank=True)
    error = models.TextField(blank=True)

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

    @property
    def is_running(self):
        return self.status in self.RUNNING

    @property
    def spec(self):
        from . import specs

        return specs.get(self.kind or None)

    def is_stalled(self, now=None):
        """Running, but the worker has not been heard from for IMPORT_STALE_SECONDS
        (or for the time the current step was expected to take, if longer)."""
        if not self.is_running or self.status == self.Status.QUEUED:
            return False
        last = self.heartbeat_at or self.created_at
        if last is None:
            return False
        now = now or timezone.now()
        allowed = max(
            getattr(settings, "IMPORT_STALE_SECONDS", 60),
            (self.progress or {}).get("expected", 0),
        )
        return (now - last).total_seconds() > allowed

    # The parsed sheet and the preview, stored compressed.

    def store_sheet(self, sheet):
        head = {
            "file_name": sheet.file_name,
            "sheet_name": sheet.sheet_name,
            "header_row": sheet.header_row,
            "headers": sheet.headers,
            "columns": sheet.columns,
            "ignored": sheet.ignored,
            "kind": sheet.kind,
            "unknown": sheet.unknown,
            "notes": sheet.notes,
            "as_of": sheet.as_of,
        }
        self.rows_blob = pack_lines(head, sheet.rows)

    def load_sheet(self):
        """The stored sheet; its rows share repeated strings (a 100,000-row sheet holds
        the same community, choice and date texts many thousand times)."""
        if not self.rows_blob:
            return None
        head, rows = unpack_lines(self.rows_blob, intern={})
        if head is None:  # stored before rows were kept one per line
            data = _unpack(self.rows_blob)
            data["rows"] = [(number, values) for number, values in data["rows"]]
            return Sheet(**data)
        return Sheet(**head, rows=[(number, values) for number, values in rows])

    def store_plan(self, rows):
        """What the preview shows of each row: an iterable, packed as it comes."""
        self.plan_blob = pack_lines({}, rows)

    def load_plan(self):
        return _unpack(self.plan_blob) or []
