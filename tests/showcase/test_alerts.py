"""The three 点 alert rules, evaluated today."""

import datetime as dt

import pytest
from django.utils import timezone

from enterprises import services as enterprise_services
from showcase import alerts, figures, services
from showcase.models import DemonstrationSite, Topic, TopicState
from tests.factories import DemonstrationSiteFactory, EnterpriseFactory, TopicFactory

from .conftest import covered_enterprise

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
DAY = dt.timedelta(days=1)


def test_a_topic_past_its_due_date_and_not_closed(shuicheng, jiaonan):
    late = TopicFactory(posted_on=TODAY - 40 * DAY, due_on=TODAY - DAY, publish=True)
    due_today = TopicFactory(posted_on=TODAY - 40 * DAY, due_on=TODAY)
    tolerated = TopicFactory(
        enterprise=EnterpriseFactory(community=shuicheng),
        posted_on=TODAY - 40 * DAY,
        due_on=TODAY - DAY,
        publish=True,
    )
    services.topic_claim(
        topic=tolerated,
        on=TODAY - 30 * DAY,
        branch=covered_enterprise(shuicheng).coverages.get().organization,
        leader_name="甲",
    )
    services.topic_transition(
        topic=tolerated, to=TopicState.TOLERATED, on=TODAY - 20 * DAY, reason="尽职免责"
    )
    rows = alerts.topic_overdue(Topic.objects.all(), TODAY)
    assert list(rows) == [late]
    assert due_today not in rows
    # The alert and the panel's overdue figure are the same topics today.
    assert set(figures.overdue_topic_rows(Topic.objects.all(), TODAY)) == set(rows)


@pytest.mark.parametrize(
    "named_days_ago, fires",
    [(2 * 365 - 59, True), (2 * 365 + 10, True), (2 * 365 - 62, False), (100, False)],
)
def test_a_site_whose_review_is_due_within_60_days_or_overdue(shuicheng, named_days_ago, fires):
    site = DemonstrationSiteFactory(enterprise=covered_enterprise(shuicheng))
    named = TODAY - named_days_ago * DAY
    services.site_name(site=site, on=named)
    assert (site in alerts.site_review_due(DemonstrationSite.objects.all(), TODAY)) is fires


def test_an_incubating_or_revoked_site_has_no_review_alert(shuicheng):
    DemonstrationSiteFactory(since=dt.date(2020, 1, 1))
    assert not alerts.site_review_due(DemonstrationSite.objects.all(), TODAY).exists()


def test_a_named_site_whose_enterprise_lost_its_organisation(shuicheng):
    keeps = DemonstrationSiteFactory(enterprise=covered_enterprise(shuicheng))
    loses = DemonstrationSiteFactory(enterprise=covered_enterprise(shuicheng))
    never_named = DemonstrationSiteFactory(enterprise=EnterpriseFactory(community=shuicheng))
    for site in (keeps, loses):
        services.site_name(site=site, on=TODAY - 300 * DAY)
    enterprise_services.coverage_end(
        coverage=loses.enterprise.coverages.get(), until=TODAY - 10 * DAY
    )
    rows = alerts.site_lost_organization(DemonstrationSite.objects.all(), TODAY)
    assert list(rows) == [loses]
    assert never_named not in rows


def test_the_rules_are_ready_to_register():
    assert [key for key, *_ in alerts.RULES] == [
        "topic_overdue",
        "site_review_due",
        "site_lost_organization",
    ]
