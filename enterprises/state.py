"""Stored state of the "1": each enterprise's state over time, as intervals of days.

``EnterpriseState`` rows say, for [start, end): operating or not, coverage state,
member band, the figures of the latest membership return and the 工青妇 flags, plus
the enterprise's community and dimensions. Readers ask "which interval holds at D"
(``EnterpriseState.objects.on(D)``) instead of evaluating the rules over every dated
record: the dashboard's figures, breakdowns and trend (``dashboard/figures.py``), the
enterprise list's state / band filters, members sort and rows, and the alerts that
depend on state (``readers.py``).

One definition
--------------
The intervals are **coverage.py's own expressions, evaluated at each enterprise's event
days**; nothing here restates a rule. ``coverage.event_days`` lists every day at which
an input of a rule starts or ends (tracked_since, status_date, coverage since/until,
organisation established/dissolved, liaison start/end, 工青妇 established/dissolved,
return reported_on). Between two consecutive event days every comparison a rule makes
(``x <= D``, ``x > D``) keeps its value, so the state at an event day holds until the
next one: evaluating at the event days, and at no other day, is exact. One statement
binds the (enterprise, day) pairs as a common table expression named like the
unmanaged model ``EventDay`` (primary key: the enterprise), so the very same
``annotate_coverage``, ``has_mass_org_on`` and ``Enterprise.objects.operating_on``
run with ``day = OuterRef("day")``: correlated on the pair's enterprise and day
instead of a constant. Consecutive equal points are merged into intervals in Python.

Why not a second, interval-producing form of the rules: it would be a second definition
that must be kept in step with the first by hand — exactly the maintenance cost of the
dated invalidation (``matrix/dashboard/version.py``) that issue 11 retired. Here a rule
change in coverage.py changes the stored state by construction (after
``rebuild_state``). Two lists next to the rules name their inputs, and only they must
follow a rule that reads a
new field: ``event_days`` (its dates) and ``ORGANIZATION_INPUTS`` (the organisation's
fields whose edit recomputes the enterprises it covers; editing any other one — name,
level, secretary, elections — recomputes nothing, which matters for a regional
organisation covering hundreds). The property test
(``tests/enterprises/test_state_property.py``) checks the stored state against the
rules at random days between events and after every edit, so a missing one fails there.

The statement takes 25 ms to compile with the ORM (more than running it for one
enterprise), so each of its two forms (a list of ids, a range of ids) is compiled once
per process and only the ids change (``_selection_sql``).

Why the dimensions are copied
-----------------------------
Each row carries the enterprise's community, industry, size, ownership and 规上 (their
current values: these are not dated). The dashboard's question, "the states at D in an
area, counted per community / industry / size / ownership / 规上", and its 24 month-end
points then read this table alone: ``WHERE community_id IN (the area's communities)
AND start <= D AND (end IS NULL OR end > D) AND operating GROUP BY …``, with no join to
the 50,000–500,000 enterprise rows per point. The price is that an enterprise save
rewrites its few rows, which happens anyway (the save keeps the state, below), and a
community move is one such save. The street is not copied: areas can move, and
``in_area`` resolves an area to its communities with a small subquery on the area table.
``start_month`` / ``end_month`` (``month_index``: year × 12 + month − 1) serve the 24
month-end points of the trend in one grouped scan: an interval covers the points from the
first month-end on or after its start to the last one before its end, an arithmetic range
of point indexes, so grouping by (state, band, first index, index after) and adding ±1
per point gives every point (``dashboard/figures.py``, ``_trend_parts``). Indexes: the
unique (enterprise, start) serves keeping and per-enterprise reads (the enterprise page,
a list's page of rows); the one on community serves a community's or a street's day.
Measured numbers: docs/PERFORMANCE.md, "Stored state of the 1" and "Readers on the
stored state".

Who keeps it
------------
Every write that can change an enterprise's state recomputes the state of the affected
enterprises, in the same transaction, set-based (one ``refresh`` for all of them):

- single saves and deletes (forms, views, services, Django admin, cascades) through
  ``post_save`` / ``post_delete`` of Enterprise, PartyOrganization (every enterprise it
  covers, when an input changed), Coverage, LiaisonAssignment, MassOrganization and
  MembershipReturn (the old enterprise too, when a record moves to another one: the
  value before comes from the audit trail's own ``pre_save`` read);
- the bulk paths of ``audit.models.AuditedQuerySet`` (``bulk_create``, ``bulk_update``,
  ``QuerySet.update``; the import) through ``audit.hooks.bulk_written``;
- ``QuerySet.delete()`` and ``Model.delete()`` through ``audit.hooks.batch_started`` /
  ``batch_finished``: the cascade's per-row signals are collected and refreshed once;
- ``deferred()`` does the same for any block (the import's commit uses it).

``refresh`` locks the enterprises' rows (``SELECT … FOR NO KEY UPDATE`` on PostgreSQL)
before it reads their facts, so two transactions changing one enterprise cannot store a
state that misses the other's change (without the lock the second one's intervals
collide with the first one's: ``test_two_transactions_changing_one_enterprise…``). It
rewrites only the intervals that differ, so a save that changes nothing the rules read
costs three reads and no write.

Not kept (like the audit trail, which does not record them either): raw SQL and
``Model._base_manager`` / plain ``QuerySet(Model)`` writes. The demo seed's synthetic
rows are such writes; it rebuilds at its end. ``manage.py rebuild_state`` rebuilds
everything; ``--check`` reports drift and exits non-zero.
"""

