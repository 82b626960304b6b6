"""点's pages beyond the contract: every state change through its action page (legal, and
illegal with the service's message in Chinese), the phone progress update, attachments
through the record pages, the board, the score sheet, and the record pages' query counts
with many rows."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from core.models import Attachment
from showcase.models import (
    CaseReview,
    DemonstrationSite,
    Milestone,
    Rating,
    RubricIndicator,
    SiteStatus,
    TopicState,
)
from tests.factories import (
    AcceptanceFactory,
    DemonstrationSiteFactory,
    EnterpriseFactory,
    MentoringFactory,
    MilestoneFactory,
    PioneerDeedFactory,
    SiteBatchFactory,
    TaskTeamFactory,
    TeachingCaseFactory,
    TopicFactory,
    png_bytes,
    published_rubric,
)

from .conftest import covered_enterprise

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
DAY = dt.timedelta(days=1)
T = TopicState
S = SiteStatus


def text(response):
    return response.content.decode()


def url(name, obj):
    return reverse(f"showcase:{name}", args=[obj.pk])


def act(client, name, obj, **data):
    """POST an action page; the response (200 with the form when refused)."""
    data.setdefault("on", TODAY.isoformat())
    return client.post(url(name, obj), data)


def refused(response, message):
    assert response.status_code == 200, response.status_code
    assert message in text(response), text(response)[-3000:]


def topic_in(community, **fields):
    enterprise = covered_enterprise(community)
    fields.setdefault("posted_on", TODAY - 60 * DAY)
    fields.setdefault("due_on", TODAY + 60 * DAY)
    return TopicFactory(enterprise=enterprise, **fields)


# ---------------------------------------------------------------------------
# Sites


def test_a_site_is_created_named_reviewed_revoked_and_incubated_again(
    staff_client, jiaonan, shuicheng
):
    enterprise = EnterpriseFactory(community=shuicheng)
    batch = SiteBatchFactory(area=jiaonan, name="首批", year=2024)
    response = staff_client.post(
        reverse("showcase:site_create"),
        {
            "enterprise": enterprise.name,
            "batch": batch.pk,
            "level": "street",
            "brand_name": "红色引擎",
            "review_cycle_years": "2",
            "since": (TODAY - 30 * DAY).isoformat(),
        },
    )
    site = DemonstrationSite.objects.get(enterprise=enterprise)
    assert response.status_code == 302 and response.url == site.get_absolute_url()
    assert site.status == S.INCUBATING and site.checklist.count() == 6

    # No organisation covers the enterprise: the naming is refused and says why.
    page = staff_client.get(url("site_name", site))
    assert "没有有效的党组织覆盖" in text(page)  # said before trying
    refused(act(staff_client, "site_name", site), "没有有效的党组织覆盖")
    site.refresh_from_db()
    assert site.status == S.INCUBATING

    from tests.factories import CoverageFactory, PartyOrganizationFactory

    organization = PartyOrganizationFactory(area=shuicheng, established_on=TODAY - 40 * DAY)
    CoverageFactory(enterprise=enterprise, organization=organization, since=TODAY - 40 * DAY)
    response = act(staff_client, "site_name", site, on=(TODAY - 20 * DAY).isoformat())
    assert response.status_code == 302
    site.refresh_from_db()
    assert site.status == S.NAMED and site.review_due is not None

    refused(act(staff_client, "site_name", site), "示范点已命名")
    refused(
        act(staff_client, "site_review", site, on=(TODAY - 25 * DAY).isoformat()),
        "不能早于当前状态的开始日期",
    )
    assert act(staff_client, "site_review", site).status_code == 302
    refused(act(staff_client, "site_revoke", site), "请填写撤销示范点的原因")
    assert act(staff_client, "site_revoke", site, reason="党组织撤销").status_code == 302
    refused(act(staff_client, "site_name", site), "示范点已撤销，须先重新培育")
    assert act(staff_client, "site_reincubate", site).status_code == 302
    site.refresh_from_db()
    assert site.status == S.INCUBATING
    statuses = list(site.status_changes.order_by("pk").values_list("status", flat=True))
    assert statuses == ["incubating", "named", "reviewed", "revoked", "incubating"]
    page = text(staff_client.get(site.get_absolute_url()))
    assert "党组织撤销" in page  # the reason is in the status history


def test_a_leader_and_a_stranger_cannot_change_a_site(leader_client, stranger_client, shuicheng):
    site = DemonstrationSiteFactory(enterprise=covered_enterprise(shuicheng))
    for name in ("site_name", "site_review", "site_revoke", "site_reincubate"):
        assert act(leader_client, name, site).status_code == 403
        assert act(stranger_client, name, site).status_code == 404
    site.refresh_from_db()
    assert site.status_changes.count() == 1


def test_the_checklist_item_is_edited_with_its_version(staff_client, shuicheng):
    site = DemonstrationSiteFactory(enterprise=covered_enterprise(shuicheng))
    item = site.checklist.get(item="venue")
    edit = url("checklist_edit", item)
    version = staff_client.get(edit).context["form"]["version"].value()
    data = {"met": "on", "note": "活动室120平方米", "checked_on": TODAY.isoformat()}
    assert staff_client.post(edit, {**data, "version": version}).status_code == 302
    item.refresh_from_db()
    assert item.met and item.note == "活动室120平方米"
    # A second edit from the form opened before the first is refused: nothing overwritten.
    stale = staff_client.post(edit, {**data, "note": "旧值", "version": version})
    assert stale.status_code == 200 and "其他人修改了这条记录" in text(stale)
    item.refresh_from_db()
    assert item.note == "活动室120平方米"


# ---------------------------------------------------------------------------
# Topics: every transition through its page


@pytest.fixture
def claimers(shuicheng):
    """A topic's enterprise with its branch (covering it) and a task team."""
    enterprise = covered_enterprise(shuicheng)
    branch = enterprise.coverages.get().organization
    team = TaskTeamFactory(enterprise=enterprise, branch=branch, start=TODAY - 300 * DAY)
    return enterprise, branch, team


