"""The matrix sections in the top navigation; each shows only once its pages exist."""

from dataclasses import dataclass
from functools import partial

from django.urls import NoReverseMatch, reverse
from django.utils.functional import SimpleLazyObject
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Section:
    label: str
    url_name: str
    prefix: str
    admin_only: bool = False
    badge: str = ""  # dotted path of f(user) -> int, shown beside the label when non-zero


SECTIONS = [
    Section(_("Dashboard"), "dashboard:home", "/dashboard/"),
    Section(_("Coverage"), "enterprises:list", "/enterprises/", badge="enterprises.alerts.total"),
    Section(_("Demonstration"), "showcase:home", "/showcase/"),
    Section(_("Cooperation"), "partnerships:lines", "/lines/"),
    Section(_("Co-building"), "partnerships:planes", "/planes/"),
    Section(_("Charity"), "charity:home", "/charity/"),
    Section(_("Administration"), "accounts:user_list", "/accounts/users/", admin_only=True),
]


def sections_for(user):
    items = []
    for section in SECTIONS:
        if section.admin_only and not user.is_system_admin:
            continue
        try:
            url = reverse(section.url_name)
        except NoReverseMatch:
            continue  # that module has not landed yet
        badge = None
        if section.badge:
            # Lazy: computed only when a page actually renders the navigation.
            badge = SimpleLazyObject(partial(import_string(section.badge), user))
        items.append({"label": section.label, "url": url, "prefix": section.prefix, "badge": badge})
    return items
