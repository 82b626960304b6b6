"""Stored state of the "1" (issue 11): rebuild, keeping, and the reads it is shaped for.

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/pm_state
    .venv/bin/python manage.py seed_demo --scale 50000
    .venv/bin/python bench/state_bench.py [--rebuild] [--import]

Prints:
1. with ``--rebuild``: the state table emptied and rebuilt (``rebuild_state``), then
   ``rebuild_state --check`` (a full recompute and comparison, nothing written);
2. the cost of keeping the state on single saves of an enterprise with a long history and
   of a party organisation covering several enterprises: queries and ms, with the part
   spent in ``state.refresh`` (each save runs in a transaction that is rolled back);
3. the reads phase 2 will build on, as single statements over ``EnterpriseState`` alone
   (server-side execution time from EXPLAIN ANALYZE, median of 5, and wall time):
   the state at D for the district and for one street, grouped by community, industry,
   size, ownership and 规上 (D = today and D = a year ago), and the 24 month-end points of
   the trend as one grouped scan (each interval adds +1 at the first point it covers and
   -1 at the first point after it; summed in Python).

4. with ``--import``: the commit of a 10,000-row ledger of new enterprises (as
   bench/import_bench.py's, in the demo's communities) with and without keeping the state
   (``state.refresh`` replaced by a no-op), each in a transaction that is rolled back.

Nothing here changes the domain data; ``--rebuild`` rewrites the derived state only.
"""

import datetime as dt
import statistics
import sys
import time

from _common import count_queries, machine, setup, timed

setup()

from django.db import connection, transaction  # noqa: E402
from django.db.models import Case, Count, F, IntegerField, Q, Sum, Value, When  # noqa: E402
from django.db.models.functions import Greatest, Least  # noqa: E402
from django.utils import timezone  # noqa: E402

from areas.models import Area  # noqa: E402
from enterprises import coverage, state  # noqa: E402
from enterprises.models import Enterprise, EnterpriseState, PartyOrganization  # noqa: E402

DIMENSIONS = ["community_id", "industry", "size", "ownership", "above_scale"]


def month_end(index):
    year, month = divmod(index, 12)
    first_of_next = dt.date(year + (month + 1) // 12, (month + 1) % 12 + 1, 1)
    return first_of_next - dt.timedelta(days=1)


def trend_points(day, months=24):
    current = day.year * 12 + day.month - 1
    return [month_end(current - back) for back in range(months - 1, 0, -1)] + [day]


def communities(area):
    """The area's communities as a list: one small query first, so that the planner
    sees how many (a subquery is estimated at one row and gets a nested loop)."""
    return list(Area.objects.within(area).communities().values_list("pk", flat=True))


def snapshot_query(area, day):
    """State at ``day`` per (dimensions, state, band): one grouped scan."""
    return (
        EnterpriseState.objects.operating_on(day)
        .filter(community_id__in=communities(area))
        .order_by()
        .values(*DIMENSIONS, "coverage_state", "member_band")
        .annotate(n=Count("pk"), formal=Sum("formal"), probationary=Sum("probationary"))
    )


def _point_index(field, points):
    """How many trend points lie before the date in ``field`` (``{field}_month`` is its
    month index): the 23 month-ends are consecutive month indexes, then D itself."""
    first = state.month_index(points[0])
    month_ends = Least(Greatest(F(f"{field}_month") - first, Value(0)), Value(len(points) - 1))
    return month_ends + Case(When(**{f"{field}__gt": points[-1]}, then=1), default=0)


def trend_query(area, day):
    points = trend_points(day)
    return (
        EnterpriseState.objects.filter(operating=True, start__lte=day)
        .filter(Q(end__isnull=True) | Q(end__gt=points[0]))
        .filter(community_id__in=communities(area))
        .order_by()
        .annotate(
            i=_point_index("start", points),
            j=Case(
                When(end__isnull=True, then=Value(len(points))),
                default=_point_index("end", points),
                output_field=IntegerField(),
            ),
        )
        .values("coverage_state", "member_band", "i", "j")
        .annotate(n=Count("pk"))
    )


def trend(area, day):
    """{point: {(state, band): count}} from the grouped scan."""
    points = trend_points(day)
    deltas = [{} for _ in range(len(points) + 1)]
    for row in trend_query(area, day):
        key = (row["coverage_state"], row["member_band"])
        deltas[row["i"]][key] = deltas[row["i"]].get(key, 0) + row["n"]
        deltas[row["j"]][key] = deltas[row["j"]].get(key, 0) - row["n"]
    result, running = {}, {}
    for point, delta in zip(points, deltas, strict=False):
        for key, n in delta.items():
            running[key] = running.get(key, 0) + n
        result[point] = {k: n for k, n in running.items() if n}
    return result


def server_ms(queryset, repeat=5):
    sql, params = queryset.query.sql_with_params()
    samples = []
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL jit = off")
        for _ in range(repeat):
            cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql, params)
            samples.append(cursor.fetchone()[0][0]["Execution Time"])
    return statistics.median(samples)


