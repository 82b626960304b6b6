"""The dashboard's panels: a registry, so a later panel (点 / 线 / 面 / 慈善) is one template
plus one build function added to ``PANELS``.

A panel's ``build(ctx)`` gets a ``Context`` (user, area, date, scope areas, figures, sort)
and returns the template context of its partial (``templates/matrix/panels/…``). The
"1" panel (coverage) is the first; the page, the export and the JSON all read the same
``Context.figures``, so they show the same numbers.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from areas.models import Area
from enterprises import alerts as alert_defs
from enterprises.filters import BAND_CHOICES, COVERAGE_CHOICES
from enterprises.models import Enterprise, Industry, MassOrganization, MembershipReturn

from .. import charts
from . import figures, links

COVERAGE_LABELS = dict(COVERAGE_CHOICES)
BAND_LABELS = dict(BAND_CHOICES)
MASS_LABELS = dict(MassOrganization.Kind.choices)
MEMBER_LABELS = {
    name: capfirst(MembershipReturn._meta.get_field(name).verbose_name)
    for name in figures.MEMBER_FIELDS
}
SHOULD_FORM_LABEL = _("Should form, has not")
OPERATING_LABEL = _("Operating enterprises")
# Headline rates shown as rings.
RING_KEYS = [figures.ORGANIZATION, "standalone", figures.WORK]
RATE_LABELS = {
    figures.ORGANIZATION: _("Organisation coverage rate"),
    "standalone": _("Standalone rate"),
    "joint": _("Joint rate"),
    "regional": _("Regional rate"),
    "work_only": _("Work-only rate"),
    figures.WORK: _("Work coverage rate"),
    "uncovered": _("Uncovered rate"),
}

DIMENSION_LABELS = {
    "street": _("Street"),
    "community": _("Community"),
    "industry": _("Industry"),
    "size": _("Size class"),
    "ownership": _("Ownership"),
    "above_scale": _("Above designated size"),
}
ABOVE_SCALE_LABELS = {True: _("Above designated size (规上)"), False: _("Below designated size")}

# Breakdown columns: every count links to its list; three rates.
COUNT_COLUMNS = [
    "operating",
    *figures.COVERAGE_KEYS,
    *figures.BANDS,
    "should_form",
]
RATE_COLUMNS = ["standalone", figures.ORGANIZATION, figures.WORK]
SORT_KEYS = {
    "name",
    *COUNT_COLUMNS,
    *(f"{key}_rate" for key in RATE_COLUMNS),
}


def column_label(key):
    if key == "operating":
        return OPERATING_LABEL
    if key == "should_form":
        return SHOULD_FORM_LABEL
    return COVERAGE_LABELS.get(key) or BAND_LABELS[key]


@dataclass
class Context:
    user: Any
    area: Area
    day: Any
    areas: list  # every area in the user's scope (parents loaded)
    figures: Any  # service.Figures
    sort: str = "name"


@dataclass(frozen=True)
class Panel:
    key: str
    title: Any
    template: str
    build: Callable[[Context], dict]


# ---------------------------------------------------------------------------
# Rows shared by the page, the export and the JSON


def tally_value(tally, key):
    if key == "operating":
        return tally.operating
    if key == "should_form":
        return tally.should_form
    if key in tally.bands:
        return tally.bands[key]
    return tally.count(key)


def cells(tally, area, day, filters):
    """Counts (with their drill-down links) and rates of one row."""
    counts = [
        {
            "key": key,
            "value": tally_value(tally, key),
            "url": links.figure(area, day, key, **filters),
        }
        for key in COUNT_COLUMNS
    ]
    rates = [
        {"key": key, "rate": tally.rate(key), "text": charts.percent(tally.rate(key))}
        for key in RATE_COLUMNS
    ]
    return counts, rates


def breakdowns(ctx):
    """[{key, label, rows: [{label, filters, tally, counts, rates}], total}] for the area."""
    snap, area, day = ctx.figures.snapshot, ctx.area, ctx.day
    children = [a for a in ctx.areas if a.parent_id == area.pk]
    communities = [a for a in ctx.areas if a.level == Area.Level.COMMUNITY and area.contains(a)]
    by_community = snap.rows["community"]
    groups = []
    if area.level == Area.Level.DISTRICT:
        rows = []
        for street in sorted(children, key=lambda a: a.name):
            tally = figures.Tally()
            for community in communities:
                if community.parent_id == street.pk and community.pk in by_community:
                    tally.merge(by_community[community.pk])
            rows.append((street.name, {"area": street.pk}, tally, street))
        groups.append(("street", rows))
    if area.level != Area.Level.COMMUNITY:
        rows = [
            (
                c.name if area.level == Area.Level.STREET else f"{c.parent.name} / {c.name}",
                {"area": c.pk},
                by_community.get(c.pk, figures.Tally()),
                c,
            )
            for c in sorted(communities, key=lambda a: (a.parent.name, a.name))
        ]
        groups.append(("community", rows))
    industries = snap.rows["industry"]
    groups.append(
        (
            "industry",
            [
                (Industry(code).label, {"industry": code}, industries[code], None)
                for code in Industry.values
                if code in industries
            ],
        )
    )
    for dim, choices in (("size", Enterprise.Size), ("ownership", Enterprise.Ownership)):
        groups.append(
            (
                dim,
                [
                    (label, {dim: value}, snap.rows[dim].get(value, figures.Tally()), None)
                    for value, label in choices.choices
                ],
            )
        )
    groups.append(
        (
            "above_scale",
            [
                (
                    ABOVE_SCALE_LABELS[flag],
                    {"above_scale": "1" if flag else "0"},
                    snap.rows["above_scale"].get(flag, figures.Tally()),
                    None,
                )
                for flag in (True, False)
            ],
        )
    )
    result = []
    for key, rows in groups:
        built = []
        for label, filters, tally, row_area in rows:
            # A row of an area is that area's own list (``area=<id>``), the rest narrow it.
            target = row_area or area
            row_filters = {} if row_area else filters
            counts, rates = cells(tally, target, day, row_filters)
            built.append(
                {
                    "label": label,
                    "filters": filters,
                    "tally": tally,
                    "counts": counts,
                    "rates": rates,
                    "urls": {c["key"]: c["url"] for c in counts},
                    "area": row_area,
                }
            )
        _sort(built, ctx.sort)
        total_counts, total_rates = cells(snap.total, area, day, {})
        result.append(
            {
                "key": key,
                "label": DIMENSION_LABELS[key],
                "rows": built,
                "total": {"counts": total_counts, "rates": total_rates},
                "chart": charts.stacked_bars(
                    [
                        (
                            r["area"].name if r["area"] else str(r["label"]),
                            [
                                (state, r["tally"].count(state), r["urls"][state])
                                for state in figures.STATES
                            ],
                        )
                        for r in built
                    ],
                    legend=[(state, COVERAGE_LABELS[state]) for state in figures.STATES],
                    title=DIMENSION_LABELS[key],
                ),
            }
        )
    return result


def _sort(rows, sort):
    key, reverse = sort.lstrip("-"), sort.startswith("-")
    if key not in SORT_KEYS or key == "name":
        if reverse:
            rows.reverse()
        return
    if key.endswith("_rate"):
        base = key[: -len("_rate")]

        def value(row):
            r = row["tally"].rate(base)
            return -1 if r is None else r
    else:

        def value(row):
            return tally_value(row["tally"], key)

    rows.sort(key=value, reverse=reverse)


def headline(ctx):
    """The "1" panel's figures, each with its link (None for sums and non-enterprise counts)."""
    snap, area, day = ctx.figures.snapshot, ctx.area, ctx.day
    total = snap.total
    coverage = [
        {
            "key": key,
            "label": COVERAGE_LABELS[key],
            "count": total.count(key),
            "rate": total.rate(key),
            "text": charts.percent(total.rate(key)),
            "url": links.figure(area, day, key),
        }
        for key in figures.COVERAGE_KEYS
    ]
    bands = [
        {
            "key": band,
            "label": BAND_LABELS[band],
            "count": total.bands[band],
            "rate": figures.rate(total.bands[band], total.operating),
            "text": charts.percent(figures.rate(total.bands[band], total.operating)),
            "url": links.figure(area, day, band),
        }
        for band in figures.BANDS
    ]
    members = [
        {"key": name, "label": MEMBER_LABELS[name], "value": total.members[name]}
        for name in figures.MEMBER_FIELDS
    ]
    mass = [
        {
            "key": kind,
            "label": MASS_LABELS[kind],
            "count": total.mass[kind],
            "url": links.figure(area, day, kind),
        }
        for kind in figures.MASS_KINDS
    ]
    alert_rows = []
    if ctx.figures.alerts is not None:
        for a in alert_defs.ALERTS:
            if a.model is Enterprise:
                url = links.alert(area, a.key)
            elif area.pk == ctx.user.area_id:
                # The alert's own page lists the user's whole scope: link only when it is
                # the area shown, so the count and the list agree.
                url = reverse("enterprises:alert_list", args=[a.key])
            else:
                url = None
            alert_rows.append(
                {"key": a.key, "label": a.label, "count": ctx.figures.alerts[a.key], "url": url}
            )
    return {
        "operating": {"count": total.operating, "url": links.figure(area, day, "operating")},
        "coverage": coverage,
        "bands": bands,
        "members": members,
        "should_form": {"count": total.should_form, "url": links.figure(area, day, "should_form")},
        "mass": mass,
        "organizations_formed": snap.organizations_formed,
        "members_added": total.members_added,
        "alerts": alert_rows,
        "alerts_total": sum(r["count"] for r in alert_rows),
    }


