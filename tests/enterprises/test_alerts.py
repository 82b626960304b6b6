"""Alerts (预警): each one fires on the case it describes, stays quiet otherwise, and only
shows records inside the user's area."""

import datetime as dt

import pytest
from django.utils import timezone

from enterprises import alerts
from enterprises.models import Enterprise, MembershipTransfer, PartyOrganization
from tests.factories import (
    CoverageFactory,
    EnterpriseFactory,
    LiaisonAssignmentFactory,
    MembershipReturnFactory,
    MembershipTransferFactory,
    PartyOrganizationFactory,
)

TODAY = dt.date(2025, 5, 31)  # a 31st: "12 months before" must land on a real day
DAY = dt.timedelta(days=1)
F = PartyOrganization.Formation
L = PartyOrganization.Level


def ids(key, user, today=TODAY):
    return set(alerts.BY_KEY[key].queryset(user, today).values_list("pk", flat=True))


def fires(key, obj, user, today=TODAY):
    return obj.pk in ids(key, user, today)


@pytest.fixture
def ent(shuicheng):
    """An operating enterprise in 胶南街道 with a fresh return (so only what a test adds
    can make an alert fire)."""

    def make(formal=0, probationary=0, reported_on=TODAY - 30 * DAY, **kwargs):
        enterprise = EnterpriseFactory(community=kwargs.pop("community", shuicheng), **kwargs)
        MembershipReturnFactory(
            enterprise=enterprise,
            reported_on=reported_on,
            formal=formal,
            probationary=probationary,
        )
        return enterprise

    return make


def cover(enterprise, formation, since=dt.date(2021, 1, 1), until=None, **org):
    organization = PartyOrganizationFactory(
        formation=formation, area=enterprise.community, established_on=since, **org
    )
    return CoverageFactory(
        enterprise=enterprise, organization=organization, since=since, until=until
    )


def test_there_are_six_alerts_with_unique_keys():
    keys = [a.key for a in alerts.ALERTS]
    assert keys == [
        "should_form",
        "election_due",
        "joint_oversize",
        "transfer_overdue",
        "no_members_no_liaison",
        "stale_return",
    ]
    assert set(alerts.BY_KEY) == set(keys)


# ---------------------------------------------------------------------------
# should_form (应建未建): ≥ 3 formal members and no standalone organisation


def test_should_form_fires_for_three_formal_members_in_a_joint_branch(staff, ent):
    enterprise = ent(formal=3)
    cover(enterprise, F.JOINT)
    assert fires("should_form", enterprise, staff)


def test_should_form_fires_for_three_formal_members_and_no_organisation(staff, ent):
    assert fires("should_form", ent(formal=12), staff)


def test_should_form_is_quiet_with_a_standalone_organisation(staff, ent):
    enterprise = ent(formal=3)
    cover(enterprise, F.STANDALONE)
    assert not fires("should_form", enterprise, staff)


def test_should_form_is_quiet_with_two_formal_members(staff, ent):
    enterprise = ent(formal=2, probationary=5)
    cover(enterprise, F.JOINT)
    assert not fires("should_form", enterprise, staff)


def test_should_form_fires_again_when_the_standalone_coverage_has_ended(staff, ent):
    enterprise = ent(formal=4)
    cover(enterprise, F.STANDALONE, until=TODAY - DAY)
    assert fires("should_form", enterprise, staff)


def test_should_form_uses_the_latest_return(staff, ent):
    enterprise = ent(formal=1, reported_on=TODAY - 10 * DAY)
    MembershipReturnFactory(enterprise=enterprise, reported_on=TODAY - 400 * DAY, formal=8)
    MembershipReturnFactory(enterprise=enterprise, reported_on=TODAY + DAY, formal=8)
    assert not fires("should_form", enterprise, staff)


def test_should_form_ignores_closed_enterprises(staff, ent):
    enterprise = ent(formal=5, status=Enterprise.Status.DEREGISTERED, status_date=TODAY - DAY)
    assert not fires("should_form", enterprise, staff)


# ---------------------------------------------------------------------------
# election_due: next term change within 90 days or overdue


def org_due_in(days, **kwargs):
    """A branch (3-year term) whose next term change is ``days`` after TODAY."""
    due = TODAY + dt.timedelta(days=days)
    return PartyOrganizationFactory(
        level=L.BRANCH, established_on=due.replace(year=due.year - 3), **kwargs
    )