def new_topic(enterprise, **fields):
    return TopicFactory(
        enterprise=enterprise, posted_on=TODAY - 60 * DAY, due_on=TODAY + 60 * DAY, **fields
    )


def test_a_topic_goes_through_every_state_on_its_pages(staff_client, claimers):
    enterprise, branch, team = claimers
    topic = new_topic(enterprise)
    assert topic.state == T.COLLECTING
    # Too early for everything but publishing.
    refused(
        act(staff_client, "topic_claim", topic, leader_name="甲", team=team.pk),
        "尚未发榜，不能揭榜",
    )
    refused(act(staff_client, "topic_start", topic), "尚未揭榜")
    refused(
        act(
            staff_client,
            "topic_accept",
            topic,
            reviewers="张晓明",
            measured_value="12",
            passed="1",
        ),
        "尚未揭榜，不能验收",
    )
    refused(act(staff_client, "topic_close", topic), "销号")
    assert act(staff_client, "topic_publish", topic).status_code == 302
    refused(act(staff_client, "topic_publish", topic), "已发榜")

    # A claim names one claimer and a leader.
    refused(
        act(staff_client, "topic_claim", topic, leader_name="甲", branch=branch.pk, team=team.pk),
        "二选一",
    )
    refused(act(staff_client, "topic_claim", topic, leader_name="", team=team.pk), "挂帅")
    assert (
        act(staff_client, "topic_claim", topic, leader_name="郑晓斐", team=team.pk).status_code
        == 302
    )
    topic.refresh_from_db()
    assert (topic.state, topic.claimed_team, topic.leader_name) == (T.CLAIMED, team, "郑晓斐")

    refused(
        act(staff_client, "topic_accept", topic, reviewers="张", measured_value="1", passed="1"),
        "尚未开始攻坚",
    )
    assert act(staff_client, "topic_start", topic).status_code == 302
    refused(act(staff_client, "topic_close", topic), "未经验收，不能销号")
    refused(act(staff_client, "topic_rework", topic), "验收中")

    # A failed acceptance leaves it under acceptance; back to work; a passed one closes it.
    response = act(
        staff_client,
        "topic_accept",
        topic,
        reviewers="张晓明，胶南街道党工委\n李建华，山东科技大学",
        measured_value="8",
        passed="0",
        opinion="未达到目标值",
    )
    assert response.status_code == 302
    topic.refresh_from_db()
    assert topic.state == T.ACCEPTING
    refused(act(staff_client, "topic_close", topic), "尚无通过的验收，课题不能销号")
    acceptance = topic.acceptances.get()
    assert list(acceptance.reviewers.values_list("name", "unit")) == [
        ("张晓明", "胶南街道党工委"),
        ("李建华", "山东科技大学"),
    ]
    refused(act(staff_client, "topic_start", topic), "返工")
    assert act(staff_client, "topic_rework", topic, reason="补充试点").status_code == 302
    topic.refresh_from_db()
    assert topic.state == T.IN_PROGRESS
    refused(
        act(staff_client, "topic_accept", topic, reviewers="", measured_value="12", passed="1"),
        "必填",
    )
    response = act(
        staff_client,
        "topic_accept",
        topic,
        reviewers="张晓明",
        measured_value="12.5",
        passed="1",
    )
    assert response.status_code == 302
    topic.refresh_from_db()
    assert topic.state == T.CLOSED and topic.closed_on == TODAY
    refused(act(staff_client, "topic_tolerate", topic, reason="x"), "课题已销号，不能再变更状态")
    page = text(staff_client.get(topic.get_absolute_url()))
    assert "12.50" in page and "张晓明" in page and "山东科技大学" in page
    states = list(topic.state_changes.order_by("pk").values_list("state", flat=True))
    assert states == [
        "collecting",
        "published",
        "claimed",
        "in_progress",
        "accepting",
        "in_progress",
        "accepting",
        "closed",
    ]


