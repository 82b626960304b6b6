from django.contrib import admin

from .models import Area


@admin.register(Area)
class AreaAdmin(admin.ModelAdmin):
    list_display = ["name", "level", "parent", "kind", "code"]
    list_filter = ["level", "kind"]
    search_fields = ["name", "code"]
    list_select_related = ["parent"]
