"""Dashboard panels: each part shows its figures for an area and a day.

A part lists its ``Panel``s in its ``PART`` (``core/registry.py``). The dashboard page, its
.xlsx export and the JSON summary (``matrix/dashboard/``) loop over the registered panels
and ask each, with one ``PanelContext``:

- ``load(ctx)``: the panel's figures for ``ctx.area`` at ``ctx.day`` (the panel caches them
  as it sees fit; ``cached_figures`` is the simple way);
- ``context(ctx, figures)``: the template context of its partial (``template``);
- ``sheets(ctx, figures)``: its sheets of the export (``core.exports.Sheet``; the
  dashboard adds the area, the date and the export time above each);
- ``json(ctx, figures)``: its part of ``/api/matrix/summary/`` (under ``json_key``; the
  "1" keeps its figures at the top level, as before there were other parts);
- ``definitions``: (label, definition) of each figure, shown under the dashboard and in
  the export's definitions sheet.

All four read the same ``figures``, so the page, the export and the JSON agree.
"""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from areas.models import Area


@dataclass
class PanelContext:
    user: Any
    area: Area
    day: dt.date
    areas: list  # every area in the user's scope, parents loaded
    sort: str = "name"
    alerts: dict | None = None  # {alert key: open count in the area}, evaluated today
    with_trend: bool = True  # the JSON summary does without

    @property
    def communities(self):
        """The communities of the area (the area itself if it is one), in tree order."""
        from areas.tree import tree_order

        return tree_order(
            a for a in self.areas if a.level == Area.Level.COMMUNITY and self.area.contains(a)
        )


class Panel:
    key = ""
    title = ""
    template = ""
    json_key = None  # None: ``key``; "": merged into the top level of the summary
    definitions = ()  # ((label, text), …)

    def load(self, ctx):
        raise NotImplementedError

    def context(self, ctx, figures):
        raise NotImplementedError

    def sheets(self, ctx, figures):
        return []

    def json(self, ctx, figures):
        return {}

    def numbers(self, ctx, figures):
        """[(key, label, value, JSON path)] of the figures the panel shows: its page marks
        each with ``data-figure="<key>"``, its export has a row (label, value), and the
        summary has the value at the path. The registry contract test holds every panel
        to it (tests/test_registry_contracts.py)."""
        raise NotImplementedError

    @property
    def summary_key(self):
        return self.key if self.json_key is None else self.json_key


def cached_figures(panel, ctx, compute):
    """``compute()`` cached per panel, area and day, under the versions of the panel's
    part in that area (core/versions.py)."""
    from . import versions

    key = f"panel:{panel.key}:{ctx.area.pk}:{ctx.day.isoformat()}"
    return versions.cached(key, compute, panel_deps(panel, ctx.area), timeout=7 * 24 * 3600)


def panel_deps(panel, area):
    """What a panel's figures for ``area`` depend on: its part's data there."""
    from . import registry, versions

    part = next(p for p in registry.parts() if panel in p.panels)
    return versions.deps(area, [part.key])


def alert_rows(ctx, alerts):
    """The dashboard rows of these alerts for the area: label, count and link."""
    if ctx.alerts is None:
        return []
    return [
        {
            "key": a.key,
            "label": a.label,
            "count": ctx.alerts.get(a.key, 0),
            "url": a.link(ctx.user, ctx.area, ctx.day),
        }
        for a in alerts
    ]
