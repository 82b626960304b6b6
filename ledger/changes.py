"""Small pieces every planner shares: how a change is shown, and reading many keys in
chunks."""

import datetime as dt
import decimal
from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext as _

from areas.models import Area

CHUNK = 900  # keys per IN (...) query: below SQLite's 999 parameters


@dataclass(slots=True)
class FieldChange:
    key: str
    column: str
    before: str
    after: str
    token: str = ""  # the new value, independent of the interface language (for the digest)


def change(column_header, key, before, after, column=None):
    token = str(getattr(after, "pk", after))
    return FieldChange(key, column_header, display(before, column), display(after, column), token)


def display(value, column=None):
    """A value as the preview shows it."""
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if column is not None and column.choices is not None and not isinstance(value, list):
        try:
            return str(column.choices(value).label)
        except ValueError:
            return str(value)
    if isinstance(value, list | tuple):
        return "、".join(str(v) for v in value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return f"{value:.2f}"
    if isinstance(value, models.Model):
        return str(value)
    return str(value)


def chunked(values, query):
    """Run ``query(chunk)`` over ``values`` in chunks of CHUNK; yield every result."""
    values = list(values)
    for start in range(0, len(values), CHUNK):
        yield from query(values[start : start + CHUNK])


def scope_communities(user):
    """The communities in the user's area (none for a user without an area)."""
    if not (user.is_system_admin or user.area_id):
        return Area.objects.none()
    return Area.objects.for_user(user).filter(level=Area.Level.COMMUNITY)
