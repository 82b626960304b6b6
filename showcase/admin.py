"""Django admin for the rating rubrics (评星定级标准): admins edit a draft edition's
dimensions, indicators (points, guidance), veto items and star thresholds here, then
publish it from its page in the app (``/showcase/rubrics/<id>/``). A published edition is
read-only (the models refuse changes to it); a change is a new edition."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .models import Rubric, RubricDimension, RubricIndicator, RubricVeto


class FrozenWhenPublished:
    """No change, addition or deletion once the edition is published."""

    def _rubric(self, obj):
        if obj is None:
            return None
        return obj if isinstance(obj, Rubric) else obj.rubric

    def _editable(self, obj):
        rubric = self._rubric(obj)
        return rubric is None or not rubric.is_published

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._editable(obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._editable(obj)


class FrozenInline(FrozenWhenPublished):
    """An inline's ``obj`` is its parent (the rubric, or a dimension)."""

    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and self._editable(obj)


class DimensionInline(FrozenInline, admin.TabularInline):
    model = RubricDimension
    extra = 0
    fields = ["name", "order", "edit_indicators"]
    readonly_fields = ["edit_indicators"]

    @admin.display(description=_("indicators"))
    def edit_indicators(self, obj):
        if obj.pk is None:
            return "—"
        url = reverse("admin:showcase_rubricdimension_change", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("Edit the indicators"))


class VetoInline(FrozenInline, admin.TabularInline):
    model = RubricVeto
    extra = 0
    fields = ["description", "order"]


@admin.register(Rubric)
class RubricAdmin(FrozenWhenPublished, admin.ModelAdmin):
    list_display = ["name", "edition", "subject", "published_on"]
    list_filter = ["subject"]
    inlines = [DimensionInline, VetoInline]
    fields = [
        "name",
        "edition",
        "subject",
        "five_star",
        "four_star",
        "three_star",
        "two_star",
        "one_star",
        "notes",
    ]

    def _rubric(self, obj):
        return obj


class IndicatorInline(FrozenInline, admin.TabularInline):
    model = RubricIndicator
    extra = 0
    fields = ["name", "max_points", "guidance", "order"]


@admin.register(RubricDimension)
class RubricDimensionAdmin(FrozenWhenPublished, admin.ModelAdmin):
    list_display = ["name", "rubric", "order"]
    list_filter = ["rubric"]
    fields = ["rubric", "name", "order"]
    inlines = [IndicatorInline]
