"""Cached access to the coverage panel's figures; a cached figure is never shown stale.

- The snapshot of a day (the "1" panel and its breakdowns) and each trend point (the
  month-ends before D's month) are cached per area and day with the data version and the
  audit-trail mark they were computed under (``version.Mark``). Same data version: valid.
  Otherwise the changes written since are read from the audit trail, and the entry stays
  valid only if none of them can affect its day (``earliest_effect``: a record dated
  after that day, or a field these figures do not read). When the changes cannot be
  accounted for (a late commit, a prune, more than ``CHANGES_READ_LIMIT`` changes,
  unaudited demo data), it is recomputed. Today's snapshot is recomputed after almost any
  change (most are dated today); a past day's usually is not.

Everything missing is computed in one statement (``figures.compute``), so a page costs
the same number of queries whatever the data size.
"""

from dataclasses import dataclass

from django.core.cache import cache

from audit import version as data_version

from . import figures
from . import version as versions

TIMEOUT = 7 * 24 * 3600


@dataclass
class Figures:
    snapshot: figures.Snapshot
    trend: dict  # point -> Tally, oldest first
    version: int


def _key(*parts):
    return "dashboard:" + ":".join(str(p) for p in parts)


def _still_valid(entries, dv):
    """Which cached entries no committed change can have made stale.

    entries: {name: (day, entry or None, fields)}, an entry being {"value", "dv", "mark"}.
    Returns ({name: value} of the valid ones, the current Mark, or None when every entry
    was stamped with the current data version and nothing had to be read).
    """
    valid, to_check = {}, []
    for name, (day, entry, fields) in entries.items():
        if entry is None:
            continue
        if entry["dv"] == dv:
            valid[name] = entry["value"]
        else:
            to_check.append((name, day, entry, fields))
    if len(valid) == len(entries):
        return valid, None
    since = min((entry["mark"].max_id for _, _, entry, _ in to_check), default=None)
    current, rows = versions.mark_and_changes(since)
    if len(rows) > versions.CHANGES_READ_LIMIT:
        return valid, current
    for name, day, entry, fields in to_check:
        mark = entry["mark"]
        if mark.min_id != current.min_id or mark.enterprise_max != current.enterprise_max:
            continue
        newer = [row for row in rows if row[0] > mark.max_id]
        # Every change committed since must be one with a higher id (else: a late commit).
        if len(newer) != current.count - mark.count:
            continue
        if versions.earliest_effect(newer, fields) > day:
            valid[name] = entry["value"]
    return valid, current


SNAPSHOT = "snapshot"


def load(area, day, *, with_trend=True):
    """All figures the panel needs; one computing statement on a miss.

    Cache entries per area: one per day for the snapshot, and one holding all the area's
    trend points (few entries, so a small per-process cache does not cull them).
    """
    dv = data_version.current()
    points = figures.trend_days(day)[:-1] if with_trend else []
    snap_key, trend_key = _key("snapshot", area.pk, day), _key("trend", area.pk)
    cached = cache.get_many([snap_key, trend_key] if points else [snap_key])
    stored_points = cached.get(trend_key) or {}
    entries = {SNAPSHOT: (day, cached.get(snap_key), versions.SNAPSHOT_FIELDS)}
    entries.update({p: (p, stored_points.get(p), versions.TREND_FIELDS) for p in points})
    valid, mark = _still_valid(entries, dv)
    snap = valid.pop(SNAPSHOT, None)
    trend = valid
    missing = [p for p in points if p not in trend]
    if snap is None or missing:
        computed, new_points = figures.compute(area, day, snapshot=snap is None, trend=missing)
        snap = computed or snap
        trend.update({p: t for p, t in new_points.items() if p in entries})
    # (Re)stamp what is not stamped with this data version, so the next check is free.
    if mark is not None:
        stamp = {"dv": dv, "mark": mark}
        if entries[SNAPSHOT][1] is None or entries[SNAPSHOT][1]["dv"] != dv:
            cache.set(snap_key, {"value": snap, **stamp}, TIMEOUT)
        changed = {
            p: {"value": t, **stamp}
            for p, t in trend.items()
            if entries[p][1] is None or entries[p][1]["dv"] != dv
        }
        if changed:
            cache.set(trend_key, {**stored_points, **changed}, TIMEOUT)
    if with_trend:
        trend = {p: trend[p] for p in points}
        trend[day] = snap.total
    return Figures(snap, trend, dv)