@pytest.mark.parametrize("days", [0, 30, 90, -1, -400])
def test_election_due_fires_within_90_days_or_overdue(staff, shuicheng, days):
    organization = org_due_in(days, area=shuicheng)
    assert organization.next_election_due == TODAY + dt.timedelta(days=days)
    assert fires("election_due", organization, staff)


@pytest.mark.parametrize("days", [91, 700])
def test_election_due_is_quiet_when_the_term_change_is_far_off(staff, shuicheng, days):
    assert not fires("election_due", org_due_in(days, area=shuicheng), staff)


def test_election_due_is_quiet_for_a_dissolved_organisation(staff, shuicheng):
    organization = org_due_in(-30, area=shuicheng, dissolved_on=TODAY - 60 * DAY)
    assert not fires("election_due", organization, staff)


def test_election_due_counts_from_the_last_term_change(staff, shuicheng):
    organization = PartyOrganizationFactory(
        area=shuicheng, established_on=dt.date(2015, 1, 1), last_election_on=dt.date(2024, 1, 1)
    )
    assert not fires("election_due", organization, staff)
    organization.last_election_on = dt.date(2022, 7, 1)  # due 2025-07-01, within 90 days
    organization.save()
    assert fires("election_due", organization, staff)


def test_election_due_uses_the_committee_term_of_five_years(staff, shuicheng):
    established = dt.date(2021, 5, 31)  # four years before TODAY
    committee = PartyOrganizationFactory(
        area=shuicheng, level=L.COMMITTEE, established_on=established
    )
    branch = PartyOrganizationFactory(area=shuicheng, level=L.BRANCH, established_on=established)
    assert not fires("election_due", committee, staff)
    assert fires("election_due", branch, staff)


# ---------------------------------------------------------------------------
# joint_oversize: a joint branch covering more than 5 units


def joint_with(n_active, shuicheng, n_ended=0, formation=F.JOINT, **org):
    organization = PartyOrganizationFactory(
        formation=formation, area=shuicheng, established_on=dt.date(2021, 1, 1), **org
    )
    for _ in range(n_active):
        CoverageFactory(
            organization=organization, enterprise=EnterpriseFactory(community=shuicheng)
        )
    for _ in range(n_ended):
        CoverageFactory(
            organization=organization,
            enterprise=EnterpriseFactory(community=shuicheng),
            until=TODAY,
        )
    return organization


def test_joint_oversize_fires_at_six_active_coverages(staff, shuicheng):
    organization = joint_with(6, shuicheng)
    assert fires("joint_oversize", organization, staff)
    row = alerts.BY_KEY["joint_oversize"].queryset(staff, TODAY).get(pk=organization.pk)
    assert row.units == 6


def test_joint_oversize_is_quiet_at_five(staff, shuicheng):
    assert not fires("joint_oversize", joint_with(5, shuicheng), staff)


def test_joint_oversize_does_not_count_ended_coverages(staff, shuicheng):
    assert not fires("joint_oversize", joint_with(5, shuicheng, n_ended=3), staff)


def test_joint_oversize_does_not_count_coverages_starting_later(staff, shuicheng):
    organization = joint_with(5, shuicheng)
    CoverageFactory(
        organization=organization,
        enterprise=EnterpriseFactory(community=shuicheng),
        since=TODAY + DAY,
    )
    assert not fires("joint_oversize", organization, staff)
    assert fires("joint_oversize", organization, staff, today=TODAY + DAY)


def test_joint_oversize_is_only_about_joint_branches(staff, shuicheng):
    assert not fires("joint_oversize", joint_with(7, shuicheng, formation=F.REGIONAL), staff)


def test_joint_oversize_is_quiet_for_a_dissolved_branch(staff, shuicheng):
    organization = joint_with(7, shuicheng, dissolved_on=TODAY - DAY)
    assert not fires("joint_oversize", organization, staff)


# ---------------------------------------------------------------------------
# transfer_overdue: in progress beyond settings.TRANSFER_OVERDUE_DAYS


def transfer(shuicheng, started_on, **kwargs):
    organization = PartyOrganizationFactory(area=shuicheng)
    return MembershipTransferFactory(to_organization=organization, started_on=started_on, **kwargs)


def test_transfer_overdue_fires_after_the_allowed_days(staff, shuicheng, settings):
    limit = settings.TRANSFER_OVERDUE_DAYS
    late = transfer(shuicheng, TODAY - dt.timedelta(days=limit + 1))
    on_time = transfer(shuicheng, TODAY - dt.timedelta(days=limit))
    assert fires("transfer_overdue", late, staff)
    assert not fires("transfer_overdue", on_time, staff)