import datetime as dt
import functools
import itertools
from contextvars import ContextVar
from dataclasses import dataclass, field

from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.db.models import Exists, F, OuterRef, Q
from django.db.models.expressions import RawSQL
from django.db.models.signals import post_delete, post_save, pre_save

from audit import hooks
from audit.models import snapshot
from audit.signals import saved_before

from . import coverage
from .models import (
    Coverage,
    Enterprise,
    EnterpriseState,
    EventDay,
    LiaisonAssignment,
    MassOrganization,
    MembershipReturn,
    PartyOrganization,
)

MASS_KINDS = [kind.value for kind in MassOrganization.Kind]
VALUE_FIELDS = [
    "operating",
    "coverage_state",
    "member_band",
    *coverage.MEMBER_FIELDS,
    *(f"has_{kind}" for kind in MASS_KINDS),
]
BOOLEAN_FIELDS = {"operating", *(f"has_{kind}" for kind in MASS_KINDS), "above_scale"}
DIMENSION_FIELDS = ["community_id", "industry", "size", "ownership", "above_scale"]
# A stored or computed interval is a tuple in this order.
ROW_FIELDS = ["start", "end", "start_month", "end_month", *VALUE_FIELDS, *DIMENSION_FIELDS]
EMPTY = {  # the state before an enterprise's first event day: no fact exists yet
    "operating": False,
    "coverage_state": coverage.UNCOVERED,
    "member_band": coverage.UNKNOWN,
    **dict.fromkeys(coverage.MEMBER_FIELDS),
    **{f"has_{kind}": False for kind in MASS_KINDS},
}

# Enterprises per statement when keeping (fewer on SQLite: see _chunk). Each statement
# scans the dated tables once for the event days, whatever its number of enterprises, so
# an import's refresh of 45,000 is a quarter faster in chunks of 5,000 than of 1,000.
CHUNK = 5000
REBUILD_CHUNK = 5000  # enterprises per statement when rebuilding (a range, 2 parameters)
WRITE_BATCH = 5000


# ---------------------------------------------------------------------------
# Computing


def _points_sql(where, ctes=""):
    """The rules evaluated at every event day of the enterprises ``where`` selects, one
    row per (enterprise, day), ordered: SQL and parameters. ``ctes``: more common table
    expressions the selection refers to ("name (columns) AS (…), ")."""
    day = OuterRef("day")
    points = (
        coverage.annotate_coverage(EventDay.objects.all(), day)
        .annotate(
            operating=Exists(Enterprise.objects.filter(pk=OuterRef("pk")).operating_on(day)),
            **{f"has_{kind}": coverage.has_mass_org_on(day, kind) for kind in MASS_KINDS},
            **{f"d_{name}": F(f"enterprise__{name}") for name in DIMENSION_FIELDS},
        )
        .values_list(
            "enterprise_id", "day", *VALUE_FIELDS, *(f"d_{name}" for name in DIMENSION_FIELDS)
        )
        .order_by("enterprise_id", "day")
    )
    sql, params = points.query.sql_with_params()
    days_sql, days_params = coverage.event_days(where).query.sql_with_params()
    qn = connection.ops.quote_name
    days = f"{qn(EventDay._meta.db_table)} ({qn('enterprise_id')}, {qn('day')}) AS ({days_sql})"
    return f"WITH {ctes}{days} {sql}", (*days_params, *params)


