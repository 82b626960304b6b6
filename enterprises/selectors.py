"""Reads shared by screens: one function per screen, with a constant number of queries."""

from django.utils import timezone

from audit.history import history_of

from . import alerts, coverage, readers
from .models import Enterprise, LiaisonAssignment
from .services import organization_warnings


def enterprise_list_ids(queryset, day, order):
    """The list's ordered ids. Pagination runs on these alone, so the per-row figures
    are computed only for the rows shown, not for every row skipped by OFFSET."""
    if any(key.lstrip("-") == "formal" for key in order):
        queryset = readers.annotate_formal(queryset, day)  # the stored state at ``day``
    return queryset.order_by(*order).values_list("pk", flat=True)


def enterprise_rows(ids, day):
    """The rows of one page, in the order of ``ids``: coverage state and members at
    ``day`` (the stored state), liaison flag, community; one query."""
    rows = (
        readers.annotate_state(Enterprise.objects.filter(pk__in=ids), day)
        .annotate(has_liaison=coverage.has_liaison_on(day))
        .select_related("community__parent")
        .in_bulk()
    )
    return [rows[pk] for pk in ids if pk in rows]


def enterprise_page(enterprise):
    today = timezone.localdate()
    state = enterprise.coverage_on(today)
    returns = list(enterprise.returns.order_by("reported_on"))
    coverages = list(enterprise.coverages.select_related("organization").order_by("-since"))
    for c in coverages:
        c.active = c.organization.is_active_on(today) and c.is_active_on(today)
    assignments = list(enterprise.liaison_assignments.select_related("liaison").order_by("-start"))
    for a in assignments:
        a.active = a.is_active_on(today)
    mass = list(enterprise.mass_organizations.order_by("kind", "-established_on"))
    for m in mass:
        m.active = m.is_active_on(today)
    return {
        "today": today,
        "state": state,
        "returns": returns,
        "latest_return": returns[-1] if returns else None,
        "member_chart": member_chart(returns),
        "coverages": coverages,
        "assignments": assignments,
        "mass_organizations": mass,
        "transfers": list(enterprise.transfers.select_related("to_organization")),
        "alerts": alerts.enterprise_alerts(enterprise, today),
        "history": history_of(enterprise, limit=50),
        "operating": enterprise.is_operating_on(today),
    }


def member_chart(returns, width=560, height=160, pad=28):
    """Bars of formal (and probationary) members per return: the path from 0 to 1 to many."""
    if not returns:
        return None
    top = max(max(r.formal + r.probationary for r in returns), 1)
    step = (width - 2 * pad) / len(returns)
    bar = max(min(step * 0.6, 40), 4)
    bars = []
    for i, r in enumerate(returns):
        x = pad + i * step + (step - bar) / 2
        h_formal = (height - 2 * pad) * r.formal / top
        h_prob = (height - 2 * pad) * r.probationary / top
        bars.append(
            {
                "x": round(x, 1),
                "w": round(bar, 1),
                "y_formal": round(height - pad - h_formal, 1),
                "h_formal": round(h_formal, 1),
                "y_prob": round(height - pad - h_formal - h_prob, 1),
                "h_prob": round(h_prob, 1),
                "label_x": round(x + bar / 2, 1),
                "return": r,
            }
        )
    return {"width": width, "height": height, "base": height - pad, "top": top, "bars": bars}


def organization_page(organization, user):
    today = timezone.localdate()
    coverages = list(
        organization.coverages.select_related("enterprise__community").order_by("-since")
    )
    for c in coverages:
        c.active = c.is_active_on(today)
    visible = set(
        Enterprise.objects.for_user(user)
        .filter(pk__in=[c.enterprise_id for c in coverages])
        .values_list("pk", flat=True)
    )
    return {
        "today": today,
        "coverages": coverages,
        "visible_enterprises": visible,
        "children": list(organization.children.order_by("name")),
        "warnings": organization_warnings(organization, today),
        "transfers": list(organization.incoming_transfers.order_by("-started_on")[:20]),
        "history": history_of(organization, limit=50),
        "active": organization.is_active_on(today),
    }


def liaison_page(liaison, user):
    today = timezone.localdate()
    assignments = list(
        LiaisonAssignment.objects.for_user(user)
        .filter(liaison=liaison)
        .select_related("enterprise__community")
        .order_by("-start")
    )
    for a in assignments:
        a.active = a.is_active_on(today)
    return {"today": today, "assignments": assignments, "history": history_of(liaison, limit=50)}
