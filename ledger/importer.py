"""Plan an import, then commit it: all rows or none. The same for every sheet spec.

``build_plan(sheet, user, as_of=…)`` reads every row's cells (``cells.py``), lets the
spec check them (``spec.clean``) and plan them against the database (``spec.plan``):
each row becomes new / update (with its field changes) / unchanged / error. Specs read
the records they need in a fixed number of queries (chunks of ``changes.CHUNK`` keys),
never one query per row. Nothing is written.

``commit(plan, user=…)`` writes a plan without errors inside one transaction: the spec's
``write`` (bulk creates and updates through the audited managers, so every record gets
its history), all attributed to one ``audit.Event`` of kind import. Any exception rolls
everything back, the event included. ``WRITE_CHUNK`` rows are written per step, and
``progress(done, total)`` is called after each step.

The date of the figures (``spec.as_of_column``): a row's own cell when the sheet has
the column; otherwise the date a title or note row gives (``sheet.as_of``); otherwise
the date asked for (the upload form's, ``--as-of``), by default today. When the sheet
has the column, an empty cell takes the sheet's date if it gives one (and is an error
otherwise). ``plan.as_of_summary()`` says which date and where it came from.
"""

import array
import datetime as dt
import hashlib
from contextlib import contextmanager

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.context import audit_context
from audit.models import Event

from . import cells
from .changes import FieldChange
from .spec import DATE, ERROR, NEW, STATUSES, UNCHANGED, UPDATE, CleanRow

WRITE_CHUNK = 1000  # rows per write step of a commit
CACHE_KINDS = {"date", "choice", "bool", "count", "amount"}  # worth memoising per value
_CACHEABLE = {str, int, float}

__all__ = [
    "ERROR",
    "NEW",
    "STATUSES",
    "UNCHANGED",
    "UPDATE",
    "ImportHasErrors",
    "Plan",
    "PlanChanged",
    "Planning",
    "Tally",
    "build_plan",
    "commit",
    "commit_planning",
]


class ImportHasErrors(Exception):
    pass


class Cleaner:
    """Reads the cells of rows for one spec; values that repeat (dates, choices) are
    parsed once."""

    def __init__(self, spec, plan=None):
        self.spec = spec
        self.plan = plan
        # key → (column, memo of parsed values or None)
        self.columns = {
            key: (c, {} if c.kind in CACHE_KINDS else None) for key, c in spec.by_key.items()
        }
        self.key_columns = set(spec.key)
        self.required = [c.key for c in spec.columns if c.required or c.key in self.key_columns]
        self.message = _("The cell is empty, but this column is required.")

    def clean(self, number, cells_by_key):
        row = CleanRow(number)
        values = row.values
        columns = self.columns
        parse = self._parse
        for key, raw in cells_by_key.items():
            kind = type(raw)
            if raw is None or (kind is str and not raw.strip()):
                continue  # an empty cell: ``values.get(key)`` is None
            column, cache = columns[key]
            if cache is not None and kind in _CACHEABLE:  # not bool: True == 1
                hit = cache.get(raw)
                if hit is None:
                    hit = parse(raw, column)
                    if len(cache) < 20_000:
                        cache[raw] = hit
            else:
                hit = parse(raw, column)
            value, notes, error = hit
            if error is not None:
                row.error(key, error.code, error.message)
                continue
            values[key] = value
            for note in notes:
                row.note(key, note.code, note.message)
        for key in self.required:
            if (
                values.get(key) in (None, "")
                and (key in cells_by_key or key in self.key_columns)
                and not row.has_error(key)
            ):
                row.error(key, "required", self.message)
        self.spec.clean(row, self.plan)
        return row

    @staticmethod
    def _parse(raw, column):
        try:
            if column.kind == DATE and column.parse is None:
                notes = []
                return cells.parse_date(raw, column, notes), notes, None
            return column.parser(raw, column), (), None
        except cells.CellError as error:
            return None, (), error


