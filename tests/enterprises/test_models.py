"""Model rules: term dates, validation, the audit trail and scoping of every model."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from audit.context import audit_context
from enterprises import uscc
from enterprises.models import (
    Coverage,
    Enterprise,
    IndustryChain,
    Liaison,
    LiaisonAssignment,
    MassOrganization,
    MembershipReturn,
    MembershipTransfer,
    PartyOrganization,
    add_years,
)
from tests.factories import (
    CoverageFactory,
    EnterpriseFactory,
    IndustryChainFactory,
    LiaisonAssignmentFactory,
    LiaisonFactory,
    MassOrganizationFactory,
    MembershipReturnFactory,
    MembershipTransferFactory,
    PartyOrganizationFactory,
    make_in_street,
)

pytestmark = pytest.mark.django_db

L = PartyOrganization.Level
DAY = dt.timedelta(days=1)
VALID = "91350100M000100Y43"


def errors_of(instance, method="clean"):
    with pytest.raises(ValidationError) as info:
        getattr(instance, method)()
    return info.value.message_dict


# ---------------------------------------------------------------------------
# PartyOrganization.next_election_due


@pytest.mark.parametrize(
    "level, established, last, due",
    [
        (L.COMMITTEE, dt.date(2020, 3, 15), None, dt.date(2025, 3, 15)),
        (L.GENERAL_BRANCH, dt.date(2020, 3, 15), None, dt.date(2023, 3, 15)),
        (L.BRANCH, dt.date(2020, 3, 15), None, dt.date(2023, 3, 15)),
        (L.COMMITTEE, dt.date(2015, 1, 1), dt.date(2021, 7, 1), dt.date(2026, 7, 1)),
        (L.BRANCH, dt.date(2015, 1, 1), dt.date(2022, 11, 30), dt.date(2025, 11, 30)),
        # 29 February: the anniversary falls on 28 February.
        (L.BRANCH, dt.date(2024, 2, 29), None, dt.date(2027, 2, 28)),
        (L.COMMITTEE, dt.date(2016, 2, 29), None, dt.date(2021, 2, 28)),
        (L.GENERAL_BRANCH, dt.date(2010, 1, 1), dt.date(2020, 2, 29), dt.date(2023, 2, 28)),
    ],
)
def test_next_election_due_is_computed_on_save(level, established, last, due):
    organization = PartyOrganizationFactory(
        level=level, established_on=established, last_election_on=last
    )
    assert organization.next_election_due == due
    organization.refresh_from_db()
    assert organization.next_election_due == due


def test_term_years():
    assert PartyOrganization.TERM_YEARS == {L.COMMITTEE: 5, L.GENERAL_BRANCH: 3, L.BRANCH: 3}
    assert PartyOrganizationFactory(level=L.COMMITTEE).term_years == 5


def test_next_election_due_follows_changes_of_level_and_last_election():
    organization = PartyOrganizationFactory(level=L.BRANCH, established_on=dt.date(2020, 6, 1))
    assert organization.next_election_due == dt.date(2023, 6, 1)
    organization.level = L.COMMITTEE
    organization.save()
    organization.refresh_from_db()
    assert organization.next_election_due == dt.date(2025, 6, 1)
    organization.last_election_on = dt.date(2023, 5, 20)
    organization.save(update_fields=["last_election_on"])  # the due date is saved too
    organization.refresh_from_db()
    assert organization.next_election_due == dt.date(2028, 5, 20)


def test_next_election_due_cannot_be_set_by_hand():
    organization = PartyOrganizationFactory(level=L.BRANCH, established_on=dt.date(2020, 6, 1))
    organization.next_election_due = dt.date(2099, 1, 1)
    organization.save()
    organization.refresh_from_db()
    assert organization.next_election_due == dt.date(2023, 6, 1)
    assert not PartyOrganization._meta.get_field("next_election_due").editable


def test_add_years():
    assert add_years(dt.date(2021, 5, 31), 3) == dt.date(2024, 5, 31)
    assert add_years(dt.date(2024, 2, 29), 4) == dt.date(2028, 2, 29)
    assert add_years(dt.date(2024, 2, 29), 1) == dt.date(2025, 2, 28)


@pytest.mark.parametrize(
    "formal, level",
    [
        (0, None),
        (2, None),
        (3, L.BRANCH),
        (49, L.BRANCH),
        (50, L.GENERAL_BRANCH),
        (99, L.GENERAL_BRANCH),
        (100, L.COMMITTEE),
        (5000, L.COMMITTEE),
    ],
)
def test_level_for_members(formal, level):
    assert PartyOrganization.level_for_members(formal) == level


def test_is_active_on_and_active_on_agree():
    organization = PartyOrganizationFactory(
        established_on=dt.date(2021, 1, 1), dissolved_on=dt.date(2023, 1, 1)
    )
    for day, active in [
        (dt.date(2020, 12, 31), False),
        (dt.date(2021, 1, 1), True),
        (dt.date(2022, 12, 31), True),
        (dt.date(2023, 1, 1), False),
    ]:
        assert organization.is_active_on(day) is active
        assert (
            PartyOrganization.objects.active_on(day).filter(pk=organization.pk).exists() is active
        )


# ---------------------------------------------------------------------------
# Enterprise validation


@pytest.fixture
def draft(shuicheng):
    def make(**kwargs):
        kwargs.setdefault("community", shuicheng)
        kwargs.setdefault("tracked_since", dt.date(2022, 1, 1))
        return EnterpriseFactory.build(**kwargs)

    return make


def test_a_valid_enterprise_passes(draft):
    draft().full_clean()


@pytest.mark.parametrize(
    "status",
    [Enterprise.Status.SUSPENDED, Enterprise.Status.DEREGISTERED, Enterprise.Status.MOVED_OUT],
)
def test_a_closed_status_needs_a_date(draft, status):
    assert "status_date" in errors_of(draft(status=status, status_date=None))
    draft(status=status, status_date=dt.date(2023, 1, 1)).full_clean()


def test_the_database_also_refuses_a_closed_status_without_a_date(shuicheng):
    with pytest.raises(IntegrityError), transaction.atomic():
        EnterpriseFactory(community=shuicheng, status=Enterprise.Status.DEREGISTERED)


def test_the_status_date_cannot_be_in_the_future(draft):
    tomorrow = timezone.localdate() + DAY
    errors = errors_of(draft(status=Enterprise.Status.MOVED_OUT, status_date=tomorrow))
    assert list(errors) == ["status_date"]
    draft(status=Enterprise.Status.MOVED_OUT, status_date=timezone.localdate()).full_clean()


def test_the_status_date_cannot_be_before_tracking_started(draft):
    errors = errors_of(draft(status=Enterprise.Status.SUSPENDED, status_date=dt.date(2021, 12, 31)))
    assert list(errors) == ["status_date"]


def test_an_operating_enterprise_has_no_status_date(draft):
    enterprise = draft(status=Enterprise.Status.OPERATING, status_date=dt.date(2023, 1, 1))
    enterprise.full_clean()
    assert enterprise.status_date is None


def test_the_community_must_be_a_community(draft, jiaonan):
    assert "community" in errors_of(draft(community=jiaonan))


@pytest.mark.parametrize(
    "raw",
    [
        "91350100m000100y43",
        "９１３５０１００Ｍ０００１００Ｙ４３",
        "9135 0100 M000 100Y 43",
        "91350100-M000100Y43",
    ],
)
def test_full_clean_normalises_the_uscc(draft, raw):
    enterprise = draft(uscc=raw)
    enterprise.full_clean()
    assert enterprise.uscc == VALID


@pytest.mark.parametrize(
    "raw, code",
    [(VALID[:17] + "4", "check"), (VALID[:17], "length"), ("O" + VALID[1:], "alphabet")],
)
def test_an_invalid_uscc_is_an_error_on_the_uscc_field(draft, raw, code):
    with pytest.raises(ValidationError) as info:
        draft(uscc=raw).full_clean()
    with pytest.raises(ValidationError) as direct:
        uscc.validate(raw)
    assert direct.value.code == code
    assert info.value.message_dict == {"uscc": direct.value.messages}


def test_the_uscc_is_unique_after_normalisation(draft):
    EnterpriseFactory(uscc=VALID)
    errors = errors_of(draft(uscc=VALID.lower()), "full_clean")
    assert list(errors) == ["uscc"]


def test_factory_usccs_are_valid_and_distinct():
    codes = [EnterpriseFactory().uscc for _ in range(5)]
    assert len(set(codes)) == 5
    assert all(uscc.is_valid(c) for c in codes)


# ---------------------------------------------------------------------------
# MembershipTransfer.clean


@pytest.fixture
def transfer():
    def make(**kwargs):
        kwargs.setdefault("started_on", dt.date(2024, 3, 1))
        return MembershipTransferFactory.build(to_organization=PartyOrganizationFactory(), **kwargs)

    return make


S = MembershipTransfer.Status


def test_valid_transfers_pass(transfer):
    transfer().full_clean()
    transfer(status=S.COMPLETED, completed_on=dt.date(2024, 3, 20)).full_clean()
    transfer(status=S.COMPLETED, completed_on=dt.date(2024, 3, 1)).full_clean()  # same day
    transfer(status=S.CANCELLED).full_clean()


def test_a_transfer_cannot_start_in_the_future(transfer):
    errors = errors_of(transfer(started_on=timezone.localdate() + DAY))
    assert list(errors) == ["started_on"]


def test_a_completed_transfer_needs_its_completion_date(transfer):
    assert list(errors_of(transfer(status=S.COMPLETED))) == ["completed_on"]


def test_completion_cannot_be_before_the_start(transfer):
    errors = errors_of(transfer(status=S.COMPLETED, completed_on=dt.date(2024, 2, 29)))
    assert list(errors) == ["completed_on"]


def test_completion_cannot_be_in_the_future(transfer):
    errors = errors_of(transfer(status=S.COMPLETED, completed_on=timezone.localdate() + DAY))
    assert list(errors) == ["completed_on"]


def test_a_transfer_with_a_completion_date_cannot_be_in_progress(transfer):
    errors = errors_of(transfer(status=S.IN_PROGRESS, completed_on=dt.date(2024, 3, 20)))
    assert list(errors) == ["status"]


# ---------------------------------------------------------------------------
# Other dated records


def test_party_organization_clean():
    today = timezone.localdate()
    org = PartyOrganizationFactory.build(
        area=None, established_on=dt.date(2022, 1, 1), dissolved_on=dt.date(2021, 12, 31)
    )
    assert "dissolved_on" in errors_of(org)
    org = PartyOrganizationFactory.build(
        area=None, established_on=dt.date(2022, 1, 1), last_election_on=dt.date(2021, 1, 1)
    )
    assert "last_election_on" in errors_of(org)
    org = PartyOrganizationFactory.build(area=None, established_on=today + DAY)
    assert "established_on" in errors_of(org)
    saved = PartyOrganizationFactory()
    saved.parent_id = saved.pk
    assert "parent" in errors_of(saved)
    PartyOrganizationFactory.build(
        area=None, established_on=dt.date(2022, 1, 1), dissolved_on=dt.date(2022, 1, 1)
    ).clean()


def test_coverage_clean():
    coverage = CoverageFactory.build(
        organization=None, enterprise=None, since=dt.date(2022, 1, 1), until=dt.date(2022, 1, 1)
    )
    assert "until" in errors_of(coverage)
    coverage.until = dt.date(2022, 1, 2)
    coverage.clean()


def test_liaison_assignment_clean():
    assignment = LiaisonAssignmentFactory.build(
        liaison=None, enterprise=None, start=dt.date(2022, 1, 1), end=dt.date(2022, 1, 1)
    )
    assert "end" in errors_of(assignment)
    assignment.end, assignment.start = None, timezone.localdate() + DAY
    assert "start" in errors_of(assignment)
    assignment.start = timezone.localdate()
    assignment.clean()


def test_mass_organization_clean():
    mass = MassOrganizationFactory.build(
        enterprise=None, established_on=dt.date(2022, 1, 1), dissolved_on=dt.date(2021, 1, 1)
    )
    assert "dissolved_on" in errors_of(mass)
    mass.dissolved_on = timezone.localdate() + DAY
    assert "dissolved_on" in errors_of(mass)
    mass.dissolved_on = None
    mass.clean()


def test_membership_return_clean_and_one_per_day():
    future = MembershipReturnFactory.build(enterprise=None, reported_on=timezone.localdate() + DAY)
    assert "reported_on" in errors_of(future)
    first = MembershipReturnFactory(reported_on=dt.date(2024, 1, 1))
    with pytest.raises(IntegrityError), transaction.atomic():
        MembershipReturnFactory(enterprise=first.enterprise, reported_on=dt.date(2024, 1, 1))


# ---------------------------------------------------------------------------
# Audit trail


MODELS = {
    Enterprise: (EnterpriseFactory, "address", "青岛市黄岛区珠山路1号"),
    IndustryChain: (IndustryChainFactory, "name", "智能家电"),
    PartyOrganization: (PartyOrganizationFactory, "secretary", "王书记"),
    Coverage: (CoverageFactory, "until", dt.date(2024, 1, 1)),
    MembershipReturn: (MembershipReturnFactory, "formal", 7),
    Liaison: (LiaisonFactory, "phone", "13800000000"),
    LiaisonAssignment: (LiaisonAssignmentFactory, "end", dt.date(2024, 1, 1)),
    MassOrganization: (MassOrganizationFactory, "dissolved_on", dt.date(2024, 1, 1)),
    MembershipTransfer: (MembershipTransferFactory, "handler", "李干事"),
}


def _json(value):
    return value.isoformat() if isinstance(value, dt.date) else value


@pytest.mark.parametrize("model", list(MODELS), ids=lambda m: m.__name__)
def test_every_change_is_recorded_in_the_history(staff, model):
    factory, field, value = MODELS[model]
    with audit_context(actor=staff):
        obj = factory()
        before = getattr(obj, field)
        setattr(obj, field, value)
        obj.save()
    create, update = obj.history().order_by("id")
    assert (create.action, create.actor) == ("create", staff)
    assert create.changes and all(old is None for old, _ in create.changes.values())
    assert (update.action, update.actor) == ("update", staff)
    assert update.changes == {field: [_json(before), _json(value)]}

    pk = obj.pk
    with audit_context(actor=staff):
        obj.delete()
    obj.pk = pk
    assert obj.history().order_by("-id").first().action == "delete"


def test_enterprise_history_leaves_out_version_and_updated_at(staff):
    enterprise = EnterpriseFactory(name="旧名称")
    with audit_context(actor=staff):
        enterprise.name = "新名称"
        enterprise.version += 1
        enterprise.save()
    update = enterprise.history().order_by("id").last()
    assert update.changes == {"name": ["旧名称", "新名称"]}


def test_a_term_change_records_the_new_due_date():
    organization = PartyOrganizationFactory(level=L.BRANCH, established_on=dt.date(2020, 6, 1))
    organization.last_election_on = dt.date(2023, 6, 1)
    organization.save()
    update = organization.history().order_by("id").last()
    assert update.changes["last_election_on"] == [None, "2023-06-01"]
    assert update.changes["next_election_due"] == ["2023-06-01", "2026-06-01"]


def test_deleting_an_organisation_records_its_cascaded_coverages():
    coverage = CoverageFactory()
    pk = coverage.pk
    coverage.organization.delete()
    assert not Coverage.objects.filter(pk=pk).exists()
    coverage.pk = pk
    assert coverage.history().order_by("-id").first().action == "delete"


def test_queryset_update_of_enterprises_is_recorded(staff):
    enterprise = EnterpriseFactory(contact_name="")
    with audit_context(actor=staff):
        Enterprise.objects.filter(pk=enterprise.pk).update(contact_name="张经理")
    update = enterprise.history().order_by("id").last()
    assert update.changes == {"contact_name": ["", "张经理"]} and update.actor == staff


# ---------------------------------------------------------------------------
# Scope: make_in_street puts every model inside the street


SCOPED = [
    Enterprise,
    PartyOrganization,
    Coverage,
    MembershipReturn,
    Liaison,
    LiaisonAssignment,
    MassOrganization,
    MembershipTransfer,
]


@pytest.mark.parametrize("model", SCOPED, ids=lambda m: m.__name__)
def test_records_are_visible_in_their_street_only(model, staff, leader, stranger, jiaonan):
    obj = make_in_street(model, jiaonan)
    assert model.objects.for_user(staff).filter(pk=obj.pk).exists()
    assert model.objects.for_user(leader).filter(pk=obj.pk).exists()
    assert not model.objects.for_user(stranger).filter(pk=obj.pk).exists()


def test_make_in_street_creates_a_community_when_the_street_has_none(district):
    from tests.factories import StreetFactory

    street = StreetFactory(name="灵山卫街道", parent=district)
    enterprise = make_in_street(Enterprise, street)
    assert enterprise.community.parent == street
    assert make_in_street(MassOrganization, street).enterprise.community == enterprise.community


def test_make_in_street_knows_industry_chains(jiaonan):
    chain = make_in_street(IndustryChain, jiaonan)
    assert IndustryChain.objects.filter(pk=chain.pk).exists()
