from django import template

register = template.Library()


@register.filter
def thousands(value):
    """1500 → 1,500: figures are read in thousands (the zh-hans locale groups nothing)."""
    if isinstance(value, bool) or not isinstance(value, int):
        return value
    return f"{value:,}"
