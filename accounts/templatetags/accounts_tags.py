from django import template
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe

from areas import tree
from areas.scoping import scope_key
from audit import history
from core import versions

register = template.Library()


@register.simple_tag(takes_context=True)
def area_options(context):
    """The area switch's <option>s, the current area selected.

    The switch is on every page, so its choices are cached on their own (never part of a
    page body's key) under the version of the area tree (``versions.EVERYTHING``: an area
    edit bumps it; nothing else changes the choices), and written out in Python: through
    the template engine, ~50 options cost more than the rest of a cached list page.
    """
    user = context["request"].user
    scope = scope_key(user)
    choices = versions.cached(
        f"area-options:{scope}",
        # The scope's areas in tree order, as ViewingAreaForm offers them (shared with
        # the rest of the request: the dashboard has loaded them already).
        lambda: [(a.pk, tree.label(a)) for a in user.scope_areas],
        versions.Deps((), versions.ROOT),
    )
    current = user.current_area
    selected = current.pk if current else None
    return format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        ((pk, mark_safe(" selected") if pk == selected else "", label) for pk, label in choices),
    )


@register.filter
def event_detail(event):
    """An event's details, labelled in the interface language (an import's counts)."""
    return history.event_detail(event)
