"""The import workflow shared by the pages, the task worker and the command: upload,
preview, confirm, report.

In the web the work runs in the task worker (``tasks.py``), off the request:
``start_preview`` stores the upload and queues ``run_preview`` (read, plan, store the
preview); ``start_commit`` queues ``run_commit`` (plan again against the database, and
write everything in one transaction if it would still do what the preview showed).
``preview`` and ``confirm`` do the same in the calling process (the bench, scripts).

A task that fails leaves nothing half-written (the commit is one transaction) and says
so on the batch (``notice``); a task that is killed leaves the batch "running" with a
heartbeat that stops, which its page reports (``ImportBatch.is_stalled``).
"""

import contextlib
import io
import logging
import threading
import time
import uuid

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from . import parsing, specs
from .importer import PlanChanged, Planning, Tally, commit_planning, index_lookups
from .models import ImportBatch
from .workbooks import error_report

log = logging.getLogger(__name__)
Status = ImportBatch.Status


class Superseded(Exception):
    """Another task took over this batch (a retry): leave everything to it."""


# ---------------------------------------------------------------------------
# What the preview stores and shows


def display_item(plan, row):
    """What the preview shows of a row (stored with the batch)."""
    header = plan.header
    item = {"n": row.number, "s": row.status, "l": list(row.label)}
    if row.changes:
        item["c"] = [[c.column, c.before, c.after] for c in row.changes]
    if row.clean.errors:
        item["e"] = [
            [p.key, header(p.key) if p.key else "", p.code, p.message] for p in row.clean.errors
        ]
    if row.clean.notes:
        item["o"] = [
            [p.key, header(p.key) if p.key else "", p.code, p.message] for p in row.clean.notes
        ]
    return item


def display_rows(plan):
    return [display_item(plan, row) for row in plan.rows]


def summarize(plan, tally=None):
    """The batch's summary: the counts (of ``tally``, or of ``plan.rows``) and what
    reading found."""
    sheet = plan.sheet
    if tally is None:
        tally = Tally()
        tally.add(plan.rows)
    return {
        **tally.summary(sheet.file_name),
        "kind": plan.spec.kind,
        "sheet": sheet.sheet_name,
        "header_row": sheet.header_row,
        "columns": [sheet.headers[i] for i in sorted(sheet.columns.values())],
        "ignored": sheet.ignored,
        "unknown": sheet.unknown,
        "file_notes": sheet.notes,
        "as_of": plan.as_of_summary(),
        "total": tally.total,
        "notes": tally.notes,
    }


def record(batch, sheet, user, progress=None):
    """Plan ``sheet`` chunk by chunk and store what the preview shows (the rows' items
    packed as they are planned, never all at once), its summary and fingerprint."""
    planning = _planning(batch, sheet, user, progress)
    tally = Tally()

    def items():
        for rows in planning:
            tally.add(rows)
            for row in rows:
                yield display_item(planning.plan, row)

    with index_lookups():
        batch.store_plan(items())
    batch.summary = summarize(planning.plan, tally)
    batch.digest = tally.digest()


def _planning(batch, sheet, user, progress=None):
    return Planning(
        sheet, user, as_of=batch.as_of, as_of_default=batch.as_of_default, progress=progress
    )


def describe_as_of(info):
    """One sentence: which date the figures are taken as, and where it came from."""
    if not info:
        return ""
    source = info.get("from")
    values = {
        "day": info.get("day") or "",
        "column": info.get("column", ""),
        "row": info.get("row") or "",
        "text": info.get("text", ""),
    }
    if source == "column":
        return _("The date of the figures is taken from each row's column %(column)s.") % values
    if source == "column+sheet":
        return (
            _(
                "The date of the figures is taken from each row's column %(column)s; where it "
                "is empty, from row %(row)s at the top of the sheet (“%(text)s”): %(day)s."
            )
            % values
        )
    if source == "sheet":
        text = (
            _(
                "The figures are taken as of %(day)s: from row %(row)s at the top of the "
                "sheet (“%(text)s”)."
            )
            % values
        )
        if info.get("month_only"):
            text += " " + _("Only a month is given there: its last day (or today) is used.")
        if info.get("problem"):
            text += " " + info["problem"]
        return text
    if source == "asked":
        return _("The figures are taken as of %(day)s: the date chosen for this import.") % values
    if source == "today":
        return (
            _(
                "The figures are taken as of %(day)s (today): the sheet gives no date. To use "
                "another, choose it when uploading (on the command line: --as-of)."
            )
            % values
        )
    return _("The sheet gives no date for the figures.")


