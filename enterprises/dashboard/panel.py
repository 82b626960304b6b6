"""The coverage panel of the "1" (``CoveragePanel``, registered in ``enterprises/part.py``):
the page's partial (``templates/enterprises/_coverage_panel.html``), its sheets of the
dashboard export and its part of the JSON summary, all from the same figures.
"""

from django.utils.text import capfirst
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _

from areas.models import Area
from core import charts
from core.exports import Sheet
from core.panels import Panel, alert_rows

from .. import alerts as part_alerts
from ..filters import BAND_CHOICES, COVERAGE_CHOICES
from ..models import Enterprise, Industry, MassOrganization, MembershipReturn
from . import figures, links, service
from .definitions import DEFINITIONS, LABELS

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


def breakdowns(ctx, figs):
    """[{key, label, rows: [{label, filters, tally, counts, rates}], total}] for the area."""
    snap, area, day = figs.snapshot, ctx.area, ctx.day
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


def headline(ctx, figs):
    """The "1" panel's figures, each with its link (None for sums and non-enterprise counts)."""
    snap, area, day = figs.snapshot, ctx.area, ctx.day
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
    alerts = alert_rows(ctx, part_alerts.ALERTS)
    return {
        "operating": {"count": total.operating, "url": links.figure(area, day, "operating")},
        "coverage": coverage,
        "bands": bands,
        "members": members,
        "should_form": {"count": total.should_form, "url": links.figure(area, day, "should_form")},
        "mass": mass,
        "organizations_formed": snap.organizations_formed,
        "members_added": total.members_added,
        "alerts": alerts,
        "alerts_total": sum(r["count"] for r in alerts),
    }


def trend_series(ctx, figs):
    """Monthly rates (organisation, work) and member bands at each point."""
    points = sorted(figs.trend)
    tallies = [figs.trend[p] for p in points]
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