def test_a_failure_is_tolerated_only_with_a_reason(staff_client, claimers):
    enterprise, branch, _team = claimers
    topic = new_topic(enterprise, publish=True)
    assert (
        act(staff_client, "topic_claim", topic, leader_name="甲", branch=branch.pk).status_code
        == 302
    )
    refused(act(staff_client, "topic_tolerate", topic, reason=""), "容错关闭须写明理由")
    response = act(staff_client, "topic_tolerate", topic, reason="市场环境变化，已尽职尽责")
    assert response.status_code == 302
    topic.refresh_from_db()
    assert topic.state == T.TOLERATED and topic.tolerance_reason == "市场环境变化，已尽职尽责"


def test_a_claim_offers_the_enterprises_branches_and_teams_only(staff_client, claimers, shuicheng):
    enterprise, branch, team = claimers
    other = covered_enterprise(shuicheng)
    TaskTeamFactory(enterprise=other, branch=other.coverages.get().organization)
    topic = new_topic(enterprise, publish=True)
    form = staff_client.get(url("topic_claim", topic)).context["form"]
    assert list(form.fields["branch"].queryset) == [branch]
    assert list(form.fields["team"].queryset) == [team]


def test_the_topic_page_offers_only_the_legal_moves(staff_client, leader_client, claimers):
    enterprise, _branch, _team = claimers
    topic = new_topic(enterprise, publish=True)
    page = text(staff_client.get(topic.get_absolute_url()))
    assert url("topic_claim", topic) in page
    assert url("topic_publish", topic) not in page and url("topic_close", topic) not in page
    assert url("topic_claim", topic) not in text(leader_client.get(topic.get_absolute_url()))


