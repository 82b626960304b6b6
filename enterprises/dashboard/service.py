"""Cached access to the coverage panel's figures; a cached figure is never shown stale.

The snapshot of a day (the "1" panel and its breakdowns) and the trend points (the
month-ends before D's month) of an area are cached under the versions of the "1" in that
area (``core/versions.py``): a change in one street leaves every other street's figures
cached, and a district's until a change anywhere under it. After a change they are
computed afresh, so a past day's figures are as correct as today's.

Everything missing is computed in one statement (``figures.compute``), so a page costs
the same number of queries whatever the data size.
"""

from dataclasses import dataclass

from django.core.cache import cache

from core import versions

from . import figures

TIMEOUT = 7 * 24 * 3600
PART = "coverage"  # enterprises/part.py


@dataclass
class Figures:
    snapshot: figures.Snapshot
    trend: dict  # point -> Tally, oldest first
    version: str  # the versions' stamp they were computed under


def _key(*parts):
    return "dashboard:" + ":".join(str(p) for p in parts)


def load(area, day, *, with_trend=True):
    """All figures the panel needs; one computing statement on a miss.

    Cache entries per area and versions: one per day for the snapshot, and one holding
    all the area's trend points (few entries, so a small per-process cache does not cull
    them).
    """
    stamp = versions.stamp(versions.deps(area, [PART]))
    points = figures.trend_days(day)[:-1] if with_trend else []
    snap_key, trend_key = _key("snapshot", area.pk, day, stamp), _key("trend", area.pk, stamp)
    cached = cache.get_many([snap_key, trend_key] if points else [snap_key])
    snap = cached.get(snap_key)
    stored_points = cached.get(trend_key) or {}
    trend = {p: stored_points[p] for p in points if p in stored_points}
    missing = [p for p in points if p not in trend]
    if snap is None or missing:
        computed, new_points = figures.compute(area, day, snapshot=snap is None, trend=missing)
        if snap is None:
            snap = computed
            cache.set(snap_key, snap, TIMEOUT)
        if missing:
            trend.update({p: t for p, t in new_points.items() if p in points})
            cache.set(trend_key, {**stored_points, **trend}, TIMEOUT)
    if with_trend:
        trend = {p: trend[p] for p in points}
        trend[day] = snap.total
    return Figures(snap, trend, stamp)
