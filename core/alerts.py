"""Alerts (预警) of every part: a rule as a queryset, a list page that says why each row
fires, and a count; the navigation badge is the sum over every registered alert.

A part lists its ``Alert``s in its ``PART`` (``core/registry.py``). Each one gets, with no
code of its own, a list page at ``/<part prefix>/alerts/<key>/`` (``<app>:alert_list``),
a row in its part's alert index and in the index of all alerts (``/alerts/``), its share
of the badge, and its count on the dashboard. Alerts are evaluated today, whatever date a
page shows.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.urls import reverse
from django.utils import timezone

from areas.scoping import scope_key

from . import registry, sql, versions
from .tables import TITLE, Column, Table


@dataclass(frozen=True)
class Alert:
    key: str
    label: Any
    description: Any
    model: type
    build: Callable  # (queryset of ``model`` in scope, today) -> the rows that fire
    columns: tuple = ()  # the list page's columns: why each row fires (core.tables.Column)
    prepare: Callable | None = None  # (queryset, today) -> what the columns read
    order: tuple = ("pk",)
    # (area, day) -> a list narrowed to ``area`` showing exactly the rows (e.g. the
    # enterprise list with ?alert=); None: the alert's own page, which lists the user's
    # whole scope.
    drill_down: Callable | None = None

    def queryset(self, user, today=None):
        today = today or timezone.localdate()
        return self.build(self.model.objects.for_user(user), today)

    def count(self, user, today=None):
        return self.queryset(user, today).count()

    def rows(self, user, today=None):
        today = today or timezone.localdate()
        queryset = self.queryset(user, today)
        if self.prepare is not None:
            queryset = self.prepare(queryset, today)
        return queryset.order_by(*self.order)

    @property
    def row_kind(self):
        return self.model._meta.model_name

    @property
    def part(self):
        return next(p for p in registry.parts() if self in p.alerts)

    @property
    def url(self):
        return reverse(f"{self.part.app_label}:alert_list", args=[self.key])

    def link(self, user, area, day=None):
        """Where a count of this alert for ``area`` links, or None."""
        if self.drill_down is not None:
            return self.drill_down(area, day)
        # The alert's own page lists the user's whole scope: link only when that is the
        # area shown, so the count and the list agree.
        return self.url if area.pk == user.area_id else None


class AlertTable(Table):
    """The list page of one alert: its columns, its rows, no filters."""

    def __init__(self, alert):
        self.alert = alert
        self.model = alert.model
        self.title = alert.label
        self.columns = list(alert.columns) or [
            Column("name", str(alert.model._meta.verbose_name), value=str, link=True, role=TITLE)
        ]

    def rows_for(self, params, user, request=None, day=None):
        return None, self.sorting(params), self.alert.rows(user, day)


def counts(user, today=None, alerts=None):
    """{key: count} of the alerts (default: every registered one) in the user's scope, in
    one statement whatever the number of alerts and parts (the badge is on every page)."""
    today = today or timezone.localdate()
    alerts = registry.alerts() if alerts is None else list(alerts)
    row = _count_all([alert.queryset(user, today) for alert in alerts])
    return {alert.key: n for alert, n in zip(alerts, row, strict=True)}


def _count_all(querysets):
    """COUNT(*) of each queryset, in one statement."""
    parts, params = [], []
    for queryset in querysets:
        try:
            # Unordered: a count needs no sort of the rows (an alert's rows are ordered).
            query, sub_params = queryset.order_by().query.sql_with_params()
        except EmptyResultSet:  # e.g. an anonymous user's .none()
            parts.append("0")
            continue
        parts.append(f"(SELECT COUNT(*) FROM ({query}) a{len(parts)})")
        params.extend(sub_params)
    if not parts:
        return []
    return list(sql.fetch("SELECT " + ", ".join(parts), params)[0])


def total(user, today=None):
    """Open alerts in the user's scope, for the navigation badge on every page.

    Cached on its own (never part of a page body's key, so the badge never makes a page
    cold) under the versions of every part in the user's scope (core/versions.py):
    recomputed after a change there, so it is never stale, and free otherwise.
    """
    today = today or timezone.localdate()
    return versions.cached(
        _total_key(user, today), lambda: sum(counts(user, today).values()), total_deps(user)
    )


def total_deps(user):
    return versions.scope(user)


def remember_total(user, today, value, stamp):
    """The dashboard counts the same alerts over the user's scope: keep its total for the
    badge, under ``stamp`` (``versions.stamp(total_deps(user))`` read before counting,
    not after), so the counts run once per change."""
    from django.core.cache import cache

    cache.set(f"{_total_key(user, today)}:{stamp}", value, 600)


def _total_key(user, today):
    return f"alerts-total:{scope_key(user)}:{today.isoformat()}"


def area_counts(user, area, today):
    """({key: count in ``area``}, total in the user's whole scope), in one statement."""
    alerts = registry.alerts()
    if not alerts:
        return {}, 0
    whole_scope = not user.is_system_admin and area.pk == user.area_id
    querysets = []
    for alert in alerts:
        bases = [alert.model.objects.for_user(user).in_area(area)]
        if not whole_scope:
            bases.append(alert.model.objects.for_user(user))
        querysets.extend(alert.build(base, today) for base in bases)
    row = _count_all(querysets)
    step = 1 if whole_scope else 2
    in_area = {a.key: row[step * i] for i, a in enumerate(alerts)}
    scope_total = sum(row[step * i + step - 1] for i in range(len(alerts)))
    return in_area, scope_total
