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
    return MembershipReturn.objects.filter(
        enterprise=OuterRef("pk"), reported_on__lte=day
    ).order_by("-reported_on")


def coverage_case(day):
    """The CASE expression for the state; usable in annotate() and in Count(filter=…)."""
    return Case(
        When(_covered_by(PartyOrganization.Formation.STANDALONE, day), then=Value(STANDALONE)),
        When(_covered_by(PartyOrganization.Formation.JOINT, day), then=Value(JOINT)),
        When(_covered_by(PartyOrganization.Formation.REGIONAL, day), then=Value(REGIONAL)),
        When(Q(_has_liaison(day)) | Q(_has_mass_org(day)), then=Value(WORK_ONLY)),
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
