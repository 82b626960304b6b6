from django import template
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from enterprises import coverage

register = template.Library()

STATE_LABELS = {
    coverage.STANDALONE: (_("Standalone"), "ok"),
    coverage.JOINT: (_("Joint"), "ok"),
    coverage.REGIONAL: (_("Regional"), "ok"),
    coverage.WORK_ONLY: (_("Work only"), "warn"),
    coverage.UNCOVERED: (_("Uncovered"), "bad"),
}
BAND_LABELS = {
    coverage.ZERO: _("0"),
    coverage.FEW: _("1–2"),
    coverage.MANY: _("≥3"),
    coverage.UNKNOWN: _("No return"),
}


@register.simple_tag
def state_tag(state):
    label, css = STATE_LABELS.get(state, (state, ""))
    return format_html('<span class="tag {}">{}</span>', css, label)


@register.filter
def band_label(band):
    return BAND_LABELS.get(band, band)


@register.simple_tag
def sort_link(label, key, current, query):
    """A column header that sorts by ``key``; clicking again reverses it."""
    if current == key:
        target, arrow = f"-{key}", " ▲"
    elif current == f"-{key}":
        target, arrow = key, " ▼"
    else:
        target, arrow = key, ""
    prefix = f"{query}&" if query else ""
    return format_html('<a href="?{}sort={}">{}{}</a>', prefix, target, label, arrow)
