"""The 点 panel through the pages: every count opens its list with exactly its rows, at
several days and areas; a street's JSON figures are the sum of its communities' (and the
district's of its streets'); a past day's figures do not change when later records are
added; the page, the export and the JSON show the same numbers."""

import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from areas.models import Area
from core import registry
from core.panels import PanelContext
from showcase import panels, services
from showcase.models import SiteStatus, Topic, TopicState
from tests.factories import (
    MentoringFactory,
    PioneerDeedFactory,
    SiteBatchFactory,
    TeachingCaseFactory,
    TopicFactory,
)

from .conftest import named_site
from .world import D1, D2, flat

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
PANEL = registry.part("points").panels[0]


def context(user, area, day):
    areas = list(Area.objects.select_related("parent__parent"))
    return PanelContext(user=user, area=area, day=day, areas=areas)


def counts(user, area, day):
    """Every count of the panel with its drill-down link."""
    ctx = context(user, area, day)
    figures = PANEL.load(ctx)
    return [item for group in panels.rows(ctx, figures).values() for item in group]


def listed(client, link):
    response = client.get(link)
    assert response.status_code == 200, link
    return response.context["page_obj"].paginator.count


@pytest.mark.parametrize("day", [D1, D2], ids=["2023-06-30", "2024-12-31"])
def test_every_count_drills_down_to_exactly_its_rows(
    data, admin_user, admin_client, district, jiaonan, hongshiya, shuicheng, zhushan, fulai, day
):
    total = 0
    for area in (district, jiaonan, hongshiya, shuicheng, zhushan, fulai):
        for item in counts(admin_user, area, day):
            assert listed(admin_client, item["url"]) == item["value"], (area.name, item["key"])
            total += item["value"]
    assert total > 60  # the data set fills the panel


def test_a_street_users_drill_downs_today(data, staff, staff_client, jiaonan):
    items = counts(staff, jiaonan, TODAY)
    for item in items:
        assert listed(staff_client, item["url"]) == item["value"], item["key"]
    assert sum(item["value"] for item in items) > 10


def summary(client, area, day):
    response = client.get("/api/matrix/summary/", {"area": area.pk, "as_of": day.isoformat()})
    assert response.status_code == 200
    return response.json()["points"]


def add(*parts):
    out = {}
    for part in parts:
        for key, value in flat(part).items():
            out[key] = out.get(key, 0) + value
    return out


@pytest.mark.parametrize("day", [D1, D2, TODAY])
def test_a_street_is_the_sum_of_its_communities_and_the_district_of_its_streets(
    data, admin_client, district, jiaonan, hongshiya, shuicheng, zhushan, fulai, day
):
    street = summary(admin_client, jiaonan, day)
    communities = [summary(admin_client, c, day) for c in (shuicheng, zhushan)]
    assert flat(street) == add(*communities)
    streets = [street, summary(admin_client, hongshiya, day)]
    assert summary(admin_client, fulai, day) == streets[1]  # its only community
    assert flat(summary(admin_client, district, day)) == add(*streets)
    # The rate is recomputed from the counts, never averaged.
    whole = summary(admin_client, district, day)
    due = whole["topics_due"]
    assert whole["topic_completion"] == (whole["topics_due_closed"] / due if due else None)


def test_the_json_part_has_the_keys_of_metrics(data, admin_client, jiaonan):
    points = summary(admin_client, jiaonan, D2)
    assert set(points) >= {
        "sites",
        "sites_incubating",
        "stars",
        "topics",
        "topic_completion",
        "topics_overdue",
        "engaged",
        "deeds",
        "cases",
    }
    assert set(points["sites"]) >= {"total", "by_batch"}
    assert set(points["stars"]) == {str(n) for n in range(6)}
    assert set(points["topics"]) == {s.value for s in TopicState} | {"total"}
    assert set(points["engaged"]) == {"branches", "teams"}
    assert points["sites"]["by_batch"][0] == {
        "batch": data["batches"][0].pk,
        "name": "首批",
        "year": 2022,
        "area": "胶南街道",
        "count": 2,
    }


def test_a_past_day_does_not_change_when_later_records_are_added(
    data, admin_client, district, jiaonan, shuicheng, staff
):
    before = {
        (area.pk, day): summary(admin_client, area, day)
        for area in (district, jiaonan, shuicheng)
        for day in (D1, D2)
    }
    s1, s2 = data["sites"][:2]
    # Everything below is dated after D2 (today).
    services.site_revoke(site=s2, on=TODAY, reason="党组织撤销")
    named_site(shuicheng, named_on=TODAY, since=TODAY, batch=SiteBatchFactory(area=jiaonan))
    topic = TopicFactory(enterprise=s1.enterprise, posted_on=TODAY, due_on=TODAY, publish=True)
    services.topic_claim(
        topic=topic, on=TODAY, leader_name="甲", team=s1.enterprise.task_teams.first()
    )
    for old in Topic.objects.filter(state=TopicState.IN_PROGRESS):
        services.topic_transition(topic=old, to=TopicState.TOLERATED, on=TODAY, reason="尽职免责")
    PioneerDeedFactory(enterprise=s1.enterprise, recorded_on=TODAY)
    case = TeachingCaseFactory(area=shuicheng, recorded_on=TODAY)
    services.case_submit(case=case)
    services.case_review(case=case, on=TODAY, reviewer="审核人", approve=True)
    MentoringFactory(site=s1, start=TODAY)
    after = {key: summary(admin_client, Area.objects.get(pk=key[0]), key[1]) for key in before}
    assert after == before
    assert summary(admin_client, jiaonan, TODAY)["sites"]["by_status"][SiteStatus.REVOKED] == 2


def test_the_page_the_export_and_the_json_show_the_same_numbers(data, staff, staff_client, jiaonan):
    ctx = context(staff, jiaonan, D2)
    numbers = PANEL.numbers(ctx, PANEL.load(ctx))
    query = {"area": jiaonan.pk, "as_of": D2.isoformat()}
    html = staff_client.get(reverse("dashboard:home"), query).content.decode()
    book = load_workbook(io.BytesIO(staff_client.get(reverse("dashboard:export"), query).content))
    rows = [list(r)[:2] for sheet in book.worksheets for r in sheet.iter_rows(values_only=True)]
    body = staff_client.get("/api/matrix/summary/", query).json()
    for key, label, value, path in numbers:
        assert f'data-figure="{key}">{value}<' in html, key
        assert [str(label), value] in rows, key
        node = body
        for step in path:
            node = node[step]
        assert node == value, key
    assert any(value for _k, _l, value, _p in numbers)


def test_the_panel_links_to_its_lists(data, staff_client, jiaonan):
    html = staff_client.get(
        reverse("dashboard:home"), {"area": jiaonan.pk, "as_of": D2.isoformat()}
    ).content.decode()
    assert "/showcase/topics/?area=" in html and "overdue=1" in html
    assert "/showcase/sites/?area=" in html and "status=recognised" in html


def test_a_future_as_of_is_refused_by_the_lists(staff_client):
    tomorrow = (TODAY + dt.timedelta(days=1)).isoformat()
    response = staff_client.get(reverse("showcase:topic_list"), {"as_of": tomorrow})
    assert response.status_code == 200
    assert response.context["page_obj"].paginator.count == 0
    assert "日期不能晚于今天" in response.content.decode()
