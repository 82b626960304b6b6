"""What every panel of the dashboard is given: the context, and the open alerts.

The open alerts (evaluated today) of every registered alert are counted for the area in
one statement (``core.alerts.area_counts``) and cached under the versions of every part
in the user's scope (``core/versions.py``: the counts include the scope's total), with that
total kept as the navigation badge.
"""

from django.core.cache import cache
from django.utils import timezone

from areas.scoping import scope_key
from core import alerts as kit_alerts
from core import registry, versions
from core.panels import PanelContext

TIMEOUT = 7 * 24 * 3600

alert_counts = kit_alerts.area_counts


def alerts(user, area):
    """({key: count in the area}, total in the user's scope), evaluated today.

    The total is also the navigation badge's (``core.alerts.total``): keeping it spares
    the badge the same counts after each change. Both are kept under the versions read
    before counting, so a change committed meanwhile makes them recomputed, never stale.
    """
    stamp = versions.stamp(kit_alerts.total_deps(user))
    today = timezone.localdate()
    key = f"dashboard:alerts:{scope_key(user)}:{area.pk}:{today}:{stamp}"
    value = cache.get(key)
    if value is None:
        value = alert_counts(user, area, today)
        cache.set(key, value, TIMEOUT)
        kit_alerts.remember_total(user, today, value[1], stamp)
    return value


def context(user, selection, *, sort="name", with_alerts=True, with_trend=True):
    counts = alerts(user, selection.area)[0] if with_alerts else None
    return PanelContext(
        user=user,
        area=selection.area,
        day=selection.day,
        areas=selection.areas,
        sort=sort,
        alerts=counts,
        with_trend=with_trend,
    )


def load(ctx):
    """[(panel, its figures)] for every registered panel."""
    return [(panel, panel.load(ctx)) for panel in registry.panels()]
