from django import template

register = template.Library()


@register.filter
def thousands(value):
    """1500 → 1,500: figures are read in thousands (the zh-hans locale groups nothing)."""
    if isinstance(value, bool) or not isinstance(value, int):
        return value
    return f"{value:,}"


@register.filter
def area_label(area):
    """An area as every area choice names it ("胶南街道 / 水城路社区")."""
    from areas.tree import label

    return label(area)