# Compiling the statement costs more (25 ms) than running it for one enterprise, so each
# form of it is compiled once per process; only the selection's values change.
_IDS = "enterprises_state_ids"  # a common table expression: the enterprises to compute
_LO, _HI = -7_000_000_001, -7_000_000_002  # stand-ins for a range's bounds when compiling


@functools.cache
def _ids_template(vendor):
    ids = RawSQL(f"SELECT id FROM {connection.ops.quote_name(_IDS)}", ())
    return _points_sql(lambda name: Q(**{f"{name}__in": ids}), ctes="{ids}")


@functools.cache
def _range_template(vendor):
    return _points_sql(IdRange(_LO, _HI))


def _selection_sql(where):
    if isinstance(where, Ids):
        sql, params = _ids_template(connection.vendor)
        values = ", ".join(["(%s)"] * len(where.ids))
        ids = f"{connection.ops.quote_name(_IDS)} (id) AS (VALUES {values}), "
        return sql.replace("{ids}", ids, 1), (*where.ids, *params)
    if isinstance(where, IdRange):
        sql, params = _range_template(connection.vendor)
        bounds = {_LO: where.lo, _HI: where.hi}
        return sql, tuple(bounds.get(p, p) if type(p) is int else p for p in params)
    return _points_sql(where)


def _date(value):
    return value if isinstance(value, dt.date) or value is None else dt.date.fromisoformat(value)


_POINT_FIELDS = ["day", *VALUE_FIELDS, *DIMENSION_FIELDS]
_BOOLEAN_AT = [i for i, name in enumerate(_POINT_FIELDS) if name in BOOLEAN_FIELDS]


def _points(where):
    """[(enterprise id, [values in _POINT_FIELDS order])] per event day, ordered.
    ``where``: ``Ids``, ``IdRange``, or any function giving the Q for an enterprise
    column."""
    sql, params = _selection_sql(where)
    # SET LOCAL needs a transaction; inside the caller's there is no savepoint to pay.
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # As in matrix/dashboard/figures.py: the planner's cost estimate for the
            # correlated subqueries triggers JIT compilation, which costs more (1.6 s for
            # 5,000 enterprises) than the whole statement (0.6 s); same round trip. It
            # holds until the transaction ends.
            cursor.execute("SET LOCAL jit = off; " + sql, params)
            cursor.nextset()
        else:
            cursor.execute(sql, params)
        rows = cursor.fetchall()
    points = []
    for enterprise_id, *values in rows:
        # A raw cursor: SQLite gives dates as text and booleans as 0/1.
        values[0] = _date(values[0])
        for i in _BOOLEAN_AT:
            values[i] = bool(values[i])
        points.append((enterprise_id, values))
    return points


def month_index(day):
    """Months since year 0 (year × 12 + month − 1): the trend's month-ends are
    consecutive integers, so "the first month-end on or after ``start``" is arithmetic."""
    return None if day is None else day.year * 12 + day.month - 1


def compute(where):
    """{enterprise id: [interval tuples in ROW_FIELDS order]} for the enterprises
    ``where(field)`` selects (a Q on the given enterprise column). Equal consecutive
    points are merged; each interval ends where the next begins; the last is open."""
    intervals = {}
    for enterprise_id, group in itertools.groupby(_points(where), key=lambda p: p[0]):
        rows = []
        for _, (day, *values) in group:
            if rows and rows[-1][2:] == values:
                continue
            if rows:
                rows[-1][1] = day
            rows.append([day, None, *values])
        intervals[enterprise_id] = [
            (start, end, month_index(start), month_index(end), *values)
            for start, end, *values in rows
        ]
    return intervals


