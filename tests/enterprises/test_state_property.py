"""Property: after any sequence of dated edits, through the real write paths, the stored
state of every enterprise equals coverage.py's rules on every day.

Hypothesis makes the edits: create enterprises; change tracked_since; close (status +
status_date) and reopen; archive and restore; move community; create, re-date,
dissolve, re-form and delete party organisations; add, re-date, move (to another
organisation or enterprise) and delete coverages; liaison assignments, 工青妇 and
membership returns (dates and counts) added, changed, moved to another enterprise and
deleted; delete enterprises.
They go through services, model saves and deletes, ``QuerySet.update`` / ``delete``,
``bulk_create`` / ``bulk_update`` and many-to-many edits, chosen by the operation.

Checked:
- after every edit: the stored intervals are what ``state.compute`` gives now (the
  keeping missed no enterprise the edit affected; a later edit cannot hide a miss);
- at the end, on every event day, the day before each, and random days (before, among
  and after the events): the interval holding at D equals ``coverage_case`` /
  ``annotate_members`` (state, band, latest return's figures), ``has_mass_org_on`` per
  kind and ``operating_on`` evaluated at the constant D — so evaluating at the event days
  only is exact — and each enterprise's intervals are contiguous, non-overlapping,
  merged (neighbours differ) and carry its current dimensions.

``HYPOTHESIS_PROFILE=ci`` runs 300 examples instead of 25.
"""

import contextlib
import datetime as dt
import os

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from enterprises import coverage, services, state
from enterprises.models import (
    Coverage,
    Enterprise,
    EnterpriseState,
    LiaisonAssignment,
    MassOrganization,
    MembershipReturn,
    PartyOrganization,
)
from tests.factories import (
    EnterpriseFactory,
    LiaisonFactory,
    PartyOrganizationFactory,
)

pytestmark = pytest.mark.django_db

PROFILES = {"default": 25, "ci": 300}
EXAMPLES = PROFILES.get(os.environ.get("HYPOTHESIS_PROFILE", "default"), 25)

START = dt.date(2023, 1, 1)
WINDOW = 120  # days: small, so that dates collide and coincide often
F = PartyOrganization.Formation
S = Enterprise.Status
MASS_KINDS = [kind.value for kind in MassOrganization.Kind]
# What an interval says, named here rather than taken from the module under test.
MEMBER_FIELDS = ["formal", "probationary", "development_targets", "activists", "applicants"]
DIMENSIONS = ["community_id", "industry", "size", "ownership", "above_scale"]
STATE_FIELDS = [
    "operating",
    "coverage_state",
    "member_band",
    *MEMBER_FIELDS,
    *(f"has_{kind}" for kind in MASS_KINDS),
]
# Before an enterprise's first event day no fact exists: what the rules say then.
NOTHING_YET = {
    "operating": False,
    "coverage_state": "uncovered",
    "member_band": "unknown",
    **dict.fromkeys(MEMBER_FIELDS),
    **{f"has_{kind}": False for kind in MASS_KINDS},
}

day = st.integers(0, WINDOW).map(lambda n: START + dt.timedelta(days=n))
length = st.none() | st.integers(0, 45)  # an end: none, or that many days after the start
pick = st.integers(0, 50)  # an index into the existing records (modulo their number)
count = st.integers(0, 5)
formation = st.sampled_from([F.STANDALONE, F.JOINT, F.REGIONAL])


def op(name, *params):
    return st.tuples(st.just(name), *params)


