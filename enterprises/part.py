"""The "1" (扩面) as a part of the matrix: what it contributes to the kit's registries."""

from django.utils.translation import gettext_lazy as _

from core.registry import Part

from . import alerts, tables
from .dashboard.panel import CoveragePanel
from .sheets import SHEET

PART = Part(
    key="coverage",
    label=_("Coverage"),
    home="enterprises:list",
    url_prefix="enterprises/",
    panels=(CoveragePanel(),),
    tables=tables.TABLES,
    alerts=tuple(alerts.ALERTS),
    tabs_template="enterprises/_tabs.html",
    sheets=(SHEET,),
)