def test_transfer_overdue_is_quiet_for_a_recent_transfer(staff, shuicheng):
    assert not fires("transfer_overdue", transfer(shuicheng, TODAY - 3 * DAY), staff)


@pytest.mark.parametrize(
    "status", [MembershipTransfer.Status.COMPLETED, MembershipTransfer.Status.CANCELLED]
)
def test_transfer_overdue_is_quiet_once_the_transfer_is_closed(staff, shuicheng, status):
    done = transfer(
        shuicheng,
        TODAY - 200 * DAY,
        status=status,
        completed_on=TODAY - 10 * DAY if status == "completed" else None,
    )
    assert not fires("transfer_overdue", done, staff)


def test_transfer_overdue_follows_the_setting(staff, shuicheng, settings):
    settings.TRANSFER_OVERDUE_DAYS = 10
    item = transfer(shuicheng, TODAY - 11 * DAY)
    assert fires("transfer_overdue", item, staff)
    settings.TRANSFER_OVERDUE_DAYS = 60
    assert not fires("transfer_overdue", item, staff)


def test_is_overdue_and_due_on_agree_with_the_alert(staff, shuicheng, settings):
    today = timezone.localdate()
    limit = settings.TRANSFER_OVERDUE_DAYS
    late = transfer(shuicheng, today - dt.timedelta(days=limit + 1))
    on_time = transfer(shuicheng, today - dt.timedelta(days=limit))
    assert late.due_on == late.started_on + dt.timedelta(days=limit)
    assert late.is_overdue and not on_time.is_overdue
    default_today = set(
        alerts.BY_KEY["transfer_overdue"].queryset(staff).values_list("pk", flat=True)
    )
    assert default_today == {late.pk}


# ---------------------------------------------------------------------------
# no_members_no_liaison


def test_no_members_no_liaison_fires_for_zero_members_and_no_liaison(staff, ent):
    assert fires("no_members_no_liaison", ent(formal=0, probationary=0), staff)


def test_no_members_no_liaison_is_quiet_with_an_active_liaison(staff, ent):
    enterprise = ent()
    LiaisonAssignmentFactory(enterprise=enterprise, start=TODAY - 100 * DAY)
    assert not fires("no_members_no_liaison", enterprise, staff)


def test_no_members_no_liaison_fires_when_the_liaison_has_left(staff, ent):
    enterprise = ent()
    LiaisonAssignmentFactory(enterprise=enterprise, start=TODAY - 100 * DAY, end=TODAY)
    assert fires("no_members_no_liaison", enterprise, staff)


@pytest.mark.parametrize("formal, probationary", [(1, 0), (0, 1)])
def test_no_members_no_liaison_is_quiet_with_any_member(staff, ent, formal, probationary):
    assert not fires("no_members_no_liaison", ent(formal=formal, probationary=probationary), staff)


def test_no_members_no_liaison_needs_a_return_that_shows_zero(staff, shuicheng):
    """Without any return the figures are unknown, not zero (METRICS.md)."""
    assert not fires("no_members_no_liaison", EnterpriseFactory(community=shuicheng), staff)


# ---------------------------------------------------------------------------
# stale_return: no membership return in the last 12 months


def test_stale_return_fires_when_the_last_return_is_13_months_old(staff, ent):
    assert fires("stale_return", ent(reported_on=dt.date(2024, 4, 30)), staff)


def test_stale_return_is_quiet_with_a_return_2_months_old(staff, ent):
    assert not fires("stale_return", ent(reported_on=dt.date(2025, 3, 31)), staff)


def test_stale_return_is_quiet_with_a_return_just_inside_12_months(staff, ent):
    assert not fires("stale_return", ent(reported_on=dt.date(2024, 6, 1)), staff)


def test_stale_return_fires_without_any_return(staff, shuicheng):
    assert fires("stale_return", EnterpriseFactory(community=shuicheng), staff)


def test_stale_return_does_not_count_returns_dated_after_today(staff, ent):
    enterprise = ent(reported_on=TODAY + DAY)
    assert fires("stale_return", enterprise, staff)
    assert not fires("stale_return", enterprise, staff, today=TODAY + DAY)


