"""Coverage state and member figures at a date D (METRICS.md, "Coverage" and "Members")."""

import datetime as dt
from collections import Counter

import pytest
from django.utils import timezone

from enterprises import coverage
from enterprises.models import Enterprise, MassOrganization, PartyOrganization
from tests.factories import (
    CoverageFactory,
    EnterpriseFactory,
    LiaisonAssignmentFactory,
    MassOrganizationFactory,
    MembershipReturnFactory,
    PartyOrganizationFactory,
)

pytestmark = pytest.mark.django_db

D = dt.date(2024, 6, 30)
DAY = dt.timedelta(days=1)
F = PartyOrganization.Formation


def state(enterprise, day=D):
    """The state from both entry points; they must agree."""
    single = enterprise.coverage_on(day)
    listed = Enterprise.objects.with_coverage(day).get(pk=enterprise.pk).coverage_state
    assert single == listed
    return single


def cover(enterprise, formation, since=dt.date(2020, 1, 1), until=None, **org):
    organization = PartyOrganizationFactory(
        formation=formation,
        area=enterprise.community,
        established_on=org.pop("established_on", since),
        **org,
    )
    return CoverageFactory(
        enterprise=enterprise, organization=organization, since=since, until=until
    )


# ---------------------------------------------------------------------------
# Each state on its own


@pytest.mark.parametrize(
    "formation, expected",
    [(F.STANDALONE, "standalone"), (F.JOINT, "joint"), (F.REGIONAL, "regional")],
)
def test_an_active_organisation_gives_its_formation_as_state(formation, expected):
    enterprise = EnterpriseFactory()
    cover(enterprise, formation)
    assert state(enterprise) == expected


def test_an_active_liaison_assignment_alone_is_work_only():
    enterprise = EnterpriseFactory()
    LiaisonAssignmentFactory(enterprise=enterprise, start=dt.date(2023, 1, 1))
    assert state(enterprise) == "work_only"


@pytest.mark.parametrize("kind", list(MassOrganization.Kind))
def test_any_active_mass_organisation_alone_is_work_only(kind):
    enterprise = EnterpriseFactory()
    MassOrganizationFactory(enterprise=enterprise, kind=kind, established_on=dt.date(2023, 1, 1))
    assert state(enterprise) == "work_only"


def test_an_enterprise_with_nothing_is_uncovered():
    enterprise = EnterpriseFactory()
    assert state(enterprise) == "uncovered"


def test_records_of_another_enterprise_do_not_cover_this_one():
    enterprise, other = EnterpriseFactory(), EnterpriseFactory()
    cover(other, F.STANDALONE)
    LiaisonAssignmentFactory(enterprise=other)
    MassOrganizationFactory(enterprise=other)
    assert state(enterprise) == "uncovered"
    assert state(other) == "standalone"


def test_coverage_on_defaults_to_today():
    enterprise = EnterpriseFactory()
    cover(enterprise, F.JOINT, since=timezone.localdate())
    assert enterprise.coverage_on() == "joint"
    assert enterprise.coverage_on(timezone.localdate() - DAY) == "uncovered"


# ---------------------------------------------------------------------------
# Precedence: standalone > joint > regional > work_only


def _liaison(e):
    LiaisonAssignmentFactory(enterprise=e)


def _mass(e):
    MassOrganizationFactory(enterprise=e)


@pytest.mark.parametrize(
    "makers, expected",
    [
        ([F.STANDALONE, F.JOINT], "standalone"),
        ([F.JOINT, F.STANDALONE], "standalone"),
        ([F.STANDALONE, F.REGIONAL], "standalone"),
        ([F.JOINT, F.REGIONAL], "joint"),
        ([F.REGIONAL, F.JOINT], "joint"),
        ([F.REGIONAL, _liaison], "regional"),
        ([F.REGIONAL, _mass], "regional"),
        ([F.JOINT, _liaison, _mass], "joint"),
        ([_liaison, _mass], "work_only"),
        ([F.STANDALONE, F.JOINT, F.REGIONAL, _liaison, _mass], "standalone"),
    ],
)
def test_precedence(makers, expected):
    enterprise = EnterpriseFactory()
    for make in makers:
        if callable(make):
            make(enterprise)
        else:
            cover(enterprise, make)
    assert state(enterprise) == expected


def test_an_inactive_higher_organisation_falls_through_to_the_next_state():
    enterprise = EnterpriseFactory()
    cover(enterprise, F.STANDALONE, since=dt.date(2020, 1, 1), until=D)
    cover(enterprise, F.REGIONAL)
    assert state(enterprise) == "regional"
    assert state(enterprise, D - DAY) == "standalone"


