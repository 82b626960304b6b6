"""Areas in tree order, for every area choice in the app (filters, forms, area switch,
dashboard): 新区 → 街道 → that street's 社区, siblings by name
(``AreaQuerySet.in_tree_order``).

Labels name the street with a community ("胶南街道 / 水城路社区"), because two streets
can have communities of the same name; a district or a street is its own name.
"""

from .models import Area


def path(area):
    """(district, street, community) names down to the area: sorting by it is tree order."""
    names, node = [], area
    while node is not None:
        names.append(node.name)
        node = node.parent
    return tuple(reversed(names))


def tree_order(areas):
    """Areas already loaded (parents too), depth-first as ``in_tree_order`` sorts them."""
    return sorted(areas, key=lambda a: (path(a), a.pk))


def label(area):
    if area.level == Area.Level.COMMUNITY and area.parent_id:
        return f"{area.parent.name} / {area.name}"
    return area.name


def scoped(user, levels=None):
    """The areas in the user's scope (of ``levels``), as a queryset in tree order."""
    queryset = Area.objects.for_user(user)
    if levels:
        queryset = queryset.filter(level__in=levels)
    return queryset.in_tree_order()


def choices(user, levels=None):
    """(pk, label) pairs in tree order."""
    return [(a.pk, label(a)) for a in scoped(user, levels)]
