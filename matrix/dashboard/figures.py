"""The figures of the "1" panel, its breakdowns and its trend, as of a date D.

Every rule comes from ``enterprises.coverage`` (and ``EnterpriseQuerySet.operating_on``,
``enterprises.alerts``): this module only counts. The per-enterprise expressions are the
ones the enterprise list filters on, so a figure and its drill-down list agree.

One SQL statement computes everything that depends on D:

- ``enterprise_rows(area, day)``: one row per operating enterprise with its dimensions
  (community, industry, size, ownership, 规上) and, from ``coverage.py``, its coverage
  state (``coverage_case``), the member figures of its latest return on or before D
  (``latest_return``, joined once instead of one subquery per field), its member band
  (``band_case``), formal members at the end of the previous year and its 工青妇
  (``has_mass_org_on``);
- the statement wraps that in a common table expression and groups it once per
  breakdown dimension (``UNION ALL``), so each enterprise's coverage state is evaluated
  once, not once per figure;
- the trend's month-ends are more ``UNION ALL`` branches (state × band counts at each
  month-end), and the organisations formed this year are one more.

The grouped rows (a few hundred) are folded into ``Tally`` objects in Python.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import Count, F, FilteredRelation, Q, Subquery

from enterprises import alerts, coverage
from enterprises.models import Enterprise, MassOrganization, PartyOrganization

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
# Querysets (all rules from coverage.py)


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
# The one statement

_WIDTH = 5 + len(MEMBER_FIELDS) + 1 + len(MASS_KINDS)  # columns of every branch


def _sql(queryset):
    return queryset.query.sql_with_params()


def _statement(area, day, snapshot=True, trend=()):
    parts, params = [], []
    cte = ""
    if snapshot:
        inner, inner_params = _sql(enterprise_rows(area, day))
        cte = f"WITH t ({', '.join(ROW_COLUMNS)}) AS ({inner}) "
        params.extend(inner_params)
        sums = ", ".join(f"SUM(m_{name})" for name in MEMBER_FIELDS)
        mass = ", ".join(f"SUM(CASE WHEN x_{kind} THEN 1 ELSE 0 END)" for kind in MASS_KINDS)
        for dim in DIMENSIONS:
            parts.append(
                f"SELECT '{dim}', CAST(d_{dim} AS TEXT), state, band, COUNT(*), {sums}, "
                f"SUM(m_prev), {mass} FROM t GROUP BY d_{dim}, state, band"
            )
        orgs, orgs_params = _sql(organizations_formed(area, day).values("pk"))
        nulls = ", ".join(["NULL"] * (_WIDTH - 5))
        parts.append(f"SELECT 'organizations', NULL, NULL, NULL, COUNT(*), {nulls} FROM ({orgs}) o")
        params.extend(orgs_params)
    nulls = ", ".join(["NULL"] * (_WIDTH - 5))
    for i, point in enumerate(trend):
        sql, point_params = _sql(state_band_counts(area, point))
        # The date is a literal made from a date object (not user text).
        parts.append(
            f"SELECT 'trend', '{point.isoformat()}', state, band, n, {nulls} FROM ({sql}) tr{i}"
        )
        params.extend(point_params)
    return cte + " UNION ALL ".join(parts), params


def _run(sql, params):
    """Execute one statement and return its rows.

    On PostgreSQL the statement is prefixed with ``SET LOCAL jit = off`` (same round trip):
    the planner's cost estimate for the correlated alternatives of the coverage subqueries
    is large enough to trigger JIT compilation, which costs more than the whole query; the
    hashed subplans it actually runs do not need it.
    """
    if connection.vendor != "postgresql":
        # No transaction: on SQLite it would take the write lock (IMMEDIATE), and a
        # dashboard read must not wait for a long import.
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()
    # SET LOCAL needs a transaction: a read request has none of its own.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL jit = off; " + sql, params)
        cursor.nextset()
        return cursor.fetchall()


def compute(area, day, *, snapshot=True, trend=()):
    """Run the statement; return (Snapshot or None, {month-end: Tally})."""
    sql, params = _statement(area, day, snapshot=snapshot, trend=trend)
    rows = _run(sql, params)
    total, by_dim = Tally(), {dim: {} for dim in DIMENSIONS}
    points = {point: Tally() for point in trend}  # a point with nothing operating has no rows
    organizations = 0
    for kind, key, state, band, n, *rest in rows:
        if kind == "organizations":
            organizations = n
        elif kind == "trend":
            point = dt.date.fromisoformat(key)
            points[point].add(state, band, n)
        else:
            sums, prev, mass = (
                rest[: len(MEMBER_FIELDS)],
                rest[len(MEMBER_FIELDS)],
                rest[len(MEMBER_FIELDS) + 1 :],
            )
            key = _normalise(kind, key)
            by_dim[kind].setdefault(key, Tally()).add(state, band, n, sums, prev, mass)
            if kind == DIMENSIONS[0]:
                total.add(state, band, n, sums, prev, mass)
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


# ---------------------------------------------------------------------------
# Alerts (evaluated today, as everywhere else in the app)


def alert_counts(user, area, today):
    """{key: count} for ``area`` and the total for the user's whole scope, in one query."""
    whole_scope = not user.is_system_admin and area.pk == user.area_id
    parts, params = [], []
    for alert in alerts.ALERTS:
        bases = [alert.model.objects.for_user(user).in_area(area)]
        if not whole_scope:
            bases.append(alert.model.objects.for_user(user))
        for base in bases:
            sql, sub_params = _sql(alert.build(base, today))
            parts.append(f"(SELECT COUNT(*) FROM ({sql}) a{len(parts)})")
            params.extend(sub_params)
    row = _run("SELECT " + ", ".join(parts), params)[0]
    step = 1 if whole_scope else 2
    in_area = {a.key: row[step * i] for i, a in enumerate(alerts.ALERTS)}
    scope_total = sum(row[step * i + step - 1] for i in range(len(alerts.ALERTS)))
    return in_area, scope_total