def test_stale_return_ignores_enterprises_that_are_not_operating(staff, ent):
    archived = ent(reported_on=dt.date(2023, 1, 1), archived_at=timezone.now())
    assert not fires("stale_return", archived, staff)


@pytest.mark.parametrize(
    "day, months, expected",
    [
        (dt.date(2025, 5, 31), 12, dt.date(2024, 5, 31)),
        (dt.date(2025, 3, 31), 1, dt.date(2025, 2, 28)),
        (dt.date(2024, 3, 31), 1, dt.date(2024, 2, 29)),
        (dt.date(2024, 2, 29), 12, dt.date(2023, 2, 28)),
        (dt.date(2025, 1, 15), 2, dt.date(2024, 11, 15)),
        (dt.date(2025, 5, 31), 13, dt.date(2024, 4, 30)),
    ],
)
def test_months_before(day, months, expected):
    assert alerts.months_before(day, months) == expected


# ---------------------------------------------------------------------------
# Scope, counts and helpers


@pytest.fixture
def one_of_each(ent, shuicheng):
    """One record that fires each alert, all in 胶南街道 (水城路社区)."""
    should = ent(formal=3)
    return {
        "should_form": should,
        "election_due": org_due_in(10, area=shuicheng),
        "joint_oversize": joint_with(6, shuicheng),
        "transfer_overdue": transfer(shuicheng, TODAY - 100 * DAY),
        "no_members_no_liaison": ent(formal=0),
        "stale_return": ent(formal=1, reported_on=dt.date(2023, 1, 1)),
    }


def test_each_alert_fires_for_its_record(staff, leader, one_of_each):
    for key, obj in one_of_each.items():
        assert fires(key, obj, staff), key
        assert fires(key, obj, leader), key


def test_a_stranger_from_another_street_sees_none_of_them(stranger, admin_user, one_of_each):
    for key, obj in one_of_each.items():
        assert not fires(key, obj, stranger), key
        assert fires(key, obj, admin_user), key
    assert set(alerts.counts(stranger, TODAY).values()) == {0}
    assert all(alerts.counts(admin_user, TODAY).values())


def test_records_of_the_other_street_fire_for_it_and_not_for_us(staff, stranger, ent, fulai):
    theirs = ent(formal=3, community=fulai)
    assert fires("should_form", theirs, stranger)
    assert not fires("should_form", theirs, staff)


def test_counts_match_the_querysets(staff, one_of_each):
    counts = alerts.counts(staff, TODAY)
    assert set(counts) == set(alerts.BY_KEY)
    for key, n in counts.items():
        assert n == len(ids(key, staff)), key
    assert counts["should_form"] == 1
    assert counts["joint_oversize"] == 1
    assert counts["transfer_overdue"] == 1
    assert counts["no_members_no_liaison"] == 1


def test_anonymous_sees_nothing(one_of_each):
    from django.contrib.auth.models import AnonymousUser

    assert all(n == 0 for n in alerts.counts(AnonymousUser(), TODAY).values())


def test_enterprise_alerts_lists_the_alerts_of_one_enterprise(staff, ent):
    enterprise = ent(formal=4, reported_on=dt.date(2023, 1, 1))
    keys = [a.key for a in alerts.enterprise_alerts(enterprise, TODAY)]
    assert keys == ["should_form", "stale_return"]
    quiet = ent(formal=1)
    LiaisonAssignmentFactory(enterprise=quiet)
    assert alerts.enterprise_alerts(quiet, TODAY) == []


def test_filter_enterprises_narrows_a_list_to_one_alert(staff, ent):
    a, b = ent(formal=3), ent(formal=0)
    qs = Enterprise.objects.for_user(staff)
    assert list(alerts.filter_enterprises(qs, "should_form", TODAY)) == [a]
    assert list(alerts.filter_enterprises(qs, "no_members_no_liaison", TODAY)) == [b]


def test_one_enterprise_alerts_agree_with_the_alert_lists(one_of_each, staff):
    # enterprise_alerts checks one row with correlated lookups; the lists use set-based
    # ones. Both must say the same of every enterprise.
    fired = set()
    for enterprise in Enterprise.objects.for_user(staff):
        expected = [
            a.key
            for a in alerts.ENTERPRISE_ALERTS
            if a.queryset(staff, TODAY).filter(pk=enterprise.pk).exists()
        ]
        assert [a.key for a in alerts.enterprise_alerts(enterprise, TODAY)] == expected
        fired.update(expected)
    assert {"should_form", "no_members_no_liaison"} <= fired
