"""Sign-in lockout by (username, address), so one office behind a NAT is not locked out."""

import datetime as dt

from django.conf import settings
from django.utils import timezone

from audit.models import Event


def locked_until(username, ip, now=None):
    """When the lock on this username from this address ends, or None if not locked.

    Locked when the last LOCKOUT_FAILURES failures since the last successful sign-in all
    fall within LOCKOUT_WINDOW_SECONDS; the lock lasts LOCKOUT_DURATION_SECONDS from the
    last of them. Refused attempts during a lock are logged as "blocked", not failures,
    so they do not extend it.
    """
    now = now or timezone.now()
    window = dt.timedelta(seconds=settings.LOCKOUT_WINDOW_SECONDS)
    duration = dt.timedelta(seconds=settings.LOCKOUT_DURATION_SECONDS)
    events = Event.objects.filter(username=username, ip=ip, at__gte=now - window - duration)
    last_success = (
        events.filter(kind=Event.Kind.LOGIN).order_by("-at").values_list("at", flat=True).first()
    )
    failures = events.filter(kind=Event.Kind.LOGIN_FAILED)
    if last_success:
        failures = failures.filter(at__gt=last_success)
    recent = list(
        failures.order_by("-at").values_list("at", flat=True)[: settings.LOCKOUT_FAILURES]
    )
    if len(recent) < settings.LOCKOUT_FAILURES or recent[0] - recent[-1] > window:
        return None
    until = recent[0] + duration
    return until if now < until else None