CREATIONS = st.one_of(
    op("create_enterprise", day, pick),
    op(
        "create_organization", formation, day, st.lists(pick, min_size=1, max_size=3), st.booleans()
    ),
    op("add_coverage", pick, pick, day, length, st.sampled_from(["model", "service", "m2m"])),
    op("add_assignment", pick, day, length),
    op("add_mass", pick, st.sampled_from(MASS_KINDS), day, length),
    op("add_returns", st.lists(st.tuples(pick, day, count, count), min_size=1, max_size=3)),
)
OPERATIONS = st.one_of(
    op("create_enterprise", day, pick),
    op("tracked_since", pick, day),
    op("close", pick, st.sampled_from([S.SUSPENDED, S.DEREGISTERED, S.MOVED_OUT]), day),
    op("reopen", pick),
    op("archive", pick, st.booleans()),
    op("move_community", pick, pick, st.booleans()),
    op("create_organization", formation, day, st.lists(pick, max_size=3), st.booleans()),
    op("organization_dates", pick, day, length),
    op("formation", pick, formation),
    op("delete_organization", pick),
    op("add_coverage", pick, pick, day, length, st.sampled_from(["model", "service", "m2m"])),
    op("coverage_dates", pick, day, length),
    op("move_coverage", pick, pick, st.booleans()),
    op("delete_coverage", pick, st.booleans()),
    op("add_assignment", pick, day, length),
    op("assignment_dates", pick, day, length),
    op("delete_assignment", pick),
    op("add_mass", pick, st.sampled_from(MASS_KINDS), day, length),
    op("mass_dates", pick, day, length),
    op("delete_mass", pick),
    op("add_returns", st.lists(st.tuples(pick, day, count, count), min_size=1, max_size=3)),
    op("return_counts", pick, count, count, count),
    op("return_date", pick, day),
    op("delete_returns", pick),
    op("move_return", pick, pick),
    op("move_mass", pick, pick),
    op("delete_enterprise", pick),
)


def nth(model, index, **filters):
    rows = list(model.objects.filter(**filters).order_by("pk"))
    return rows[index % len(rows)] if rows else None


def end_of(start, days):
    return None if days is None else start + dt.timedelta(days=days)


