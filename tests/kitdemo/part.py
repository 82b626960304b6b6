from core.registry import Part

from . import alerts, panels, tables

PART = Part(
    key="patrols",
    label="Patrols",
    home="kitdemo:list",
    url_prefix="kitdemo/",
    panels=(panels.PatrolPanel(),),
    alerts=tuple(alerts.ALERTS),
    tables=(tables.PatrolTable(),),
)