def test_every_topic_action_is_refused_to_leaders_and_strangers(
    leader_client, stranger_client, claimers
):
    enterprise, _branch, team = claimers
    topic = new_topic(enterprise, publish=True)
    names = [
        "topic_publish",
        "topic_claim",
        "topic_start",
        "topic_accept",
        "topic_close",
        "topic_rework",
        "topic_tolerate",
        "topic_progress",
    ]
    for name in names:
        assert leader_client.post(url(name, topic), {"team": team.pk}).status_code == 403, name
        assert stranger_client.post(url(name, topic), {"team": team.pk}).status_code in (
            404,
            405,
        ), name
        assert stranger_client.get(url(name, topic)).status_code == 404, name
    topic.refresh_from_db()
    assert topic.state == T.PUBLISHED


# ---------------------------------------------------------------------------
# Progress from a phone


@pytest.fixture
def working_topic(claimers):
    enterprise, _branch, team = claimers
    topic = new_topic(enterprise, publish=True)
    from showcase import services

    services.topic_claim(topic=topic, on=TODAY - 30 * DAY, leader_name="甲", team=team)
    services.topic_transition(topic=topic, to=T.IN_PROGRESS, on=TODAY - 29 * DAY)
    MilestoneFactory(topic=topic, title="调研分析", weight=1, order=1)
    MilestoneFactory(topic=topic, title="试点实施", weight=3, order=2)
    return topic


def progress(client, milestone, percent, version=None):
    version = milestone.version if version is None else version
    prefix = f"m{milestone.pk}"
    return client.post(
        url("milestone_progress", milestone),
        {f"{prefix}-percent_done": str(percent), f"{prefix}-version": str(version)},
    )


def test_progress_is_updated_milestone_by_milestone(staff_client, working_topic):
    first, second = working_topic.milestones.order_by("order")
    page = staff_client.get(url("topic_progress", working_topic))
    assert page.status_code == 200
    html = text(page)
    assert html.count('<form method="post"') >= 2 and "调研分析" in html and "试点实施" in html
    response = progress(staff_client, first, 100)
    assert response.status_code == 302 and response.url == url("topic_progress", working_topic)
    response = progress(staff_client, second, 60)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.percent_done, first.done_on, second.percent_done) == (100, TODAY, 60)
    page = text(staff_client.get(url("topic_progress", working_topic)))
    assert "70.0%" in page  # (1 × 100 + 3 × 60) ÷ 4
    assert "70.0%" in text(staff_client.get(working_topic.get_absolute_url()))


def test_progress_refuses_bad_values_and_a_stale_form(staff_client, working_topic):
    first = working_topic.milestones.order_by("order").first()
    for bad in ("150", "-5", "abc"):
        response = progress(staff_client, first, bad)
        assert response.status_code == 200, bad
        assert "error" in text(response)
    first.refresh_from_db()
    assert first.percent_done == 0
    opened_at = first.version
    assert progress(staff_client, first, 40).status_code == 302
    # A second phone, opened before that update, does not overwrite it.
    response = progress(staff_client, first, 10, version=opened_at)
    assert response.status_code == 302
    first.refresh_from_db()
    assert first.percent_done == 40
    follow = staff_client.get(response.url)
    assert "未保存" in text(follow)


def test_progress_of_a_closed_or_unclaimed_topic_is_refused(staff_client, working_topic, claimers):
    from showcase import services

    milestone = working_topic.milestones.first()
    services.topic_record_acceptance(
        topic=working_topic, on=TODAY, reviewers=["张"], measured_value=20, passed=True
    )
    refused(progress(staff_client, milestone, 50), "课题已关闭，不能再更新进度")
    fresh = new_topic(claimers[0], publish=True)
    waiting = MilestoneFactory(topic=fresh)
    refused(progress(staff_client, waiting, 20), "尚未揭榜，不能填报进度")


def test_progress_needs_an_editor_of_the_area(leader_client, stranger_client, working_topic):
    milestone = working_topic.milestones.first()
    assert progress(leader_client, milestone, 50).status_code == 403
    assert progress(stranger_client, milestone, 50).status_code == 404
    assert stranger_client.get(url("milestone_progress", milestone)).status_code == 404
    milestone.refresh_from_db()
    assert milestone.percent_done == 0


