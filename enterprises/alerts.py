"""The alerts (预警) of the "1": each is a queryset over live data, evaluated today.

They are registered in ``part.py`` (the kit's ``core.alerts.Alert``): each gets a list
page whose columns say why a row fires, a count on the dashboard and its share of the
navigation badge. Enterprise alerts also narrow the enterprise list (``?alert=<key>``).
"""

import datetime as dt

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from core import alerts as kit
from core.alerts import Alert
from core.tables import TAG, TITLE, Column

from . import coverage, readers
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


def _operating(qs, today):
    return qs.operating_on(today)


# Enterprise rules take ``correlated``: uncorrelated IN (one hashed lookup) for lists and
# counts over thousands of rows; correlated EXISTS (index lookups) for one enterprise.


def should_form(qs, today, correlated=False):
    """≥ 3 formal members (latest return) and no standalone organisation: read from the
    stored state at ``today`` (operating, band "many", state not standalone)."""
    condition = Q(member_band=coverage.MANY) & ~Q(coverage_state=coverage.STANDALONE)
    return qs.filter(readers.operating(today, condition, correlated))


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
    """Latest return shows no formal or probationary member, and no liaison is assigned.
    The members come from the stored state; liaisons are not stored (only the coverage
    state they feed is), so that part is the rule's."""
    return qs.filter(readers.operating(today, Q(formal=0, probationary=0), correlated)).exclude(
        coverage.has_liaison_on(today, correlated)
    )


def stale_return(qs, today, correlated=False):
    since = months_before(today, settings.RETURN_STALE_MONTHS)
    recent = MembershipReturn.objects.filter(
        enterprise=OuterRef("pk"), reported_on__gt=since, reported_on__lte=today
    )
    return _operating(qs, today).exclude(Exists(recent))


# ---------------------------------------------------------------------------
# What each list shows: the figure and the date behind each row


def with_latest_return(queryset, today):
    """Each enterprise's latest return on or before today: its date and member counts."""
    latest = coverage.latest_return(today)
    return coverage.annotate_members(
        queryset.select_related("community__parent"), today, ["formal", "probationary"]
    ).annotate(return_date=Subquery(latest.values("reported_on")[:1]))


def enterprise_list_link(key):
    def link(area, day=None):
        return f"{reverse('enterprises:list')}?{urlencode({'area': area.pk, 'alert': key})}"

    return link


def _due_html(o):
    if o.next_election_due and o.next_election_due < timezone.localdate():
        return format_html(
            '{} <span class="tag bad">{}</span>', o.next_election_due.isoformat(), _("Overdue")
        )
    return o.next_election_due.isoformat() if o.next_election_due else "—"


ENTERPRISE = Column("name", _("Enterprise"), link=True, role=TITLE)
COMMUNITY = Column("community", _("Community"), value="community.name")
RETURN_DATE = Column("return_date", _("Latest return"))
ORGANIZATION = Column("name", _("Party organisation"), link=True, role=TITLE)
MANAGED_BY = Column("area", _("Managing area"), value="area.name")

ALERTS = [
    Alert(
        "should_form",
        _("Should form, has not"),
        _("At least 3 formal members and no standalone party organisation (应建未建)."),
        Enterprise,
        should_form,
        columns=(
            ENTERPRISE,
            COMMUNITY,
            Column("formal", _("Formal members"), num=True),
            RETURN_DATE,
        ),
        prepare=with_latest_return,
        order=("name", "pk"),
        drill_down=enterprise_list_link("should_form"),
    ),
    Alert(
        "election_due",
        _("Term change due"),
        _("The next term change (换届) is due within 90 days or overdue."),
        PartyOrganization,
        election_due,
        columns=(
            ORGANIZATION,
            Column("level", _("Level"), value="get_level_display"),
            MANAGED_BY,
            Column(
                "last_change",
                _("Last term change or establishment"),
                value=lambda o: o.last_election_on or o.established_on,
            ),
            Column("next_election_due", _("Next term change due"), html=_due_html, role=TAG),
        ),
        prepare=lambda qs, today: qs.select_related("area"),
        order=("next_election_due", "pk"),
    ),
    Alert(
        "joint_oversize",
        _("Joint branch too large"),
        _("A joint branch covers more than 5 units."),
        PartyOrganization,
        joint_oversize,
        columns=(
            ORGANIZATION,
            MANAGED_BY,
            Column("units", _("Units covered now"), num=True),
            Column(
                "limit", _("Limit"), value=lambda o: PartyOrganization.JOINT_MAX_UNITS, num=True
            ),
        ),
        prepare=lambda qs, today: qs.select_related("area"),
        order=("name", "pk"),
    ),
    Alert(
        "transfer_overdue",
        _("Transfer overdue"),
        _("A membership transfer is still in progress after the allowed number of days."),
        MembershipTransfer,
        transfer_overdue,
        columns=(
            Column("member_name", _("Member"), link=True, role=TITLE),
            Column("to_organization", _("Transferring to"), value="to_organization.name"),
            Column("started_on", _("Started")),
            Column("due_on", _("Due")),
            Column(
                "days_over",
                _("Days overdue"),
                num=True,
                value=lambda t: (timezone.localdate() - t.due_on).days,
            ),
        ),
        prepare=lambda qs, today: qs.select_related("to_organization", "enterprise"),
        order=("started_on", "pk"),
    ),
    Alert(
        "no_members_no_liaison",
        _("No members, no liaison"),
        _("An operating enterprise with no party members and no liaison assigned."),
        Enterprise,
        no_members_no_liaison,
        columns=(
            ENTERPRISE,
            COMMUNITY,
            Column("formal", _("Formal members"), num=True),
            Column("probationary", _("Probationary members"), num=True),
            RETURN_DATE,
        ),
        prepare=with_latest_return,
        order=("name", "pk"),
        drill_down=enterprise_list_link("no_members_no_liaison"),
    ),
    Alert(
        "stale_return",
        _("No recent membership return"),
        _("An operating enterprise with no membership return in the last 12 months."),
        Enterprise,
        stale_return,
        columns=(
            ENTERPRISE,
            COMMUNITY,
            Column(
                "return_date",
                _("Latest return"),
                html=lambda e: e.return_date.isoformat() if e.return_date else _("None"),
            ),
            Column("tracked_since", _("Tracked since")),
        ),
        prepare=with_latest_return,
        order=("name", "pk"),
        drill_down=enterprise_list_link("stale_return"),
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
    """{key: count} of the alerts of the "1" in the user's scope."""
    return kit.counts(user, today, ALERTS)


total = kit.total  # the navigation badge: every part's alerts
