"""The issue's "done means" at the domain level (the pages come later): a 胶南街道 staff
member names a site, posts three topics, a branch and a team claim them, progress is
updated and one topic accepted; the panel shows 1 closed and 2 in progress, its lists
hold those topics, and a 红石崖街道 user sees none of it."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from audit.context import audit_context
from showcase import figures, selectors, services
from showcase.models import DemonstrationSite, Milestone, Topic, TopicState
from tests.factories import SiteBatchFactory, TaskTeamFactory

from .conftest import covered_enterprise

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
T = TopicState


def test_a_staff_members_week(jiaonan, shuicheng, staff, stranger):
    day = TODAY - dt.timedelta(days=30)
    enterprise = covered_enterprise(shuicheng)
    branch = enterprise.coverages.get().organization
    team = TaskTeamFactory(enterprise=enterprise, branch=branch)
    with audit_context(actor=staff):
        site = services.site_create(
            site=DemonstrationSite(
                enterprise=enterprise, batch=SiteBatchFactory(area=jiaonan), brand_name="红色引擎"
            ),
            since=day,
        )
        services.site_name(site=site, on=day)
        topics = [
            services.topic_create(
                topic=Topic(
                    enterprise=enterprise,
                    title=title,
                    problem="问题",
                    target_value=10,
                    target_unit="%",
                    posted_on=day,
                    due_on=TODAY + dt.timedelta(days=90),
                ),
                publish=True,
            )
            for title in ("提升挂件空间利用率", "降低能耗", "缩短周期")
        ]
        claimers = [{"branch": branch}, {"team": team}, {"team": team}]
        for topic, claimer in zip(topics, claimers, strict=True):
            services.topic_claim(topic=topic, on=day, leader_name="郑晓斐", **claimer)
            services.topic_transition(topic=topic, to=T.IN_PROGRESS, on=day)
            milestone = Milestone.objects.create(topic=topic, title="试点", weight=1)
            services.milestone_set_progress(milestone=milestone, percent_done=60, on=TODAY)
        services.topic_record_acceptance(
            topic=topics[0], on=TODAY, reviewers=["张晓明"], measured_value=12, passed=True
        )

    points = figures.points(jiaonan, TODAY)
    assert points["topics"]["closed"] == 1 and points["topics"]["in_progress"] == 2
    assert points["sites"]["total"] == 1
    assert points["engaged"] == {"branches": 1, "teams": 1}
    mine = Topic.objects.for_user(staff)
    assert list(figures.topic_rows(mine, TODAY, state=T.CLOSED)) == [topics[0]]
    assert set(figures.topic_rows(mine, TODAY, state=T.IN_PROGRESS)) == set(topics[1:])
    assert selectors.site_progress(site).percent == Decimal("73.3")  # (100 + 60 + 60) ÷ 3
    assert topics[0].history().filter(actor=staff).exists()

    assert not Topic.objects.for_user(stranger).exists()
    assert not DemonstrationSite.objects.for_user(stranger).exists()