def describe_notes(notes):
    """What reading the file did, one sentence each (the codes of ``Sheet.notes``)."""
    lines = []
    for code, p in notes or ():
        if code == "sheet_chosen":
            line = _("The workbook has several sheets; sheet “%(sheet)s” was read.") % p
            if p.get("others"):
                line += " " + _("Not read: %(others)s.") % {"others": "、".join(p["others"])}
            if p.get("also_ledgers"):
                line += " " + _(
                    "%(sheets)s also look like this ledger: to import one of them, give its "
                    "name when uploading (command line: --sheet)."
                ) % {"sheets": "、".join(f"“{s}”" for s in p["also_ledgers"])}
        elif code == "hidden_sheet":
            line = _("Sheet “%(sheet)s” is hidden in Excel; it was read all the same.") % p
        elif code == "total_rows":
            rows = "、".join(str(n) for n in p["rows"][:20])
            line = ngettext(
                "Row %(rows)s is a total row (合计 / 小计) and was skipped.",
                "Rows %(rows)s are total rows (合计 / 小计) and were skipped.",
                len(p["rows"]),
            ) % {"rows": rows}
        elif code == "hidden_rows":
            rows = "、".join(str(n) for n in p["rows"])
            if p["count"] > len(p["rows"]):
                rows += "…"
            line = ngettext(
                "%(count)d row is hidden in Excel (%(rows)s); it was read like the others.",
                "%(count)d rows are hidden in Excel (%(rows)s); they were read like the others.",
                p["count"],
            ) % {"count": p["count"], "rows": rows}
        elif code == "hidden_columns":
            line = _("Hidden columns were read like the others: %(columns)s.") % {
                "columns": "、".join(p["columns"])
            }
        elif code == "wide_cells":
            rows = "、".join(str(n) for n in p["rows"])
            line = ngettext(
                "%(count)d row has cells to the right of the last column with a header "
                "(%(last)s), in rows %(rows)s; they were not read.",
                "%(count)d rows have cells to the right of the last column with a header "
                "(%(last)s), in rows %(rows)s; they were not read.",
                p["count"],
            ) % {"count": p["count"], "last": p["last"], "rows": rows}
        else:
            continue
        lines.append(line)
    return lines


# ---------------------------------------------------------------------------
# In the calling process


def preview(file, name, user, *, kind=None, as_of=None, sheet_name="", progress=None):
    """Parse and plan an upload; store it for confirmation. Raises parsing.FileProblem."""
    spec = specs.get(kind)
    sheet = parsing.read(file, name, spec, sheet=sheet_name or None, progress=progress)
    batch = ImportBatch(
        user=user,
        file_name=name[:255],
        kind=spec.kind,
        as_of=as_of or timezone.localdate(),
        as_of_default=as_of is None,
        sheet_name=sheet_name,
    )
    batch.store_sheet(sheet)  # before planning, which consumes the rows
    ImportBatch.objects.purge_stale()
    record(batch, sheet, user, progress)
    batch.save()
    return batch


def confirm(batch, user, ip=None, progress=None):
    """Commit a previewed batch if it would still do what the preview showed.

    Returns the audit Event, or None when the data changed since the preview (the batch
    then holds the new preview) or the rows have errors.
    """
    try:
        event, tally = _commit(batch, user, ip, progress)
    except PlanChanged:
        record(batch, batch.load_sheet(), user)
        batch.notice = "changed"
        batch.status = Status.PREVIEW
        batch.save()
        return None
    _committed(batch, tally, event)
    batch.save()
    return event


def _commit(batch, user, ip=None, progress=None):
    """Plan again and write, in one transaction (ledger.importer.commit_planning)."""
    return commit_planning(
        batch.load_sheet(),
        user,
        expect=batch.digest,
        ip=ip,
        progress=progress,
        as_of=batch.as_of,
        as_of_default=batch.as_of_default,
    )