def test_milestones_are_added_edited_and_deleted(staff_client, working_topic):
    response = staff_client.post(
        url("milestone_create", working_topic), {"title": "总结推广", "weight": "2", "order": "3"}
    )
    assert response.status_code == 302
    milestone = Milestone.objects.get(title="总结推广")
    assert milestone.topic == working_topic
    edit = url("milestone_edit", milestone)
    version = staff_client.get(edit).context["form"]["version"].value()
    response = staff_client.post(
        edit, {"title": "总结推广", "weight": "5", "order": "3", "version": version}
    )
    assert response.status_code == 302
    milestone.refresh_from_db()
    assert milestone.weight == 5
    assert staff_client.post(url("milestone_delete", milestone)).status_code == 302
    assert not Milestone.objects.filter(pk=milestone.pk).exists()


# ---------------------------------------------------------------------------
# The board


def test_the_board_has_a_column_per_state(staff_client, claimers, shuicheng):
    enterprise, _branch, _team = claimers
    site = DemonstrationSiteFactory(enterprise=enterprise)
    new_topic(enterprise, title="课题甲")
    new_topic(enterprise, title="课题乙", publish=True)
    response = staff_client.get(url("site_board", site))
    assert response.status_code == 200
    columns = {
        state.value: [t.title for t in topics] for state, _l, topics in response.context["columns"]
    }
    assert list(columns) == [s.value for s in TopicState]
    assert columns["collecting"] == ["课题甲"] and columns["published"] == ["课题乙"]


# ---------------------------------------------------------------------------
# Cases and ratings through their pages


def test_a_case_is_submitted_returned_and_approved(staff_client, shuicheng):
    case = TeachingCaseFactory(area=shuicheng, recorded_on=TODAY - 5 * DAY)
    refused(act(staff_client, "case_review", case, approve="1", reviewer="王"), "已提交审核")
    assert staff_client.post(url("case_submit", case)).status_code == 302
    refused(act(staff_client, "case_review", case, approve="0", reviewer="王"), "退回")
    assert (
        act(
            staff_client, "case_review", case, approve="0", reviewer="王", opinion="补充成效数据"
        ).status_code
        == 302
    )
    case.refresh_from_db()
    assert case.review_state == CaseReview.RETURNED
    assert staff_client.post(url("case_submit", case)).status_code == 302
    assert act(staff_client, "case_review", case, approve="1", reviewer="王").status_code == 302
    case.refresh_from_db()
    assert case.review_state == CaseReview.REVIEWED and case.reviewed_on == TODAY


def test_the_score_sheet_decides_the_stars_and_a_veto_sets_none(staff_client, shuicheng):
    rubric = published_rubric(points=(Decimal("60"), Decimal("40")))
    site = DemonstrationSiteFactory(enterprise=covered_enterprise(shuicheng))
    rating = Rating.objects.create(rubric=rubric, site=site, year=TODAY.year)
    first, second = RubricIndicator.objects.filter(dimension__rubric=rubric).order_by("pk")
    sheet = url("rating_scores", rating)
    data = {
        f"self_{first.pk}": "55",
        f"reviewer_{first.pk}": "54",
        f"self_{second.pk}": "38",
        f"reviewer_{second.pk}": "",
        "rated_on": TODAY.isoformat(),
        "version": str(rating.version),
    }
    refused(staff_client.post(sheet, {**data, "decide": "1"}), "须为每项指标评分")
    assert staff_client.post(sheet, {**data, "draft": "1"}).status_code == 302
    rating.refresh_from_db()
    assert rating.status == Rating.Status.DRAFT and rating.self_total == Decimal("93")
    over = {**data, f"reviewer_{second.pk}": "45", "version": str(rating.version)}
    response = staff_client.post(sheet, {**over, "decide": "1"})
    assert response.status_code == 200 and response.context["form"].errors
    good = {**data, f"reviewer_{second.pk}": "36", "version": str(rating.version)}
    assert staff_client.post(sheet, {**good, "decide": "1"}).status_code == 302
    rating.refresh_from_db()
    assert (rating.status, rating.total, rating.stars) == (Rating.Status.FINAL, Decimal("90"), 5)
    veto = rubric.vetoes.first()
    vetoed = {
        **good,
        f"veto_{veto.pk}": "on",
        f"veto_note_{veto.pk}": "发生安全事故",
        "version": str(rating.version),
    }
    assert staff_client.post(sheet, {**vetoed, "decide": "1"}).status_code == 302
    rating.refresh_from_db()
    assert rating.stars == 0 and rating.vetoed and "一票否决" in rating.result_note
    page = text(staff_client.get(rating.get_absolute_url()))
    assert "发生安全事故" in page
    # A sheet opened before that decision does not overwrite it.
    refused(staff_client.post(sheet, {**good, "decide": "1"}), "未保存")


