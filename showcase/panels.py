"""The 点 panel of the dashboard (``PointsPanel``, registered in ``part.py``): sites by
batch, level, status and stars; topics by state, completion, overdue, the branches and
teams engaged; deeds and cases this year; mentored enterprises; the part's open alerts.

Its figures are ``figures.points(area, day)`` (METRICS.md, Points), cached under the data
version; the page (``showcase/_points_panel.html``), its export sheet and its part of the
JSON summary (``points``) are all made from them, and every count links to its list
(``links.py``) with exactly its rows.
"""

from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from core import charts
from core.exports import Sheet
from core.panels import Panel, alert_rows, cached_figures

from . import figures, links
from .models import SiteLevel, SiteStatus, TopicState

DEFINITIONS = (
    (
        _("Demonstration sites"),
        _(
            "Sites whose status at the date is named (命名) or reviewed (复核), by batch and "
            "level; not those in incubation or revoked."
        ),
    ),
    (_("In incubation"), _("Sites whose status at the date is incubation (培育).")),
    (
        _("Stars"),
        _(
            "Per site, its latest decided rating dated on or before the date, counted by "
            "stars (0–5; a veto is 0)."
        ),
    ),
    (_("Topics"), _("揭榜挂帅 topics posted on or before the date, by their state at the date.")),
    (
        _("Completion rate"),
        _(
            "Topics closed as done (销号) ÷ topics whose due date is on or before the date "
            "(— when none is due)."
        ),
    ),
    (_("Overdue topics"), _("Due date before the date and not closed at the date.")),
    (
        _("Branches and teams engaged"),
        _("Distinct branches and task teams that claimed a topic posted on or before the date."),
    ),
    (
        _("Deeds and cases"),
        _(
            "Pioneer deeds recorded this year, and teaching cases reviewed this year (1 January "
            "of the date's year to the date)."
        ),
    ),
    (
        _("Mentored enterprises"),
        _("Distinct enterprises mentored (传帮带) by a site of the area at the date."),
    ),
)


def _item(key, label, value, url=None, path=None):
    return {"key": f"points_{key}", "label": label, "value": value, "url": url, "path": path}


def star_label(n):
    return pgettext_lazy("showcase", "No star") if n == 0 else gettext("%(n)s stars") % {"n": n}


def rows(ctx, f):
    """Every count of the panel, in the order of the page, with its link and JSON path."""
    area, day = ctx.area, ctx.day
    sites = f["sites"]
    site_rows = [
        _item(
            "sites",
            _("Demonstration sites"),
            sites["total"],
            links.sites(area, day, status="recognised"),
            ["sites", "total"],
        ),
        _item(
            "sites_incubating",
            _("In incubation"),
            f["sites_incubating"],
            links.sites(area, day, status=SiteStatus.INCUBATING),
            ["sites_incubating"],
        ),
    ]
    batches = [
        _item(
            f"batch_{b['batch']}",
            gettext("Batch %(name)s (%(year)s, %(area)s)")
            % {"name": b["name"], "year": b["year"], "area": b["area"]},
            b["count"],
            links.sites(area, day, status="recognised", batch=b["batch"]),
            ["sites", "by_batch", i, "count"],
        )
        for i, b in enumerate(sites["by_batch"])
    ]
    levels = [
        _item(
            f"level_{level.value}",
            level.label,
            sites["by_level"][level.value],
            links.sites(area, day, status="recognised", level=level.value),
            ["sites", "by_level", level.value],
        )
        for level in SiteLevel
    ]
    statuses = [
        _item(
            f"status_{status.value}",
            gettext("Status: %(status)s") % {"status": status.label},
            sites["by_status"][status.value],
            links.sites(area, day, status=status.value),
            ["sites", "by_status", status.value],
        )
        for status in SiteStatus
    ]
    stars = [
        _item(
            f"stars_{n}",
            star_label(n),
            f["stars"][n],
            links.sites(area, day, stars=n),
            ["stars", str(n)],
        )
        for n in figures.STARS
    ]
    topics = f["topics"]
    topic_rows = [
        _item("topics", _("Topics"), topics["total"], links.topics(area, day), ["topics", "total"]),
        *(
            _item(
                f"topics_{state.value}",
                gettext("Topics: %(state)s") % {"state": state.label},
                topics[state.value],
                links.topics(area, day, state=state.value),
                ["topics", state.value],
            )
            for state in TopicState
        ),
    ]
    completion = [
        _item(
            "topics_due",
            _("Topics due"),
            f["topics_due"],
            links.topics(area, day, due="1"),
            ["topics_due"],
        ),
        _item(
            "topics_due_closed",
            _("Of these, closed as done"),
            f["topics_due_closed"],
            links.topics(area, day, due="1", state=TopicState.CLOSED),
            ["topics_due_closed"],
        ),
        _item(
            "topics_overdue",
            _("Overdue topics"),
            f["topics_overdue"],
            links.topics(area, day, overdue="1"),
            ["topics_overdue"],
        ),
    ]
    engaged = [
        _item(
            "branches",
            _("Branches engaged"),
            f["engaged"]["branches"],
            links.branches(area, day),
            ["engaged", "branches"],
        ),
        _item(
            "teams",
            _("Task teams engaged"),
            f["engaged"]["teams"],
            links.teams(area, day),
            ["engaged", "teams"],
        ),
    ]
    records = [
        _item("deeds", _("Pioneer deeds this year"), f["deeds"], links.deeds(area, day), ["deeds"]),
        _item(
            "cases",
            _("Teaching cases reviewed this year"),
            f["cases"],
            links.cases(area, day),
            ["cases"],
        ),
        _item(
            "mentored",
            _("Mentored enterprises"),
            f["mentored"],
            links.mentored(area, day),
            ["mentored"],
        ),
    ]
    return {
        "sites": site_rows,
        "batches": batches,
        "levels": levels,
        "statuses": statuses,
        "stars": stars,
        "topics": topic_rows,
        "completion": completion,
        "engaged": engaged,
        "records": records,
    }


