"""Which area and which date a dashboard request is about.

- area: ``?area=<id>``, validated against ``Area.objects.for_user(user)``; without it,
  the area the user is looking at (``User.current_area``). Outside the scope it is an
  error (404 on the page, 400 on the API).
- date: ``?as_of=YYYY-MM-DD`` (default today); it cannot be in the future.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _

from areas.models import Area
from areas.tree import tree_order
from core.forms import parse_id


class OutOfScope(Exception):
    pass


@dataclass
class Selection:
    area: Area
    day: dt.date
    areas: list
    errors: list = field(default_factory=list)

    @property
    def choices(self):
        """Areas a user can pick: their scope's district/streets/communities, in tree order."""
        return tree_order(self.areas)


def parse_day(raw, today):
    """(date, error message or None)."""
    if not raw:
        return today, None
    try:
        day = dt.date.fromisoformat(raw.strip())
    except ValueError:
        return today, _("“%(value)s” is not a date (use YYYY-MM-DD).") % {"value": raw}
    if day > today:
        return today, _("The date cannot be in the future.")
    if day.year < 1990:
        return today, _("The date is too early.")
    return day, None


def select(request):
    """Resolve the request's area and date; raise OutOfScope for a foreign area."""
    user = request.user
    if not user.is_system_admin and user.area_id is None:
        raise OutOfScope("")  # a user without an area scope sees no figures
    # One query: the scope's areas (parents loaded), from which the current area is
    # resolved too; the header's area switch reuses the same list.
    areas = user.scope_areas
    current = user.current_area
    by_id = {a.pk: a for a in areas}
    raw = request.GET.get("area", "").strip()
    if raw:
        area = by_id.get(parse_id(raw))
        if area is None:
            raise OutOfScope(raw[:50])
    else:
        if current is None:
            raise OutOfScope("")
        area = by_id.get(current.pk, current)
    if area.pk in by_id:
        # Every community of the area is in the list: the figures read the stored state
        # of these communities by id (enterprises/dashboard/figures.py, ``_in_area``).
        area.community_ids = [
            a.pk for a in areas if a.level == Area.Level.COMMUNITY and area.contains(a)
        ]
    today = timezone.localdate()
    day, error = parse_day(request.GET.get("as_of", ""), today)
    return Selection(area=area, day=day, areas=areas, errors=[error] if error else [])


def quick_picks(today):
    """Today, the end of the last full quarter, the end of last year."""
    quarter_start_month = 3 * ((today.month - 1) // 3) + 1
    last_quarter_end = dt.date(today.year, quarter_start_month, 1) - dt.timedelta(days=1)
    return [
        ("today", today),
        ("quarter", last_quarter_end),
        ("year", dt.date(today.year - 1, 12, 31)),
    ]
