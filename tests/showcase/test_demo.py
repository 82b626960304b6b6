"""The 点 demo data: the article's records, idempotent, and the generated sites at scale."""

import io
from collections import Counter

import pytest
from django.apps import apps
from django.core.management import call_command
from django.utils import timezone

from areas.models import Area
from showcase import alerts, demo, figures
from showcase.models import (
    RECOGNISED,
    DemonstrationSite,
    PioneerDeed,
    Rubric,
    SiteStatusChange,
    TeachingCase,
    Topic,
    TopicState,
)

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def counts():
    return {m.__name__: m.objects.count() for m in apps.get_app_config("showcase").get_models()}


@pytest.fixture
def seeded():
    call_command("seed_demo", scale=700, stdout=io.StringIO())


def test_the_articles_sites_topics_deed_and_case(seeded):
    jiaonan = Area.objects.get(name="胶南街道")
    first = DemonstrationSite.objects.filter(batch__name="首批", batch__area=jiaonan)
    assert first.count() == 7
    assert all(site.status in RECOGNISED for site in first)
    names = set(first.values_list("enterprise__name", flat=True))
    assert {
        "青岛华天车辆有限公司",
        "青岛西海岸康恒环保能源有限公司",
        "青岛海容商用冷链股份有限公司",
    } <= names

    hairong = first.get(enterprise__name="青岛海容商用冷链股份有限公司")
    topics = hairong.topics.all()
    assert topics.count() == 19
    assert set(Counter(topics.values_list("state", flat=True))) == set(TopicState)
    assert topics.get(title="提升挂件空间利用率").state == TopicState.CLOSED
    assert topics.exclude(claimed_branch=None).values("claimed_branch").distinct().count() == 4
    assert topics.exclude(claimed_team=None).values("claimed_team").distinct().count() == 9

    deed = PioneerDeed.objects.get(person_name="郑晓斐")
    assert deed.enterprise.name == "青岛世纪海佳机械有限公司"
    assert "灯塔领读" in deed.recognitions.get().name
    case = TeachingCase.objects.get(area__name="水城路社区")
    assert case.review_state == TeachingCase.Review.REVIEWED and case.reviewed_on.year == TODAY.year

    points = figures.points(jiaonan, TODAY)
    assert points["sites"]["total"] == 8 and points["cases"] == 1 and points["deeds"] == 2
    assert points["engaged"]["teams"] == 9
    assert all(rule(model.objects.all(), TODAY).exists() for _, _, _, model, rule in alerts.RULES)
    assert Rubric.objects.get().total_points() == 100


def test_seeding_twice_changes_nothing(seeded):
    before = counts()
    call_command("seed_demo", scale=700, stdout=io.StringIO())
    assert counts() == before


def test_generated_sites_are_consistent(seeded):
    class Command:
        stdout = io.StringIO()

    before = DemonstrationSite.objects.count()
    added = demo.add_synthetic(Command(), TODAY, Rubric.objects.get(), 12)
    assert added == 12 and DemonstrationSite.objects.count() == before + 12
    for site in DemonstrationSite.objects.all():
        fresh = DemonstrationSite.objects.get(pk=site.pk).refresh_state()
        assert (fresh.status, fresh.status_since, fresh.review_due) == (
            site.status,
            site.status_since,
            site.review_due,
        )
        assert SiteStatusChange.objects.filter(site=site).active_on(TODAY).count() == 1
    for topic in Topic.objects.all():
        fresh = Topic.objects.get(pk=topic.pk).refresh_state()
        assert (fresh.state, fresh.state_since) == (topic.state, topic.state_since)
        assert topic.state_changes.first().start == topic.posted_on
    district = Area.objects.get(level=Area.Level.DISTRICT)
    streets = Area.objects.filter(parent=district)
    total = figures.points(district, TODAY)["topics"]["total"]
    assert total == sum(figures.points(s, TODAY)["topics"]["total"] for s in streets)
    assert total == Topic.objects.count()