def test_rubric_pages(admin_client, staff_client, stranger_client, leader_client):
    rubric = published_rubric()
    listing = staff_client.get(reverse("showcase:rubric_list"))
    assert listing.status_code == 200 and rubric.name in text(listing)
    assert stranger_client.get(reverse("showcase:rubric_list")).status_code == 200
    for client in (staff_client, stranger_client, leader_client):
        assert client.get(rubric.get_absolute_url()).status_code == 403
    assert admin_client.get(rubric.get_absolute_url()).status_code == 200
    response = admin_client.post(url("rubric_new_edition", rubric))
    copy = type(rubric).objects.get(name=rubric.name, edition=2)
    assert response.status_code == 302 and not copy.is_published
    assert admin_client.post(url("rubric_publish", copy)).status_code == 302
    copy.refresh_from_db()
    assert copy.is_published


# ---------------------------------------------------------------------------
# Attachments through the record pages


def upload(name, data, content_type="image/png"):
    return SimpleUploadedFile(name, data, content_type=content_type)


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def records(shuicheng):
    site = DemonstrationSiteFactory(enterprise=covered_enterprise(shuicheng))
    return {
        "site_attachment_upload": site,
        "topic_attachment_upload": TopicFactory(enterprise=site.enterprise),
        "deed_attachment_upload": PioneerDeedFactory(enterprise=site.enterprise),
        "case_attachment_upload": TeachingCaseFactory(area=shuicheng),
        "checklist_attachment_upload": site.checklist.first(),
    }


def test_photos_and_pdfs_attach_to_sites_topics_deeds_cases_and_evidence(staff_client, records):
    for name, owner in records.items():
        response = staff_client.post(
            url(name, owner), {"file": upload("活动室.png", png_bytes()), "caption": "活动室"}
        )
        assert response.status_code == 302, name
        page = staff_client.get(response.url)
        attachment = Attachment.objects.of(owner).get()
        html = text(page)
        assert attachment.get_absolute_url() in html, name
        assert attachment.thumbnail_url() in html, name  # the thumbnail is shown
    site = records["site_attachment_upload"]
    response = staff_client.post(
        url("site_attachment_upload", site),
        {"file": upload("命名文件.pdf", PDF, "application/pdf")},
    )
    assert response.status_code == 302
    assert Attachment.objects.of(site).count() == 2


def test_an_attachment_is_checked_by_content_and_size(staff_client, records, settings):
    site = records["site_attachment_upload"]
    fake = upload("photo.png", b"MZ\x90\x00 this is an executable")
    response = staff_client.post(url("site_attachment_upload", site), {"file": fake}, follow=True)
    assert "PDF" in text(response)  # only photos and PDFs, whatever the name says
    settings.ATTACHMENT_MAX_BYTES = 1000
    big = upload("big.png", png_bytes(size=(400, 400)))
    response = staff_client.post(url("site_attachment_upload", site), {"file": big}, follow=True)
    assert "MB" in text(response)
    assert not Attachment.objects.exists()