def check_trend_against_rules(area, day):
    """The trend from the state equals the rules evaluated at each point (the oracle)."""
    got = trend(area, day)
    for point in (trend_points(day)[0], trend_points(day)[11], day):
        expected = {}
        rows = (
            Enterprise.objects.operating_on(point)
            .in_area(area)
            .with_coverage(point)
            .values_list("coverage_state", "member_band")
        )
        for key in rows:
            expected[key] = expected.get(key, 0) + 1
        assert got[point] == expected, (point, got[point], expected)


def saves(pk):
    enterprise = Enterprise.objects.get(pk=pk)
    spent = []
    original = state.refresh

    def measured(ids):
        start = time.perf_counter()
        try:
            return original(ids)
        finally:
            spent.append((time.perf_counter() - start) * 1000)

    def save():
        with transaction.atomic():
            enterprise.employees = (enterprise.employees or 0) + 1
            enterprise.save()
            transaction.set_rollback(True)

    state.refresh = measured
    try:
        queries = count_queries(save)
        median, p95, _ = timed(save, repeat=21, warmup=3)
    finally:
        state.refresh = original
    return queries, median, p95, statistics.median(spent)


def import_commit(rows=10_000):
    """Seconds of ``importer.commit`` for ``rows`` new enterprises, with and without
    keeping the state; each commit is rolled back."""
    import io

    from openpyxl import Workbook

    from accounts.models import User
    from enterprises import uscc
    from enterprises.sheets import COLUMNS
    from ledger import parsing
    from ledger.importer import build_plan, commit

    user = User.objects.get(username="admin")
    names = list(
        Area.objects.filter(level=Area.Level.COMMUNITY, parent__level=Area.Level.STREET)
        .order_by("pk")
        .values_list("parent__name", "name")
    )
    headers = [c.header for c in COLUMNS]
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("台账")
    sheet.append(headers)
    for n in range(rows):
        street, community = names[n % len(names)]
        row = {
            "企业名称": f"青岛状态基准{n:06d}有限公司",
            "统一社会信用代码": uscc.make(f"91370211MB{n:07d}"),
            "所属社区": f"{street}/{community}",
            "行业门类": "C",
            "从业人数": 10 + n % 500,
            "纳入管理日期": dt.date(2021, 1, 1) + dt.timedelta(days=n % 900),
            "党员统计日期": "2024/6/30",
            "正式党员": n % 9,
            "预备党员": n % 2,
            "党建指导员": f"指导员{n % 40}",
        }
        if n % 5 in (0, 1):
            row.update(
                {
                    "党组织名称": f"青岛状态基准{n:06d}有限公司党支部",
                    "党组织类别": "党支部",
                    "组建方式": "单独组建",
                    "党组织成立日期": "2022年5月1日",
                }
            )
        if n % 4 == 0:
            row["工会成立日期"] = "2020-03-01"
        sheet.append([row.get(h) for h in headers])
    buffer = io.BytesIO()
    workbook.save(buffer)
    data = buffer.getvalue()
    results = {}
    original = state.refresh
    for label in ("keeping the state", "without keeping", "keeping the state"):
        plan = build_plan(parsing.read(io.BytesIO(data), "bench.xlsx"), user)
        assert not plan.has_errors, next(plan.problems())
        spent = []

        def measured(ids, spent=spent):
            start = time.perf_counter()
            try:
                return original(ids)
            finally:
                spent.append(time.perf_counter() - start)

        state.refresh = measured if label == "keeping the state" else (lambda ids: (0, 0))
        try:
            with transaction.atomic():
                start = time.perf_counter()
                commit(plan, user=user)
                results.setdefault(label, []).append((time.perf_counter() - start, sum(spent)))
                transaction.set_rollback(True)
        finally:
            state.refresh = original
    return results


