"""The demonstration part gets every page, the export, its panel and its alert from the
kit, through part.py alone."""

import datetime as dt

import pytest
from django.urls import reverse

from core import alerts, registry
from tests.contracts import ModelViewsContract

from .factories import PatrolFactory
from .models import Patrol

LONG_AGO = dt.date(2024, 1, 1)


class TestPatrolViews(ModelViewsContract):
    model = Patrol
    list_url = "kitdemo:list"
    detail_url = "kitdemo:detail"
    create_url = "kitdemo:create"
    update_url = "kitdemo:edit"
    end_url = "kitdemo:end"
    end_field = "end"
    delete_url = "kitdemo:delete"
    export_kind = "patrols"

    def make(self, community):
        return PatrolFactory(community=community, start=LONG_AGO)

    def create_data(self, community):
        return {"title": "新巡查", "community": community.pk, "start": "2025-03-01", "hours": "3"}

    def update_data(self, obj):
        return {
            "title": obj.title,
            "community": obj.community_id,
            "start": obj.start.isoformat(),
            "hours": "9",
        }

    def changed(self, obj):
        return obj.hours == 9


def test_it_is_registered_as_a_part():
    part = registry.part("patrols")
    assert part.app_label == "kitdemo"
    assert [p.key for p in part.panels] == ["patrols"]
    assert registry.table("patrols") is part.tables[0]
    assert registry.alert("patrol_open_too_long") is part.alerts[0]


@pytest.mark.django_db
def test_it_is_in_the_navigation(staff_client):
    urls = [item["url"] for item in staff_client.get("/").context["nav_sections"]]
    assert reverse("kitdemo:list") in urls


@pytest.mark.django_db
def test_its_panel_is_on_the_dashboard_in_the_export_and_in_the_json(
    leader_client, jiaonan, shuicheng
):
    PatrolFactory(community=shuicheng, start=LONG_AGO, hours=4)
    PatrolFactory(community=shuicheng, start=LONG_AGO, end=dt.date(2024, 6, 1), hours=5)
    page = leader_client.get(reverse("dashboard:home"))
    keys = [item["panel"].key for item in page.context["panels"]]
    assert "patrols" in keys
    data = page.context["panels"][keys.index("patrols")]["data"]
    assert (data["active"], data["hours"]) == (1, 4)
    assert 'data-figure="patrols_active">1<' in page.content.decode()
    body = leader_client.get("/api/matrix/summary/").json()
    assert body["patrols"] == {"active": 1, "hours": 4}
    # A year before the patrols, nothing was active.
    past = leader_client.get("/api/matrix/summary/", {"as_of": "2023-06-30"}).json()
    assert past["patrols"] == {"active": 0, "hours": 0}


@pytest.mark.django_db
def test_its_alert_has_a_page_and_a_share_of_the_badge(staff_client, staff, shuicheng, fulai):
    old = PatrolFactory(community=shuicheng, start=LONG_AGO)
    PatrolFactory(community=shuicheng, start=dt.date.today())  # not yet 30 days
    PatrolFactory(community=fulai, start=LONG_AGO)  # another street's
    alert = registry.alert("patrol_open_too_long")
    assert list(alert.queryset(staff)) == [old]
    page = staff_client.get(reverse("kitdemo:alert_list", args=[alert.key]))
    assert page.context["page_obj"].paginator.count == 1
    assert old.title in page.content.decode()
    assert alerts.counts(staff)[alert.key] == 1
    assert alerts.total(staff) == sum(alerts.counts(staff).values())