class Plan:
    """What an import would do, row by row; the context every spec hook receives.

    Specs may keep what they share between rows on it (e.g. new records several rows
    refer to)."""

    def __init__(self, spec, sheet, user, *, as_of=None, as_of_default=False):
        self.spec = spec
        self.sheet = sheet
        self.user = user
        self.rows = []
        self.today = timezone.localdate()
        self.present = set(sheet.columns)
        self.asked = as_of
        self.asked_default = as_of_default
        self.state = {}  # what a spec keeps between the chunks of a plan
        self._headers = {}
        self._settle_as_of()

    # -- the date of the figures -----------------------------------------------------

    def _settle_as_of(self):
        self.as_of = None  # the date a row without its own takes
        self.as_of_problem = None  # why the sheet's date cannot be used
        self.as_of_from = ""
        column = self.spec.as_of_column
        if not column:
            return
        found = self.sheet.as_of if (self.sheet.as_of or {}).get("day") else None
        if found is not None:
            self.as_of = dt.date.fromisoformat(found["day"])
            self.as_of_problem = found.get("problem") or None
        if column in self.present:
            self.as_of_from = "column+sheet" if found else "column"
        elif found is not None:
            self.as_of_from = "sheet"
        elif self.asked is not None:
            self.as_of = self.asked
            self.as_of_from = "today" if self.asked_default else "asked"
        else:
            self.as_of_from = "none"

    def as_of_summary(self):
        """{"from": column | column+sheet | sheet | asked | today | none, "day" (the date
        a row without its own takes), "column", "row" and "text" (of the sheet's date)}."""
        if not self.spec.as_of_column:
            return None
        found = self.sheet.as_of or {}
        return {
            "from": self.as_of_from,
            "day": self.as_of.isoformat() if self.as_of else None,
            "column": self.header(self.spec.as_of_column),
            "row": found.get("row"),
            "text": found.get("text", ""),
            "month_only": found.get("month_only", False),
            "problem": self.as_of_problem or "",
        }

    def date_for(self, row, key=None):
        """The row's date of the figures: its own cell, else the plan's; errors on the
        row when neither can be used (and returns None)."""
        key = key or self.spec.as_of_column
        day = row.values.get(key)
        if day is not None or row.has_error(key):
            return day
        if self.as_of_problem:
            row.error(
                key,
                "bad_sheet_date",
                _(
                    "The date at the top of the sheet (row %(row)s: %(text)s) cannot be used: "
                    "%(problem)s"
                )
                % {
                    "row": self.sheet.as_of.get("row"),
                    "text": self.sheet.as_of.get("text"),
                    "problem": self.as_of_problem,
                },
            )
            return None
        return self.as_of

    # -- helpers for specs -------------------------------------------------------------

    def header(self, key):
        found = self._headers.get(key)
        if found is None:
            found = self._headers[key] = self.sheet.header_for(key)
        return found

    def change(self, key, before, after):
        return FieldChange(key, self.header(key), before, after, self.spec.by_key.get(key))

    def record_change(self, row, key, before, after):
        row.changes.append(self.change(key, before, after))

    def assign(self, row, obj, key, value, field_name=None):
        """Set a field of ``obj`` when it differs, recording the change for the preview
        (and in ``row.fields`` when ``obj`` is the row's record)."""
        name = field_name or key
        model_field = obj._meta.get_field(name)
        if model_field.is_relation:
            before_id = getattr(obj, model_field.attname)
            after_id = value.pk if value is not None else None
            if before_id == after_id:
                return False
            before = getattr(obj, name) if before_id is not None else None
        else:
            before = getattr(obj, name)
            if before == value:
                return False
        setattr(obj, name, value)
        if obj is row.record:
            row.fields.add(name)
        self.record_change(row, key, before, value)
        return True

    # -- results -------------------------------------------------------------------

    def count(self, status):
        return sum(1 for r in self.rows if r.status == status)

    @property
    def has_errors(self):
        return any(r.status == ERROR for r in self.rows)

    def summary(self):
        return {
            "file": self.sheet.file_name,
            "created": self.count(NEW),
            "updated": self.count(UPDATE),
            "unchanged": self.count(UNCHANGED),
            "errors": self.count(ERROR),
        }

    def problems(self):
        """(row number, column header, code, message) for every error, in row order."""
        for row in self.rows:
            for p in row.clean.errors:
                yield row.number, self.header(p.key) if p.key else "", p.code, p.message

    def digest(self):
        """Fingerprint of what a commit would do, independent of the interface language."""
        return digest_of(digest_line(row) for row in self.rows)

    def to_write(self):
        return [r for r in self.rows if r.status in (NEW, UPDATE)]

    def chunks(self, progress=None):
        """The rows to write, WRITE_CHUNK at a time; ``progress(done, total)`` after each."""
        rows = self.to_write()
        total = len(rows)
        for start in range(0, total, WRITE_CHUNK):
            part = rows[start : start + WRITE_CHUNK]
            yield part
            if progress is not None:
                progress(min(start + WRITE_CHUNK, total), total)