def test_attachments_are_scoped(staff_client, leader_client, stranger_client, records):
    site = records["site_attachment_upload"]
    assert (
        staff_client.post(
            url("site_attachment_upload", site), {"file": upload("a.png", png_bytes())}
        ).status_code
        == 302
    )
    attachment = Attachment.objects.get()
    for name, owner in records.items():
        data = {"file": upload("b.png", png_bytes())}
        assert leader_client.post(url(name, owner), data).status_code == 403, name
        data = {"file": upload("b.png", png_bytes())}
        assert stranger_client.post(url(name, owner), data).status_code == 404, name
    assert Attachment.objects.count() == 1
    assert leader_client.get(attachment.get_absolute_url()).status_code == 200
    assert stranger_client.get(attachment.get_absolute_url()).status_code == 404
    assert stranger_client.get(attachment.thumbnail_url()).status_code == 404
    # Leaders see the attachments, not the upload form.
    upload_form = f'action="{url("site_attachment_upload", site)}"'
    assert upload_form not in text(leader_client.get(site.get_absolute_url()))
    assert upload_form in text(staff_client.get(site.get_absolute_url()))


# ---------------------------------------------------------------------------
# Record pages cost the same with many rows


def test_record_pages_do_not_grow_with_their_rows(
    staff_client, shuicheng, django_assert_max_num_queries
):
    from showcase import services

    def site_with(n):
        site = DemonstrationSiteFactory(enterprise=covered_enterprise(shuicheng))
        topic = TopicFactory(
            enterprise=site.enterprise, posted_on=TODAY - 90 * DAY, due_on=TODAY, publish=True
        )
        team = TaskTeamFactory(
            enterprise=site.enterprise, branch=site.enterprise.coverages.get().organization
        )
        services.topic_claim(topic=topic, on=TODAY - 80 * DAY, leader_name="甲", team=team)
        services.topic_transition(topic=topic, to=T.IN_PROGRESS, on=TODAY - 70 * DAY)
        for i in range(n):
            TopicFactory(enterprise=site.enterprise)
            MilestoneFactory(topic=topic, weight=i + 1)
            MentoringFactory(site=site, mentee=EnterpriseFactory(community=shuicheng))
            PioneerDeedFactory(enterprise=site.enterprise, site=site)
            AcceptanceFactory(topic=topic, accepted_on=TODAY - 60 * DAY, passed=False)
            for item in site.checklist.all():
                from tests.factories import attachment_on

                attachment_on(item)
        for acceptance in topic.acceptances.all():
            for j in range(n):
                acceptance.reviewers.create(name=f"专家{j}")
        return site, topic

    small_site, small_topic = site_with(1)
    big_site, big_topic = site_with(4)
    for small, big in ((small_site, big_site), (small_topic, big_topic)):
        staff_client.get(small.get_absolute_url())
        with django_assert_max_num_queries(40) as few:
            assert staff_client.get(small.get_absolute_url()).status_code == 200
        with django_assert_max_num_queries(len(few.captured_queries)):
            assert staff_client.get(big.get_absolute_url()).status_code == 200


# ---------------------------------------------------------------------------
# Create pages opened for an enterprise


def test_a_team_is_made_for_an_enterprise_chosen_first(staff_client, claimers):
    enterprise, branch, _team = claimers
    create = reverse("showcase:team_create")
    first = staff_client.get(create)
    assert first.status_code == 200 and 'name="enterprise"' in text(first)
    assert "form" not in first.context  # the first step asks which enterprise
    unknown = staff_client.get(create, {"enterprise": "没有这家企业"})
    assert "没有这家企业" in text(unknown) and "form" not in unknown.context
    chosen = staff_client.get(create, {"enterprise": enterprise.name})
    assert list(chosen.context["form"].fields["branch"].queryset) == [branch]


def test_a_deed_opened_from_a_topic_offers_that_enterprises_links(
    staff_client, claimers, shuicheng
):
    enterprise, branch, _team = claimers
    topic = new_topic(enterprise)
    TopicFactory(enterprise=covered_enterprise(shuicheng))  # another enterprise's
    form = staff_client.get(reverse("showcase:deed_create"), {"topic": topic.pk}).context["form"]
    assert list(form.fields["topic"].queryset) == [topic]
    assert list(form.fields["branch"].queryset) == [branch]
    assert form.initial["enterprise"] == enterprise and form.initial["topic"] == topic
    plain = staff_client.get(reverse("showcase:deed_create")).context["form"]
    assert "topic" not in plain.fields and "branch" not in plain.fields