GROUPS = (
    "sites",
    "batches",
    "levels",
    "statuses",
    "stars",
    "topics",
    "completion",
    "engaged",
    "records",
)


class PointsPanel(Panel):
    key = "points"
    title = _("点: demonstration sites and 揭榜挂帅")
    template = "showcase/_points_panel.html"
    definitions = DEFINITIONS

    def load(self, ctx):
        return cached_figures(self, ctx, lambda: figures.points(ctx.area, ctx.day))

    def context(self, ctx, f):
        from . import alerts

        data = rows(ctx, f)
        rate = f["topic_completion"]
        data.update(
            completion_rate=rate,
            completion_text=charts.percent(rate),
            alerts=alert_rows(ctx, alerts.ALERTS),
        )
        return data

    def _all(self, ctx, f):
        data = rows(ctx, f)
        return [item for group in GROUPS for item in data[group]]

    def numbers(self, ctx, f):
        return [
            (item["key"], item["label"], item["value"], ["points", *item["path"]])
            for item in self._all(ctx, f)
        ]

    def sheets(self, ctx, f):
        sheet = Sheet(gettext("点: demonstration"), widths={1: 36, 2: 12, 3: 90})
        sheet.add([gettext("Figure"), gettext("Count")], bold=True)
        for item in self._all(ctx, f):
            sheet.add([str(item["label"]), item["value"]])
            if item["key"] == "points_topics_due_closed":
                sheet.add([gettext("Completion rate"), f["topic_completion"]], percent=(2,))
        sheet.blank()
        for label, text in DEFINITIONS:
            sheet.add([str(label), "", str(text)])
        return [sheet]

    def json(self, ctx, f):
        sites = f["sites"]
        return {
            "sites": {
                "total": sites["total"],
                "by_batch": [dict(b) for b in sites["by_batch"]],
                "by_level": dict(sites["by_level"]),
                "by_status": dict(sites["by_status"]),
            },
            "sites_incubating": f["sites_incubating"],
            "stars": {str(n): f["stars"][n] for n in figures.STARS},
            "topics": dict(f["topics"]),
            "topic_completion": f["topic_completion"],
            "topics_due": f["topics_due"],
            "topics_due_closed": f["topics_due_closed"],
            "topics_overdue": f["topics_overdue"],
            "engaged": dict(f["engaged"]),
            "deeds": f["deeds"],
            "cases": f["cases"],
            "mentored": f["mentored"],
        }
