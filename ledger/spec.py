"""What a sheet kind declares: its columns, how a row becomes a record, how rows are
planned and written. The framework (reading, the preview, the error report, the audited
commit, the template, progress, the command) is the same for every kind.

A part declares its specs in ``<app>/sheets.py`` and lists them in ``PART.sheets``
(``<app>/part.py``); ``core.registry`` finds them. docs/IMPORT.md ("Writing a sheet
spec") walks through one. The smallest useful spec:

    class PartnerSheet(SheetSpec):
        kind = "partners"
        label = "共建单位"
        model = Partner
        columns = (
            Column("name", "单位名称", required=True, variants=("名称",)),
            Column("area", "所属街道", REF, required=True, ref=streets),
            Column("kind", "单位类型", CHOICE, choices=Partner.Kind),
        )
        key = ("area", "name")

The default planner matches each row to a record on ``key`` (through the model's base
manager, so a record outside the user's scope is found and refused, not duplicated),
checks it is in ``scope()``, and plans new / update (the changed fields) / unchanged /
error; the default writer inserts and updates in bulk through the audited managers.
Override the hooks (``clean``, ``check``, ``values``, ``plan``, ``write``, ``links`` …)
for more. Rows are planned in chunks (``importer.Planning``): ``plan.rows`` is one chunk,
``plan.state`` what the chunks share, ``links`` what must be in the same chunk.
"""

import contextlib
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _

from . import cells
from .headers import Lookup

# Column kinds: how a cell is read (``cells.py`` has one parser for each).
TEXT = "text"  # text; ``max_length``, ``fold`` (full width → half width, for codes)
NAME = "name"  # a name compared as names are (full width folded, spaces removed)
NAMES = "names"  # several names separated by 、 , ; /
COUNT = "count"  # a whole number ≥ 0 (12, "12", "１２", "1,200", "12人")
AMOUNT = "amount"  # money: a decimal with at most two places ("¥1,200.50", "300元")
DATE = "date"  # a date (Excel dates and serials, 2024-05-19, 2024年5月19日, 2024年5月)
BOOL = "bool"  # 是/否, Y/N, 1/0, √/×, 有/无
CHOICE = "choice"  # one of ``choices`` (a TextChoices): code, label, or a word in ``words``
REF = "ref"  # a record named in the cell, found in ``ref(plan)`` (a queryset) by name

PARSERS = {
    TEXT: cells.parse_text,
    NAME: cells.parse_name,
    NAMES: cells.parse_names,
    COUNT: cells.parse_count,
    AMOUNT: cells.parse_amount,
    DATE: cells.parse_date,
    BOOL: cells.parse_bool,
    CHOICE: cells.parse_choice,
    REF: cells.parse_name,
}

NEW, UPDATE, UNCHANGED, ERROR = "new", "update", "unchanged", "error"
STATUSES = [ERROR, NEW, UPDATE, UNCHANGED]


@dataclass(frozen=True, eq=False)
class Column:
    """One column of a sheet.

    ``header`` is the template's header, Chinese and fixed (it is the file format, not
    interface text); ``variants`` are the other ways sheets head it (headers.py adds the
    usual spellings: brackets, numbering, 时间/日期 …); ``note`` says what to enter (the
    template's 填写说明 shows it with the variants). ``required``: the cell may not be
    empty, and a sheet without the column has no header row. ``field``: the model
    field the default planner writes (default: the key; "" for none).
    """

    key: str
    header: str
    kind: str = TEXT
    note: Any = ""
    variants: tuple = ()
    required: bool = False
    max_length: int = 0
    choices: Any = None  # TextChoices class, for CHOICE
    words: Any = ()  # {value: [words]}: more words a CHOICE column understands
    parse: Any = None  # parse(value, column) → value, or raise cells.CellError
    ref: Any = None  # ref(plan) → queryset of the records a REF cell may name
    ref_field: str = "name"
    fold: bool = False
    signed: bool = False  # AMOUNT: negative amounts allowed
    as_text: bool = False  # the template formats the column as text (codes Excel rounds)
    field: Any = None

    @property
    def parser(self):
        return self.parse or PARSERS[self.kind]

    @property
    def model_field(self):
        return self.key if self.field is None else self.field


@dataclass(slots=True)
class Problem:
    """An error or a note about one cell; ``key`` is the column (None: the whole row)."""

    key: str | None
    code: str
    message: str


@dataclass(slots=True)
class CleanRow:
    number: int
    values: dict = field(default_factory=dict)  # key → value; empty cells are left out
    errors: list = field(default_factory=list)
    notes: list = field(default_factory=list)

    def error(self, key, code, message):
        self.errors.append(Problem(key, code, message))

    def note(self, key, code, message):
        self.notes.append(Problem(key, code, message))

    def has_error(self, key):
        return any(p.key == key for p in self.errors)