def digest_line(row):
    codes = ",".join(p.code for p in row.clean.errors)
    facts = ";".join(f"{c.key}={c.token}" for c in row.changes)
    return row.number, f"{row.number}|{row.status}|{codes}|{facts}\n".encode()


def digest_of(lines):
    """The fingerprint of rows' (number, line): as ``Tally.digest``, whatever their order."""
    tally = Tally()
    for number, line in lines:
        tally.numbers.append(number)
        tally.hashes += hashlib.sha256(line).digest()[:16]
    return tally.digest()


class Tally:
    """What a plan comes to, counted chunk by chunk (``Planning``): the counts of the
    summary and the fingerprint, without keeping the rows."""

    def __init__(self):
        self.counts = dict.fromkeys(STATUSES, 0)
        self.notes = 0
        self.numbers = array.array("q")  # the rows' numbers and the digests of their lines:
        self.hashes = bytearray()  # 24 bytes a row, whatever the row holds

    def add(self, rows):
        for row in rows:
            self.counts[row.status] += 1
            self.notes += bool(row.clean.notes)
            number, line = digest_line(row)
            self.numbers.append(number)
            self.hashes += hashlib.sha256(line).digest()[:16]

    @property
    def total(self):
        return sum(self.counts.values())

    def summary(self, file_name):
        return {
            "file": file_name,
            "created": self.counts[NEW],
            "updated": self.counts[UPDATE],
            "unchanged": self.counts[UNCHANGED],
            "errors": self.counts[ERROR],
        }

    def digest(self):
        h = hashlib.sha256()
        for i in sorted(range(len(self.numbers)), key=self.numbers.__getitem__):
            h.update(self.hashes[16 * i : 16 * i + 16])
        return h.hexdigest()


PLAN_CHUNK = 2000  # rows planned (and, in a commit, written) together


class Planning:
    """Plans a sheet chunk by chunk: ``for rows in Planning(…)`` yields lists of settled
    rows, so that a file of 100,000 rows never holds the records of all its rows at once.
    Rows that refer to each other (``spec.links``: the same key, the same organisation)
    are planned in the same chunk; the spec keeps what chunks share on ``plan.state``.
    ``self.plan`` is the context every spec hook receives (``plan.rows``: the chunk)."""

    def __init__(self, sheet, user, *, as_of=None, as_of_default=False, progress=None, size=None):
        self.spec = sheet.spec
        self.sheet = sheet
        self.plan = Plan(self.spec, sheet, user, as_of=as_of, as_of_default=as_of_default)
        self.progress = progress
        self.size = size or PLAN_CHUNK

    def _groups(self, raw):
        """Lists of indexes into ``raw``: linked rows together, in file order."""
        links = self.spec.links
        cells = self.sheet.cells
        parent = list(range(len(raw)))

        def root(i):
            while parent[i] != i:
                parent[i] = parent[parent[i]]
                i = parent[i]
            return i

        first = {}  # hash of a link → the first row with it (a collision only joins chunks)
        for index, (_number, values) in enumerate(raw):
            for link in links(cells(values)):
                if link is None:
                    continue
                other = first.setdefault(hash(link), index)
                if other != index:
                    a, b = root(index), root(other)
                    if a != b:
                        parent[max(a, b)] = min(a, b)
        del first
        members = {}
        for index in range(len(raw)):
            members.setdefault(root(index), []).append(index)
        chunk = []
        for group in members.values():  # ordered by their first row
            if chunk and len(chunk) + len(group) > self.size:
                yield sorted(chunk)
                chunk = []
            chunk.extend(group)
        if chunk:
            yield sorted(chunk)

    def __iter__(self):
        spec, plan, sheet = self.spec, self.plan, self.sheet
        cleaner = Cleaner(spec, plan)
        raw, sheet.rows = sheet.rows, []  # consumed: the raw cells are large
        total, done = len(raw), 0
        row_class = spec.row_class
        label_keys = [k for _label, k in spec.preview()]
        release = getattr(spec, "release", None)
        for indexes in self._groups(raw):
            rows = []
            for index in indexes:
                number, values = raw[index]
                raw[index] = None
                found = sheet.cells(values)
                label = tuple(cells.shown(found.get(k) or "") for k in label_keys)
                rows.append(row_class(cleaner.clean(number, found), label=label))
                done += 1
                if self.progress is not None and not done % 2000:
                    self.progress(done, total)
            plan.rows = rows
            spec.plan(plan)
            for row in rows:
                spec.settle(row, plan)
                if row.clean.errors:
                    row.status = ERROR
                elif row.is_new:
                    row.status = NEW
                elif row.changes:
                    row.status = UPDATE
                else:
                    row.status = UNCHANGED
                if row.status in (ERROR, UNCHANGED):  # nothing to write: let the records go
                    if release is not None:
                        release(row)
                    else:
                        row.record = None
            yield rows
        plan.rows = []
        if self.progress is not None:
            self.progress(total, total)


