"""Reading the stored state of the "1" (``EnterpriseState``, kept by ``state.py``) for
lists, sorts and alerts: "the interval of each enterprise that holds at D".

The state equals the rules of ``coverage.py`` (the property and drift tests pin it), so
these conditions select the same enterprises as ``coverage.state_q`` / ``band_q`` /
``members_q``, without evaluating the rules over every dated record.

An enterprise has no interval at D before its first event day: it is then not
operating, uncovered, of unknown band, without a return (``state.EMPTY``). A condition
that such an enterprise meets is written as "no interval at D says otherwise".
"""

from django.db.models import Exists, F, FilteredRelation, OuterRef, Q, Value
from django.db.models.functions import Coalesce

from . import coverage
from .models import EnterpriseState
from .state import EMPTY

AT = "state_at"  # the alias of the joined interval (``join``)

# The list's coverage choices: one state, or a sum of states.
COVERAGE_STATES = {
    **{s: [s] for s in coverage.STATES},
    "organization": coverage.ORGANIZATION_STATES,
    "work": [*coverage.ORGANIZATION_STATES, coverage.WORK_ONLY],
}


def _select(rows, correlated):
    if correlated:  # one enterprise, or a page: the (enterprise, start) index
        return Q(Exists(rows.filter(enterprise=OuterRef("pk"))))
    # Over thousands of enterprises: a plain IN, which PostgreSQL turns into a semi-join,
    # hashed when it expects many enterprises and index probes when it expects few. Not
    # an unflattenable subquery (OFFSET 0): planned as a nested loop after a wrong
    # estimate of few enterprises (a table not yet analyzed), that re-read the whole state
    # table for each enterprise: 7 s for the demo's district, past the statement timeout
    # under load. Probes after a wrong estimate cost a few times the hash, never that.
    return Q(pk__in=rows.order_by().values("enterprise_id"))


def holds(day, condition, correlated=False):
    """Q on Enterprise: its interval at ``day`` meets ``condition`` (a Q on the state)."""
    return _select(EnterpriseState.objects.on(day).filter(condition), correlated)


def within(day, name, values, correlated=False):
    """Q on Enterprise: its ``name`` at ``day`` is one of ``values`` (the value before its
    first interval included)."""
    if EMPTY[name] in values:
        return ~holds(day, ~Q(**{f"{name}__in": values}), correlated)
    return holds(day, Q(**{f"{name}__in": values}), correlated)


def coverage_in(choice, day, correlated=False):
    """The list's coverage filter: a state or "organization" / "work"."""
    return within(day, "coverage_state", COVERAGE_STATES[choice], correlated)


def band_in(band, day, correlated=False):
    return within(day, "member_band", [band], correlated)


def operating(day, condition=None, correlated=False):
    """Operating at ``day`` (``Enterprise.objects.operating_on``) and ``condition``."""
    return holds(day, Q(operating=True) & (condition or Q()), correlated)


def join(queryset, day):
    """The queryset with its interval at ``day`` joined as ``state_at`` (at most one per
    enterprise, so no row is repeated); NULL columns without one."""
    condition = Q(states__start__lte=day) & (Q(states__end__isnull=True) | Q(states__end__gt=day))
    return queryset.alias(**{AT: FilteredRelation("states", condition=condition)})


def annotate_formal(queryset, day):
    """``formal`` at ``day`` from the joined interval (NULL without a return): the sort."""
    return join(queryset, day).annotate(formal=F(f"{AT}__formal"))


def annotate_state(queryset, day):
    """What ``coverage.annotate_coverage`` adds, read from the interval at ``day``."""
    return join(queryset, day).annotate(
        coverage_state=Coalesce(F(f"{AT}__coverage_state"), Value(EMPTY["coverage_state"])),
        member_band=Coalesce(F(f"{AT}__member_band"), Value(EMPTY["member_band"])),
        **{name: F(f"{AT}__{name}") for name in coverage.MEMBER_FIELDS},
    )
