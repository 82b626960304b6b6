"""Alert rules of 点 as queryset functions ``(base queryset, today) -> queryset``
(``RULES``), and the same rules as the kit's alerts (``ALERTS``, registered in
``showcase/part.py``): a list page each whose columns say why a row fires, a share of the
badge, a count on the dashboard. Evaluated today, on the stored current state."""

import datetime as dt

from django.conf import settings
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.alerts import Alert
from core.tables import TAG, TITLE, Column
from enterprises import coverage
from enterprises.models import Coverage, Enterprise

from .models import RECOGNISED, TOPIC_ENDED, DemonstrationSite, Topic


def topic_overdue(qs, today):
    """A topic past its due date and not closed (销号 or 容错关闭)."""
    return qs.filter(due_on__lt=today).exclude(state__in=TOPIC_ENDED).order_by("due_on", "pk")


def site_review_due(qs, today):
    """A named or reviewed site whose review (复核) is due within 60 days, or overdue."""
    horizon = today + dt.timedelta(days=settings.SHOWCASE_REVIEW_ALERT_DAYS)
    return qs.filter(status__in=RECOGNISED, review_due__lte=horizon).order_by("review_due", "pk")


def site_lost_organization(qs, today):
    """A named or reviewed site whose enterprise no active party organisation covers
    today (the rule of ``enterprises.coverage``)."""
    covered = Enterprise.objects.filter(coverage.state_q("organization", today)).values("pk")
    return qs.filter(status__in=RECOGNISED).exclude(enterprise__in=covered).order_by("pk")


# (key, label, description, model, rule): what the part registers.
RULES = [
    (
        "topic_overdue",
        _("Topic overdue"),
        _("A 揭榜挂帅 topic past its due date and not closed."),
        Topic,
        topic_overdue,
    ),
    (
        "site_review_due",
        _("Site review due"),
        _("A demonstration site whose review (复核) is due within 60 days, or overdue."),
        DemonstrationSite,
        site_review_due,
    ),
    (
        "site_lost_organization",
        _("Site without an organisation"),
        _("A named demonstration site whose enterprise no longer has a party organisation."),
        DemonstrationSite,
        site_lost_organization,
    ),
]


# ---------------------------------------------------------------------------
# The alerts as the kit registers them (core.alerts.Alert): each list's columns say why a
# row fires.


def _days_overdue(topic):
    return (timezone.localdate() - topic.due_on).days


def _review_days(site):
    """Days until the review is due (negative: overdue)."""
    return (site.review_due - timezone.localdate()).days


def _review_when(site):
    days = _review_days(site)
    if days < 0:
        return gettext("overdue by %(n)s days") % {"n": -days}
    if days == 0:
        return gettext("due today")
    return gettext("due in %(n)s days") % {"n": days}


def organization_lost_on(site):
    """The day the enterprise's last organisation coverage ended: the coverage's end or its
    organisation's dissolution, whichever came first (None if none was ever recorded)."""
    ends = []
    for link in site.enterprise.coverages.all():
        candidates = [d for d in (link.until, link.organization.dissolved_on) if d]
        if candidates:
            ends.append(min(candidates))
    return max(ends) if ends else None


def _topic_columns():
    return (
        Column("title", _("Topic"), link=True, role=TITLE),
        Column("owner", _("Owner"), value=lambda t: str(t.owner)),
        Column("state", _("State"), value="get_state_display", role=TAG),
        Column("due_on", _("Due on")),
        Column("days_overdue", _("Days overdue"), value=_days_overdue, num=True),
        Column("claimer", _("Claimed by"), value=lambda t: str(t.claimer or "—")),
    )


def _site_columns(*extra):
    return (
        Column("brand_name", _("Site"), link=True, role=TITLE),
        Column("enterprise", _("Enterprise"), value="enterprise.name"),
        Column("status", _("Status"), value="get_status_display", role=TAG),
        *extra,
    )


ALERTS = [
    Alert(
        "topic_overdue",
        RULES[0][1],
        RULES[0][2],
        Topic,
        topic_overdue,
        columns=_topic_columns(),
        prepare=lambda qs, today: qs.select_related(
            "enterprise", "site", "claimed_branch", "claimed_team"
        ),
        order=("due_on", "pk"),
    ),
    Alert(
        "site_review_due",
        RULES[1][1],
        RULES[1][2],
        DemonstrationSite,
        site_review_due,
        columns=_site_columns(
            Column("review_due", _("Review due")),
            Column("when", _("When"), value=_review_when),
        ),
        prepare=lambda qs, today: qs.select_related("enterprise"),
        order=("review_due", "pk"),
    ),
    Alert(
        "site_lost_organization",
        RULES[2][1],
        RULES[2][2],
        DemonstrationSite,
        site_lost_organization,
        columns=_site_columns(
            Column("lost_on", _("Organisation lost on"), value=organization_lost_on),
            Column("status_since", _("Named or reviewed on")),
        ),
        prepare=lambda qs, today: qs.select_related("enterprise").prefetch_related(
            Prefetch(
                "enterprise__coverages",
                queryset=Coverage.objects.select_related("organization"),
            )
        ),
        order=("pk",),
    ),
]
