"""Enterprise list at district scale (issue 3): server time of the list page and search.

    DEBUG=false SECRET_KEY=bench ALLOWED_HOSTS=testserver SECURE_SSL_REDIRECT=false \
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pm_scale \
        .venv/bin/python bench/list_bench.py      (after manage.py collectstatic)

Needs a database with ~50,000 enterprises (``manage.py seed_demo --scale 50000``).
Times each page through Django's test client (the whole request: middleware, queries,
template), as a district-level admin, and the Django admin changelist of Enterprise on
the same data as the ratio to beat.
"""

import os
import re
import time

from _common import count_queries, machine, setup, timed

setup()

from django.core.cache import cache  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from accounts.models import User  # noqa: E402
from enterprises.models import Enterprise  # noqa: E402

CASES = [
    ("list page 1", "/enterprises/", {}),
    ("list page 100", "/enterprises/", {"page": 100}),
    ("filter coverage=uncovered", "/enterprises/", {"coverage": "uncovered"}),
    ("filter band=many, page 20", "/enterprises/", {"band": "many", "page": 20}),
    (
        "filter industry=C, status=operating",
        "/enterprises/",
        {"industry": "C", "status": "operating"},
    ),
    ("filter should_form=1", "/enterprises/", {"should_form": "1"}),
    (
        "filter coverage=organization, band=few",
        "/enterprises/",
        {"coverage": "organization", "band": "few"},
    ),
    (
        "filter coverage=work_only, sort -formal",
        "/enterprises/",
        {"coverage": "work_only", "sort": "-formal"},
    ),
    ("alert no_members_no_liaison", "/enterprises/", {"alert": "no_members_no_liaison"}),
    ("filter liaison=1, size=small", "/enterprises/", {"liaison": "1", "size": "small"}),
    ("sort by formal members desc", "/enterprises/", {"sort": "-formal"}),
    ("search 3 Chinese chars 机械有", "/enterprises/", {"q": "机械有"}),
    ("search 3 Chinese chars 海容商", "/enterprises/", {"q": "海容商"}),
    ("search USCC fragment", "/enterprises/", {"q": "MA3"}),
]


def main():
    total = Enterprise.objects.count()
    print(f"machine: {machine()}")
    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}, {total} enterprises")
    # A district leader by default: the realistic reader at this scale, whose scope filter
    # applies (an admin's "see everything" would skip it). BENCH_USER=jiaonan_leader for a
    # street.
    reader = User.objects.get(username=os.environ.get("BENCH_USER", "district_leader"))
    client = Client()
    client.force_login(reader)
    admin = Client()
    admin.force_login(User.objects.filter(is_superuser=True).order_by("pk").first())
    print(f"user: {reader.username} ({reader.get_role_display()}, scope {reader.area})\n")
    # cold: the cache cleared before the request (nothing cached: the first request after
    # a change); warm: the same list again (count and page ids from the cache).
    print(f"{'case':40} {'cold ms':>8} {'median ms':>10} {'p95 ms':>8} {'queries':>8} {'rows':>7}")
    for label, url, params in CASES:
        colds = []
        for _ in range(3):
            cache.clear()
            start = time.perf_counter()
            client.get(url, params)
            colds.append((time.perf_counter() - start) * 1000)
        cold = sorted(colds)[1]
        median, p95, response = timed(lambda u=url, p=params: client.get(u, p))
        assert response.status_code == 200, (label, response.status_code)
        queries = count_queries(lambda u=url, p=params: client.get(u, p))
        # The page says "共 N 家企业" (the test client keeps no context outside tests).
        found = re.search(r"共 ([\d,]+) 家企业", response.content.decode())
        rows = found.group(1).replace(",", "") if found else "0"
        print(f"{label:40} {cold:8.1f} {median:10.1f} {p95:8.1f} {queries:8d} {rows:>7}")
    print()
    colds = []
    for _ in range(5):
        cache.clear()
        start = time.perf_counter()
        admin.get("/django-admin/enterprises/enterprise/")
        colds.append((time.perf_counter() - start) * 1000)
    print(f"{'admin changelist page 1, cold':40} {sorted(colds)[2]:8.1f}")
    for label, params in [
        ("admin changelist page 1", {}),
        ("admin changelist page 100", {"p": 99}),
        ("admin changelist search 机械有", {"q": "机械有"}),
    ]:
        median, p95, response = timed(
            lambda p=params: admin.get("/django-admin/enterprises/enterprise/", p), repeat=7
        )
        assert response.status_code == 200, response.status_code
        print(f"{label:40} {median:10.1f} {p95:8.1f}")


if __name__ == "__main__":
    main()
