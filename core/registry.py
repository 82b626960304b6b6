"""The parts of the matrix (the "1", 点, 线, 面, 慈善), discovered per app.

An app that is a part of the matrix has a module ``part.py`` that declares ``PART``: its
navigation entry, URL prefix, dashboard panels, alerts, export tables and ledger sheets.
The dashboard, its export and JSON, the navigation and its badge, the alert pages, the
exports and the importer loop over what is registered here, so ``core/``, ``ledger/`` and
``matrix/`` name no part, and a new part is one folder (docs/ARCHITECTURE.md, "How to add
a part of the matrix").

Discovery runs once, on first use, in ``INSTALLED_APPS`` order (as ``seed_demo`` finds
each app's ``demo.py``), so parts appear in that order everywhere.
"""

import importlib
import threading
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps

MODULE = "part"


@dataclass(frozen=True)
class Part:
    key: str  # e.g. "coverage", "points": cache namespace and JSON key
    label: Any  # the navigation entry
    home: str = ""  # URL name of the navigation entry, e.g. "enterprises:list"
    url_prefix: str = ""  # where matrix/urls.py mounts the app's urls.py ("" = not mounted)
    panels: tuple = ()  # core.panels.Panel
    alerts: tuple = ()  # core.alerts.Alert
    tables: tuple = ()  # core.tables.Table: the part's lists and their exports
    sheets: tuple = ()  # ledger sheet specs (imports)
    tabs_template: str = ""  # the part's tabs, shown on its kit pages (alerts)
    app_label: str = field(default="", compare=False)  # also its URL namespace
    module: str = field(default="", compare=False)  # the app's package


_lock = threading.Lock()
_parts = None


def parts():
    """Every registered part, in INSTALLED_APPS order."""
    global _parts
    if _parts is None:
        with _lock:
            if _parts is None:
                _parts = _discover()
    return _parts


def _discover():
    found = []
    for config in apps.get_app_configs():
        try:
            module = importlib.import_module(f"{config.name}.{MODULE}")
        except ModuleNotFoundError as error:
            if error.name == f"{config.name}.{MODULE}":
                continue
            raise
        part = module.PART
        object.__setattr__(part, "app_label", config.label)
        object.__setattr__(part, "module", config.name)
        found.append(part)
    keys = [p.key for p in found]
    if len(keys) != len(set(keys)):
        raise ValueError(f"two parts share a key: {keys}")
    return found


def part(key):
    for p in parts():
        if p.key == key:
            return p
    raise KeyError(key)


def part_of_app(app_label):
    for p in parts():
        if p.app_label == app_label:
            return p
    return None


def panels():
    return [panel for p in parts() for panel in p.panels]


def alerts():
    return [alert for p in parts() for alert in p.alerts]


def alert(key):
    """The alert with this key, or None."""
    return next((a for a in alerts() if a.key == key), None)


def tables():
    return [table for p in parts() for table in p.tables]


def table(kind):
    """The table exported as ``kind``, or None."""
    return next((t for t in tables() if t.kind == kind), None)


def sheets():
    return [sheet for p in parts() for sheet in p.sheets]


def sheet(kind):
    return next((s for s in sheets() if s.kind == kind), None)
