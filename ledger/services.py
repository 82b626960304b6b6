"""The import workflow shared by the pages and the command: preview, confirm, report."""

from django.utils import timezone

from . import parsing
from .exporting import error_report
from .importer import build_plan, commit
from .models import ImportBatch


def display_rows(plan):
    """What the preview shows of each row (stored with the batch)."""
    header = plan.sheet.header_for
    rows = []
    for row in plan.rows:
        item = {"n": row.number, "s": row.status, "name": row.label[0], "uscc": row.label[1]}
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
        rows.append(item)
    return rows


def summarize(plan):
    sheet = plan.sheet
    return {
        **plan.summary(),
        "sheet": sheet.sheet_name,
        "header_row": sheet.header_row,
        "columns": [sheet.headers[i] for i in sorted(sheet.columns.values())],
        "ignored": sheet.ignored,
        "total": len(plan.rows),
        "notes": sum(1 for r in plan.rows if r.clean.notes),
    }


def record(batch, plan):
    batch.summary = summarize(plan)
    batch.digest = plan.digest()
    batch.store_plan(display_rows(plan))


def preview(file, name, user):
    """Parse and plan an upload; store it for confirmation. Raises parsing.FileProblem."""
    sheet = parsing.read(file, name)
    batch = ImportBatch(user=user, file_name=name[:255])
    batch.store_sheet(sheet)  # before planning, which consumes the rows
    plan = build_plan(sheet, user)
    ImportBatch.objects.purge_stale()
    record(batch, plan)
    batch.save()
    return batch


def confirm(batch, user, ip=None):
    """Commit a previewed batch if it would still do what the preview showed.

    Returns the audit Event, or None when the data changed since the preview (the batch
    then holds the new preview) or the rows have errors.
    """
    plan = build_plan(batch.load_sheet(), user)
    if plan.has_errors or plan.digest() != batch.digest:
        record(batch, plan)
        batch.save()
        return None
    event = commit(plan, user=user, ip=ip)
    batch.summary = summarize(plan)
    batch.status = ImportBatch.Status.COMMITTED
    batch.event = event
    batch.committed_at = timezone.now()
    batch.rows_blob = None  # the event and the changes are the record now
    batch.save()
    return event


def report_file(batch):
    problems = {}
    for item in batch.load_plan():
        for key, _column, _code, message in item.get("e", []):
            problems.setdefault(item["n"], []).append((key, message))
    return error_report(batch.load_sheet(), problems)