def coverage_panel(ctx, figs):
    data = headline(ctx, figs)
    trend = trend_series(ctx, figs)
    labels = [p.strftime("%y-%m") for p in trend["points"]]
    data.update(
        rings=[
            charts.ring(
                figs.snapshot.total.rate(key),
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
        breakdowns=breakdowns(ctx, figs),
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


class CoveragePanel(Panel):
    key = "coverage"
    title = _("The 1: party organisation coverage")
    template = "enterprises/_coverage_panel.html"
    json_key = ""  # the "1" keeps its figures at the top level of the summary
    definitions = tuple((LABELS[key], text) for key, text in DEFINITIONS.items())

    def load(self, ctx):
        return service.load(ctx.area, ctx.day, with_trend=ctx.with_trend)

    def context(self, ctx, figs):
        return coverage_panel(ctx, figs)

    # -- the export ----------------------------------------------------------

    def sheets(self, ctx, figs):
        data = coverage_panel(ctx, figs)
        return [self._summary_sheet(data), *self._breakdown_sheets(data), self._trend_sheet(data)]

    def _summary_sheet(self, data):
        sheet = Sheet(_g("The 1: coverage"), widths={1: 28, 2: 12, 3: 12, 4: 90})
        sheet.add([_g("Figure"), _g("Count"), _g("Rate"), _g("Definition")], bold=True)

        def row(label, count, key, rate=None):
            sheet.add([str(label), count, rate, str(DEFINITIONS[key])], percent=(3,))

        row(OPERATING_LABEL, data["operating"]["count"], "operating")
        for item in data["coverage"]:
            row(item["label"], item["count"], item["key"], item["rate"])
        for item in data["bands"]:
            row(item["label"], item["count"], "bands", item["rate"])
        row(SHOULD_FORM_LABEL, data["should_form"]["count"], "should_form")
        for item in data["members"]:
            row(item["label"], item["value"], "members")
        for item in data["mass"]:
            row(item["label"], item["count"], "mass")
        row(LABELS["organizations_formed"], data["organizations_formed"], "organizations_formed")
        row(LABELS["members_added"], data["members_added"], "members_added")
        for item in data["alerts"]:
            row(item["label"], item["count"], "alerts")
        return sheet

    def _breakdown_sheets(self, data):
        columns = [str(c["label"]) for c in data["columns"]]
        rate_labels = [str(c["label"]) for c in data["rate_columns"]]
        first_rate = 2 + len(columns)
        rates = tuple(range(first_rate, first_rate + len(rate_labels)))
        widths = {1: 28, **dict.fromkeys(range(2, first_rate + len(rate_labels)), 12)}
        for group in data["breakdowns"]:
            title = _g("By %(dimension)s") % {"dimension": group["label"]}
            sheet = Sheet(title, widths=widths)
            sheet.add([str(group["label"]), *columns, *rate_labels], bold=True)
            for row in group["rows"]:
                sheet.add(_breakdown_values(row["label"], row), percent=rates)
            sheet.add(_breakdown_values(_g("Total"), group["total"]), bold=True, percent=rates)
            yield sheet

    def _trend_sheet(self, data):
        sheet = Sheet(_g("Trend"), widths={1: 14, **dict.fromkeys(range(2, 12), 16)})
        sheet.add(
            [
                _g("As of"),
                str(OPERATING_LABEL),
                str(COVERAGE_LABELS[figures.ORGANIZATION]),
                str(RATE_LABELS[figures.ORGANIZATION]),
                str(COVERAGE_LABELS[figures.WORK]),
                str(RATE_LABELS[figures.WORK]),
                *(str(label) for label in data["band_labels"]),
            ],
            bold=True,
        )
        for row in data["trend"]["rows"]:
            sheet.add(
                [
                    row["day"],
                    row["operating"],
                    row["organization"],
                    row["organization_rate"],
                    row["work"],
                    row["work_rate"],
                    *row["bands"],
                ],
                percent=(4, 6),
            )
        sheet.blank()
        sheet.add([str(DEFINITIONS["trend"])])
        return sheet

    def numbers(self, ctx, figs):
        data = headline(ctx, figs)
        return [
            ("operating", OPERATING_LABEL, data["operating"]["count"], ["operating"]),
            *(
                (c["key"], c["label"], c["count"], ["coverage", c["key"], "count"])
                for c in data["coverage"]
            ),
            *(
                (b["key"], b["label"], b["count"], ["member_bands", b["key"]])
                for b in data["bands"]
            ),
            ("should_form", SHOULD_FORM_LABEL, data["should_form"]["count"], ["should_form"]),
            *((m["key"], m["label"], m["value"], ["members", m["key"]]) for m in data["members"]),
            *((m["key"], m["label"], m["count"], ["mass_orgs", m["key"]]) for m in data["mass"]),
            (
                "organizations_formed",
                LABELS["organizations_formed"],
                data["organizations_formed"],
                ["organizations_formed_this_year"],
            ),
            (
                "members_added",
                LABELS["members_added"],
                data["members_added"],
                ["members_added_this_year"],
            ),
        ]

    # -- the JSON summary ----------------------------------------------------

    def json(self, ctx, figs):
        snapshot = figs.snapshot
        total = snapshot.total
        by_community = []
        for community in ctx.communities:
            tally = snapshot.rows["community"].get(community.pk, figures.Tally())
            by_community.append(
                {
                    "id": community.pk,
                    "name": community.name,
                    "street": community.parent.name,
                    "operating": tally.operating,
                    "coverage": _coverage_json(tally),
                    "member_bands": _bands_json(tally),
                    "should_form": tally.should_form,
                }
            )
        return {
            "operating": total.operating,
            "coverage": _coverage_json(total),
            "members": dict(total.members),
            "member_bands": _bands_json(total),
            "should_form": total.should_form,
            "mass_orgs": dict(total.mass),
            "organizations_formed_this_year": snapshot.organizations_formed,
            "members_added_this_year": total.members_added,
            "by_community": by_community,
        }


def _breakdown_values(label, row):
    return [str(label), *(c["value"] for c in row["counts"]), *(r["rate"] for r in row["rates"])]


def _coverage_json(tally):
    return {
        key: {"count": tally.count(key), "rate": tally.rate(key)} for key in figures.COVERAGE_KEYS
    }


def _bands_json(tally):
    return {band: tally.bands[band] for band in figures.BANDS}
