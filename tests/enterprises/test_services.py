"""Services: coverage rules, rule warnings, optimistic locking, archiving."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from enterprises import services
from enterprises.models import Coverage, Enterprise, PartyOrganization
from tests.factories import (
    CoverageFactory,
    EnterpriseFactory,
    MembershipReturnFactory,
    PartyOrganizationFactory,
)

pytestmark = pytest.mark.django_db

F = PartyOrganization.Formation
L = PartyOrganization.Level
EST = dt.date(2021, 1, 1)
D = dt.date(2024, 6, 30)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def org(formation=F.STANDALONE, level=L.BRANCH, **kwargs):
    return PartyOrganizationFactory(
        formation=formation, level=level, established_on=kwargs.pop("established_on", EST), **kwargs
    )


# ---------------------------------------------------------------------------
# Coverage rules


def test_a_standalone_organisation_cannot_cover_two_enterprises_at_once():
    organization = org(F.STANDALONE)
    first, second = EnterpriseFactory(), EnterpriseFactory()
    services.coverage_add(organization=organization, enterprise=first, since=EST)
    with pytest.raises(ValidationError, match="standalone organisation covers exactly one"):
        services.coverage_add(
            organization=organization, enterprise=second, since=dt.date(2023, 1, 1)
        )
    assert list(organization.coverages.values_list("enterprise", flat=True)) == [first.pk]


def test_a_standalone_organisation_cannot_cover_a_second_one_over_an_earlier_period():
    organization = org(F.STANDALONE)
    first, second = EnterpriseFactory(), EnterpriseFactory()
    services.coverage_add(organization=organization, enterprise=first, since=dt.date(2023, 1, 1))
    with pytest.raises(ValidationError):
        # [2021-06-01, 2023-01-02) overlaps the first coverage by one day
        services.coverage_add(
            organization=organization,
            enterprise=second,
            since=dt.date(2021, 6, 1),
            until=dt.date(2023, 1, 2),
        )


def test_a_standalone_organisation_can_cover_a_new_enterprise_after_the_first_coverage_ended():
    organization = org(F.STANDALONE)
    first, second = EnterpriseFactory(), EnterpriseFactory()
    coverage = services.coverage_add(organization=organization, enterprise=first, since=EST)
    services.coverage_end(coverage=coverage, until=dt.date(2023, 1, 1))
    services.coverage_add(organization=organization, enterprise=second, since=dt.date(2023, 1, 1))
    assert first.coverage_on(dt.date(2022, 12, 31)) == "standalone"
    assert first.coverage_on(dt.date(2023, 1, 1)) == "uncovered"
    assert second.coverage_on(dt.date(2023, 1, 1)) == "standalone"
    assert second.coverage_on(dt.date(2022, 12, 31)) == "uncovered"


def test_a_standalone_organisation_can_cover_an_earlier_period_that_ends_in_time():
    organization = org(F.STANDALONE)
    first, second = EnterpriseFactory(), EnterpriseFactory()
    services.coverage_add(organization=organization, enterprise=first, since=dt.date(2023, 1, 1))
    services.coverage_add(
        organization=organization,
        enterprise=second,
        since=EST,
        until=dt.date(2023, 1, 1),
    )
    assert organization.coverages.count() == 2


@pytest.mark.parametrize("formation", [F.JOINT, F.REGIONAL])
def test_joint_and_regional_organisations_cover_several_enterprises_at_once(formation):
    organization = org(formation)
    enterprises = [EnterpriseFactory() for _ in range(3)]
    for enterprise in enterprises:
        services.coverage_add(organization=organization, enterprise=enterprise, since=EST)
    assert organization.active_coverages(D).count() == 3
    assert {e.coverage_on(D) for e in enterprises} == {formation.value}


@pytest.mark.parametrize("formation", [F.STANDALONE, F.JOINT])
def test_the_same_enterprise_cannot_be_covered_twice_by_one_organisation_at_once(formation):
    organization = org(formation)
    enterprise = EnterpriseFactory()
    services.coverage_add(organization=organization, enterprise=enterprise, since=EST)
    with pytest.raises(ValidationError, match="already covered by this organisation"):
        services.coverage_add(
            organization=organization, enterprise=enterprise, since=dt.date(2022, 1, 1)
        )


def test_coverage_cannot_start_before_the_organisation_was_established():
    organization = org(F.JOINT, established_on=dt.date(2022, 3, 1))
    enterprise = EnterpriseFactory()
    with pytest.raises(ValidationError, match="before the organisation was established"):
        services.coverage_add(
            organization=organization, enterprise=enterprise, since=dt.date(2022, 2, 28)
        )
    assert not Coverage.objects.exists()
    services.coverage_add(
        organization=organization, enterprise=enterprise, since=dt.date(2022, 3, 1)
    )
    assert Coverage.objects.count() == 1


def test_check_coverage_rules_ignores_the_coverage_being_edited():
    organization = org(F.STANDALONE)
    coverage = CoverageFactory(organization=organization, since=EST)
    services.check_coverage_rules(
        organization=organization,
        enterprise=coverage.enterprise,
        since=dt.date(2021, 6, 1),
        exclude_pk=coverage.pk,
    )
    with pytest.raises(ValidationError):
        services.check_coverage_rules(
            organization=organization, enterprise=coverage.enterprise, since=dt.date(2021, 6, 1)
        )


def test_coverage_end_must_be_after_the_start():
    coverage = CoverageFactory(since=EST)
    for bad in (EST, EST - dt.timedelta(days=1)):
        with pytest.raises(ValidationError):
            services.coverage_end(coverage=coverage, until=bad)
    coverage.refresh_from_db()
    assert coverage.until is None
    services.coverage_end(coverage=coverage, until=D)
    coverage.refresh_from_db()
    assert coverage.until == D


def test_organization_create_covers_its_enterprises_from_establishment():
    organization = PartyOrganization(
        name="联合党支部", formation=F.JOINT, area=EnterpriseFactory().community, established_on=EST
    )
    enterprises = [EnterpriseFactory() for _ in range(2)]
    services.organization_create(organization=organization, enterprises=enterprises)
    assert sorted(organization.coverages.values_list("enterprise", "since")) == sorted(
        (e.pk, EST) for e in enterprises
    )


def test_organization_create_is_all_or_nothing():
    area = EnterpriseFactory().community
    organization = PartyOrganization(
        name="某公司党支部", formation=F.STANDALONE, area=area, established_on=EST
    )
    with pytest.raises(ValidationError):
        services.organization_create(
            organization=organization, enterprises=[EnterpriseFactory(), EnterpriseFactory()]
        )
    assert not PartyOrganization.objects.filter(name="某公司党支部").exists()
    assert not Coverage.objects.exists()


# ---------------------------------------------------------------------------
# Rule warnings (not blocking)


def covered(organization, formal_counts, since=EST, until=None):
    for formal in formal_counts:
        enterprise = EnterpriseFactory()
        CoverageFactory(organization=organization, enterprise=enterprise, since=since, until=until)
        if formal is not None:
            MembershipReturnFactory(enterprise=enterprise, reported_on=D, formal=formal)


def messages(organization, day=D):
    return [w.message for w in services.organization_warnings(organization, day)]


@pytest.mark.parametrize(
    "level, formal",
    [
        (L.BRANCH, 3),
        (L.BRANCH, 49),
        (L.GENERAL_BRANCH, 50),
        (L.GENERAL_BRANCH, 99),
        (L.COMMITTEE, 100),
    ],
)
def test_no_warning_when_the_level_fits_the_members(level, formal):
    organization = org(F.STANDALONE, level)
    covered(organization, [formal])
    assert messages(organization) == []


@pytest.mark.parametrize(
    "level, formal, fitting",
    [
        (L.BRANCH, 50, "General branch"),
        (L.BRANCH, 150, "Party committee"),
        (L.GENERAL_BRANCH, 49, "Branch"),
        (L.COMMITTEE, 99, "General branch"),
    ],
)
def test_warns_when_the_level_does_not_fit_the_members(level, formal, fitting):
    organization = org(F.STANDALONE, level)
    covered(organization, [formal])
    (message,) = messages(organization)
    assert str(formal) in message
    assert f"call for a {fitting}," in message


def test_warns_when_a_standalone_organisation_has_fewer_than_three_members():
    organization = org(F.STANDALONE)
    covered(organization, [2])
    (message,) = messages(organization)
    assert "Only 2 formal members" in message


def test_no_level_warning_for_a_small_joint_branch():
    organization = org(F.JOINT)
    covered(organization, [1, 1])
    assert messages(organization) == []


def test_the_level_check_sums_members_over_the_covered_units():
    organization = org(F.JOINT, L.BRANCH)
    covered(organization, [20, 20, 15])  # 55 formal: a general branch
    (message,) = messages(organization)
    assert "55" in message and "General branch" in message


def test_no_level_warning_when_no_return_is_known():
    organization = org(F.STANDALONE, L.COMMITTEE)
    covered(organization, [None])
    assert messages(organization) == []


def test_a_joint_branch_covering_more_than_five_units_warns():
    organization = org(F.JOINT)
    covered(organization, [1] * 6)
    (message,) = messages(organization)
    assert "no more than 5 units" in message and "covers 6" in message


def test_a_joint_branch_covering_five_units_does_not_warn():
    organization = org(F.JOINT)
    covered(organization, [1] * 5)
    assert messages(organization) == []


def test_ended_coverages_do_not_count_towards_the_joint_limit():
    organization = org(F.JOINT)
    covered(organization, [1] * 5)
    covered(organization, [1] * 3, until=D)
    assert messages(organization) == []
    assert len(messages(organization, day=D - dt.timedelta(days=1))) == 1


def test_the_joint_limit_is_only_for_joint_branches():
    organization = org(F.REGIONAL)
    covered(organization, [1] * 7)
    assert messages(organization) == []


# ---------------------------------------------------------------------------
# Optimistic locking


def test_save_with_version_refuses_a_stale_form():
    enterprise = EnterpriseFactory(name="旧名称")
    assert enterprise.version == 1
    mine = Enterprise.objects.get(pk=enterprise.pk)
    theirs = Enterprise.objects.get(pk=enterprise.pk)

    theirs.name = "他们的名称"
    services.save_with_version(theirs, form_version=1)
    assert theirs.version == 2

    mine.name = "我的名称"
    with pytest.raises(services.StaleEdit):
        services.save_with_version(mine, form_version=1)
    enterprise.refresh_from_db()
    assert (enterprise.name, enterprise.version) == ("他们的名称", 2)

    mine.name = "我的名称"
    services.save_with_version(mine, form_version="2")  # forms post strings
    enterprise.refresh_from_db()
    assert (enterprise.name, enterprise.version) == ("我的名称", 3)


def test_save_with_version_works_for_organisations_too():
    organization = org()
    copy = PartyOrganization.objects.get(pk=organization.pk)
    services.save_with_version(organization, form_version=organization.version)
    with pytest.raises(services.StaleEdit):
        services.save_with_version(copy, form_version=1)


# ---------------------------------------------------------------------------
# Archiving


def test_enterprise_archive_sets_the_reason_and_removes_it_from_operating():
    enterprise = EnterpriseFactory()
    today = timezone.localdate()
    assert Enterprise.objects.operating_on(today).filter(pk=enterprise.pk).exists()
    services.enterprise_archive(enterprise=enterprise, reason="重复录入")
    enterprise.refresh_from_db()
    assert enterprise.archived_at is not None
    assert enterprise.archive_reason == "重复录入"
    assert enterprise.version == 2
    assert not Enterprise.objects.operating_on(today).filter(pk=enterprise.pk).exists()
    assert not Enterprise.objects.operating_on(D).filter(pk=enterprise.pk).exists()
    assert not Enterprise.objects.live().filter(pk=enterprise.pk).exists()
    (change,) = [c for c in enterprise.history() if c.action == "update"]
    assert change.changes["archive_reason"] == ["", "重复录入"]


def test_archiving_twice_keeps_the_first_time_and_reason():
    enterprise = EnterpriseFactory()
    services.enterprise_archive(enterprise=enterprise, reason="重复录入")
    enterprise.refresh_from_db()
    first = enterprise.archived_at
    services.enterprise_archive(enterprise=enterprise, reason="别的理由")
    enterprise.refresh_from_db()
    assert (enterprise.archived_at, enterprise.archive_reason) == (first, "重复录入")


def test_enterprise_restore_brings_it_back():
    enterprise = EnterpriseFactory()
    services.enterprise_archive(enterprise=enterprise, reason="误操作")
    services.enterprise_restore(enterprise=enterprise)
    enterprise.refresh_from_db()
    assert enterprise.archived_at is None and enterprise.archive_reason == ""
    assert Enterprise.objects.operating_on(D).filter(pk=enterprise.pk).exists()
