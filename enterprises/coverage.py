"""Coverage state and member figures of enterprises at a date D: the one place that
implements METRICS.md's definitions. Everything else (enterprise page, list filters,
alerts, dashboard, exports, API) asks this module.

``annotate_coverage(queryset, day)`` adds, per enterprise:
- ``coverage_state``: standalone / joint / regional / work_only / uncovered;
- ``formal``, ``probationary``, ``development_targets``, ``activists``, ``applicants``:
  from the latest membership return dated on or before D (NULL when there is none);
- ``member_band``: zero / few / many / unknown.

A single enterprise uses the same annotation (``Enterprise.coverage_on``), so one
record and thousands are computed by the same SQL.
"""

from django.db.models import Case, CharField, Exists, OuterRef, Q, Subquery, Value, When

from .models import (
    Coverage,
    LiaisonAssignment,
    MassOrganization,
    MembershipReturn,
    PartyOrganization,
    active_on,
)

STANDALONE = "standalone"
JOINT = "joint"
REGIONAL = "regional"
WORK_ONLY = "work_only"
UNCOVERED = "uncovered"
STATES = [STANDALONE, JOINT, REGIONAL, WORK_ONLY, UNCOVERED]
ORGANIZATION_STATES = [STANDALONE, JOINT, REGIONAL]

ZERO, FEW, MANY, UNKNOWN = "zero", "few", "many", "unknown"
BANDS = [ZERO, FEW, MANY, UNKNOWN]
SHOULD_FORM_MIN_FORMAL = 3  # ≥ 3 formal members should form a standalone organisation

MEMBER_FIELDS = ["formal", "probationary", "development_targets", "activists", "applicants"]


def band_for(formal):
    if formal is None:
        return UNKNOWN
    if formal == 0:
        return ZERO
    return FEW if formal < SHOULD_FORM_MIN_FORMAL else MANY


def _covered_by(formation, day):
    return Exists(
        Coverage.objects.filter(
            enterprise=OuterRef("pk"),
            organization__formation=formation,
        )
        .filter(active_on(day, "since", "until"))
        .filter(active_on(day, "established_on", "dissolved_on", prefix="organization__"))
    )


def _has_liaison(day):
    return Exists(
        LiaisonAssignment.objects.filter(enterprise=OuterRef("pk")).filter(
            active_on(day, "start", "end")
        )
    )


def _has_mass_org(day, kind=None):
    rows = MassOrganization.objects.filter(enterprise=OuterRef("pk")).filter(
        active_on(day, "established_on", "dissolved_on")
    )
    if kind:
        rows = rows.filter(kind=kind)
    return Exists(rows)


def latest_return(day):
    """Per enterprise (correlated on OuterRef("pk")): its returns on or before ``day``,
    newest first. For one row or a page of rows."""
    return MembershipReturn.objects.filter(
        enterprise=OuterRef("pk"), reported_on__lte=day
    ).order_by("-reported_on")


def latest_returns(day):
    """All returns that are the latest on or before ``day`` for their enterprise.

    The set-based twin of ``latest_return``: "no later return on or before ``day``
    exists", an anti-join, so filters over tens of thousands of enterprises stay fast.
    Returns are unique per (enterprise, day), so there is one per enterprise.
    """
    newer = MembershipReturn.objects.filter(
        enterprise=OuterRef("enterprise"),
        reported_on__gt=OuterRef("reported_on"),
        reported_on__lte=day,
    )
    return MembershipReturn.objects.filter(reported_on__lte=day).exclude(Exists(newer))


def band_q(band, day):
    """Q selecting enterprises whose formal members at ``day`` fall in ``band``."""
    latest = latest_returns(day)
    if band == UNKNOWN:
        return ~Q(pk__in=latest.values("enterprise_id"))
    formal = {ZERO: Q(formal=0), FEW: Q(formal__gte=1, formal__lt=SHOULD_FORM_MIN_FORMAL)}.get(
        band, Q(formal__gte=SHOULD_FORM_MIN_FORMAL)
    )
    return Q(pk__in=latest.filter(formal).values("enterprise_id"))


def members_q(day, **conditions):
    """Q selecting enterprises whose latest return at ``day`` meets ``conditions``."""
    return Q(pk__in=latest_returns(day).filter(**conditions).values("enterprise_id"))


def state_q(state, day):
    """Q selecting the enterprises in ``state`` at ``day``: the definition of each state.

    Written as EXISTS / NOT EXISTS so the database can use semi- and anti-joins when
    filtering thousands of rows; ``coverage_case`` below is built from these same
    conditions, so the annotation and the filter cannot disagree.
    """
    standalone = Q(_covered_by(PartyOrganization.Formation.STANDALONE, day))
    joint = Q(_covered_by(PartyOrganization.Formation.JOINT, day))
    regional = Q(_covered_by(PartyOrganization.Formation.REGIONAL, day))
    work = Q(_has_liaison(day)) | Q(_has_mass_org(day))
    organization = standalone | joint | regional
    return {
        STANDALONE: standalone,
        JOINT: joint & ~standalone,
        REGIONAL: regional & ~standalone & ~joint,
        WORK_ONLY: ~organization & work,
        UNCOVERED: ~organization & ~work,
        "organization": organization,
        "work": organization | work,
    }[state]


def coverage_case(day):
    """The CASE expression for the state; usable in annotate() and in Count(filter=…)."""
    return Case(
        *(When(state_q(state, day), then=Value(state)) for state in STATES[:-1]),
        default=Value(UNCOVERED),
        output_field=CharField(),
    )


def band_case(formal_ref="formal"):
    return Case(
        When(**{f"{formal_ref}__isnull": True}, then=Value(UNKNOWN)),
        When(**{formal_ref: 0}, then=Value(ZERO)),
        When(**{f"{formal_ref}__lt": SHOULD_FORM_MIN_FORMAL}, then=Value(FEW)),
        default=Value(MANY),
        output_field=CharField(),
    )


def annotate_members(queryset, day, fields=MEMBER_FIELDS):
    latest = latest_return(day)
    return queryset.annotate(
        **{name: Subquery(latest.values(name)[:1]) for name in fields}
    ).annotate(member_band=band_case())


def annotate_coverage(queryset, day):
    return annotate_members(queryset.annotate(coverage_state=coverage_case(day)), day)


def has_liaison_on(day):
    return _has_liaison(day)


def has_mass_org_on(day, kind=None):
    return _has_mass_org(day, kind)