def build_plan(sheet, user, *, as_of=None, as_of_default=False, progress=None):
    """Plan every row of ``sheet`` for ``user``, keeping them all (``plan.rows``): for the
    command, tests and small files; the import pages plan and write chunk by chunk
    (``Planning``, ``commit_planning``). ``as_of``: the date asked for (the form's,
    ``--as-of``; ``as_of_default`` when it is only today by default). Consumes
    ``sheet.rows``."""
    planning = Planning(sheet, user, as_of=as_of, as_of_default=as_of_default, progress=progress)
    rows = []
    for chunk in planning:
        rows.extend(chunk)
    rows.sort(key=lambda row: row.number)  # chunks follow the links, not the file
    planning.plan.rows = rows
    return planning.plan


def commit(plan, *, user, ip=None, progress=None):
    """Write the plan in one transaction; returns the audit Event. ``progress(done,
    total)`` is called after each chunk of rows (the command and the task report it)."""
    if plan.has_errors:
        raise ImportHasErrors
    with transaction.atomic():
        event = Event.objects.create(
            kind=Event.Kind.IMPORT,
            actor=user,
            username=user.username,
            ip=ip,
            detail=plan.summary(),
        )
        with audit_context(actor=user, ip=ip, event=event), plan.spec.committing():
            for rows in plan.chunks(progress):
                plan.spec.write(plan, rows)
    return event


def prefer_index_scans():
    """On PostgreSQL, for the rest of the current transaction: no bitmap scans.

    A plan looks records up by key (``uscc IN (…)``, 900 at a time). Right after many
    rows were written (by an earlier chunk of the same commit, or by the import before)
    the statistics say the table is small, and PostgreSQL may then read a trigram (GIN)
    index for these equalities, scanning its pending list — every row just written — for
    each of them: seconds per query instead of milliseconds. GIN is only read by bitmap
    scans, so without them the btree (unique) index is used."""
    if connection.vendor == "postgresql" and connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_bitmapscan = off")


@contextmanager
def index_lookups():
    """A transaction (PostgreSQL only) in which ``prefer_index_scans`` holds: for the
    planning of a preview, which only reads."""
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic():
        prefer_index_scans()
        yield


class PlanChanged(Exception):
    """Planning again at commit gave another plan than the preview's: nothing written."""


def commit_planning(sheet, user, *, expect, ip=None, progress=None, **options):
    """Plan ``sheet`` again and write it, chunk by chunk, in one transaction with one
    audit Event; ``expect`` is the preview's fingerprint. Raises ``PlanChanged`` (and
    writes nothing) when a row has an error or the plan differs from the preview.
    Returns (event, tally). ``progress(done, total)``: rows planned and written."""
    tally = Tally()
    with transaction.atomic():
        event = Event.objects.create(
            kind=Event.Kind.IMPORT, actor=user, username=user.username, ip=ip, detail={}
        )
        planning = Planning(sheet, user, progress=progress, **options)
        plan = planning.plan
        prefer_index_scans()
        with audit_context(actor=user, ip=ip, event=event), plan.spec.committing():
            for rows in planning:
                tally.add(rows)
                if tally.counts[ERROR]:
                    raise PlanChanged
                writing = [r for r in rows if r.status in (NEW, UPDATE)]
                for start in range(0, len(writing), WRITE_CHUNK):
                    plan.spec.write(plan, writing[start : start + WRITE_CHUNK])
        if tally.digest() != expect:
            raise PlanChanged
        event.detail = tally.summary(sheet.file_name)
        event.save(update_fields=["detail"])
    return event, tally
