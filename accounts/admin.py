from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from core.versioning import VersionedAdminMixin  # Django and audit only: see its docstring

from .models import User


@admin.register(User)
class UserAdmin(VersionedAdminMixin, BaseUserAdmin):
    list_display = ["username", "full_name", "role", "area", "is_active"]
    list_filter = ["role", "is_active", "area__level"]
    search_fields = ["username", "full_name"]
    fieldsets = [
        *BaseUserAdmin.fieldsets,
        (_("Role and scope"), {"fields": ["full_name", "phone", "role", "area"]}),
    ]
    add_fieldsets = [
        *BaseUserAdmin.add_fieldsets,
        (_("Role and scope"), {"fields": ["full_name", "role", "area"]}),
    ]
