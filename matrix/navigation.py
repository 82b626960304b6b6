"""The matrix sections in the top navigation; each shows only once its pages exist."""

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Section:
    label: str
    url_name: str
    prefix: str
    admin_only: bool = False


SECTIONS = [
    Section(_("Dashboard"), "dashboard:home", "/dashboard/"),
    Section(_("Coverage"), "enterprises:list", "/enterprises/"),
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
        items.append({"label": section.label, "url": url, "prefix": section.prefix})
    return items
