"""The one scoping mechanism: ``Model.objects.for_user(user)``.

A scoped model names the lookup from itself to its Area (``scope_area_lookup``) and,
when that Area is always a community, says so (``scope_area_is_community = True``),
which turns the filter into a single indexed join instead of an OR over levels.
Views start every queryset from ``for_user``; a record outside it is a 404.
"""

from django.db.models import Q

from audit.models import AuditedQuerySet

from .models import Area


def scope_key(user):
    """What ``for_user`` depends on, for cache keys: users with the same key see the same
    records ("all" for system admins, else their area)."""
    return "all" if user.is_system_admin else user.area_id


def subtree_q(area, lookup, *, target_is_community=False):
    """Q for rows whose Area (reached via ``lookup``) is ``area`` or lies below it."""
    if target_is_community:
        if area.level == Area.Level.COMMUNITY:
            return Q(**{lookup: area})
        # "community IN (the area's communities)": a small uncorrelated subquery on the
        # area table instead of joins, so the row table's own indexes (name, …) still
        # serve ordering and pagination.
        above = "parent" if area.level == Area.Level.STREET else "district"
        communities = Area.objects.filter(level=Area.Level.COMMUNITY, **{above: area})
        return Q(**{f"{lookup}__in": communities.values("pk")})
    q = Q(**{lookup: area})
    if area.level != Area.Level.COMMUNITY:
        q |= Q(**{f"{lookup}__parent": area})
    if area.level == Area.Level.DISTRICT:
        q |= Q(**{f"{lookup}__district": area})
    return q


class ScopingMixin:
    """``for_user`` / ``in_area`` for any queryset class (also one that is not audited,
    such as the stored state derived from audited records)."""

    def for_user(self, user):
        if not getattr(user, "is_authenticated", False):
            return self.none()
        if user.is_system_admin:
            return self.all()
        if user.area_id is None:
            return self.none()
        return self.in_area(user.area)

    def in_area(self, area):
        model = self.model
        return self.filter(
            subtree_q(
                area,
                model.scope_area_lookup,
                target_is_community=getattr(model, "scope_area_is_community", False),
            )
        )


class ScopedQuerySet(ScopingMixin, AuditedQuerySet):
    pass