def _committed(batch, tally, event):
    batch.summary = {**(batch.summary or {}), **tally.summary(batch.file_name)}
    batch.status = Status.COMMITTED
    batch.event = event
    batch.committed_at = timezone.now()
    batch.rows_blob = None  # the event and the changes are the record now
    batch.notice = ""
    batch.error = ""


def report_file(batch):
    problems = {}
    for item in batch.load_plan():
        for key, _column, _code, message in item.get("e", []):
            problems.setdefault(item["n"], []).append((key, message))
    return error_report(batch.load_sheet(), problems)


# ---------------------------------------------------------------------------
# In the task worker


def _new_job():
    return uuid.uuid4().hex


def start_preview(upload, name, user, *, kind=None, as_of=None, sheet_name=""):
    """Store an upload and queue its reading; returns the batch (status queued)."""
    from . import tasks

    spec = specs.get(kind)
    upload.seek(0)
    ImportBatch.objects.purge_stale()
    batch = ImportBatch.objects.create(
        user=user,
        file_name=name[:255],
        kind=spec.kind,
        as_of=as_of or timezone.localdate(),
        as_of_default=as_of is None,
        sheet_name=sheet_name,
        upload=upload.read(),
        status=Status.QUEUED,
        job=_new_job(),
    )
    _enqueue(batch, tasks.read_upload, batch.pk, batch.job)
    return batch


def start_commit(batch, *, ip=None):
    """Queue the commit of a previewed batch (or a retry of one whose worker stopped)."""
    from . import tasks

    batch.status = Status.COMMITTING
    batch.job = _new_job()
    batch.notice = ""
    batch.error = ""
    batch.heartbeat_at = timezone.now()
    batch.progress = {"phase": "queued"}
    batch.save(update_fields=["status", "job", "notice", "error", "heartbeat_at", "progress"])
    _enqueue(batch, tasks.commit_batch, batch.pk, batch.job, ip)


def _enqueue(batch, task, *args):
    result = task.enqueue(*args)
    ImportBatch.objects.filter(pk=batch.pk, job=batch.job).update(task_id=str(result.id)[:64])


class Reporter:
    """Progress and a heartbeat for a batch, written as the work goes.

    Outside a transaction the worker writes them itself (at most every second). Inside
    the commit's transaction its writes would not be seen until the end, so a thread
    with its own database connection writes them every IMPORT_HEARTBEAT_SECONDS (on
    SQLite, which has one writer at a time, the thread waits for the commit: the step
    then carries the time it may take, ``expected``).
    """

    def __init__(self, batch_id, job):
        self.batch_id = batch_id
        self.job = job
        self.state = {"phase": "", "done": 0, "total": 0}
        self.interval = getattr(settings, "IMPORT_HEARTBEAT_SECONDS", 2)
        self.last = 0.0
        self.stop = threading.Event()
        self.thread = None

    def __enter__(self):
        if self.interval > 0:
            self.thread = threading.Thread(target=self._beat, daemon=True)
            self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        if self.thread is not None:
            self.thread.join(timeout=5)
        return False

    def set(self, phase, done=0, total=0, expected=None):
        self.state = {"phase": phase, "done": done, "total": total}
        if expected:
            self.state["expected"] = int(expected)
        if self.thread is None and not connection.in_atomic_block:
            now = time.monotonic()
            if now - self.last >= 1:
                self.last = now
                self.flush()

    def step(self, phase, expected=None):
        def progress(done, total):
            self.set(phase, done, total, expected)

        return progress

    def flush(self):
        ImportBatch.objects.filter(pk=self.batch_id, job=self.job).update(
            progress=dict(self.state), heartbeat_at=timezone.now()
        )

    def _beat(self):
        from django.db import connection as own  # this thread's own connection

        try:
            while not self.stop.is_set():
                with contextlib.suppress(DatabaseError):  # SQLite is busy while the commit
                    self.flush()  # writes: try again next time
                self.stop.wait(self.interval)
        finally:
            own.close()


