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

``day`` may also be an expression (``OuterRef("day")``): ``state.py`` evaluates these very
expressions at every ``event_days`` pair to store each enterprise's state over time.
"""

from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Exists,
    ExpressionWrapper,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)

from .models import (
    Coverage,
    Enterprise,
    LiaisonAssignment,
    MassOrganization,
    MembershipReturn,
    PartyOrganization,
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


def active_rows(day):
    """The dated facts in force at ``day``, by kind: the sources of every coverage rule.

    Each is a queryset with an ``enterprise`` column. Organisation coverage needs both the
    coverage link and the organisation to be active.
    """
    coverages = Coverage.objects.filter(Coverage.active_q(day)).filter(
        PartyOrganization.active_q(day, prefix="organization__")
    )
    return {
        STANDALONE: coverages.filter(
            organization__formation=PartyOrganization.Formation.STANDALONE
        ),
        JOINT: coverages.filter(organization__formation=PartyOrganization.Formation.JOINT),
        REGIONAL: coverages.filter(organization__formation=PartyOrganization.Formation.REGIONAL),
        "organization": coverages,  # any formation = standalone | joint | regional
        "liaison": LiaisonAssignment.objects.filter(LiaisonAssignment.active_q(day)),
        "mass": MassOrganization.objects.active_on(day),
    }


def _condition(rows, correlated):
    """Q "the enterprise has such a row": correlated EXISTS (cheap for a page of rows) or an
    uncorrelated IN (one hashed lookup when filtering or counting thousands)."""
    if correlated:
        return Q(Exists(rows.filter(enterprise=OuterRef("pk"))))
    return Q(pk__in=rows.values("enterprise_id"))


def _has_liaison(day, correlated=True):
    return _condition(active_rows(day)["liaison"], correlated)


def _has_mass_org(day, kind=None, correlated=True):
    rows = active_rows(day)["mass"]
    return _condition(rows.filter(kind=kind) if kind else rows, correlated)


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


def state_q(state, day, correlated=False):
    """Q selecting the enterprises in ``state`` at ``day``: THE definition of each state
    (METRICS.md), with its precedence. ``coverage_case`` is built from it, so the
    annotation, the list filters, the alerts and the dashboard cannot disagree.
    """
    return _state_qs(day, correlated)[state]


def _state_qs(day, correlated):
    c = {k: _condition(rows, correlated) for k, rows in active_rows(day).items()}
    standalone, joint, regional = c[STANDALONE], c[JOINT], c[REGIONAL]
    organization, liaison, mass = c["organization"], c["liaison"], c["mass"]
    return {
        STANDALONE: standalone,
        JOINT: joint & ~standalone,
        REGIONAL: regional & ~standalone & ~joint,
        WORK_ONLY: ~organization & (liaison | mass),
        UNCOVERED: ~organization & ~liaison & ~mass,
        "organization": organization,
        "work": organization | liaison | mass,
    }


def coverage_case(day, correlated=True):
    """The CASE expression for the state; usable in annotate() and in Count(filter=…).

    Correlated by default (a page of rows); pass ``correlated=False`` when aggregating
    over thousands of enterprises. The conditions are built once for all its branches.
    """
    states = _state_qs(day, correlated)
    return Case(
        *(When(states[state], then=Value(state)) for state in STATES[:-1]),
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


def _boolean(q):
    """A Q as an expression: usable in filter(), exclude() and annotate()."""
    return ExpressionWrapper(q, output_field=BooleanField())


def has_liaison_on(day, correlated=True):
    """A liaison assignment is active at ``day``."""
    return _boolean(_has_liaison(day, correlated))


def has_mass_org_on(day, kind=None, correlated=True):
    """A 工会 / 共青团 / 妇联 (of ``kind``, or any) exists at ``day``."""
    return _boolean(_has_mass_org(day, kind, correlated))


# The fields of a party organisation that the rules read (``active_rows``): an edit of
# any other one (name, level, secretary, elections…) cannot change a coverage state, so
# the stored state of the enterprises it covers is not recomputed (``state.py``).
ORGANIZATION_INPUTS = ("formation", *PartyOrganization.dated_fields)


def event_days(where=None):
    """Every (enterprise id, day) at which an input of the rules above starts or ends:
    the only days at which an enterprise's operating status, coverage state, member
    figures, band or 工青妇 can change (``state.py`` stores them as intervals).

    Each rule compares D with these dates only (``start <= D``, ``end > D``,
    ``reported_on <= D``, ``tracked_since <= D``, ``status_date <= D``), so its value
    is constant from one of them to the next. Archiving and an organisation's formation
    are not dated: they change the whole history. A rule that gains a dated input must
    add it here (``tests/enterprises/test_state_property.py`` samples days between them).

    ``where(field)`` returns the Q narrowing each source to some enterprises, given the
    source's enterprise column; None: all. A UNION queryset of (enterprise id, day).
    """
    organization_dates = [f"organization__{f}" for f in PartyOrganization.dated_fields]
    sources = [
        (Enterprise.objects, "pk", ["tracked_since", "status_date"]),  # operating_on
        (Coverage.objects, "enterprise_id", [*Coverage.dated_fields, *organization_dates]),
        (LiaisonAssignment.objects, "enterprise_id", LiaisonAssignment.dated_fields),
        (MassOrganization.objects, "enterprise_id", MassOrganization.dated_fields),
        (MembershipReturn.objects, "enterprise_id", ["reported_on"]),  # latest_return
    ]
    branches = []
    for manager, enterprise, fields in sources:
        rows = manager.order_by()
        if where is not None:
            rows = rows.filter(where(enterprise))
        for name in fields:
            branches.append(rows.filter(**{f"{name}__isnull": False}).values_list(enterprise, name))
    return branches[0].union(*branches[1:])
