"""Plain-language definitions of every figure (docs/METRICS.md), for the page and the export."""

from django.utils.translation import gettext_lazy as _

DEFINITIONS = {
    "operating": _(
        "Operating enterprises at the date: not archived, tracked on or before it and not "
        "closed (suspended, deregistered, moved out) on or before it. The denominator of "
        "every rate."
    ),
    "standalone": _("Covered by an active standalone party organisation."),
    "joint": _("Not standalone; covered by an active joint organisation."),
    "regional": _("Neither of the above; covered by an active regional or attached organisation."),
    "organization": _("Organisation coverage: standalone + joint + regional."),
    "work_only": _(
        "No organisation, but a liaison assignment or a trade union, youth league or "
        "women's federation is active at the date."
    ),
    "work": _("Work coverage: organisation coverage + work coverage only."),
    "uncovered": _("Operating and not in work coverage."),
    "rate": _("A rate is the count divided by operating enterprises; “—” when there are none."),
    "bands": _(
        "Member bands from each enterprise's latest membership return on or before the "
        "date: 0, 1–2, 3 or more formal members, or no return."
    ),
    "members": _("Totals over operating enterprises, from the same latest returns."),
    "should_form": _("Should form, has not: 3 or more formal members and not standalone."),
    "mass": _(
        "Operating enterprises where the mass organisation was established on or before "
        "the date and not dissolved by it."
    ),
    "organizations_formed": _(
        "Party organisations of the area established from 1 January of the date's year up "
        "to the date."
    ),
    "members_added": _(
        "Formal members at the date minus formal members on 31 December of the previous "
        "year (latest returns on or before each day), summed over enterprises operating at "
        "the date; an enterprise without a return counts 0."
    ),
    "alerts": _("Open alerts are evaluated today, whatever the date chosen."),
    "trend": _(
        "Each point is computed as of the last day of the month (the last point as of the "
        "chosen date), with the same definitions."
    ),
}

# What each definition is about, as the page and the export name it.
LABELS = {
    "operating": _("Operating enterprises"),
    "standalone": _("Standalone organisation"),
    "joint": _("Joint organisation"),
    "regional": _("Regional or attached organisation"),
    "organization": _("Organisation coverage (any)"),
    "work_only": _("Work coverage only"),
    "work": _("Work coverage (organisation or work)"),
    "uncovered": _("Uncovered"),
    "rate": _("Rates"),
    "bands": _("Member bands"),
    "members": _("Members"),
    "should_form": _("Should form, has not"),
    "mass": _("Trade union, youth league, women's federation"),
    "organizations_formed": _("Organisations formed this year"),
    "members_added": _("Members added this year"),
    "alerts": _("Alerts"),
    "trend": _("Trend"),
}
assert set(LABELS) == set(DEFINITIONS)