def trend_series(ctx):
    """Monthly rates (organisation, work) and member bands at each point."""
    points = sorted(ctx.figures.trend)
    tallies = [ctx.figures.trend[p] for p in points]
    return {
        "points": points,
        "rows": [
            {
                "day": p,
                "operating": t.operating,
                "organization": t.count(figures.ORGANIZATION),
                "organization_rate": t.rate(figures.ORGANIZATION),
                "organization_text": charts.percent(t.rate(figures.ORGANIZATION)),
                "work": t.count(figures.WORK),
                "work_rate": t.rate(figures.WORK),
                "work_text": charts.percent(t.rate(figures.WORK)),
                "bands": [t.bands[b] for b in figures.BANDS],
            }
            for p, t in zip(points, tallies, strict=True)
        ],
    }


def coverage_panel(ctx):
    data = headline(ctx)
    trend = trend_series(ctx)
    labels = [p.strftime("%y-%m") for p in trend["points"]]
    data.update(
        rings=[
            charts.ring(
                ctx.figures.snapshot.total.rate(key),
                RATE_LABELS[key],
                url=links.figure(ctx.area, ctx.day, key),
            )
            for key in RING_KEYS
        ],
        band_chart=charts.stacked_bars(
            [
                (
                    str(_("Enterprises")),
                    [(b["key"], b["count"], b["url"]) for b in data["bands"]],
                )
            ],
            legend=[(b["key"], b["label"]) for b in data["bands"]],
            title=_("Member bands"),
            label_width=0,
            row_height=40,
            width=360,
        ),
        breakdowns=breakdowns(ctx),
        trend=trend,
        rate_chart=charts.line(
            labels,
            [
                (
                    figures.ORGANIZATION,
                    RATE_LABELS[figures.ORGANIZATION],
                    [r["organization_rate"] for r in trend["rows"]],
                ),
                (figures.WORK, RATE_LABELS[figures.WORK], [r["work_rate"] for r in trend["rows"]]),
            ],
            as_percent=True,
            title=_("Coverage rates by month"),
        ),
        band_trend_chart=charts.line(
            labels,
            [
                (band, BAND_LABELS[band], [r["bands"][i] for r in trend["rows"]])
                for i, band in enumerate(figures.BANDS)
            ],
            title=_("Member bands by month"),
        ),
        band_labels=[BAND_LABELS[b] for b in figures.BANDS],
        columns=[{"key": k, "label": column_label(k)} for k in COUNT_COLUMNS],
        rate_columns=[{"key": k, "label": RATE_LABELS[k]} for k in RATE_COLUMNS],
    )
    return data


PANELS = [
    Panel(
        "coverage",
        _("The 1: party organisation coverage"),
        "matrix/panels/coverage.html",
        coverage_panel,
    ),
]
