"""Alert rules of 点 as queryset functions ``(base queryset, today) -> queryset``, in the
form ``enterprises.alerts`` uses; they are registered with the kit's alert registry in
``showcase/part.py`` once it exists. Evaluated today, on the stored current state."""

import datetime as dt

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from enterprises import coverage
from enterprises.models import Enterprise

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