# ---------------------------------------------------------------------------
# Dates: active means started on or before D and not ended on or before D


@pytest.mark.parametrize(
    "established, expected",
    [(D - DAY, "standalone"), (D, "standalone"), (D + DAY, "uncovered")],
)
def test_organisation_established_after_d_does_not_cover(established, expected):
    enterprise = EnterpriseFactory()
    organization = PartyOrganizationFactory(formation=F.STANDALONE, established_on=established)
    # A coverage that (wrongly) starts before the organisation does still cannot cover.
    CoverageFactory(enterprise=enterprise, organization=organization, since=dt.date(2020, 1, 1))
    assert state(enterprise) == expected


@pytest.mark.parametrize(
    "dissolved, expected",
    [(D - DAY, "uncovered"), (D, "uncovered"), (D + DAY, "joint"), (None, "joint")],
)
def test_organisation_dissolved_on_or_before_d_does_not_cover(dissolved, expected):
    enterprise = EnterpriseFactory()
    cover(enterprise, F.JOINT, dissolved_on=dissolved)
    assert state(enterprise) == expected


@pytest.mark.parametrize(
    "until, expected",
    [(D - DAY, "uncovered"), (D, "uncovered"), (D + DAY, "regional"), (None, "regional")],
)
def test_coverage_until_on_or_before_d_does_not_cover(until, expected):
    enterprise = EnterpriseFactory()
    cover(enterprise, F.REGIONAL, since=dt.date(2020, 1, 1), until=until)
    assert state(enterprise) == expected


@pytest.mark.parametrize(
    "since, expected", [(D - DAY, "standalone"), (D, "standalone"), (D + DAY, "uncovered")]
)
def test_coverage_starting_after_d_does_not_cover(since, expected):
    enterprise = EnterpriseFactory()
    organization = PartyOrganizationFactory(formation=F.STANDALONE, established_on=D - 10 * DAY)
    CoverageFactory(enterprise=enterprise, organization=organization, since=since)
    assert state(enterprise) == expected


@pytest.mark.parametrize(
    "start, end, expected",
    [
        (D - 10 * DAY, None, "work_only"),
        (D, None, "work_only"),
        (D + DAY, None, "uncovered"),
        (D - 10 * DAY, D - DAY, "uncovered"),
        (D - 10 * DAY, D, "uncovered"),
        (D - 10 * DAY, D + DAY, "work_only"),
    ],
)
def test_liaison_assignment_is_active_from_start_until_before_end(start, end, expected):
    enterprise = EnterpriseFactory()
    LiaisonAssignmentFactory(enterprise=enterprise, start=start, end=end)
    assert state(enterprise) == expected


@pytest.mark.parametrize(
    "established, dissolved, expected",
    [
        (D, None, "work_only"),
        (D + DAY, None, "uncovered"),
        (D - 10 * DAY, D - DAY, "uncovered"),
        (D - 10 * DAY, D, "uncovered"),
        (D - 10 * DAY, D + DAY, "work_only"),
    ],
)
def test_mass_organisation_counts_only_while_it_exists(established, dissolved, expected):
    enterprise = EnterpriseFactory()
    MassOrganizationFactory(
        enterprise=enterprise,
        kind=MassOrganization.Kind.YOUTH_LEAGUE,
        established_on=established,
        dissolved_on=dissolved,
    )
    assert state(enterprise) == expected


def test_has_mass_org_on_can_ask_for_one_kind():
    enterprise = EnterpriseFactory()
    MassOrganizationFactory(enterprise=enterprise, kind=MassOrganization.Kind.WOMEN)
    union = Enterprise.objects.filter(coverage.has_mass_org_on(D, MassOrganization.Kind.UNION))
    women = Enterprise.objects.filter(coverage.has_mass_org_on(D, MassOrganization.Kind.WOMEN))
    assert list(union) == []
    assert list(women) == [enterprise]


def test_a_coverage_history_gives_the_state_of_each_day():
    """Regional, then joint, then standalone: each past day keeps its own state."""
    enterprise = EnterpriseFactory()
    cover(enterprise, F.REGIONAL, since=dt.date(2021, 1, 1), until=dt.date(2022, 1, 1))
    cover(enterprise, F.JOINT, since=dt.date(2022, 1, 1), until=dt.date(2023, 1, 1))
    cover(enterprise, F.STANDALONE, since=dt.date(2023, 1, 1))
    assert state(enterprise, dt.date(2020, 12, 31)) == "uncovered"
    assert state(enterprise, dt.date(2021, 1, 1)) == "regional"
    assert state(enterprise, dt.date(2021, 12, 31)) == "regional"
    assert state(enterprise, dt.date(2022, 1, 1)) == "joint"
    assert state(enterprise, dt.date(2023, 1, 1)) == "standalone"