def run_preview(batch_id, job):
    """Task: read the stored upload, plan it and store the preview."""
    batch = ImportBatch.objects.select_related("user").filter(pk=batch_id).first()
    if batch is None or batch.job != job or batch.status not in (Status.QUEUED, Status.READING):
        return "superseded"
    ImportBatch.objects.filter(pk=batch_id, job=job).update(
        status=Status.READING, heartbeat_at=timezone.now(), progress={"phase": "reading"}
    )
    with Reporter(batch_id, job) as report:
        try:
            sheet = parsing.read(
                io.BytesIO(bytes(batch.upload or b"")),
                batch.file_name,
                batch.spec,
                sheet=batch.sheet_name or None,
                progress=report.step("reading"),
            )
            batch.store_sheet(sheet)
            report.set("checking", 0, len(sheet.rows))
            record(batch, sheet, batch.user, report.step("checking"))
        except parsing.FileProblem as problem:
            _update(batch_id, job, status=Status.FAILED, error=problem.message, upload=None)
            return "unreadable"
        except BaseException:
            log.exception("reading import %s failed", batch_id)
            _update(
                batch_id,
                job,
                status=Status.FAILED,
                error=_("The file could not be read because of an error on our side."),
                upload=None,
            )
            raise
        _update(
            batch_id,
            job,
            status=Status.PREVIEW,
            summary=batch.summary,
            digest=batch.digest,
            rows_blob=batch.rows_blob,
            plan_blob=batch.plan_blob,
            upload=None,
            progress={"phase": "done"},
        )
    return "preview"


def _update(batch_id, job, **fields):
    return ImportBatch.objects.filter(pk=batch_id, job=job).update(
        heartbeat_at=timezone.now(), **fields
    )


def expected_seconds(rows):
    """How long a commit of ``rows`` may take without a heartbeat (SQLite only)."""
    if connection.vendor != "sqlite":
        return None
    return 60 + rows // 200


def run_commit(batch_id, job, ip=None):
    """Task: plan the batch again and, if it would still do what the preview showed,
    write it, all in one transaction, chunk by chunk (nothing is kept for all rows)."""
    batch = ImportBatch.objects.select_related("user").filter(pk=batch_id).first()
    if batch is None or batch.job != job or batch.status != Status.COMMITTING:
        return "superseded"
    total = (batch.summary or {}).get("total", 0)
    expected = expected_seconds(total)
    with Reporter(batch_id, job) as report:
        report.set("writing", 0, total, expected)
        try:
            with transaction.atomic():
                event, tally = _commit(batch, batch.user, ip, report.step("writing", expected))
                _committed(batch, tally, event)
                done = _update(
                    batch_id,
                    job,
                    status=Status.COMMITTED,
                    summary=batch.summary,
                    event=event,
                    committed_at=batch.committed_at,
                    rows_blob=None,
                    notice="",
                    error="",
                    progress={"phase": "done"},
                )
                if not done:
                    raise Superseded
        except PlanChanged:  # nothing was written: show the new preview, and say why
            report.set("checking", 0, total)
            record(batch, batch.load_sheet(), batch.user, report.step("checking"))
            _update(
                batch_id,
                job,
                status=Status.PREVIEW,
                notice="changed",
                summary=batch.summary,
                digest=batch.digest,
                plan_blob=batch.plan_blob,
                progress={},
            )
            return "changed"
        except Superseded:
            return "superseded"
        except BaseException as error:
            log.exception("import %s failed; nothing was written", batch_id)
            _update(
                batch_id,
                job,
                status=Status.PREVIEW,
                notice="failed",
                error=f"{type(error).__name__}: {error}"[:500],
                progress={},
            )
            raise
    return "committed"


def task_failed(batch):
    """True when the batch's task is known to have failed (the worker recorded it)."""
    if not batch.task_id:
        return False
    from django_tasks import TaskResultStatus, default_task_backend

    try:
        result = default_task_backend.get_result(batch.task_id)
    except Exception:  # the immediate backend keeps no results; a pruned result
        return False
    return result.status == TaskResultStatus.FAILED


def stall_age(batch):
    """Seconds since the batch's worker was last heard from."""
    last = batch.heartbeat_at or batch.created_at
    return (timezone.now() - last).total_seconds() if last else 0