@functools.cache
def _stored_template(vendor):
    rows = EnterpriseState.objects.filter(enterprise_id__in=[_LO]).order_by()
    sql, params = rows.values_list("pk", "enterprise_id", *ROW_FIELDS).query.sql_with_params()
    assert params == (_LO,) and sql.count("IN (%s)") == 1
    return sql


_DATES_AT = [ROW_FIELDS.index("start"), ROW_FIELDS.index("end")]
_BOOLEANS_AT = [i for i, name in enumerate(ROW_FIELDS) if name in BOOLEAN_FIELDS]


def stored(where):
    """{enterprise id: {interval tuple: pk}} as stored, for the same selection."""
    if not isinstance(where, Ids):
        rows = EnterpriseState.objects.filter(where("enterprise_id")).order_by()
        result = {}
        for pk, enterprise_id, *values in rows.values_list("pk", "enterprise_id", *ROW_FIELDS):
            result.setdefault(enterprise_id, {})[tuple(values)] = pk
        return result
    # The keeping's path, on every save: compiled once (see _selection_sql).
    sql = _stored_template(connection.vendor)
    sql = sql.replace("IN (%s)", f"IN ({', '.join(['%s'] * len(where.ids))})", 1)
    with connection.cursor() as cursor:
        cursor.execute(sql, where.ids)
        rows = cursor.fetchall()
    result = {}
    for pk, enterprise_id, *values in rows:
        for i in _DATES_AT:
            values[i] = _date(values[i])
        for i in _BOOLEANS_AT:
            values[i] = bool(values[i])
        result.setdefault(enterprise_id, {})[tuple(values)] = pk
    return result


@dataclass
class Drift:
    enterprise_id: int
    missing: list = field(default_factory=list)  # intervals the rules give, not stored
    unexpected: list = field(default_factory=list)  # stored intervals the rules do not give


def _diff(computed, saved):
    drifts = []
    for enterprise_id in sorted(computed.keys() | saved.keys()):
        want = computed.get(enterprise_id, [])
        have = saved.get(enterprise_id, {})
        wanted = set(want)
        missing = [row for row in want if row not in have]
        unexpected = sorted((row for row in have if row not in wanted), key=lambda r: r[0])
        if missing or unexpected:
            drifts.append(Drift(enterprise_id, missing, unexpected))
    return drifts


def _chunk(size):
    """At most ``size`` ids per statement, and fewer than the backend's parameter limit
    (999 on SQLite builds before 3.32) with room for the statement's own parameters."""
    limit = connection.features.max_query_params
    return size if limit is None else max(1, min(size, limit - 100))


def _write(drifts, saved):
    doomed = [saved[d.enterprise_id][row] for d in drifts for row in d.unexpected]
    batch = _chunk(WRITE_BATCH)
    for start in range(0, len(doomed), batch):
        # _raw_delete: one DELETE, without Django collecting the rows to send a
        # post_delete per row (derived rows: nothing listens, nothing cascades).
        EnterpriseState.objects.filter(pk__in=doomed[start : start + batch])._raw_delete(
            EnterpriseState.objects.db
        )
    new = [(d.enterprise_id, *row) for d in drifts for row in d.missing]
    _insert(new)
    return len(new), len(doomed)


def _insert(rows):
    """Insert (enterprise id, *ROW_FIELDS) tuples: COPY on PostgreSQL for a rebuild's
    thousands (Django's bulk_create spends 70 s preparing 270,000 rows' values, COPY
    a few), bulk_create for the few rows of a save."""
    if connection.vendor != "postgresql" or len(rows) < 1000:
        names = ["enterprise_id", *ROW_FIELDS]
        EnterpriseState.objects.bulk_create(
            [EnterpriseState(**dict(zip(names, row, strict=True))) for row in rows],
            batch_size=WRITE_BATCH,
        )
        return
    columns = ", ".join(
        connection.ops.quote_name(EnterpriseState._meta.get_field(name).column)
        for name in ["enterprise", *(n.removesuffix("_id") for n in ROW_FIELDS)]
    )
    table = connection.ops.quote_name(EnterpriseState._meta.db_table)
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row(row)


