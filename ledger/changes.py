"""Small pieces the planner and the fact planner share: how a change is shown, and
reading many keys in chunks."""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from areas.models import Area

from .validation import CHOICE_CLASSES

CHUNK = 900  # keys per IN (...) query: below SQLite's 999 parameters


@dataclass(slots=True)
class FieldChange:
    key: str
    column: str
    before: str
    after: str
    token: str = ""  # the new value, independent of the interface language (for the digest)


def change(column, key, before, after):
    token = str(getattr(after, "pk", after))
    return FieldChange(key, column, display(key, before), display(key, after), token)


def display(key, value):
    """A value as the preview shows it."""
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if key in CHOICE_CLASSES:
        return str(CHOICE_CLASSES[key](value).label)
    if isinstance(value, list | tuple):
        return "、".join(str(v) for v in value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
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
