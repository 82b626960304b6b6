"""Drill-down links: each figure opens the enterprise list with exactly its filters.

The list (``enterprises.filters.EnterpriseFilter``) evaluates the same ``coverage.py``
expressions at ``as_of``, so its row count equals the figure (tests/matrix check every
figure by following its link).
"""

from django.urls import reverse
from django.utils.http import urlencode

from . import figures

# The enterprise list's parameter for each figure key.
FILTER_FOR = {
    **{key: {"coverage": key} for key in figures.COVERAGE_KEYS},
    **{band: {"band": band} for band in figures.BANDS},
    "should_form": {"should_form": "1"},
    **{kind: {"mass": kind} for kind in figures.MASS_KINDS},
    "operating": {},
}


def enterprise_list(area, day, **filters):
    """The operating enterprises of ``area`` at ``day``, narrowed by ``filters``."""
    params = {"status": "operating", "as_of": day.isoformat(), "area": area.pk, **filters}
    return f"{reverse('enterprises:list')}?{urlencode(params)}"


def figure(area, day, key, **extra):
    return enterprise_list(area, day, **extra, **FILTER_FOR[key])


def alert(area, key):
    """An enterprise alert's list narrowed to the area (alerts are evaluated today)."""
    return f"{reverse('enterprises:list')}?{urlencode({'area': area.pk, 'alert': key})}"