def _lock(where):
    """Lock the enterprises' rows until the transaction ends, so that their facts are
    read after any concurrent writer of the same enterprise has committed. FOR NO KEY
    UPDATE: refreshes wait for each other, inserts of records pointing at the
    enterprise (which take FOR KEY SHARE) do not wait for a refresh."""
    if connection.features.has_select_for_update:
        no_key = connection.features.has_select_for_no_key_update
        list(
            Enterprise._base_manager.filter(where("pk"))
            .order_by("pk")
            .select_for_update(no_key=no_key)
            .values_list("pk", flat=True)
        )


class Ids:
    """A selection of enterprises by id: ``where(column)`` gives the Q."""

    def __init__(self, ids):
        self.ids = list(ids)

    def __call__(self, name):
        return Q(**{f"{name}__in": self.ids})


class IdRange:
    """The enterprises with lo ≤ id ≤ hi."""

    def __init__(self, lo, hi):
        self.lo, self.hi = lo, hi

    def __call__(self, name):
        return Q(**{f"{name}__gte": self.lo, f"{name}__lte": self.hi})


def refresh(enterprise_ids):
    """Recompute and store the state of these enterprises (in chunks of ``CHUNK``);
    returns (intervals inserted, intervals deleted). Deleted enterprises lose theirs."""
    ids = sorted({i for i in enterprise_ids if i is not None})
    inserted = deleted = 0
    with transaction.atomic(savepoint=False):
        size = _chunk(CHUNK)
        for start in range(0, len(ids), size):
            where = Ids(ids[start : start + size])
            _lock(where)
            saved = stored(where)
            added, removed = _write(_diff(compute(where), saved), saved)
            inserted += added
            deleted += removed
    return inserted, deleted


def _ranges():
    pks = list(Enterprise._base_manager.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(pks), REBUILD_CHUNK):
        part = pks[start : start + REBUILD_CHUNK]
        yield part[0], part[-1]


def _orphans():
    return EnterpriseState.objects.exclude(enterprise_id__in=Enterprise._base_manager.values("pk"))


@dataclass
class Report:
    enterprises: int = 0
    inserted: int = 0
    deleted: int = 0
    drifts: list = field(default_factory=list)


def rebuild(check=False, progress=None):
    """Compare the stored state of every enterprise with the rules; unless ``check``,
    store the difference. Returns a ``Report`` (``drifts``: what differed)."""
    report = Report()
    for lo, hi in _ranges():
        # One transaction per chunk: the locks of a rebuild are held for one chunk only.
        outermost = not connection.in_atomic_block
        with transaction.atomic():
            where = IdRange(lo, hi)
            if not check:
                _lock(where)
            elif outermost and connection.vendor == "postgresql":
                # Both reads of a check from one snapshot, so that a write committed
                # between them is not reported as drift.
                with connection.cursor() as cursor:
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            computed = compute(where)
            saved = stored(where)
            drifts = _diff(computed, saved)
            report.enterprises += len(computed)
            report.drifts.extend(drifts)
            if not check:
                added, removed = _write(drifts, saved)
                report.inserted += added
                report.deleted += removed
        if progress is not None:
            progress(report)
    orphans = list(_orphans().order_by("enterprise_id").values_list("enterprise_id", *ROW_FIELDS))
    for enterprise_id, rows in itertools.groupby(orphans, key=lambda r: r[0]):
        report.drifts.append(Drift(enterprise_id, unexpected=[tuple(r[1:]) for r in rows]))
    if orphans and not check:
        report.deleted += _orphans()._raw_delete(EnterpriseState.objects.db)
    return report


def state_on(enterprise_id, day):
    """{field: value} of one enterprise's stored state at ``day`` (``EMPTY`` before its
    first interval)."""
    row = EnterpriseState.objects.on(day).filter(enterprise_id=enterprise_id).values().first()
    return row if row is not None else {"enterprise_id": enterprise_id, **EMPTY}


# ---------------------------------------------------------------------------
# Keeping: which writes change which enterprises


class _Pending:
    def __init__(self):
        self.ids = set()
        self.depth = 0


_pending = ContextVar("enterprise_state_pending", default=None)


def changed(enterprise_ids):
    """These enterprises' facts changed: refresh their state now, or at the end of the
    enclosing ``deferred()`` block / delete."""
    ids = {i for i in enterprise_ids if i is not None}
    if not ids:
        return
    pending = _pending.get()
    if pending is not None:
        pending.ids |= ids
    else:
        refresh(ids)


