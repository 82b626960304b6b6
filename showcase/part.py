"""点 (点上抓示范) as a part of the matrix: what it contributes to the kit's registries."""

from django.utils.translation import pgettext_lazy

from core.registry import Part

from . import alerts, panels, sheets, tables

PART = Part(
    key="points",
    label=pgettext_lazy("navigation", "Demonstration"),
    home="showcase:site_list",
    url_prefix="showcase/",
    panels=(panels.PointsPanel(),),
    alerts=tuple(alerts.ALERTS),
    tables=tables.TABLES,
    sheets=sheets.SHEETS,
    tabs_template="showcase/_tabs.html",
)
