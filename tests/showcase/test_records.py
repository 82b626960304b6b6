"""Task teams, 传帮带, pioneer deeds, teaching cases and their review, recognitions."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from showcase import services
from showcase.models import CaseReview, DeedRecognition, MentoringNote, TaskTeam
from tests.factories import (
    DemonstrationSiteFactory,
    EnterpriseFactory,
    MentoringFactory,
    PartyOrganizationFactory,
    PioneerDeedFactory,
    TaskTeamFactory,
    TeachingCaseFactory,
    TopicFactory,
)

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def test_a_task_team_is_a_dated_fact(shuicheng):
    team = TaskTeamFactory(start=dt.date(2023, 1, 1), end=dt.date(2024, 1, 1))
    assert team.is_active_on(dt.date(2023, 6, 1)) and not team.is_active_on(dt.date(2024, 1, 1))
    assert TaskTeam.objects.active_on(dt.date(2023, 6, 1)).get() == team
    team.end = dt.date(2022, 1, 1)
    with pytest.raises(ValidationError) as info:
        team.full_clean()
    assert "end" in info.value.message_dict


def test_a_team_cannot_predate_its_branch(shuicheng):
    branch = PartyOrganizationFactory(area=shuicheng, established_on=dt.date(2023, 1, 1))
    team = TaskTeamFactory.build(
        enterprise=EnterpriseFactory(community=shuicheng), branch=branch, start=dt.date(2022, 1, 1)
    )
    with pytest.raises(ValidationError) as info:
        team.full_clean()
    assert "start" in info.value.message_dict


def test_mentoring_pairs_and_their_notes(shuicheng):
    mentoring = MentoringFactory(start=dt.date(2023, 3, 1))
    assert mentoring.is_active_on(TODAY)
    mentoring.mentee = mentoring.site.enterprise
    with pytest.raises(ValidationError) as info:
        mentoring.full_clean()
    assert "mentee" in info.value.message_dict
    note = MentoringNote(mentoring=MentoringFactory(start=dt.date(2023, 3, 1)), text="交流")
    note.noted_on = dt.date(2023, 2, 1)
    with pytest.raises(ValidationError):
        note.full_clean()
    note.noted_on = dt.date(2023, 4, 1)
    note.full_clean()


def test_a_deed_links_to_its_own_enterprise_topic_and_site(shuicheng):
    site = DemonstrationSiteFactory(enterprise=EnterpriseFactory(community=shuicheng))
    topic = TopicFactory(enterprise=site.enterprise)
    deed = PioneerDeedFactory.build(enterprise=site.enterprise, topic=topic)
    deed.full_clean()
    assert deed.site == site  # taken from the topic
    other = PioneerDeedFactory.build(enterprise=EnterpriseFactory(community=shuicheng), topic=topic)
    with pytest.raises(ValidationError) as info:
        other.full_clean()
    assert "topic" in info.value.message_dict
    future = PioneerDeedFactory.build(recorded_on=TODAY + dt.timedelta(days=1))
    with pytest.raises(ValidationError):
        future.full_clean()


def test_recognitions_are_dated(shuicheng):
    deed = PioneerDeedFactory()
    recognition = DeedRecognition(
        deed=deed, name="灯塔领读主题交流分享会", granted_by="市委组织部", granted_on=TODAY
    )
    recognition.full_clean()
    recognition.granted_on = TODAY + dt.timedelta(days=1)
    with pytest.raises(ValidationError):
        recognition.full_clean()


def test_a_case_belongs_to_a_community(shuicheng, jiaonan, zhushan):
    case = TeachingCaseFactory.build(area=jiaonan)
    with pytest.raises(ValidationError) as info:
        case.full_clean()
    assert "area" in info.value.message_dict
    enterprise = EnterpriseFactory(community=zhushan)
    about = TeachingCaseFactory.build(area=None, enterprise=enterprise)
    about.full_clean()
    assert about.area == zhushan  # an enterprise's case is filed under its community
    wrong = TeachingCaseFactory.build(area=shuicheng, enterprise=enterprise)
    with pytest.raises(ValidationError):
        wrong.full_clean()


def test_a_case_is_reviewed_before_it_counts(shuicheng):
    case = TeachingCaseFactory(area=shuicheng, recorded_on=dt.date(2025, 3, 1))
    with pytest.raises(ValidationError):  # not submitted yet
        services.case_review(case=case, on=TODAY, reviewer="王部长", approve=True)
    services.case_submit(case=case)
    with pytest.raises(ValidationError):  # a return says what to change
        services.case_review(case=case, on=TODAY, reviewer="王部长", approve=False)
    services.case_review(case=case, on=TODAY, reviewer="王部长", approve=False, opinion="补充成效")
    assert case.review_state == CaseReview.RETURNED and case.reviewed_on is None
    services.case_submit(case=case)
    with pytest.raises(ValidationError):
        services.case_review(case=case, on=dt.date(2025, 2, 1), reviewer="王部长", approve=True)
    with pytest.raises(ValidationError):
        services.case_review(case=case, on=TODAY, reviewer=" ", approve=True)
    services.case_review(case=case, on=TODAY, reviewer="王部长", approve=True)
    case.refresh_from_db()
    assert case.review_state == CaseReview.REVIEWED and case.reviewed_on == TODAY
    with pytest.raises(ValidationError):
        services.case_submit(case=case)
