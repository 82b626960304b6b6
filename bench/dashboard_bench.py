"""Dashboard (issue 4) at district scale: server time of the page and the JSON summary.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pm_scale \
        .venv/bin/python bench/dashboard_bench.py

Needs a database with ~50,000 enterprises (``manage.py seed_demo --scale 50000``). Times
whole requests through Django's test client (middleware, queries, template) as a
district-level leader, for today and the end of last year, and in the same run the raw
SQL aggregate the page needs (the one statement of ``enterprises.dashboard.figures``: the
floor), so the page/floor ratio compares like with like on the same machine and load.

Three states of the cache are measured:
- warm: figures cached under the current versions (the usual case);
- after a change in the area: its versions moved (core/versions.py); the alerts, the
  snapshot and the trend points are recomputed;
- cold: nothing cached (first visit of an area, or a change that touches every month).
"""

import datetime as dt
import os

from _common import count_queries, machine, setup, timed

setup()

from django.core.cache import cache  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import User  # noqa: E402
from areas.models import Area  # noqa: E402
from core import versions  # noqa: E402
from enterprises.dashboard import figures  # noqa: E402
from enterprises.models import Enterprise  # noqa: E402

SKIP = ("BEGIN", "COMMIT", "SAVEPOINT", "RELEASE", "ROLLBACK")


def statements(fn):
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        fn()
    return sum(1 for q in ctx.captured_queries if not q["sql"].startswith(SKIP))


class Moves:
    """Pretend a change in the area was committed: the versions every part keeps for the
    area move (as a save in one of its streets bumps them)."""

    def change(self, area, day, today):
        versions.bump([f"{p}:{versions.node_of(area)}" for p in versions.all_parts()])


def floor(area, day):
    """The raw SQL aggregate the page needs for ``day``, 24-month trend included (the one
    statement over the stored state, as the page runs it cold; no Django)."""
    area.community_ids = list(  # as the page's selection passes them
        Area.objects.within(area).communities().values_list("pk", flat=True)
    )
    sql, params = figures._statement(area, day, trend=figures.trend_days(day)[:-1])

    def run():
        with transaction.atomic(), connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SET LOCAL jit = off")
            cursor.execute(sql, params)
            return cursor.fetchall()

    return timed(run, repeat=9, warmup=1)


def main():
    today = timezone.localdate()
    past = dt.date(today.year - 1, 12, 31)
    user = (
        User.objects.filter(role=User.Role.LEADER, area__level=Area.Level.DISTRICT).first()
        or User.objects.filter(is_superuser=True).order_by("pk").first()
    )
    area = user.current_area
    operating = Enterprise.objects.operating_on(today).in_area(area).count()
    print(f"date: {timezone.now():%Y-%m-%d %H:%M %Z}")
    print(f"machine: {machine()}")
    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
    print(f"user: {user.username} ({user.get_role_display()}), area {area} ({area.level})")
    print(f"operating enterprises today: {operating:,}\n")
    client = Client()
    client.force_login(user)
    moves = Moves()

    header = f"{'case':44} {'median ms':>10} {'p95 ms':>8} {'queries':>8}"
    results = {}
    past = dt.date.fromisoformat(os.environ.get("BENCH_PAST", past.isoformat()))
    for label, day in (("today", today), ("past " + past.isoformat(), past)):
        page = {"as_of": day.isoformat()}
        print(f"== {label}")
        floor_median, floor_p95, _ = floor(area, day)
        print(header)
        print(f"{'floor: the raw SQL aggregate':44} {floor_median:10.1f} {floor_p95:8.1f} {1:8d}")

        def cold(url, params):
            cache.clear()
            return client.get(url, params)

        median, p95, response = timed(lambda p=page: cold("/dashboard/", p), repeat=5, warmup=0)
        assert response.status_code == 200
        cold_median = median
        queries = statements(lambda p=page: cold("/dashboard/", p))
        print(f"{'page, cold (24-month trend computed)':44} {median:10.1f} {p95:8.1f} {queries:8d}")

        def after_change(params, day=day):
            moves.change(area, day, today)
            return client.get("/dashboard/", params)

        client.get("/dashboard/", page)
        median, p95, _ = timed(lambda p=page: after_change(p), repeat=5, warmup=1)
        moves.change(area, day, today)
        queries = statements(lambda p=page: client.get("/dashboard/", p))
        print(f"{'page, after a change in the area':44} {median:10.1f} {p95:8.1f} {queries:8d}")

        median, p95, response = timed(lambda p=page: client.get("/dashboard/", p))
        assert response.status_code == 200
        queries = statements(lambda p=page: client.get("/dashboard/", p))
        results[label] = (median, floor_median)
        print(f"{'page, warm':44} {median:10.1f} {p95:8.1f} {queries:8d}")

        cache.clear()
        median, p95, response = timed(
            lambda p=page: cold("/api/matrix/summary/", p), repeat=3, warmup=0
        )
        assert response.status_code == 200
        print(
            f"{'JSON, cold':44} {median:10.1f} {p95:8.1f} "
            f"{statements(lambda p=page: cold('/api/matrix/summary/', p)):8d}"
        )
        median, p95, response = timed(lambda p=page: client.get("/api/matrix/summary/", p))
        queries = statements(lambda p=page: client.get("/api/matrix/summary/", p))
        print(f"{'JSON, warm':44} {median:10.1f} {p95:8.1f} {queries:8d}")
        print(f"page (warm) / floor: {results[label][0] / floor_median:.2f}")
        print(f"page (cold) / floor: {cold_median / floor_median:.2f}\n")
    print("query count of a plain page, for reference:", count_queries(lambda: client.get("/")))


if __name__ == "__main__":
    main()
