from django import template

from accounts.forms import ViewingAreaForm

register = template.Library()


@register.simple_tag(takes_context=True)
def viewing_area_form(context):
    return ViewingAreaForm(user=context["request"].user)
