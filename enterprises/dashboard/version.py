"""What a change can affect: dated invalidation of cached trend points.

Cached figures are keyed on the project's data version (``audit.version``: one number,
bumped after every committed change), so the snapshot of a day and the alerts are
recomputed after any change and never shown stale.

Trend points (month-ends) would then be recomputed after every edit, although a figure
as of a past day D only depends on records dated on or before D (METRICS.md, invariant 4).
So each point also carries a *mark* of the audit trail at the time it was computed:

- ``count``, ``max(id)`` and ``min(id)`` of ``audit.Change`` (every audited write, single
  or bulk, writes one in its transaction). The changes committed since are the rows with
  a higher id, *if* their number equals the growth of ``count``; otherwise a transaction
  that took its ids earlier committed later (or ``prune_audit`` ran, which moves
  ``min(id)``), and the point is recomputed;
- the enterprise table's ``max(id)``: synthetic demo enterprises are inserted without
  the audit trail; if it moved, the point is recomputed.

``earliest_effect`` reads those changes and returns the earliest day they can affect; a
point stays valid when that day is after it. Anything not clearly dated (an area edit,
another enterprise, community or formation, a many-to-many edit …) affects every day.
``TREND_FIELDS`` lists, per model, the fields the trend's expressions (``operating_on``,
``in_area``, ``coverage_case``, ``band_case`` over ``latest_return``) read: keep it in
step with enterprises/coverage.py.
"""

import datetime as dt
import json
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db import connection, models

from areas.models import Area
from audit.models import Change
from enterprises.models import (
    Coverage,
    Enterprise,
    LiaisonAssignment,
    MassOrganization,
    MembershipReturn,
    PartyOrganization,
)

# Fields (attnames) the trend's figures read. A change to any other field of these models,
# or to any other model, cannot change a trend point. Area: every field counts.
TREND_FIELDS = {
    Enterprise: {"community_id", "tracked_since", "status", "status_date", "archived_at"},
    PartyOrganization: {"formation", "established_on", "dissolved_on"},
    Coverage: {"organization_id", "enterprise_id", "since", "until"},
    MembershipReturn: {"enterprise_id", "reported_on", "formal"},
    LiaisonAssignment: {"enterprise_id", "start", "end"},
    MassOrganization: {"enterprise_id", "established_on", "dissolved_on"},
    Area: None,
}
# The snapshot of a day also reads the breakdown dimensions, every member field, the kind
# of mass organisation and the area of an organisation (organisations formed this year).
SNAPSHOT_FIELDS = {
    **TREND_FIELDS,
    Enterprise: TREND_FIELDS[Enterprise] | {"industry", "size", "ownership", "above_scale"},
    PartyOrganization: TREND_FIELDS[PartyOrganization] | {"area_id"},
    MembershipReturn: TREND_FIELDS[MembershipReturn]
    | {"probationary", "development_targets", "activists", "applicants"},
    MassOrganization: TREND_FIELDS[MassOrganization] | {"kind"},
}
# A non-date field that is dated by a date field changed with it (a closure and its day).
DATED_BY = {Enterprise: {"status": "status_date"}}
CHANGES_READ_LIMIT = 500  # more changes than this since a point: recompute it

ALWAYS = dt.date.min  # a change that can affect every day
NEVER = dt.date.max  # a change that cannot affect any figure of the trend


@dataclass(frozen=True)
class Mark:
    """The audit trail when a trend point was computed."""

    count: int
    max_id: int
    min_id: int
    enterprise_max: int


def mark_and_changes(since_id=None, limit=CHANGES_READ_LIMIT):
    """(current Mark, changes with an id above ``since_id``, at most ``limit`` + 1) in one
    statement; each change is (id, content_type_id, action, changes dict)."""
    change = connection.ops.quote_name(Change._meta.db_table)
    enterprise = connection.ops.quote_name(Enterprise._meta.db_table)
    mark = (
        f"SELECT (SELECT COUNT(*) FROM {change}) AS n, (SELECT MAX(id) FROM {change}) AS hi, "
        f"(SELECT MIN(id) FROM {change}) AS lo, (SELECT MAX(id) FROM {enterprise}) AS ent"
    )
    params = []
    if since_id is None:
        sql = f"SELECT m.n, m.hi, m.lo, m.ent, NULL, NULL, NULL, NULL FROM ({mark}) m"
    else:
        sql = (
            f"SELECT m.n, m.hi, m.lo, m.ent, c.id, c.content_type_id, c.action, c.changes "
            f"FROM ({mark}) m LEFT JOIN (SELECT id, content_type_id, action, changes "
            f"FROM {change} WHERE id > %s ORDER BY id LIMIT %s) c ON 1 = 1"
        )
        params = [since_id, limit + 1]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    first = rows[0]
    current = Mark(*(v or 0 for v in first[:4]))
    changes = sorted(
        (r[4], r[5], r[6], json.loads(r[7]) if isinstance(r[7], str) else r[7] or {})
        for r in rows
        if r[4] is not None
    )
    return current, changes


def _date_fields(model):
    return {
        f.attname
        for f in model._meta.concrete_fields
        if isinstance(f, models.DateField) and not isinstance(f, models.DateTimeField)
    }


def _dates(values):
    days = []
    for value in values:
        if value:
            try:
                days.append(dt.date.fromisoformat(str(value)[:10]))
            except ValueError:
                return [ALWAYS]
    return days


def effect_of(model, action, changes, fields=TREND_FIELDS):
    """The earliest day whose figures (reading ``fields``) this one change can alter."""
    if model not in fields:
        return NEVER
    relevant = fields[model]
    if relevant is None:
        return ALWAYS
    date_fields = _date_fields(model)
    if action in (Change.Action.CREATE, Change.Action.DELETE):
        # A new or removed record matters from its earliest date on (its start).
        side = 1 if action == Change.Action.CREATE else 0
        days = _dates(pair[side] for name, pair in changes.items() if name in date_fields)
        return min(days, default=ALWAYS)
    concrete = {f.attname for f in model._meta.concrete_fields}
    if any(name not in concrete for name in changes):
        return ALWAYS  # a many-to-many edit: not dated
    touched = {name for name in changes if name in relevant}
    if not touched:
        return NEVER
    dated_by = DATED_BY.get(model, {})
    days = []
    for name in touched:
        if name in date_fields:
            days.extend(_dates(changes[name]))
        elif dated_by.get(name) in changes:
            days.extend(_dates(changes[dated_by[name]]))
        else:
            return ALWAYS  # e.g. another enterprise, community or formation: every day
    return min(days, default=ALWAYS)


def earliest_effect(rows, fields=TREND_FIELDS):
    """The earliest day any of these ``mark_and_changes`` rows can affect."""
    # Content types of the models that matter (cached by Django after the first call);
    # any other model's change cannot affect the trend.
    models_by_type = {
        ct.pk: m for m, ct in ContentType.objects.get_for_models(*SNAPSHOT_FIELDS).items()
    }
    earliest = NEVER
    for _id, content_type_id, action, changes in rows:
        model = models_by_type.get(content_type_id)
        if model is None:
            continue
        earliest = min(earliest, effect_of(model, action, changes or {}, fields))
        if earliest == ALWAYS:
            break
    return earliest
