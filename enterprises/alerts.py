"""Alerts (预警) that really fire: each is a queryset over live data, evaluated today.

Every alert has a list page and counts in the navigation. Adding one = adding an
``Alert`` to ``ALERTS`` with a queryset function; the pages pick it up.
"""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Count, Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from areas.scoping import scope_key
from audit import version

from . import coverage
from .models import (
    Coverage,
    Enterprise,
    MembershipReturn,
    MembershipTransfer,
    PartyOrganization,
)


def months_before(day, months):
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    month += 1
    for d in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, d)
        except ValueError:
            continue
    raise ValueError(day)


@dataclass(frozen=True)
class Alert:
    key: str
    label: Any
    description: Any
    model: type
    build: Any  # (base queryset, today) -> queryset

    def queryset(self, user, today=None):
        today = today or timezone.localdate()
        return self.build(self.model.objects.for_user(user), today)

    def count(self, user, today=None):
        return self.queryset(user, today).count()

    @property
    def row_kind(self):
        """What a row of this alert's list is: enterprise, partyorganization, …"""
        return self.model._meta.model_name


def _operating(qs, today):
    return qs.operating_on(today)


# Enterprise rules take ``correlated``: uncorrelated IN (one hashed lookup) for lists and
# counts over thousands of rows; correlated EXISTS (index lookups) for one enterprise.


def should_form(qs, today, correlated=False):
    """≥ 3 formal members (latest return) and no standalone organisation."""
    return (
        _operating(qs, today)
        .filter(coverage.band_q(coverage.MANY, today))
        .exclude(coverage.state_q(coverage.STANDALONE, today, correlated))
    )


def election_due(qs, today):
    horizon = today + dt.timedelta(days=settings.ELECTION_ALERT_DAYS)
    return qs.active_on(today).filter(next_election_due__lte=horizon).order_by("next_election_due")


def joint_oversize(qs, today):
    return (
        qs.active_on(today)
        .filter(formation=PartyOrganization.Formation.JOINT)
        .annotate(
            units=Count(
                "coverages",
                filter=Coverage.active_q(today, prefix="coverages__"),
                distinct=True,
            )
        )
        .filter(units__gt=PartyOrganization.JOINT_MAX_UNITS)
    )


def transfer_overdue(qs, today):
    return qs.overdue(today).order_by("started_on")


def no_members_no_liaison(qs, today, correlated=False):
    """Latest return shows no formal or probationary member, and no liaison is assigned."""
    return (
        _operating(qs, today)
        .filter(coverage.members_q(today, formal=0, probationary=0))
        .exclude(coverage.has_liaison_on(today, correlated))
    )


def stale_return(qs, today, correlated=False):
    since = months_before(today, settings.RETURN_STALE_MONTHS)
    recent = MembershipReturn.objects.filter(
        enterprise=OuterRef("pk"), reported_on__gt=since, reported_on__lte=today
    )
    return _operating(qs, today).exclude(Exists(recent))


ALERTS = [
    Alert(
        "should_form",
        _("Should form, has not"),
        _("At least 3 formal members and no standalone party organisation (应建未建)."),
        Enterprise,
        should_form,
    ),
    Alert(
        "election_due",
        _("Term change due"),
        _("The next term change (换届) is due within 90 days or overdue."),
        PartyOrganization,
        election_due,
    ),
    Alert(
        "joint_oversize",
        _("Joint branch too large"),
        _("A joint branch covers more than 5 units."),
        PartyOrganization,
        joint_oversize,
    ),
    Alert(
        "transfer_overdue",
        _("Transfer overdue"),
        _("A membership transfer is still in progress after the allowed number of days."),
        MembershipTransfer,
        transfer_overdue,
    ),
    Alert(
        "no_members_no_liaison",
        _("No members, no liaison"),
        _("An operating enterprise with no party members and no liaison assigned."),
        Enterprise,
        no_members_no_liaison,
    ),
    Alert(
        "stale_return",
        _("No recent membership return"),
        _("An operating enterprise with no membership return in the last 12 months."),
        Enterprise,
        stale_return,
    ),
]
BY_KEY = {alert.key: alert for alert in ALERTS}
ENTERPRISE_ALERTS = [a for a in ALERTS if a.model is Enterprise]


def enterprise_alerts(enterprise, today=None):
    """The alerts that fire for one enterprise (used on its page, which has already
    checked the user's scope): each alert's rule applied to that one row."""
    today = today or timezone.localdate()
    one = Enterprise.objects.filter(pk=enterprise.pk)
    return [a for a in ENTERPRISE_ALERTS if a.build(one, today, correlated=True).exists()]


def filter_enterprises(queryset, key, today=None):
    """Narrow an enterprise queryset to one enterprise alert (list filter)."""
    return BY_KEY[key].build(queryset, today or timezone.localdate())


def counts(user, today=None):
    return {alert.key: alert.count(user, today) for alert in ALERTS}


def total(user, today=None):
    """Open alerts in the user's area, for the navigation badge on every page.

    Cached under the data version (audit/version.py): recomputed after any change, so it
    is never stale, and costs one small query otherwise.
    """
    today = today or timezone.localdate()
    return version.cached(_total_key(user, today), lambda: sum(counts(user, today).values()))


def remember_total(user, today, value, data_version):
    """The dashboard counts the same alerts over the user's scope: keep its total for the
    badge (computed under ``data_version``), so the six counts run once per change."""
    version.store(_total_key(user, today), value, data_version)


def _total_key(user, today):
    scope = scope_key(user)
    return f"alerts-total:{scope}:{today.isoformat()}"
