"""The enterprise ledger as an export: the sheet spec's columns (``enterprises/sheets.py``),
one row per enterprise with its organisation, latest return, liaisons and 工青妇 as of a
day, so that export → import finds every row unchanged. The ``enterprises`` table
(``tables.EnterpriseTable``) exports it through the kit's writer (core/exports.py).
"""

from collections import defaultdict, namedtuple

from django.db.models import Count
from django.utils import timezone

from ledger.changes import scope_communities

from . import sheets as cols
from .models import (
    Coverage,
    LiaisonAssignment,
    MassOrganization,
    MembershipReturn,
    PartyOrganization,
)
from .sheets import CHOICE_CLASSES, MASS_KINDS, choice_labels, current_mass

FORMATION_ORDER = {"standalone": 0, "joint": 1, "regional": 2}


# ---------------------------------------------------------------------------
# The enterprise ledger (the template's columns)


def ledger_headers():
    return [c.header for c in cols.COLUMNS]


ENTERPRISE_VALUES = (
    "pk",
    "name",
    "uscc",
    "community__name",
    "community__parent__name",
    "address",
    "industry",
    "industry_chain__name",
    "ownership",
    "size",
    "above_scale",
    "employees",
    "investor_is_member",
    "contact_name",
    "contact_phone",
    "tracked_since",
    "status",
    "status_date",
)
Mass = namedtuple("Mass", "kind established_on dissolved_on pk")


def ambiguous_communities(user):
    """Community names that occur in more than one street of the user's area."""
    names = (
        scope_communities(user)
        .values("name")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .values_list("name", flat=True)
    )
    return set(names)


def ledger_rows(queryset, user, day=None):
    """The ledger row of each enterprise, as plain values: the enterprises in one query,
    their facts in four (no model instances, no per-row or per-chunk queries)."""
    day = day or timezone.localdate()
    ambiguous = ambiguous_communities(user)
    labels = {key: choice_labels(key) for key in CHOICE_CLASSES}
    orgs, returns, liaisons, mass = _facts(queryset.values("pk"), day)
    rows = queryset.order_by("name", "pk").values_list(*ENTERPRISE_VALUES)
    for values in rows.iterator(chunk_size=2000):
        pk = values[0]
        yield ledger_row(
            dict(zip(ENTERPRISE_VALUES, values, strict=True)),
            orgs.get(pk),
            returns.get(pk),
            liaisons.get(pk, ()),
            mass.get(pk, ()),
            day,
            ambiguous,
            labels,
        )


def _facts(enterprises, day):
    """Organisation, latest return, liaisons and mass organisations of the enterprises."""
    orgs, returns, liaisons, mass = {}, {}, defaultdict(list), defaultdict(list)
    coverages = (
        Coverage.objects.filter(enterprise__in=enterprises)
        .filter(Coverage.active_q(day))
        .filter(PartyOrganization.active_q(day, prefix="organization__"))
        .values_list(
            "enterprise_id",
            "organization__formation",
            "since",
            "pk",
            "organization__name",
            "organization__level",
            "organization__established_on",
            "organization__secretary",
        )
    )
    for row in sorted(coverages, key=lambda r: (FORMATION_ORDER.get(r[1], 9), r[2], r[3])):
        orgs.setdefault(row[0], row)
    latest = (
        MembershipReturn.objects.filter(enterprise__in=enterprises, reported_on__lte=day)
        .order_by("enterprise_id", "-reported_on")
        .values_list("enterprise_id", "reported_on", *cols.COUNT_KEYS)
    )
    for row in latest.iterator(chunk_size=5000):
        returns.setdefault(row[0], row)
    assignments = (
        LiaisonAssignment.objects.filter(enterprise__in=enterprises)
        .filter(LiaisonAssignment.active_q(day))
        .order_by("start", "pk")
        .values_list("enterprise_id", "liaison__name")
    )
    for enterprise_id, name in assignments.iterator(chunk_size=5000):
        if name not in liaisons[enterprise_id]:
            liaisons[enterprise_id].append(name)
    for enterprise_id, *rest in (
        MassOrganization.objects.filter(enterprise__in=enterprises)
        .values_list("enterprise_id", "kind", "established_on", "dissolved_on", "pk")
        .iterator(chunk_size=5000)
    ):
        mass[enterprise_id].append(Mass(*rest))
    return orgs, returns, liaisons, mass


def ledger_row(e, org, latest, liaisons, mass, day, ambiguous, labels):
    community = e["community__name"]
    if community in ambiguous:
        community = f"{e['community__parent__name']}/{community}"
    values = {
        "name": e["name"],
        "uscc": e["uscc"],
        "community": community,
        "address": e["address"],
        "industry": labels["industry"].get(e["industry"]),
        "industry_chain": e["industry_chain__name"],
        "ownership": labels["ownership"].get(e["ownership"]),
        "size": labels["size"].get(e["size"]),
        "above_scale": "是" if e["above_scale"] else "否",
        "employees": e["employees"],
        "investor_is_member": "是" if e["investor_is_member"] else "否",
        "contact_name": e["contact_name"],
        "contact_phone": e["contact_phone"],
        "tracked_since": e["tracked_since"],
        "status": labels["status"].get(e["status"]),
        "status_date": e["status_date"],
        "liaison": "、".join(liaisons),
    }
    if org is not None:
        values.update(
            org_name=org[4],
            org_level=labels["org_level"].get(org[5]),
            org_formation=labels["org_formation"].get(org[1]),
            org_established=org[6],
            org_secretary=org[7],
        )
    if latest is not None:
        values["return_date"] = latest[1]
        values.update(zip(cols.COUNT_KEYS, latest[2:], strict=True))
    for key, kind in MASS_KINDS.items():
        current = current_mass(mass, kind, day)
        values[key] = current.established_on if current else None
    # An empty cell rather than "": the same on re-import, and smaller files.
    return [values.get(c.key) if values.get(c.key) != "" else None for c in cols.COLUMNS]
