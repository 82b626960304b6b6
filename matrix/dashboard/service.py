"""What every panel of the dashboard is given: the context, and the open alerts.

The open alerts (evaluated today) of every registered alert are counted for the area in
one statement (``core.alerts.area_counts``) and cached under the data version, with the
total of the user's whole scope kept as the navigation badge.
"""

from django.core.cache import cache
from django.utils import timezone

from areas.scoping import scope_key
from audit import version
from core import alerts as kit_alerts
from core import registry
from core.panels import PanelContext

TIMEOUT = 7 * 24 * 3600

alert_counts = kit_alerts.area_counts


def alerts(user, area, dv=None):
    """({key: count in the area}, total in the user's scope), evaluated today.

    The total is also the navigation badge's (``core.alerts.total``): keeping it spares
    the badge the same counts after each change.
    """
    dv = version.current() if dv is None else dv
    today = timezone.localdate()
    key = f"dashboard:alerts:{scope_key(user)}:{area.pk}:{today}:{dv}"
    value = cache.get(key)
    if value is None:
        value = alert_counts(user, area, today)
        cache.set(key, value, TIMEOUT)
        kit_alerts.remember_total(user, today, value[1], dv)
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
