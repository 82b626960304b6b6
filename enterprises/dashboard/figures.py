"""The figures of the "1" panel, its breakdowns and its trend, as of a date D.

They are read from the stored state (``EnterpriseState``, kept by ``enterprises/state.py``
from the rules of ``enterprises.coverage``): this module only counts intervals. The
enterprise list's filters read the same intervals (``enterprises/readers.py``), so a
figure and its drill-down list agree.

One SQL statement computes everything that depends on D (``_statement``):

- the snapshot: the area's intervals holding at D and operating (state, band, member
  figures, 工青妇 flags, the copied dimensions), each joined to the same enterprise's
  interval at 31 December of the previous year (formal members then), grouped once per
  breakdown dimension (GROUPING SETS on PostgreSQL, ``UNION ALL`` branches on SQLite);
- the trend: the operating intervals overlapping the points, grouped by (state, band,
  first point covered, first point after), the points found by month arithmetic on
  ``start_month`` / ``end_month`` when they are consecutive month-ends (the trend's), else
  by comparing dates; ``compute`` adds them up per point;
- the organisations formed this year (party organisations, not state).

The grouped rows (a few thousand at most) are folded into ``Tally`` objects in Python.

``enterprise_rows`` and ``state_band_counts`` are the same figures from the rules over
the dated records, one row per enterprise: the oracle of
``tests/matrix/test_figures_state.py`` (and what ``version.py``'s field lists guard).
"""

import datetime as dt
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Count, F, FilteredRelation, Q, Subquery

from core.sql import fetch
from enterprises import coverage, state
from enterprises.models import (
    Enterprise,
    EnterpriseState,
    MassOrganization,
    PartyOrganization,
)

STATES = coverage.STATES
BANDS = coverage.BANDS
MEMBER_FIELDS = coverage.MEMBER_FIELDS
MASS_KINDS = [k.value for k in MassOrganization.Kind]
ORGANIZATION = "organization"
WORK = "work"
# The coverage figures in display order; "organization" and "work" are sums of states.
COVERAGE_KEYS = [
    coverage.STANDALONE,
    coverage.JOINT,
    coverage.REGIONAL,
    ORGANIZATION,
    coverage.WORK_ONLY,
    WORK,
    coverage.UNCOVERED,
]
COMPOSITE = {
    ORGANIZATION: coverage.ORGANIZATION_STATES,
    WORK: [*coverage.ORGANIZATION_STATES, coverage.WORK_ONLY],
}
# Breakdown dimensions computed in SQL; "street" is folded from "community".
DIMENSIONS = ["community", "industry", "size", "ownership", "above_scale"]


def rate(count, operating):
    """count ÷ operating; None (shown as "—") when nothing is operating."""
    return count / operating if operating else None