class World:
    def __init__(self, communities, liaison):
        self.communities = communities
        self.liaison = liaison

    def apply(self, name, *args):
        getattr(self, name)(*args)

    # -- enterprises ----------------------------------------------------------

    def create_enterprise(self, tracked, c):
        EnterpriseFactory(community=self.communities[c % 2], tracked_since=tracked)

    def tracked_since(self, e, tracked):
        if enterprise := nth(Enterprise, e):
            enterprise.tracked_since = tracked
            enterprise.save()

    def close(self, e, status, when):
        if enterprise := nth(Enterprise, e):
            enterprise.status, enterprise.status_date = status, when
            enterprise.save()

    def reopen(self, e):
        if enterprise := nth(Enterprise, e):
            Enterprise.objects.filter(pk=enterprise.pk).update(status=S.OPERATING, status_date=None)

    def archive(self, e, archive):
        if enterprise := nth(Enterprise, e):
            if archive:
                services.enterprise_archive(enterprise=enterprise, reason="重复录入")
            else:
                services.enterprise_restore(enterprise=enterprise)

    def move_community(self, e, c, bulk):
        if enterprise := nth(Enterprise, e):
            enterprise.community = self.communities[c % 2]
            if bulk:
                Enterprise.objects.bulk_update([enterprise], ["community"])
            else:
                enterprise.save()

    def delete_enterprise(self, e):
        enterprise = nth(Enterprise, e, coverages__isnull=True)
        if enterprise is not None:  # its coverages protect it otherwise
            Enterprise.objects.filter(pk=enterprise.pk).delete()  # cascades

    # -- organisations and coverage ---------------------------------------------

    def create_organization(self, kind, established, picks, service):
        enterprises = {nth(Enterprise, p) for p in picks} - {None}
        org = PartyOrganization(
            name="测试支部", formation=kind, area=self.communities[0], established_on=established
        )
        if service:
            # The service's rules may refuse it; then nothing was written.
            with contextlib.suppress(ValidationError):
                services.organization_create(organization=org, enterprises=enterprises)
            return
        org.save()
        for enterprise in enterprises:
            Coverage.objects.create(organization=org, enterprise=enterprise, since=established)

    def organization_dates(self, o, established, days):
        if org := nth(PartyOrganization, o):
            org.established_on, org.dissolved_on = established, end_of(established, days)
            org.save()

    def formation(self, o, kind):
        if org := nth(PartyOrganization, o):
            PartyOrganization.objects.filter(pk=org.pk).update(formation=kind)

    def delete_organization(self, o):
        if org := nth(PartyOrganization, o):
            org.delete()  # cascades to its coverages

    def add_coverage(self, o, e, since, days, path):
        org, enterprise = nth(PartyOrganization, o), nth(Enterprise, e)
        if org is None or enterprise is None:
            return
        until = end_of(since, days)
        if path == "service":
            with contextlib.suppress(ValidationError):
                services.coverage_add(
                    organization=org, enterprise=enterprise, since=since, until=until
                )
        elif path == "m2m":
            org.enterprises.add(enterprise, through_defaults={"since": since, "until": until})
        else:
            Coverage.objects.create(
                organization=org, enterprise=enterprise, since=since, until=until
            )

    def coverage_dates(self, c, since, days):
        if covered := nth(Coverage, c):
            covered.since, covered.until = since, end_of(since, days)
            covered.save()

    def move_coverage(self, c, target, to_enterprise):
        covered = nth(Coverage, c)
        if covered is None:
            return
        if to_enterprise:
            covered.enterprise = nth(Enterprise, target)
        else:
            covered.organization = nth(PartyOrganization, target)
        covered.save()

    def delete_coverage(self, c, through_m2m):
        if covered := nth(Coverage, c):
            if through_m2m:
                covered.organization.enterprises.remove(covered.enterprise)
            else:
                covered.delete()

    # -- liaisons, 工青妇, returns ------------------------------------------------

    def add_assignment(self, e, start, days):
        if enterprise := nth(Enterprise, e):
            LiaisonAssignment.objects.create(
                liaison=self.liaison, enterprise=enterprise, start=start, end=end_of(start, days)
            )

    def assignment_dates(self, a, start, days):
        if assignment := nth(LiaisonAssignment, a):
            assignment.start, assignment.end = start, end_of(start, days)
            assignment.save()

    def delete_assignment(self, a):
        if assignment := nth(LiaisonAssignment, a):
            LiaisonAssignment.objects.filter(pk=assignment.pk).delete()

    def add_mass(self, e, kind, established, days):
        if enterprise := nth(Enterprise, e):
            MassOrganization.objects.create(
                enterprise=enterprise,
                kind=kind,
                established_on=established,
                dissolved_on=end_of(established, days),
            )

    def mass_dates(self, m, established, days):
        if mass := nth(MassOrganization, m):
            mass.established_on, mass.dissolved_on = established, end_of(established, days)
            mass.save()

    def delete_mass(self, m):
        if mass := nth(MassOrganization, m):
            mass.delete()

    def add_returns(self, entries):
        new, seen = [], set()
        for e, reported, formal, probationary in entries:
            enterprise = nth(Enterprise, e)
            if enterprise is None or (enterprise.pk, reported) in seen:
                continue
            if MembershipReturn.objects.filter(
                enterprise=enterprise, reported_on=reported
            ).exists():
                continue
            seen.add((enterprise.pk, reported))
            new.append(
                MembershipReturn(
                    enterprise=enterprise,
                    reported_on=reported,
                    formal=formal,
                    probationary=probationary,
                    applicants=formal + probationary,
                )
            )
        if len(new) == 1:
            new[0].save()
        else:
            MembershipReturn.objects.bulk_create(new)

    def return_counts(self, r, formal, probationary, activists):
        if report := nth(MembershipReturn, r):
            report.formal, report.probationary, report.activists = formal, probationary, activists
            MembershipReturn.objects.bulk_update([report], MEMBER_FIELDS)

    def return_date(self, r, reported):
        if report := nth(MembershipReturn, r):
            report.reported_on = reported
            try:
                with transaction.atomic():
                    report.save()
            except IntegrityError:
                pass  # that enterprise already has a return on that day

    def move_return(self, r, e):
        report, enterprise = nth(MembershipReturn, r), nth(Enterprise, e)
        if report is None or MembershipReturn.objects.filter(
            enterprise=enterprise, reported_on=report.reported_on
        ):
            return
        MembershipReturn.objects.filter(pk=report.pk).update(enterprise=enterprise)

    def move_mass(self, m, e):
        if mass := nth(MassOrganization, m):
            mass.enterprise = nth(Enterprise, e)
            MassOrganization.objects.bulk_update([mass], ["enterprise"])

    def delete_returns(self, e):
        if enterprise := nth(Enterprise, e):
            MembershipReturn.objects.filter(enterprise=enterprise, formal__lte=2).delete()


# ---------------------------------------------------------------------------
# The checks


