"""Small pieces every planner shares: how a change is shown, and reading many keys in
chunks."""

import datetime as dt
import decimal

from django.db import models
from django.utils.translation import gettext as _

from areas.models import Area

CHUNK = 900  # keys per IN (...) query: below SQLite's 999 parameters


class FieldChange:
    """A change a row would make. The values are shown (``before`` / ``after``) only
    when the preview needs them; ``token`` is the new value, independent of the
    interface language (for the digest)."""

    __slots__ = ("key", "column", "old", "new", "field", "token")

    def __init__(self, key, column, old, new, field=None):
        self.key = key
        self.column = column  # the header, as in the file
        self.old = old
        self.new = new
        self.field = field  # spec.Column, for how choices are shown
        self.token = str(getattr(new, "pk", new))

    @property
    def before(self):
        return display(self.old, self.field)

    @property
    def after(self):
        return display(self.new, self.field)


def change(column_header, key, before, after, column=None):
    return FieldChange(key, column_header, before, after, column)


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