def month_end(year, month):
    first_of_next = dt.date(year + month // 12, month % 12 + 1, 1)
    return first_of_next - dt.timedelta(days=1)


def trend_days(day, months=24):
    """The last ``months`` points: the ends of the previous months, then ``day`` itself."""
    points = []
    for back in range(months - 1, 0, -1):
        index = day.year * 12 + day.month - 1 - back
        points.append(month_end(index // 12, index % 12 + 1))
    return [*points, day]


def year_start_reference(day):
    """Members added this year are counted against the end of the previous year."""
    return dt.date(day.year - 1, 12, 31)


@dataclass
class Tally:
    """The figures of one set of operating enterprises (an area or a breakdown row)."""

    operating: int = 0
    states: dict = field(default_factory=lambda: dict.fromkeys(STATES, 0))
    bands: dict = field(default_factory=lambda: dict.fromkeys(BANDS, 0))
    should_form: int = 0
    members: dict = field(default_factory=lambda: dict.fromkeys(MEMBER_FIELDS, 0))
    formal_year_start: int = 0
    mass: dict = field(default_factory=lambda: dict.fromkeys(MASS_KINDS, 0))

    def add(self, state, band, n, sums=(), prev=0, mass=()):
        self.operating += n
        self.states[state] += n
        self.bands[band] += n
        # 应建未建 (alerts.should_form): formal ≥ 3, i.e. band "many", and not standalone.
        if band == coverage.MANY and state != coverage.STANDALONE:
            self.should_form += n
        for name, value in zip(MEMBER_FIELDS, sums, strict=False):
            self.members[name] += value or 0
        self.formal_year_start += prev or 0
        for kind, value in zip(MASS_KINDS, mass, strict=False):
            self.mass[kind] += value or 0

    def merge(self, other):
        self.operating += other.operating
        self.should_form += other.should_form
        self.formal_year_start += other.formal_year_start
        for mine, theirs in (
            (self.states, other.states),
            (self.bands, other.bands),
            (self.members, other.members),
            (self.mass, other.mass),
        ):
            for key, value in theirs.items():
                mine[key] += value
        return self

    def count(self, key):
        if key in COMPOSITE:
            return sum(self.states[s] for s in COMPOSITE[key])
        return self.states[key]

    @property
    def coverage(self):
        return {key: self.count(key) for key in COVERAGE_KEYS}

    def rate(self, key):
        return rate(self.count(key), self.operating)

    @property
    def members_added(self):
        """Formal members at D minus formal members at 31 December of the previous year."""
        return self.members["formal"] - self.formal_year_start


@dataclass
class Snapshot:
    area_id: int
    day: dt.date
    total: Tally
    rows: dict  # dimension -> {key: Tally}
    organizations_formed: int


# ---------------------------------------------------------------------------
# The same figures from the rules (coverage.py) over the dated records: the oracle


def _latest_return_join(day):
    """Join each enterprise to its latest membership return on or before ``day``.

    ``coverage.latest_return(day)`` picks the return; returns are unique per enterprise
    and day, so the join adds at most one row. One join serves all five member fields
    and the band, where ``annotate_members`` would run one subquery per field.
    """
    latest_on = Subquery(coverage.latest_return(day).values("reported_on")[:1])
    return FilteredRelation("returns", condition=Q(returns__reported_on=latest_on))


ROW_COLUMNS = [
    "d_community",
    "d_industry",
    "d_size",
    "d_ownership",
    "d_above_scale",
    "state",
    "band",
    *(f"m_{name}" for name in MEMBER_FIELDS),
    "m_prev",
    *(f"x_{kind}" for kind in MASS_KINDS),
]


def enterprise_rows(area, day):
    """One row per enterprise operating at ``day`` in ``area``: dimensions and figures."""
    previous = year_start_reference(day)
    annotations = {
        "d_community": F("community_id"),
        "d_industry": F("industry"),
        "d_size": F("size"),
        "d_ownership": F("ownership"),
        "d_above_scale": F("above_scale"),
        "state": coverage.coverage_case(day, correlated=False),
        "band": coverage.band_case("latest__formal"),
        **{f"m_{name}": F(f"latest__{name}") for name in MEMBER_FIELDS},
        "m_prev": Subquery(coverage.latest_return(previous).values("formal")[:1]),
        **{
            f"x_{kind}": coverage.has_mass_org_on(day, kind, correlated=False)
            for kind in MASS_KINDS
        },
    }
    assert list(annotations) == ROW_COLUMNS
    return (
        Enterprise.objects.operating_on(day)
        .in_area(area)
        .order_by()
        .alias(latest=_latest_return_join(day))
        .annotate(**annotations)
        .values(*ROW_COLUMNS)
    )


def state_band_counts(area, day):
    """Operating enterprises at ``day`` by coverage state × member band (the trend)."""
    return (
        Enterprise.objects.operating_on(day)
        .in_area(area)
        .order_by()
        .alias(latest=_latest_return_join(day))
        .annotate(
            state=coverage.coverage_case(day, correlated=False),
            band=coverage.band_case("latest__formal"),
        )
        .values("state", "band")
        .annotate(n=Count("pk"))
    )


def organizations_formed(area, day):
    """Party organisations of the area established in D's calendar year, up to D."""
    return PartyOrganization.objects.in_area(area).filter(
        established_on__gte=dt.date(day.year, 1, 1), established_on__lte=day
    )


# ---------------------------------------------------------------------------
# The one statement, over the stored state (enterprises/state.py)

# The columns of the state rows at D the snapshot reads, named in its common table
# expressions; and those the trend reads.
SNAPSHOT_SOURCE = {
    "e": "enterprise_id",
    "state": "coverage_state",
    "band": "member_band",
    **{f"m_{name}": name for name in MEMBER_FIELDS},
    **{f"x_{kind}": f"has_{kind}" for kind in MASS_KINDS},
    **{f"d_{dim}": "community_id" if dim == "community" else dim for dim in DIMENSIONS},
}
TREND_SOURCE = {
    "state": "coverage_state",
    "band": "member_band",
    "st": "start",
    "en": "end",
    "sm": "start_month",
    "em": "end_month",
}
_WIDTH = 5 + len(MEMBER_FIELDS) + 1 + len(MASS_KINDS)  # columns of every branch


def _sql(queryset):
    return queryset.query.sql_with_params()


def _date(day):
    return connection.ops.adapt_datefield_value(day)


def _consecutive_month_ends(points):
    indexes = [state.month_index(p) for p in points]
    return all(month_end(p.year, p.month) == p for p in points) and indexes == list(
        range(indexes[0], indexes[0] + len(points))
    )


def _points_before(column, month_column, points, params):
    """SQL: how many of the (sorted) ``points`` lie before the date in ``column``.

    For consecutive month-ends (the trend) it is arithmetic on the month index: the
    month-end of month m lies before a date iff m < the date's month index. Otherwise a
    CASE over the points (any list of days)."""
    n = len(points)
    if _consecutive_month_ends(points):
        offset = f"({month_column} - {state.month_index(points[0])})"
        return f"CASE WHEN {offset} < 0 THEN 0 WHEN {offset} > {n} THEN {n} ELSE {offset} END"
    whens = []
    for k, point in enumerate(points):
        whens.append(f"WHEN {column} <= %s THEN {k}")
        params.append(_date(point))
    return f"CASE {' '.join(whens)} ELSE {n} END"


def _in_area(area):
    """The area's state rows. With the area's communities known (``community_ids``, set
    by the dashboard's selection from the areas it has loaded anyway) they are passed as
    a list: PostgreSQL estimates the area subquery of ``in_area`` at one row and picks
    nested loops of index scans, twice as slow for a district as one scan."""
    ids = getattr(area, "community_ids", None)
    if ids is None:
        return EnterpriseState.objects.in_area(area)
    return EnterpriseState.objects.filter(community_id__in=ids)


def _cte(name, columns, queryset):
    """(SQL, params) of a common table expression naming the queryset's columns."""
    sql, params = _sql(queryset.order_by().values_list(*columns.values()))
    return f"{name} ({', '.join(columns)}) AS ({sql})", list(params)


def _snapshot_parts(area, day):
    """([common table expressions], [branches]) of the snapshot, each (SQL, params).

    ``d``: the area's intervals holding at D and operating; ``p``: the area's intervals
    at 31 December of the previous year (at most one per enterprise: the LEFT JOIN adds
    no row), for the formal members at the start of the year. Grouped once per breakdown
    dimension: GROUPING SETS on PostgreSQL (one pass over the rows), else one branch per
    dimension over ``t``.
    """
    previous = year_start_reference(day)
    ctes = [
        _cte("d", SNAPSHOT_SOURCE, _in_area(area).operating_on(day)),
        _cte("p", {"e": "enterprise_id", "formal": "formal"}, _in_area(area).on(previous)),
    ]
    joined = "SELECT d.*, p.formal AS m_prev FROM d LEFT JOIN p ON p.e = d.e"
    sums = ", ".join(f"SUM(m_{name})" for name in MEMBER_FIELDS)
    mass = ", ".join(f"SUM(CASE WHEN x_{kind} THEN 1 ELSE 0 END)" for kind in MASS_KINDS)
    counted = f"state, band, COUNT(*), {sums}, SUM(m_prev), {mass}"
    if connection.vendor == "postgresql":
        columns = ", ".join(f"d_{dim}" for dim in DIMENSIONS)
        # GROUPING(…) has a 0 bit for each column a row is grouped by (first: highest).
        full = (1 << len(DIMENSIONS)) - 1
        mask = {dim: full ^ (1 << (len(DIMENSIONS) - 1 - i)) for i, dim in enumerate(DIMENSIONS)}
        which = " ".join(f"WHEN {mask[dim]} THEN '{dim}'" for dim in DIMENSIONS)
        key = " ".join(f"WHEN {mask[dim]} THEN CAST(d_{dim} AS TEXT)" for dim in DIMENSIONS)
        sets = ", ".join(f"(d_{dim}, state, band)" for dim in DIMENSIONS)
        branches = [
            (
                f"SELECT CASE GROUPING({columns}) {which} END, "
                f"CASE GROUPING({columns}) {key} END, {counted} "
                f"FROM ({joined}) t GROUP BY GROUPING SETS ({sets})",
                [],
            )
        ]
    else:
        ctes.append((f"t AS ({joined})", []))
        branches = [
            (
                f"SELECT '{dim}', CAST(d_{dim} AS TEXT), {counted} FROM t "
                f"GROUP BY d_{dim}, state, band",
                [],
            )
            for dim in DIMENSIONS
        ]
    orgs, orgs_params = _sql(organizations_formed(area, day).values("pk"))
    nulls = ", ".join(["NULL"] * (_WIDTH - 5))
    organizations = f"SELECT 'organizations', NULL, NULL, NULL, COUNT(*), {nulls} FROM ({orgs}) o"
    branches.append((organizations, orgs_params))
    return ctes, branches


def _trend_parts(area, points):
    """([common table expression], [branch]) of the trend at the sorted ``points``: every
    operating interval of the area overlapping [first point, last point], grouped by
    (state, band, i, j): it holds at the points i … j − 1 (summed in ``compute``)."""
    rows = (
        _in_area(area)
        .filter(operating=True, start__lte=points[-1])
        .filter(Q(end__isnull=True) | Q(end__gt=points[0]))
    )
    params = []
    first = _points_before("st", "sm", points, params)
    after = _points_before("en", "em", points, params)
    rest = ", ".join(["NULL"] * (_WIDTH - 6))
    branch = (
        f"SELECT 'trend', CAST(i AS TEXT), state, band, COUNT(*), j, {rest} FROM "
        f"(SELECT state, band, {first} AS i, CASE WHEN en IS NULL THEN {len(points)} "
        f"ELSE {after} END AS j FROM tr) g GROUP BY i, j, state, band"
    )
    return [_cte("tr", TREND_SOURCE, rows)], [(branch, params)]


def _statement(area, day, snapshot=True, trend=()):
    """(SQL, params) of the one statement over the stored state; None when nothing is
    asked. Each part reads only the rows and columns it needs."""
    ctes, branches = _snapshot_parts(area, day) if snapshot else ([], [])
    if trend:
        more_ctes, more_branches = _trend_parts(area, sorted(trend))
        ctes, branches = ctes + more_ctes, branches + more_branches
    if not branches:
        return None
    sql = "WITH " + ", ".join(c for c, _ in ctes) + " " + " UNION ALL ".join(b for b, _ in branches)
    params = [p for _, ps in ctes for p in ps] + [p for _, ps in branches for p in ps]
    return sql, params


def compute(area, day, *, snapshot=True, trend=()):
    """Run the statement; return (Snapshot or None, {point: Tally})."""
    statement = _statement(area, day, snapshot=snapshot, trend=trend)
    rows = fetch(*statement) if statement else []
    total, by_dim = Tally(), {dim: {} for dim in DIMENSIONS}
    ordered = sorted(trend)
    # Each trend row: the intervals of (state, band) covering points i … j − 1.
    deltas = [{} for _ in range(len(ordered) + 1)]
    organizations = 0
    for kind, key, state_, band, n, *rest in rows:
        if kind == "organizations":
            organizations = n
        elif kind == "trend":
            i, j = int(key), rest[0]
            deltas[i][state_, band] = deltas[i].get((state_, band), 0) + n
            deltas[j][state_, band] = deltas[j].get((state_, band), 0) - n
        else:
            sums, prev, mass = (
                rest[: len(MEMBER_FIELDS)],
                rest[len(MEMBER_FIELDS)],
                rest[len(MEMBER_FIELDS) + 1 :],
            )
            key = _normalise(kind, key)
            by_dim[kind].setdefault(key, Tally()).add(state_, band, n, sums, prev, mass)
            if kind == DIMENSIONS[0]:
                total.add(state_, band, n, sums, prev, mass)
    points, running = {}, {}
    for point, delta in zip(ordered, deltas, strict=False):
        for pair, n in delta.items():
            running[pair] = running.get(pair, 0) + n
        tally = points[point] = Tally()  # a point with nothing operating stays empty
        for (state_, band), n in running.items():
            if n:
                tally.add(state_, band, n)
    snap = None
    if snapshot:
        snap = Snapshot(area.pk, day, total, by_dim, organizations)
        points[day] = total
    return snap, points


def _normalise(dim, key):
    if dim == "community":
        return int(key)
    if dim == "above_scale":
        return key.lower() in ("1", "true", "t")
    return key
