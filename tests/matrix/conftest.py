"""A generated data set with every coverage state, member band and dated changes, in every
community of the demo tree (西海岸新区 → 胶南街道: 水城路社区, 珠山路社区; 红石崖街道: 福莱社区)."""

import datetime as dt
import itertools

import pytest
from django.utils import timezone

from enterprises.models import Enterprise, MassOrganization, PartyOrganization
from tests.factories import (
    CoverageFactory,
    EnterpriseFactory,
    LiaisonAssignmentFactory,
    MassOrganizationFactory,
    MembershipReturnFactory,
    PartyOrganizationFactory,
)

TODAY = timezone.localdate()
PAST = dt.date(TODAY.year - 1, 12, 31)  # "end of last year"
LONG_AGO = dt.date(2021, 3, 1)
Formation = PartyOrganization.Formation
Kind = MassOrganization.Kind

INDUSTRIES = itertools.cycle(["C", "F", "I", "M"])
SIZES = itertools.cycle([s.value for s in Enterprise.Size])
OWNERSHIPS = itertools.cycle([o.value for o in Enterprise.Ownership])


@pytest.fixture(autouse=True)
def _real_cache(real_cache):
    """The dashboard's figures are cached: test with a real cache, empty at the start
    (the version is read from the audit trail, which each test rolls back)."""
    return real_cache


def enterprise(community, **fields):
    fields.setdefault("industry", next(INDUSTRIES))
    fields.setdefault("size", next(SIZES))
    fields.setdefault("ownership", next(OWNERSHIPS))
    fields.setdefault("above_scale", fields["size"] in ("large", "medium"))
    return EnterpriseFactory(community=community, **fields)


def members(e, day, formal, **more):
    return MembershipReturnFactory(
        enterprise=e,
        reported_on=day,
        formal=formal,
        probationary=more.get("probationary", 1),
        development_targets=more.get("development_targets", 2),
        activists=more.get("activists", 3),
        applicants=more.get("applicants", 4),
    )


def covered(e, formation, since=LONG_AGO, until=None, org=None, established=None):
    org = org or PartyOrganizationFactory(
        formation=formation, area=e.community, established_on=established or since
    )
    CoverageFactory(enterprise=e, organization=org, since=since, until=until)
    return org


def build_community(c, copies=1):
    """Every state and band, plus records that change between PAST and TODAY."""
    for _ in range(copies):
        # Standalone with many members and all three mass organisations.
        e = enterprise(c)
        covered(e, Formation.STANDALONE)
        members(e, LONG_AGO, 5)
        members(e, TODAY, 7)
        for kind in Kind.values:
            MassOrganizationFactory(enterprise=e, kind=kind, established_on=LONG_AGO)
        # A joint branch covering two (one with 4 members: should form).
        a, b = enterprise(c), enterprise(c)
        joint = covered(a, Formation.JOINT)
        covered(b, Formation.JOINT, org=joint)
        members(a, LONG_AGO, 2)
        members(a, TODAY, 4)  # few at PAST, many today: should_form today only
        members(b, LONG_AGO, 1)
        # Regional with no members.
        e = enterprise(c)
        covered(e, Formation.REGIONAL)
        members(e, LONG_AGO, 0)
        # Work only: a liaison; another only a youth league.
        e = enterprise(c)
        LiaisonAssignmentFactory(enterprise=e, start=LONG_AGO)
        members(e, LONG_AGO, 1)
        e = enterprise(c)
        MassOrganizationFactory(enterprise=e, kind=Kind.YOUTH_LEAGUE, established_on=LONG_AGO)
        # Uncovered: no return at all (unknown), and three members (should form).
        enterprise(c)
        e = enterprise(c)
        members(e, LONG_AGO, 3)
        # Not operating: closed long ago; archived.
        enterprise(c, status=Enterprise.Status.DEREGISTERED, status_date=dt.date(2022, 5, 1))
        enterprise(c, archived_at=timezone.now())
        # Dated changes between PAST and TODAY:
        # tracked only since today (operating today, not at PAST);
        e = enterprise(c, tracked_since=TODAY)
        members(e, TODAY, 2)
        # closed today (operating at PAST, not today);
        e = enterprise(c, status=Enterprise.Status.SUSPENDED, status_date=TODAY)
        covered(e, Formation.STANDALONE)
        # coverage that ended today (joint at PAST, liaison-only today);
        e = enterprise(c)
        covered(e, Formation.JOINT, until=TODAY)
        LiaisonAssignmentFactory(enterprise=e, start=LONG_AGO)
        # a standalone organisation formed this year (uncovered at PAST);
        e = enterprise(c)
        covered(e, Formation.STANDALONE, since=TODAY)
        members(e, LONG_AGO, 3)
        members(e, TODAY, 6)
        # a liaison assignment that ended today, and a dissolved trade union.
        e = enterprise(c)
        LiaisonAssignmentFactory(enterprise=e, start=LONG_AGO, end=TODAY)
        MassOrganizationFactory(
            enterprise=e, kind=Kind.UNION, established_on=LONG_AGO, dissolved_on=TODAY
        )


@pytest.fixture
def dataset(areas, shuicheng, zhushan, fulai):
    for community in (shuicheng, zhushan, fulai):
        build_community(community)
    return areas


def area_rows(figures_tally):
    """A comparable dict of a Tally."""
    return {
        "operating": figures_tally.operating,
        "states": dict(figures_tally.states),
        "bands": dict(figures_tally.bands),
        "should_form": figures_tally.should_form,
        "members": dict(figures_tally.members),
        "formal_year_start": figures_tally.formal_year_start,
        "mass": dict(figures_tally.mass),
    }