def assert_kept(after):
    drifts = state.rebuild(check=True).drifts
    assert not drifts, f"after {after}: {drifts}"


def event_days():
    """Every date any fact carries (the rules' inputs), from the records themselves."""
    days = set()
    for model, fields in [
        (Enterprise, ["tracked_since", "status_date"]),
        (Coverage, ["since", "until"]),
        (PartyOrganization, ["established_on", "dissolved_on"]),
        (LiaisonAssignment, ["start", "end"]),
        (MassOrganization, ["established_on", "dissolved_on"]),
        (MembershipReturn, ["reported_on"]),
    ]:
        for values in model.objects.values_list(*fields):
            days.update(v for v in values if v is not None)
    return days


def rules_on(day):
    """{enterprise id: the state the rules give at ``day``}, at the constant day."""
    operating = set(Enterprise.objects.operating_on(day).values_list("pk", flat=True))
    rows = Enterprise.objects.with_coverage(day).annotate(
        **{f"has_{kind}": coverage.has_mass_org_on(day, kind) for kind in MASS_KINDS}
    )
    return {
        e.pk: {
            "operating": e.pk in operating,
            "coverage_state": e.coverage_state,
            "member_band": e.member_band,
            **{name: getattr(e, name) for name in MEMBER_FIELDS},
            **{f"has_{kind}": getattr(e, f"has_{kind}") for kind in MASS_KINDS},
        }
        for e in rows
    }


def stored_on(day):
    return {
        r["enterprise_id"]: {name: r[name] for name in STATE_FIELDS}
        for r in EnterpriseState.objects.on(day).values("enterprise_id", *STATE_FIELDS)
    }


def assert_shape():
    enterprises = {e["pk"]: e for e in Enterprise.objects.values("pk", *DIMENSIONS)}
    by_enterprise = {}
    for row in EnterpriseState.objects.order_by("enterprise_id", "start").values():
        by_enterprise.setdefault(row["enterprise_id"], []).append(row)
    assert set(by_enterprise) == set(enterprises)  # every enterprise, no orphan
    for pk, rows in by_enterprise.items():
        for row in rows:
            assert {f: row[f] for f in DIMENSIONS} == {f: enterprises[pk][f] for f in DIMENSIONS}
            assert row["end"] is None or row["end"] > row["start"]
            assert row["start_month"] == row["start"].year * 12 + row["start"].month - 1
            end = row["end"]
            assert row["end_month"] == (None if end is None else end.year * 12 + end.month - 1)
        for before, after in zip(rows, rows[1:], strict=False):
            assert before["end"] == after["start"]  # contiguous, never overlapping
            assert [before[v] for v in STATE_FIELDS] != [after[v] for v in STATE_FIELDS]
        assert rows[-1]["end"] is None


def assert_equals_rules(extra_days):
    events = event_days()
    days = set(extra_days) | events | {d - dt.timedelta(days=1) for d in events}
    days |= {START - dt.timedelta(days=30), START + dt.timedelta(days=WINDOW + 60)}
    for d in sorted(days):
        expected, stored = rules_on(d), stored_on(d)
        assert set(stored) <= set(expected)
        for pk, rule in expected.items():
            assert stored.get(pk, NOTHING_YET) == rule, (d, pk)


@pytest.fixture
def world(shuicheng, zhushan):
    return World([shuicheng, zhushan], LiaisonFactory(area=shuicheng.parent))


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    creations=st.lists(CREATIONS, min_size=3, max_size=10),
    operations=st.lists(OPERATIONS, min_size=1, max_size=25),
    extra_days=st.lists(
        st.integers(-40, WINDOW + 100).map(lambda n: START + dt.timedelta(days=n)), max_size=8
    ),
)
def test_the_stored_state_equals_the_rules_after_any_edits(
    world, creations, operations, extra_days
):
    with transaction.atomic():  # each example starts from the same empty world
        for _ in range(2):
            world.create_enterprise(START, 0)
        PartyOrganizationFactory(area=world.communities[0], established_on=START)
        for operation in [*creations, *operations]:
            world.apply(*operation)
            assert_kept(operation)
        assert_shape()
        assert_equals_rules(extra_days)
        transaction.set_rollback(True)