def main():
    print(f"Machine: {machine()}; {timezone.localtime():%Y-%m-%d %H:%M}; {connection.vendor}")
    print(
        f"Enterprises: {Enterprise.objects.count():,}; "
        f"state intervals: {EnterpriseState.objects.count():,}"
    )
    if "--rebuild" in sys.argv:
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {EnterpriseState._meta.db_table}")
        start = time.monotonic()
        report = state.rebuild()
        print(f"rebuild_state from empty: {time.monotonic() - start:.1f} s, +{report.inserted:,}")
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f"ANALYZE {EnterpriseState._meta.db_table}")
        start = time.monotonic()
        report = state.rebuild(check=True)
        seconds = time.monotonic() - start
        print(f"rebuild_state --check: {seconds:.1f} s, drift {len(report.drifts)}")

    if "--import" in sys.argv:
        for label, runs in import_commit().items():
            for seconds, refresh in runs:
                print(
                    f"import commit of 10,000 new enterprises, {label}: {seconds:.1f} s"
                    + (f" (state.refresh {refresh:.1f} s)" if refresh else "")
                )

    # Keeping, on single saves
    history = (
        Enterprise.objects.annotate(n=Count("states")).order_by("-n", "pk").values_list("pk", "n")
    )[0]
    queries, median, p95, refresh = saves(history[0])
    print(
        f"save of an enterprise with {history[1]} intervals: {queries} queries, "
        f"{median:.1f} ms median ({p95:.1f} p95), of which state.refresh {refresh:.1f} ms"
    )
    organization = (
        PartyOrganization.objects.annotate(n=Count("coverages")).order_by("-n", "pk").first()
    )

    def save_org():
        with transaction.atomic():
            organization.secretary = organization.secretary + "·"
            organization.save()
            transaction.set_rollback(True)

    queries = count_queries(save_org)
    median, p95, _ = timed(save_org, repeat=21, warmup=3)
    print(
        f"save of an organisation covering {organization.n} enterprises: {queries} queries, "
        f"{median:.1f} ms median ({p95:.1f} p95)"
    )

    # Reads
    today = timezone.localdate()
    district = Area.objects.filter(level=Area.Level.DISTRICT).order_by("pk").first()
    street = Area.objects.filter(level=Area.Level.STREET, parent=district).order_by("name").first()
    check_trend_against_rules(street, today)
    print("trend from the state == the rules at month-ends (checked for one street)")
    for area in (district, street):
        for label, day in (("today", today), ("a year ago", today - dt.timedelta(days=365))):
            query = snapshot_query(area, day)
            wall, _, rows = timed(lambda q=query: list(q.all()), repeat=7, warmup=1)
            print(
                f"{area.name} state at {label}, grouped: {server_ms(query):.0f} ms in the server, "
                f"{wall:.0f} ms wall, {len(rows):,} groups"
            )
        wall, _, _ = timed(lambda a=area: trend(a, today), repeat=7, warmup=1)
        print(
            f"{area.name} 24-point trend, one grouped scan: "
            f"{server_ms(trend_query(area, today)):.0f} ms in the server, {wall:.0f} ms wall"
        )
    assert coverage.STATES  # the rules module is the one the state was built from


if __name__ == "__main__":
    main()
