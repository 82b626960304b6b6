from django.contrib import admin

from .models import Change, Event


@admin.register(Change)
class ChangeAdmin(admin.ModelAdmin):
    list_display = ["at", "actor", "action", "content_type", "object_repr"]
    list_filter = ["action", "content_type"]
    search_fields = ["object_repr", "actor__username"]
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Event)
class EventAdmin(ChangeAdmin):
    list_display = ["at", "kind", "username", "ip", "actor"]
    list_filter = ["kind"]
    search_fields = ["username"]