@dataclass(eq=False, slots=True)
class Row:
    """A row being planned. Specs with more to plan subclass it (``SheetSpec.row_class``)."""

    clean: CleanRow
    label: tuple = ()  # what the preview shows to identify the row, as written
    status: str = ""
    record: Any = None  # the model instance the row creates or updates
    is_new: bool = False
    fields: set = field(default_factory=set)  # model fields an update writes
    changes: list = field(default_factory=list)  # changes.FieldChange
    values: dict = None  # the cleaned values (``clean.values``)

    def __post_init__(self):
        self.values = self.clean.values

    @property
    def number(self):
        return self.clean.number

    def error(self, key, code, message):
        self.clean.error(key, code, message)


def flag_repeats(rows, key_of, column, code, message):
    """Give every row whose key (``key_of(row)``; None: no key, skipped) also appears in
    another row the error ``message % {"rows": "3、7"}`` on ``column``; returns the rows
    flagged. A file may name one record once: two rows for it would depend on their order."""
    seen = defaultdict(list)
    for row in rows:
        key = key_of(row)
        if key is not None:
            seen[key].append(row)
    flagged = []
    for same in seen.values():
        if len(same) > 1:
            numbers = "、".join(str(r.number) for r in same)
            for row in same:
                row.error(column, code, message % {"rows": numbers})
                flagged.append(row)
    return flagged