# ---------------------------------------------------------------------------
# Every page on the demo data


def test_every_page_opens_on_the_demo_data(client):
    import io

    from django.core.management import call_command

    from accounts.models import User
    from showcase import models

    call_command("seed_demo", stdout=io.StringIO())
    staff = User.objects.get(username="jiaonan_staff")
    client.force_login(staff)
    lists = [
        "site_list",
        "batch_list",
        "topic_list",
        "team_list",
        "branch_list",
        "mentoring_list",
        "mentored_list",
        "deed_list",
        "case_list",
        "rating_list",
        "rubric_list",
        "alert_index",
        "site_create",
        "batch_create",
        "topic_create",
        "team_create",
        "mentoring_create",
        "deed_create",
        "case_create",
        "rating_create",
    ]
    for name in lists:
        response = client.get(reverse(f"showcase:{name}"))
        assert response.status_code == 200, name
    for alert in ("topic_overdue", "site_review_due", "site_lost_organization"):
        response = client.get(reverse("showcase:alert_list", args=[alert]))
        assert response.context["page_obj"].paginator.count > 0, alert
    site = models.DemonstrationSite.objects.get(enterprise__name__startswith="青岛海容")
    topic = site.topics.filter(state=TopicState.IN_PROGRESS).first()
    record_pages = {
        "site_detail": site,
        "site_edit": site,
        "site_board": site,
        "site_review": site,
        "site_revoke": site,
        "checklist_edit": site.checklist.first(),
        "topic_detail": topic,
        "topic_edit": topic,
        "topic_progress": topic,
        "topic_accept": topic,
        "topic_tolerate": topic,
        "milestone_create": topic,
        "milestone_edit": topic.milestones.first(),
        "team_detail": topic.claimed_team or models.TaskTeam.objects.first(),
        "mentoring_detail": models.Mentoring.objects.first(),
        "deed_detail": models.PioneerDeed.objects.first(),
        "case_detail": models.TeachingCase.objects.first(),
        "case_review": models.TeachingCase.objects.first(),
        "rating_detail": site.ratings.first(),
        "rating_scores": site.ratings.first(),
        "rating_edit": site.ratings.first(),
    }
    for name, obj in record_pages.items():
        response = client.get(url(name, obj))
        assert response.status_code == 200, name
    board = client.get(url("site_board", site)).context["columns"]
    assert sum(len(topics) for _s, _l, topics in board) == 19  # 海容's 19 topics


@pytest.mark.parametrize("version", [None, "", "abc", "1" * 30])
def test_a_progress_post_without_a_usable_version_is_refused(staff_client, working_topic, version):
    first = working_topic.milestones.order_by("order").first()
    prefix = f"m{first.pk}"
    data = {f"{prefix}-percent_done": "40"}
    if version is not None:
        data[f"{prefix}-version"] = version
    response = staff_client.post(url("milestone_progress", first), data, follow=True)
    first.refresh_from_db()
    assert first.percent_done == 0, "saved without the version check"
    assert "未保存" in text(response)


def test_a_score_sheet_without_a_version_is_refused(staff_client, shuicheng):
    rubric = published_rubric(points=(Decimal("60"), Decimal("40")))
    site = DemonstrationSiteFactory(enterprise=covered_enterprise(shuicheng))
    rating = Rating.objects.create(rubric=rubric, site=site, year=TODAY.year)
    first = RubricIndicator.objects.filter(dimension__rubric=rubric).order_by("pk").first()
    data = {f"self_{first.pk}": "55", "draft": "1"}
    refused(staff_client.post(url("rating_scores", rating), data), "未保存")
    rating.refresh_from_db()
    assert not rating.scores.exists() and rating.self_total in (None, Decimal("0"))