def _begin(**kwargs):
    pending = _pending.get()
    if pending is None:
        pending = _Pending()
        _pending.set(pending)
    pending.depth += 1


def _end(**kwargs):
    pending = _pending.get()
    pending.depth -= 1
    if pending.depth:
        return
    _pending.set(None)
    conn = connections[DEFAULT_DB_ALIAS]
    if pending.ids and not (conn.in_atomic_block and conn.needs_rollback):
        # Also after an exception: whatever was written and not rolled back is kept.
        refresh(pending.ids)


class deferred:  # noqa: N801  (used as ``with state.deferred():``)
    """Collect the enterprises changed inside the block; refresh them once at its end
    (still inside the caller's transaction). Blocks nest; the outermost refreshes."""

    def __enter__(self):
        _begin()
        return self

    def __exit__(self, *exc):
        _end()
        return False


CHILDREN = (Coverage, LiaisonAssignment, MassOrganization, MembershipReturn)


def covered_by(organization_ids):
    """Every enterprise these organisations cover or covered (any dates)."""
    return set(
        Coverage.objects.filter(organization_id__in=organization_ids).values_list(
            "enterprise_id", flat=True
        )
    )


def _remember_enterprise(sender, instance, **kwargs):
    before = saved_before(instance)
    instance._state_enterprise_before = before.get("enterprise_id") if before else None


def _child_saved(sender, instance, **kwargs):
    changed([instance.enterprise_id, getattr(instance, "_state_enterprise_before", None)])


def _child_deleted(sender, instance, **kwargs):
    changed([instance.enterprise_id])


def _enterprise_written(sender, instance, **kwargs):
    changed([instance.pk])


def _remember_inputs(sender, instance, **kwargs):
    before = saved_before(instance)
    instance._state_inputs_before = (
        None if before is None else {f: before.get(f) for f in coverage.ORGANIZATION_INPUTS}
    )


def _organization_saved(sender, instance, created, **kwargs):
    if created:  # a new organisation covers nothing yet
        return
    before = getattr(instance, "_state_inputs_before", None)
    after = snapshot(instance)
    if before is None or any(before[f] != after.get(f) for f in coverage.ORGANIZATION_INPUTS):
        changed(covered_by([instance.pk]))


def _bulk_written(sender, action, objs, fields, before, **kwargs):
    if sender is Enterprise:
        ids = [o.pk for o in objs]
        if None in ids:  # a backend that does not return the new primary keys
            codes = [o.uscc for o in objs]
            ids = Enterprise._base_manager.filter(uscc__in=codes).values_list("pk", flat=True)
    elif sender in CHILDREN:
        ids = {o.enterprise_id for o in objs}
        ids |= {row.get("enterprise_id") for row in before.values()}
    elif sender is PartyOrganization:
        if action == "create" or not set(fields) & set(coverage.ORGANIZATION_INPUTS):
            return
        ids = covered_by([o.pk for o in objs])
    else:
        return
    changed(ids)


def connect():
    uid = "enterprises.state"
    for model in CHILDREN:
        pre_save.connect(_remember_enterprise, sender=model, dispatch_uid=f"{uid}.pre.{model}")
        post_save.connect(_child_saved, sender=model, dispatch_uid=f"{uid}.save.{model}")
        post_delete.connect(_child_deleted, sender=model, dispatch_uid=f"{uid}.del.{model}")
    post_save.connect(_enterprise_written, sender=Enterprise, dispatch_uid=f"{uid}.save.e")
    post_delete.connect(_enterprise_written, sender=Enterprise, dispatch_uid=f"{uid}.del.e")
    pre_save.connect(_remember_inputs, sender=PartyOrganization, dispatch_uid=f"{uid}.pre.org")
    post_save.connect(_organization_saved, sender=PartyOrganization, dispatch_uid=f"{uid}.org")
    hooks.bulk_written.connect(_bulk_written, dispatch_uid=f"{uid}.bulk")
    hooks.batch_started.connect(_begin, dispatch_uid=f"{uid}.begin")
    hooks.batch_finished.connect(_end, dispatch_uid=f"{uid}.end")
