"""The page, the export and the JSON cost a constant number of queries, at any data size."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from .conftest import build_community

BUDGET = 10
SKIP = ("BEGIN", "COMMIT", "SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK")


def statements(client, url, params=None):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return [q["sql"] for q in ctx.captured_queries if not q["sql"].startswith(SKIP)]


def costs(client, district, shuicheng):
    page, api = reverse("dashboard:home"), reverse("api_summary")
    out = {}
    for label, url, params in [
        ("district today", page, {"area": district.pk}),
        ("district past", page, {"area": district.pk, "as_of": "2025-06-30"}),
        ("community", page, {"area": shuicheng.pk}),
        ("json", api, {"area": district.pk}),
    ]:
        cold = statements(client, url, params)
        warm = statements(client, url, params)
        out[label] = (len(cold), len(warm))
    return out


def test_query_count_does_not_grow_with_data(areas, admin_client, district, shuicheng, fulai):
    """Cold (nothing cached) and warm, at two data sizes: the same counts, within budget."""
    build_community(shuicheng)
    small = costs(admin_client, district, shuicheng)
    for _ in range(2):
        build_community(fulai, copies=2)
        build_community(shuicheng, copies=2)
    from django.core.cache import cache

    cache.clear()
    large = costs(admin_client, district, shuicheng)
    assert small == large
    for label, (cold, warm) in large.items():
        assert cold <= BUDGET, (label, cold)
        assert warm <= cold, (label, warm)