class SheetSpec:
    kind = ""  # the registry key, URL part and command argument: "enterprises"
    label = ""  # the sheet's name, Chinese (the file format): "企业台账"
    title = ""  # the import page's heading (translated)
    description = ""  # a paragraph on the import page (translated)
    columns = ()
    key = ()  # column keys identifying a record: the upsert key
    required_headers = None  # a header row has these columns (default: key + required)
    as_of_column = None  # a date column that may be given once at the top instead
    model = None  # the record a row makes (the default planner and writer)
    row_class = Row
    preview_columns = None  # ((label, key), …) identifying a row (default: the key)
    tabs_template = ""  # a template included at the top of the import page (the part's tabs)
    tab = ""  # … and the tab it marks
    list_url = ""  # URL name of the list the records land in (the result page links it)
    list_label = ""  # … and its link text

    # -- derived -----------------------------------------------------------------

    @cached_property
    def by_key(self):
        return {c.key: c for c in self.columns}

    @cached_property
    def lookup(self):
        return Lookup(self)

    @cached_property
    def header_keys(self):
        if self.required_headers is not None:
            return tuple(self.required_headers)
        keys = list(self.key)
        keys += [c.key for c in self.columns if c.required and c.key not in keys]
        return tuple(keys)

    def preview(self):
        if self.preview_columns is not None:
            return list(self.preview_columns)
        return [(self.by_key[k].header, k) for k in self.key]

    def __str__(self):
        return self.label or self.kind

    # -- cells ---------------------------------------------------------------------

    def clean(self, row, plan):
        """Checks between the cells of one row (``row.values``, ``row.error``)."""

    # -- planning ------------------------------------------------------------------

    def scope(self, plan):
        """The records this user may change."""
        return self.model.objects.for_user(plan.user)

    def plan(self, plan):
        """Plan every row of ``plan.rows``: match, compare, set errors and changes.
        The statuses are settled afterwards from errors / is_new / changes."""
        from .changes import chunked

        self.resolve(plan)
        self.flag_duplicates(plan)
        rows = [r for r in plan.rows if self.key_of(r) is not None]
        existing = self.existing(plan, {self.key_of(r) for r in rows})
        ids = [record.pk for record in existing.values()]
        allowed = set(
            chunked(ids, lambda c: self.scope(plan).filter(pk__in=c).values_list("pk", flat=True))
        )
        for row in rows:
            record = existing.get(self.key_of(row))
            if record is not None and record.pk not in allowed:
                row.error(
                    self.key[-1],
                    "out_of_scope",
                    _("This record is kept outside your area; it cannot be changed from here."),
                )
                continue
            values = self.values(row, plan)
            if record is None:
                row.is_new = True
                row.record = self.build(row, values, plan)
                for key, value in values.items():
                    if value not in (None, ""):
                        plan.record_change(row, key, None, value)
            else:
                row.record = record
                for key, value in values.items():
                    plan.assign(row, record, key, value, self.by_key[key].model_field)
            self.check(row, plan)

    def resolve(self, plan):
        """REF cells → the records they name, within ``column.ref(plan)``."""
        from .changes import chunked

        for column in self.columns:
            if column.kind != REF or column.key not in plan.present:
                continue
            names = {r.values[column.key] for r in plan.rows if r.values.get(column.key)}
            if not names:
                continue
            queryset = column.ref(plan)
            found = defaultdict(list)
            for record in chunked(
                names,
                lambda c, q=queryset, f=column.ref_field: q.filter(**{f"{f}__in": c}).order_by(),
            ):
                found[cells.name_key(getattr(record, column.ref_field))].append(record)
            missing = names - set(found)
            outside = set()
            if missing:
                model = queryset.model
                outside = {
                    cells.name_key(n)
                    for n in model._base_manager.filter(
                        **{f"{column.ref_field}__in": list(missing)}
                    ).values_list(column.ref_field, flat=True)
                }
            known = None
            for row in plan.rows:
                name = row.values.get(column.key)
                if not name:
                    continue
                candidates = found.get(name, [])
                if len(candidates) == 1:
                    row.values[column.key] = candidates[0]
                    continue
                del row.values[column.key]
                if candidates:
                    row.error(
                        column.key,
                        "ambiguous",
                        _("Several records in your area are named %(name)s.") % {"name": name},
                    )
                elif name in outside:
                    row.error(
                        column.key,
                        "out_of_scope",
                        _("%(name)s is outside your area; you cannot import into it.")
                        % {"name": name},
                    )
                else:
                    if known is None:
                        known = "、".join(
                            str(v)
                            for v in queryset.order_by(column.ref_field).values_list(
                                column.ref_field, flat=True
                            )[:30]
                        )
                    row.error(
                        column.key,
                        "unknown",
                        _("There is no %(what)s named %(name)s in your area. Known: %(known)s.")
                        % {"what": column.header, "name": name, "known": known or "—"},
                    )
            if column.required:
                for row in plan.rows:
                    if column.key not in row.values and not row.clean.has_error(column.key):
                        row.error(
                            column.key,
                            "required",
                            _("The cell is empty, but this column is required."),
                        )

    def links(self, raw):
        """What ties a row to others, from its raw cells ({key: value}): rows sharing a
        link are planned together (a key given twice must be seen in one chunk)."""
        parts = []
        for key in self.key:
            value = raw.get(key)
            if value in (None, ""):
                return ()
            parts.append(cells.name_key(value) if isinstance(value, str) else value)
        return (tuple(parts),)

    def key_of(self, row):
        """The upsert key of a row (records as their primary key), or None."""
        parts = []
        for key in self.key:
            value = row.values.get(key)
            if value is None or value == "" or row.clean.has_error(key):
                return None
            parts.append(value.pk if isinstance(value, models.Model) else value)
        return tuple(parts)

    def record_key(self, record):
        names = [self.model._meta.get_field(self.by_key[k].model_field).attname for k in self.key]
        return tuple(getattr(record, name) for name in names)

    def flag_duplicates(self, plan):
        flag_repeats(
            plan.rows,
            self.key_of,
            self.key[-1],
            "duplicate_key",
            _("The same record appears in rows %(rows)s; it may appear only once."),
        )

    def existing(self, plan, keys):
        """{key: record} of the stored records with these keys (any scope)."""
        from .changes import chunked

        if not keys:
            return {}
        first = self.by_key[self.key[0]].model_field
        values = {k[0] for k in keys}
        found = {}
        for record in chunked(
            values, lambda c: self.model._base_manager.filter(**{f"{first}__in": c}).order_by()
        ):
            key = self.record_key(record)
            if key in keys:
                found[key] = record
        return found

    def values(self, row, plan):
        """{column key: value} the row sets; an empty cell clears an optional field,
        a column the sheet lacks is left alone."""
        result = {}
        meta = self.model._meta
        for column in self.columns:
            name = column.model_field
            if not name or column.key not in plan.present or row.clean.has_error(column.key):
                continue
            value = row.values.get(column.key)
            if value is None:
                model_field = meta.get_field(name)
                text = isinstance(model_field, models.CharField | models.TextField)
                if model_field.null:
                    value = None
                elif model_field.blank and text:
                    value = ""
                else:
                    continue  # an empty cell keeps a required field
            result[column.key] = value
        return result

    def build(self, row, values, plan):
        fields = {self.by_key[k].model_field: v for k, v in values.items() if v is not None}
        return self.model(**fields)

    def check(self, row, plan):
        """More rules for a planned row (``row.record``, ``row.is_new``, ``row.error``)."""

    def settle(self, row, plan):
        """Last word on a row before its status is set from its errors and changes."""

    # -- writing -------------------------------------------------------------------

    def committing(self):
        """A context around a whole commit, inside its transaction (e.g. to keep derived
        state once at the end rather than after every chunk)."""
        return contextlib.nullcontext()

    def write(self, plan, rows):
        """Write planned rows (new or changed), a chunk at a time, inside the commit's
        transaction and audit context."""
        from . import bulk

        now = timezone.now()
        versioned = any(f.name == "version" for f in self.model._meta.concrete_fields)
        stamped = [
            f.name for f in self.model._meta.concrete_fields if getattr(f, "auto_now", False)
        ]
        bulk.insert([r.record for r in rows if r.is_new])
        by_fields = defaultdict(list)
        for r in rows:
            if not r.is_new and r.fields:
                if versioned:
                    r.record.version += 1
                for name in stamped:
                    setattr(r.record, name, now)
                extra = {"version"} if versioned else set()
                by_fields[frozenset(r.fields | extra | set(stamped))].append(r.record)
        for fields, records in by_fields.items():
            bulk.update(records, sorted(fields))

    # -- the template ----------------------------------------------------------------

    def examples(self, user):
        """Example rows for the template: [{key: value}]."""
        return []

    def template_notes(self):
        """More lines for the template's 填写说明 sheet."""
        return []
