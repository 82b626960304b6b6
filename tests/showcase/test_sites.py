"""Demonstration sites: status transitions (every legal and illegal one), naming needs an
organisation, the review due date, the 六有 checklist, status at any day."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from showcase import services
from showcase.models import ChecklistItem, DemonstrationSite, SiteStatus, SiteStatusChange
from tests.factories import (
    CoverageFactory,
    DemonstrationSiteFactory,
    EnterpriseFactory,
    PartyOrganizationFactory,
    SiteBatchFactory,
)

from .conftest import DAY, covered_enterprise, named_site

pytestmark = pytest.mark.django_db

S = SiteStatus
TODAY = timezone.localdate()
ALL = list(S)


def site_in(status, community):
    """A site whose current status is ``status`` (reached by legal steps)."""
    site = DemonstrationSiteFactory(
        enterprise=covered_enterprise(community), since=dt.date(2021, 1, 1)
    )
    steps = {
        S.INCUBATING: [],
        S.NAMED: [S.NAMED],
        S.REVIEWED: [S.NAMED, S.REVIEWED],
        S.REVOKED: [S.REVOKED],
    }[status]
    day = dt.date(2021, 6, 1)
    for step in steps:
        services.site_change_status(site=site, to=step, on=day, reason="理由")
        day += dt.timedelta(days=100)
    assert site.status == status
    return site


LEGAL = [(a, b) for a in ALL for b in ALL if b in DemonstrationSite.TRANSITIONS[a]]
ILLEGAL = [(a, b) for a in ALL for b in ALL if b not in DemonstrationSite.TRANSITIONS[a]]


def test_the_transition_table():
    assert LEGAL == [
        (S.INCUBATING, S.NAMED),
        (S.INCUBATING, S.REVOKED),
        (S.NAMED, S.REVIEWED),
        (S.NAMED, S.REVOKED),
        (S.REVIEWED, S.REVIEWED),
        (S.REVIEWED, S.REVOKED),
        (S.REVOKED, S.INCUBATING),
    ]


@pytest.mark.parametrize("current, target", LEGAL)
def test_legal_transitions_are_recorded(shuicheng, current, target):
    site = site_in(current, shuicheng)
    day = TODAY - dt.timedelta(days=10)
    services.site_change_status(site=site, to=target, on=day, reason="复核通过")
    site.refresh_from_db()
    assert site.status == target and site.status_since == day
    changes = list(site.status_changes.order_by("start", "pk"))
    assert changes[-1].status == target and changes[-1].end is None
    assert changes[-2].end == day  # the previous status ends the day the new one starts
    assert site.status_on(day) == target
    assert site.status_on(day - DAY) == current


@pytest.mark.parametrize("current, target", ILLEGAL)
def test_illegal_transitions_are_refused_and_nothing_is_written(shuicheng, current, target):
    site = site_in(current, shuicheng)
    before = list(site.status_changes.values_list("status", "start", "end"))
    with pytest.raises(ValidationError) as info:
        services.site_change_status(site=site, to=target, on=TODAY, reason="理由")
    assert info.value.messages[0]
    site.refresh_from_db()
    assert site.status == current
    assert list(site.status_changes.values_list("status", "start", "end")) == before


@pytest.mark.parametrize(
    "current, target, message",
    [
        (S.INCUBATING, S.REVIEWED, "尚未命名，不能复核"),
        (S.NAMED, S.NAMED, "已命名"),
        (S.REVOKED, S.NAMED, "已撤销"),
        (S.INCUBATING, S.INCUBATING, "撤销"),
    ],
)
def test_refusals_say_why_in_chinese(shuicheng, current, target, message):
    site = site_in(current, shuicheng)
    with pytest.raises(ValidationError) as info:
        services.site_change_status(site=site, to=target, on=TODAY, reason="理由")
    assert message in info.value.messages[0]


def test_a_site_cannot_be_named_without_an_organisation(shuicheng):
    site = DemonstrationSiteFactory(enterprise=EnterpriseFactory(community=shuicheng))
    with pytest.raises(ValidationError) as info:
        services.site_name(site=site, on=TODAY)
    assert "党组织" in info.value.messages[0]
    assert site.status_changes.count() == 1


def test_naming_checks_the_organisation_on_the_naming_day(shuicheng):
    """Covered from 2022-03-01 until 2023-03-01: named inside that period only."""
    enterprise = covered_enterprise(shuicheng, since=dt.date(2022, 3, 1), until=dt.date(2023, 3, 1))
    site = DemonstrationSiteFactory(enterprise=enterprise, since=dt.date(2021, 1, 1))
    with pytest.raises(ValidationError):
        services.site_name(site=site, on=dt.date(2022, 2, 28))
    with pytest.raises(ValidationError):
        services.site_name(site=site, on=dt.date(2023, 3, 1))  # the coverage ended that day
    services.site_name(site=site, on=dt.date(2022, 3, 1))
    assert site.status == S.NAMED
    # The review needs the organisation too: gone by 2024.
    with pytest.raises(ValidationError):
        services.site_review(site=site, on=dt.date(2024, 3, 1))


def test_a_dissolved_organisation_does_not_count(shuicheng):
    enterprise = EnterpriseFactory(community=shuicheng)
    organization = PartyOrganizationFactory(
        area=shuicheng, established_on=dt.date(2020, 1, 1), dissolved_on=dt.date(2022, 1, 1)
    )
    CoverageFactory(enterprise=enterprise, organization=organization, since=dt.date(2020, 1, 1))
    site = DemonstrationSiteFactory(enterprise=enterprise)
    with pytest.raises(ValidationError):
        services.site_name(site=site, on=dt.date(2022, 6, 1))
    services.site_name(site=site, on=dt.date(2021, 6, 1))


def test_dates_not_in_the_future_nor_before_the_current_status(shuicheng):
    site = DemonstrationSiteFactory(
        enterprise=covered_enterprise(shuicheng), since=dt.date(2022, 1, 10)
    )
    with pytest.raises(ValidationError) as info:
        services.site_name(site=site, on=TODAY + DAY)
    assert "不能晚于今天" in info.value.messages[0]
    with pytest.raises(ValidationError) as info:
        services.site_name(site=site, on=dt.date(2022, 1, 9))
    assert "2022-01-10" in info.value.messages[0]
    services.site_name(site=site, on=dt.date(2022, 1, 10))  # the same day is allowed
    assert site.status_on(dt.date(2022, 1, 10)) == S.NAMED
    assert site.status_on(dt.date(2022, 1, 9)) is None  # no site yet


def test_revoking_needs_a_reason(shuicheng):
    site = named_site(shuicheng)
    with pytest.raises(ValidationError) as info:
        services.site_revoke(site=site, on=TODAY, reason="  ")
    assert "原因" in info.value.messages[0]
    services.site_revoke(site=site, on=TODAY, reason="党组织撤销")
    assert site.status == S.REVOKED and site.review_due is None


def test_review_due_follows_the_latest_naming_or_review_and_the_cycle(shuicheng, settings):
    site = named_site(shuicheng, named_on=dt.date(2022, 6, 1))
    assert site.review_due == dt.date(2024, 6, 1)  # default cycle: 2 years
    services.site_review(site=site, on=dt.date(2024, 5, 20))
    assert site.review_due == dt.date(2026, 5, 20)
    site.review_cycle_years = 3
    site.save()
    site.refresh_from_db()
    assert site.review_due == dt.date(2027, 5, 20)
    settings.SHOWCASE_REVIEW_CYCLE_YEARS = 4
    assert DemonstrationSite(enterprise=EnterpriseFactory()).review_cycle_years == 4


def test_29_february_naming_is_due_on_28_february(shuicheng):
    site = named_site(shuicheng, named_on=dt.date(2024, 2, 29))
    assert site.review_due == dt.date(2026, 2, 28)


def test_stored_status_equals_the_status_computed_from_the_changes(shuicheng):
    sites = [site_in(status, shuicheng) for status in ALL]
    for site in sites:
        stored = (site.status, site.status_since, site.review_due)
        fresh = DemonstrationSite.objects.get(pk=site.pk).refresh_state()
        assert (fresh.status, fresh.status_since, fresh.review_due) == stored
        assert site.status_on(TODAY) == site.status


def test_one_site_per_enterprise(shuicheng):
    site = DemonstrationSiteFactory()
    with pytest.raises(ValidationError):
        DemonstrationSite(
            enterprise=site.enterprise, batch=site.batch, brand_name="第二个"
        ).full_clean()


def test_the_batch_must_be_the_enterprises_street_or_district(shuicheng, hongshiya, district):
    enterprise = EnterpriseFactory(community=shuicheng)
    other = SiteBatchFactory(area=hongshiya)
    with pytest.raises(ValidationError) as info:
        DemonstrationSite(enterprise=enterprise, batch=other, brand_name="品牌").full_clean()
    assert "batch" in info.value.message_dict
    DemonstrationSite(
        enterprise=enterprise, batch=SiteBatchFactory(area=district), brand_name="品牌"
    ).full_clean()


def test_a_batch_is_named_by_a_street_or_the_district(shuicheng):
    with pytest.raises(ValidationError):
        SiteBatchFactory.build(area=shuicheng).full_clean()


def test_a_new_site_starts_in_incubation_with_the_six_items(shuicheng):
    site = DemonstrationSiteFactory(since=dt.date(2023, 4, 1))
    assert site.status == S.INCUBATING and site.status_since == dt.date(2023, 4, 1)
    assert [c.item for c in site.checklist.order_by("pk")] == list(ChecklistItem.Item)
    assert not any(c.met for c in site.checklist.all())
    assert SiteStatusChange.objects.get(site=site).status == S.INCUBATING


def test_a_met_checklist_item_needs_its_check_day(shuicheng):
    item = DemonstrationSiteFactory().checklist.first()
    item.met = True
    with pytest.raises(ValidationError) as info:
        item.full_clean()
    assert "checked_on" in info.value.message_dict
    item.checked_on = TODAY + DAY
    with pytest.raises(ValidationError):
        item.full_clean()
    item.checked_on = TODAY
    item.full_clean()


def test_only_one_current_status_per_site(shuicheng):
    from django.db import IntegrityError, transaction

    site = DemonstrationSiteFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        SiteStatusChange.objects.create(site=site, status=S.NAMED, start=TODAY)


def test_every_status_change_is_audited(shuicheng):
    site = named_site(shuicheng)
    changes = [c for c in site.history() if c.action == "update" and "status" in c.changes]
    assert changes and changes[0].changes["status"] == ["incubating", "named"]


def test_a_site_stays_with_its_enterprise(shuicheng):
    site = DemonstrationSiteFactory(enterprise=EnterpriseFactory(community=shuicheng))
    site.enterprise = EnterpriseFactory(community=shuicheng)
    with pytest.raises(ValidationError) as info:
        site.full_clean()
    assert "enterprise" in info.value.message_dict


def test_deleting_a_site_takes_its_attachments(shuicheng, django_capture_on_commit_callbacks):
    from core.models import Attachment
    from tests.factories import attachment_on

    site = DemonstrationSiteFactory(enterprise=EnterpriseFactory(community=shuicheng))
    attachment = attachment_on(site)
    item_photo = attachment_on(site.checklist.first())
    storage, name = attachment.file.storage, attachment.file.name
    with django_capture_on_commit_callbacks(execute=True):
        site.delete()
    assert not Attachment.objects.filter(pk__in=[attachment.pk, item_photo.pk]).exists()
    assert not storage.exists(name)
