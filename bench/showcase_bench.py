"""点 figures (issue 13) at district scale: the cost of ``showcase.figures.points``.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pm_showcase \
        .venv/bin/python bench/showcase_bench.py

Needs a database seeded with ``manage.py seed_demo --scale 50000`` (about 140 sites and
1,200 topics on 50,000 enterprises). For the district and each street, today and the end
of last year: the first computation in a fresh connection ("cold": no cache is involved,
the figures are computed from the records every time), then the median and p95 of
repeats, the number of queries, and the street progress roll-up.
"""

import datetime as dt
import time

from _common import count_queries, machine, setup, timed

setup()

from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from areas.models import Area  # noqa: E402
from showcase import figures, selectors  # noqa: E402
from showcase.models import DemonstrationSite, Topic  # noqa: E402


def main():
    today = timezone.localdate()
    past = dt.date(today.year - 1, 12, 31)
    district = Area.objects.get(level=Area.Level.DISTRICT)
    areas = [district, *Area.objects.filter(parent=district).order_by("name")]
    print(machine())
    print(
        f"{DemonstrationSite.objects.count():,} sites, {Topic.objects.count():,} topics, "
        f"database {connection.vendor}"
    )
    print(f"{'case':<32}{'cold ms':>9}{'median ms':>11}{'p95 ms':>9}{'queries':>9}")
    for area in areas:
        for label, day in (("today", today), ("end of last year", past)):
            connection.close()  # a fresh connection: nothing prepared, nothing warm
            start = time.perf_counter()
            figures.points(area, day)
            cold = (time.perf_counter() - start) * 1000
            median, p95, _ = timed(lambda a=area, d=day: figures.points(a, d))
            queries = count_queries(lambda a=area, d=day: figures.points(a, d))
            print(
                f"{area.name + ' ' + label:<32}{cold:>9.1f}{median:>11.1f}{p95:>9.1f}{queries:>9}"
            )
    median, p95, progress = timed(lambda: selectors.area_progress(district))
    print(f"{'district progress roll-up':<32}{'':>9}{median:>11.1f}{p95:>9.1f}{1:>9}")
    print(f"  {progress.topics:,} topics under way or done, mean {progress.percent} %")


if __name__ == "__main__":
    main()
