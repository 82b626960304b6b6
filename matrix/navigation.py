"""The top navigation: the dashboard, each registered part of the matrix, administration."""

from dataclasses import dataclass
from functools import partial

from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from core import registry


@dataclass(frozen=True)
class Section:
    label: str
    url_name: str
    prefix: str
    admin_only: bool = False
    badge: str = ""  # dotted path of f(user) -> int, shown beside the label when non-zero


def sections():
    parts = [
        Section(part.label, part.home, "/" + part.url_prefix)
        for part in registry.parts()
        if part.home
    ]
    return [
        Section(_("Dashboard"), "dashboard:home", "/dashboard/"),
        *parts,
        # 预警 N: the open alerts of every part in the user's area.
        Section(_("Alerts"), "alerts", "/alerts/", badge="core.alerts.total"),
        Section(_("Administration"), "accounts:user_list", "/accounts/users/", admin_only=True),
    ]


def sections_for(user):
    items = []
    for section in sections():
        if section.admin_only and not user.is_system_admin:
            continue
        badge = None
        if section.badge:
            # Lazy: computed only when a page actually renders the navigation.
            badge = SimpleLazyObject(partial(import_string(section.badge), user))
        items.append(
            {
                "label": section.label,
                "url": reverse(section.url_name),
                "prefix": section.prefix,
                "badge": badge,
            }
        )
    return items