# ---------------------------------------------------------------------------
# Past-date stability (invariant 4)


def snapshot(day):
    rows = Enterprise.objects.operating_on(day).with_coverage(day).order_by("pk")
    return [
        (e.pk, e.coverage_state, e.member_band, e.formal, e.probationary, e.applicants)
        for e in rows
    ]


def test_the_figures_for_a_past_day_do_not_change_when_later_records_are_added():
    standalone, joint, work, bare = (EnterpriseFactory() for _ in range(4))
    cover(standalone, F.STANDALONE)
    joint_cov = cover(joint, F.JOINT)
    LiaisonAssignmentFactory(enterprise=work, start=dt.date(2023, 1, 1))
    MembershipReturnFactory(enterprise=standalone, reported_on=D - DAY, formal=4, applicants=2)
    MembershipReturnFactory(enterprise=bare, reported_on=D, formal=1)
    before = snapshot(D)
    assert [s for _, s, *_ in before] == ["standalone", "joint", "work_only", "uncovered"]

    later = D + DAY
    # Everything below is dated after D.
    cover(bare, F.STANDALONE, since=later)
    LiaisonAssignmentFactory(enterprise=bare, start=later)
    MassOrganizationFactory(enterprise=bare, established_on=later)
    MembershipReturnFactory(enterprise=bare, reported_on=later, formal=30)
    MembershipReturnFactory(enterprise=standalone, reported_on=later, formal=0, applicants=9)
    joint_cov.until = later + DAY
    joint_cov.save()
    joint_cov.organization.dissolved_on = later + DAY
    joint_cov.organization.save()
    work.status, work.status_date = Enterprise.Status.MOVED_OUT, later
    work.save()
    EnterpriseFactory(tracked_since=later)
    assignment = work.liaison_assignments.get()
    assignment.end = later
    assignment.save()

    assert snapshot(D) == before
    # …while the later day does see the new records.
    after = {pk: s for pk, s, *_ in snapshot(later + 2 * DAY)}
    assert after[bare.pk] == "standalone"
    assert after[joint.pk] == "uncovered"
    assert work.pk not in after


# ---------------------------------------------------------------------------
# Member figures


def test_member_figures_come_from_the_latest_return_on_or_before_d():
    enterprise = EnterpriseFactory()
    MembershipReturnFactory(enterprise=enterprise, reported_on=D - 100 * DAY, formal=1)
    MembershipReturnFactory(
        enterprise=enterprise,
        reported_on=D,
        formal=5,
        probationary=2,
        development_targets=3,
        activists=4,
        applicants=6,
    )
    MembershipReturnFactory(enterprise=enterprise, reported_on=D + DAY, formal=0)

    row = Enterprise.objects.with_coverage(D).get(pk=enterprise.pk)
    assert (
        row.formal,
        row.probationary,
        row.development_targets,
        row.activists,
        row.applicants,
    ) == (5, 2, 3, 4, 6)
    assert row.member_band == "many"

    earlier = Enterprise.objects.with_coverage(D - DAY).get(pk=enterprise.pk)
    assert (earlier.formal, earlier.probationary, earlier.member_band) == (1, 0, "few")

    later = Enterprise.objects.with_coverage(D + DAY).get(pk=enterprise.pk)
    assert (later.formal, later.member_band) == (0, "zero")

    assert enterprise.members_on(D).formal == 5
    assert enterprise.members_on(D - DAY).formal == 1
    assert enterprise.members_on(D - 101 * DAY) is None


def test_no_return_on_or_before_d_is_unknown_not_zero():
    enterprise = EnterpriseFactory()
    MembershipReturnFactory(enterprise=enterprise, reported_on=D + DAY, formal=7)
    row = Enterprise.objects.with_coverage(D).get(pk=enterprise.pk)
    assert row.member_band == "unknown"
    assert row.formal is None and row.probationary is None


def test_member_figures_do_not_leak_between_enterprises():
    a, b = EnterpriseFactory(), EnterpriseFactory()
    MembershipReturnFactory(enterprise=a, reported_on=D, formal=9)
    rows = {e.pk: e for e in Enterprise.objects.with_coverage(D)}
    assert rows[a.pk].formal == 9
    assert rows[b.pk].formal is None


