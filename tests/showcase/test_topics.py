"""揭榜挂帅 topics: every transition legal and illegal, claims, acceptance, milestones and
their roll-up to the topic, the site and the street."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from showcase import selectors, services
from showcase.models import Acceptance, Topic, TopicState, TopicStateChange
from tests.factories import (
    DemonstrationSiteFactory,
    EnterpriseFactory,
    MilestoneFactory,
    PartyOrganizationFactory,
    TaskTeamFactory,
    TopicFactory,
)

pytestmark = pytest.mark.django_db

T = TopicState
ALL = list(T)
TODAY = timezone.localdate()
START = dt.date(2023, 1, 1)


def step_day(n):
    return START + dt.timedelta(days=30 * n)


def topic_in(state, community, **fields):
    """A topic whose current state is ``state``, reached by legal steps one month apart."""
    enterprise = EnterpriseFactory(community=community)
    fields.setdefault("due_on", dt.date(2024, 12, 31))
    topic = TopicFactory(enterprise=enterprise, posted_on=START, **fields)
    branch = PartyOrganizationFactory(area=community)
    path = {
        T.COLLECTING: [],
        T.PUBLISHED: [T.PUBLISHED],
        T.CLAIMED: [T.PUBLISHED, T.CLAIMED],
        T.IN_PROGRESS: [T.PUBLISHED, T.CLAIMED, T.IN_PROGRESS],
        T.ACCEPTING: [T.PUBLISHED, T.CLAIMED, T.IN_PROGRESS, T.ACCEPTING],
        T.CLOSED: [T.PUBLISHED, T.CLAIMED, T.IN_PROGRESS, T.CLOSED],
        T.TOLERATED: [T.PUBLISHED, T.CLAIMED, T.TOLERATED],
    }[state]
    for n, target in enumerate(path, start=1):
        move(topic, target, step_day(n), branch=branch)
    assert topic.state == state
    return topic


def attempt(topic, target, on):
    """Ask for ``target`` directly: a claim through the claim service, else a transition."""
    if target == T.CLAIMED:
        branch = PartyOrganizationFactory(area=topic.enterprise.community)
        return services.topic_claim(topic=topic, on=on, branch=branch, leader_name="郑晓斐")
    return services.topic_transition(topic=topic, to=target, on=on, reason="理由")


def move(topic, target, on, branch=None, reason="尽职免责"):
    """Reach ``target`` through the service that does it."""
    if target == T.CLAIMED:
        return services.topic_claim(
            topic=topic, on=on, branch=branch or topic.claimed_branch, leader_name="郑晓斐"
        )
    if target == T.CLOSED:
        return services.topic_record_acceptance(
            topic=topic, on=on, reviewers=["张专家"], measured_value="12", passed=True
        )
    return services.topic_transition(topic=topic, to=target, on=on, reason=reason)


LEGAL = [(a, b) for a in ALL for b in ALL if b in Topic.TRANSITIONS[a]]
ILLEGAL = [(a, b) for a in ALL for b in ALL if b not in Topic.TRANSITIONS[a]]


def test_the_transition_table():
    assert LEGAL == [
        (T.COLLECTING, T.PUBLISHED),
        (T.PUBLISHED, T.CLAIMED),
        (T.CLAIMED, T.IN_PROGRESS),
        (T.CLAIMED, T.TOLERATED),
        (T.IN_PROGRESS, T.ACCEPTING),
        (T.IN_PROGRESS, T.TOLERATED),
        (T.ACCEPTING, T.IN_PROGRESS),
        (T.ACCEPTING, T.CLOSED),
        (T.ACCEPTING, T.TOLERATED),
    ]
    assert len(ILLEGAL) == 49 - 9


@pytest.mark.parametrize("current, target", LEGAL)
def test_legal_transitions(shuicheng, current, target):
    topic = topic_in(current, shuicheng)
    if target == T.CLOSED:  # closing as done needs a passed acceptance
        Acceptance.objects.create(
            topic=topic, accepted_on=step_day(8), measured_value=12, passed=True
        )
        services.topic_transition(topic=topic, to=T.CLOSED, on=step_day(8))
    else:
        attempt(topic, target, step_day(8))
    topic.refresh_from_db()
    assert topic.state == target and topic.state_since == step_day(8)
    assert topic.state_on(step_day(8)) == target
    assert topic.state_on(step_day(8) - dt.timedelta(days=1)) == current


@pytest.mark.parametrize("current, target", ILLEGAL)
def test_illegal_transitions_are_refused(shuicheng, current, target):
    topic = topic_in(current, shuicheng)
    before = list(topic.state_changes.values_list("state", "start", "end"))
    with pytest.raises(ValidationError) as info:
        attempt(topic, target, step_day(8))
    assert info.value.messages[0]
    topic.refresh_from_db()
    assert topic.state == current
    assert list(topic.state_changes.values_list("state", "start", "end")) == before


@pytest.mark.parametrize(
    "current, target, message",
    [
        (T.PUBLISHED, T.ACCEPTING, "尚未揭榜，不能验收"),
        (T.COLLECTING, T.ACCEPTING, "尚未揭榜，不能验收"),
        (T.CLAIMED, T.ACCEPTING, "尚未开始攻坚，不能验收"),
        (T.COLLECTING, T.CLAIMED, "尚未发榜，不能揭榜"),
        (T.PUBLISHED, T.IN_PROGRESS, "尚未揭榜"),
        (T.IN_PROGRESS, T.CLOSED, "未经验收，不能销号"),
        (T.CLOSED, T.IN_PROGRESS, "已销号"),
        (T.TOLERATED, T.IN_PROGRESS, "容错关闭"),
        (T.PUBLISHED, T.TOLERATED, "尚未揭榜"),
    ],
)
def test_refusals_say_why_in_chinese(shuicheng, current, target, message):
    topic = topic_in(current, shuicheng)
    with pytest.raises(ValidationError) as info:
        attempt(topic, target, step_day(8))
    assert message in info.value.messages[0]


def test_acceptance_before_claim_through_the_acceptance_service(shuicheng):
    topic = topic_in(T.PUBLISHED, shuicheng)
    with pytest.raises(ValidationError) as info:
        services.topic_record_acceptance(
            topic=topic, on=step_day(5), reviewers=["张专家"], measured_value=1, passed=True
        )
    assert "尚未揭榜，不能验收" in info.value.messages[0]
    assert not topic.acceptances.exists()


def test_create_starts_collecting_on_the_posting_day_and_may_publish(shuicheng):
    topic = TopicFactory(posted_on=dt.date(2024, 3, 1), due_on=dt.date(2024, 9, 1), publish=True)
    assert topic.state == T.PUBLISHED
    assert list(topic.state_changes.values_list("state", "start", "end")) == [
        ("collecting", dt.date(2024, 3, 1), dt.date(2024, 3, 1)),
        ("published", dt.date(2024, 3, 1), None),
    ]
    assert topic.state_on(dt.date(2024, 2, 29)) is None  # not posted yet


def test_topic_rules(shuicheng):
    with pytest.raises(ValidationError) as info:
        TopicFactory(posted_on=dt.date(2024, 3, 1), due_on=dt.date(2024, 2, 1))
    assert "due_on" in info.value.message_dict
    with pytest.raises(ValidationError):
        TopicFactory(posted_on=TODAY + dt.timedelta(days=1), due_on=TODAY + dt.timedelta(days=9))


def test_the_owner_is_the_site_when_the_enterprise_has_one(shuicheng):
    site = DemonstrationSiteFactory(enterprise=EnterpriseFactory(community=shuicheng))
    topic = TopicFactory(enterprise=site.enterprise)
    assert topic.site == site and topic.owner == site
    plain = TopicFactory(enterprise=EnterpriseFactory(community=shuicheng))
    assert plain.site is None and plain.owner == plain.enterprise
    with pytest.raises(ValidationError) as info:
        TopicFactory(enterprise=plain.enterprise, site=site)
    assert "site" in info.value.message_dict


def test_a_claim_names_one_claimer_and_a_leader(shuicheng, branch):
    topic = topic_in(T.PUBLISHED, shuicheng)
    team = TaskTeamFactory(enterprise=topic.enterprise, branch=branch)
    for kwargs in (
        {"leader_name": "郑晓斐"},
        {"leader_name": "郑晓斐", "branch": branch, "team": team},
        {"leader_name": " ", "branch": branch},
    ):
        with pytest.raises(ValidationError):
            services.topic_claim(topic=topic, on=step_day(3), **kwargs)
    services.topic_claim(topic=topic, on=step_day(3), team=team, leader_name="郑晓斐")
    topic.refresh_from_db()
    assert topic.claimed_team == team and topic.claimed_branch is None
    assert topic.leader_name == "郑晓斐" and topic.claimed_on == step_day(3)


def test_a_claimer_must_be_active_and_belong_there(shuicheng, zhushan, fulai):
    topic = topic_in(T.PUBLISHED, shuicheng)
    dissolved = PartyOrganizationFactory(
        area=shuicheng, established_on=dt.date(2020, 1, 1), dissolved_on=dt.date(2022, 1, 1)
    )
    elsewhere = PartyOrganizationFactory(area=fulai)
    other_team = TaskTeamFactory(enterprise=EnterpriseFactory(community=shuicheng))
    late_team = TaskTeamFactory(enterprise=topic.enterprise, start=dt.date(2023, 6, 1))
    for kwargs in (
        {"branch": dissolved},
        {"branch": elsewhere},
        {"team": other_team},
        {"team": late_team},
    ):
        with pytest.raises(ValidationError):
            services.topic_claim(topic=topic, on=step_day(3), leader_name="李四", **kwargs)
    assert topic.state_changes.get(end__isnull=True).state == T.PUBLISHED


def test_tolerated_closing_needs_a_reason(shuicheng):
    topic = topic_in(T.IN_PROGRESS, shuicheng)
    with pytest.raises(ValidationError) as info:
        services.topic_transition(topic=topic, to=T.TOLERATED, on=step_day(8), reason="")
    assert "理由" in info.value.messages[0]
    services.topic_transition(topic=topic, to=T.TOLERATED, on=step_day(8), reason="市场突变")
    assert topic.closed_on == step_day(8) and topic.tolerance_reason == "市场突变"


def test_acceptance_with_reviewers_closes_a_passed_topic(shuicheng):
    topic = topic_in(T.IN_PROGRESS, shuicheng, target_value=Decimal("10"))
    acceptance = services.topic_record_acceptance(
        topic=topic,
        on=step_day(6),
        reviewers=["张专家", ("李教授", "山东科技大学"), " "],
        measured_value="12.5",
        passed=True,
        opinion="达到目标",
    )
    assert [(r.name, r.unit) for r in acceptance.reviewers.all()] == [
        ("张专家", ""),
        ("李教授", "山东科技大学"),
    ]
    assert acceptance.measured_value == Decimal("12.5") and acceptance.met_target is True
    topic.refresh_from_db()
    assert topic.state == T.CLOSED and topic.closed_on == step_day(6)
    states = list(topic.state_changes.values_list("state", flat=True))
    assert states[-2:] == ["accepting", "closed"]


def test_a_failed_acceptance_stays_under_acceptance(shuicheng):
    topic = topic_in(T.IN_PROGRESS, shuicheng)
    services.topic_record_acceptance(
        topic=topic, on=step_day(6), reviewers=["张专家"], measured_value="3", passed=False
    )
    assert topic.state == T.ACCEPTING
    with pytest.raises(ValidationError):  # no passed acceptance: not closable
        services.topic_transition(topic=topic, to=T.CLOSED, on=step_day(7))
    # A second round passes.
    services.topic_record_acceptance(
        topic=topic, on=step_day(7), reviewers=["王专家"], measured_value="11", passed=True
    )
    assert topic.state == T.CLOSED and topic.acceptances.count() == 2


def test_acceptance_needs_a_reviewer_and_a_result(shuicheng):
    topic = topic_in(T.IN_PROGRESS, shuicheng)
    for kwargs in (
        {"reviewers": [], "measured_value": 1},
        {"reviewers": ["  "], "measured_value": 1},
        {"reviewers": ["张"], "measured_value": None},
        {"reviewers": ["张"], "measured_value": "很多"},
    ):
        with pytest.raises(ValidationError):
            services.topic_record_acceptance(topic=topic, on=step_day(6), passed=True, **kwargs)
    assert not Acceptance.objects.exists() and topic.state == T.IN_PROGRESS


def test_target_direction(shuicheng):
    topic = TopicFactory(target_value=Decimal("5"), target_direction=Topic.Direction.AT_MOST)
    assert topic.met_target(Decimal("4")) is True
    assert topic.met_target(Decimal("6")) is False


def test_milestones_roll_up_weighted(shuicheng):
    topic = topic_in(T.IN_PROGRESS, shuicheng)
    a = MilestoneFactory(topic=topic, weight=3)
    b = MilestoneFactory(topic=topic, weight=1)
    services.milestone_set_progress(milestone=a, percent_done=50)
    services.milestone_set_progress(milestone=b, percent_done=100, on=TODAY)
    b.refresh_from_db()
    assert b.done_on == TODAY
    # (3 × 50 + 1 × 100) ÷ 4 = 62.5
    assert selectors.topic_progress(Topic.objects.get(pk=topic.pk)) == Decimal("62.5")


def test_progress_of_closed_and_empty_topics(shuicheng):
    closed = topic_in(T.CLOSED, shuicheng)
    MilestoneFactory(topic=closed, weight=1, percent_done=30)
    assert selectors.topic_progress(closed) == Decimal("100")
    assert selectors.topic_progress(topic_in(T.CLAIMED, shuicheng)) == Decimal("0")


def test_progress_rolls_up_to_the_site_and_the_street(jiaonan, shuicheng, zhushan):
    site = DemonstrationSiteFactory(enterprise=EnterpriseFactory(community=shuicheng))
    one = TopicFactory(enterprise=site.enterprise, publish=True)
    two = TopicFactory(enterprise=site.enterprise, publish=True)
    idle = TopicFactory(enterprise=site.enterprise, publish=True)  # not claimed: not counted
    branch = PartyOrganizationFactory(area=shuicheng)
    for topic in (one, two):
        services.topic_claim(topic=topic, on=step_day(1), branch=branch, leader_name="甲")
        services.topic_transition(topic=topic, to=T.IN_PROGRESS, on=step_day(2))
    MilestoneFactory(topic=one, weight=1, percent_done=40)
    MilestoneFactory(topic=two, weight=1, percent_done=80)
    MilestoneFactory(topic=idle, weight=1, percent_done=0)
    progress = selectors.site_progress(site)
    assert progress.topics == 2 and progress.percent == Decimal("60.0")
    other = topic_in(T.CLOSED, zhushan)  # 100 in another community of the street
    street = selectors.area_progress(jiaonan)
    assert street.topics == 3 and street.percent == Decimal("73.3")  # (40 + 80 + 100) ÷ 3
    parts = [selectors.area_progress(c) for c in (shuicheng, zhushan)]
    assert sum(p.topics for p in parts) == street.topics
    assert sum(p.total for p in parts) == street.total
    assert other.site is None


def test_progress_cannot_change_on_a_closed_or_unclaimed_topic(shuicheng):
    closed = topic_in(T.CLOSED, shuicheng)
    m = MilestoneFactory(topic=closed)
    with pytest.raises(ValidationError) as info:
        services.milestone_set_progress(milestone=m, percent_done=50)
    assert "关闭" in info.value.messages[0]
    published = topic_in(T.PUBLISHED, shuicheng)
    m = MilestoneFactory(topic=published)
    with pytest.raises(ValidationError):
        services.milestone_set_progress(milestone=m, percent_done=10)
    m2 = MilestoneFactory(topic=topic_in(T.IN_PROGRESS, shuicheng))
    for bad in (-1, 101, "多"):
        with pytest.raises(ValidationError):
            services.milestone_set_progress(milestone=m2, percent_done=bad)


def test_a_stale_progress_update_is_refused(shuicheng):
    from core.versioning import StaleEdit

    m = MilestoneFactory(topic=topic_in(T.IN_PROGRESS, shuicheng))
    opened = m.version
    services.milestone_set_progress(milestone=m, percent_done=20, version=opened)
    with pytest.raises(StaleEdit):
        services.milestone_set_progress(milestone=m, percent_done=30, version=opened)


def test_the_board_has_a_column_per_state(shuicheng):
    site = DemonstrationSiteFactory(enterprise=EnterpriseFactory(community=shuicheng))
    TopicFactory(enterprise=site.enterprise)
    TopicFactory(enterprise=site.enterprise, publish=True)
    board = selectors.topic_board(site)
    assert list(board) == list(T)
    assert [len(board[s]) for s in (T.COLLECTING, T.PUBLISHED, T.CLAIMED)] == [1, 1, 0]


def test_state_changes_never_overlap(shuicheng):
    for state in ALL:
        topic_in(state, shuicheng)
    for topic in Topic.objects.all():
        changes = list(topic.state_changes.order_by("start", "pk"))
        for earlier, later in zip(changes, changes[1:], strict=False):
            assert earlier.end == later.start
        assert changes[-1].end is None
        assert TopicStateChange.objects.filter(topic=topic).active_on(TODAY).count() == 1
        assert topic.state == changes[-1].state


def test_states_read_as_the_terms_offices_use():
    from showcase.models import SiteStatus

    assert [str(s.label) for s in T] == [
        "征集",
        "发榜",
        "揭榜",
        "攻坚中",
        "验收",
        "销号",
        "容错关闭",
    ]
    assert [str(s.label) for s in SiteStatus] == ["培育", "命名", "复核", "撤销"]


def test_editing_the_posting_date_follows_the_state_history(shuicheng):
    topic = TopicFactory(posted_on=dt.date(2024, 3, 1), due_on=dt.date(2024, 9, 1))
    topic.posted_on = dt.date(2024, 2, 1)
    topic.full_clean()
    topic.save()
    assert topic.state_changes.get().start == dt.date(2024, 2, 1)
    assert topic.state_on(dt.date(2024, 2, 1)) == T.COLLECTING
    services.topic_transition(topic=topic, to=T.PUBLISHED, on=dt.date(2024, 3, 1))
    topic.posted_on = dt.date(2024, 1, 1)
    with pytest.raises(ValidationError) as info:
        topic.full_clean()
    assert "posted_on" in info.value.message_dict


def test_a_topic_stays_with_its_enterprise(shuicheng):
    topic = TopicFactory()
    topic.enterprise = EnterpriseFactory(community=shuicheng)
    with pytest.raises(ValidationError) as info:
        topic.full_clean()
    assert "enterprise" in info.value.message_dict


def test_a_milestone_edited_through_a_form_obeys_the_same_rules(shuicheng):
    closed = topic_in(T.CLOSED, shuicheng)
    milestone = MilestoneFactory(topic=closed, percent_done=100)
    milestone.percent_done = 50
    with pytest.raises(ValidationError) as info:
        milestone.full_clean()
    assert "percent_done" in info.value.message_dict
    unclaimed = MilestoneFactory(topic=topic_in(T.PUBLISHED, shuicheng))
    unclaimed.percent_done = 10
    with pytest.raises(ValidationError):
        unclaimed.full_clean()
    unclaimed.title = "改名"
    unclaimed.percent_done = 0
    unclaimed.full_clean()  # other edits are fine
