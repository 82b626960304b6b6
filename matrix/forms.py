from django.forms.renderers import TemplatesSetting


class FormRenderer(TemplatesSetting):
    """Every form renders through one partial: labels, help text and per-field errors."""

    form_template_name = "forms/form.html"
    field_template_name = "forms/field.html"