@pytest.mark.parametrize(
    "formal, band",
    [(0, "zero"), (1, "few"), (2, "few"), (3, "many"), (4, "many"), (120, "many")],
)
def test_bands(formal, band):
    enterprise = EnterpriseFactory()
    record = MembershipReturnFactory(enterprise=enterprise, reported_on=D, formal=formal)
    assert Enterprise.objects.with_coverage(D).get(pk=enterprise.pk).member_band == band
    assert record.band == band
    assert coverage.band_for(formal) == band


def test_band_for_none_is_unknown():
    assert coverage.band_for(None) == "unknown"


# ---------------------------------------------------------------------------
# Operating enterprises at D (the denominator)


def operating_ids(day=D):
    return set(Enterprise.objects.operating_on(day).values_list("pk", flat=True))


def assert_operating(enterprise, expected, day=D):
    assert (enterprise.pk in operating_ids(day)) is expected
    enterprise.refresh_from_db()
    assert enterprise.is_operating_on(day) is expected


def test_an_ordinary_enterprise_is_operating():
    assert_operating(EnterpriseFactory(), True)


def test_archived_enterprises_are_not_operating():
    enterprise = EnterpriseFactory(archived_at=timezone.now(), archive_reason="录入错误")
    assert_operating(enterprise, False)
    assert_operating(enterprise, False, day=dt.date(2021, 1, 1))


@pytest.mark.parametrize("tracked, expected", [(D - DAY, True), (D, True), (D + DAY, False)])
def test_enterprises_are_operating_from_the_day_they_are_tracked(tracked, expected):
    assert_operating(EnterpriseFactory(tracked_since=tracked), expected)


@pytest.mark.parametrize(
    "status",
    [Enterprise.Status.SUSPENDED, Enterprise.Status.DEREGISTERED, Enterprise.Status.MOVED_OUT],
)
@pytest.mark.parametrize("closed, expected", [(D - DAY, False), (D, False), (D + DAY, True)])
def test_closed_enterprises_stop_operating_on_the_status_date(status, closed, expected):
    assert_operating(EnterpriseFactory(status=status, status_date=closed), expected)


def test_operating_on_and_live():
    archived = EnterpriseFactory(archived_at=timezone.now())
    live = EnterpriseFactory()
    assert list(Enterprise.objects.live()) == [live]
    assert archived.is_archived and not live.is_archived


# ---------------------------------------------------------------------------
# Partition (invariant 2)


def test_states_partition_the_operating_enterprises():
    expected = Counter()
    for formation, n in [(F.STANDALONE, 3), (F.JOINT, 2), (F.REGIONAL, 1)]:
        for _ in range(n):
            cover(EnterpriseFactory(), formation)
        expected[formation.value] = n
    for _ in range(2):
        LiaisonAssignmentFactory(enterprise=EnterpriseFactory())
    MassOrganizationFactory(enterprise=EnterpriseFactory())
    expected["work_only"] = 3
    for _ in range(4):
        EnterpriseFactory()
    expected["uncovered"] = 4
    both = EnterpriseFactory()  # covered twice: counted once
    cover(both, F.JOINT)
    cover(both, F.REGIONAL)
    LiaisonAssignmentFactory(enterprise=both)
    expected["joint"] += 1
    # Not operating at D, with coverage of every kind: counted nowhere.
    closed = EnterpriseFactory(status=Enterprise.Status.DEREGISTERED, status_date=D - DAY)
    cover(closed, F.STANDALONE)
    archived = EnterpriseFactory(archived_at=timezone.now())
    LiaisonAssignmentFactory(enterprise=archived)
    future = EnterpriseFactory(tracked_since=D + DAY)
    cover(future, F.JOINT)

    operating = Enterprise.objects.operating_on(D)
    states = Counter(operating.with_coverage(D).values_list("coverage_state", flat=True))
    assert states == expected
    assert set(states) == set(coverage.STATES)
    assert sum(states.values()) == operating.count() == 14
    assert Enterprise.objects.count() == 17


def test_one_query_computes_the_state_of_many_enterprises(django_assert_max_num_queries):
    for i in range(12):
        enterprise = EnterpriseFactory()
        cover(enterprise, [F.STANDALONE, F.JOINT, F.REGIONAL][i % 3])
        MembershipReturnFactory(enterprise=enterprise, reported_on=D, formal=i)
    with django_assert_max_num_queries(1):
        rows = list(Enterprise.objects.operating_on(D).with_coverage(D))
    assert len(rows) == 12
    assert {r.member_band for r in rows} == {"zero", "few", "many"}
