"""Django admin for the enterprise records: a superuser's back office, and the plain
changelist that the enterprise list pages are benchmarked against.

Each changelist joins what it displays in one query (``list_select_related``), and
searches names and codes with ``contains`` (LIKE '%…%'), which the pg_trgm indexes of
migration 0002 serve on PostgreSQL; ``icontains`` would wrap the column in UPPER() and
miss them. Edits here bypass the services' cross-record rules (e.g. one enterprise per
standalone organisation); they are still recorded in the audit trail, and a change here
makes the app's edit forms opened before it stale (``VersionedAdminMixin``).
"""

from django.contrib import admin
from django.db.models import Q

from areas.models import Area
from core.versioning import VersionedAdminMixin

from .models import (
    Coverage,
    Enterprise,
    IndustryChain,
    Liaison,
    LiaisonAssignment,
    MassOrganization,
    MembershipReturn,
    MembershipTransfer,
    PartyOrganization,
)


def street_filter(community_lookup=None, area_lookup=None):
    """A list filter by street, for rows reached through a community (or any area)."""

    class StreetFilter(admin.SimpleListFilter):
        title = Area.Level.STREET.label
        parameter_name = "street"

        def lookups(self, request, model_admin):
            return [(str(a.pk), a.name) for a in Area.objects.streets().order_by("name")]

        def queryset(self, request, queryset):
            if not self.value():
                return queryset
            if community_lookup:
                return queryset.filter(**{f"{community_lookup}__parent_id": self.value()})
            return queryset.filter(
                Q(**{f"{area_lookup}_id": self.value()})
                | Q(**{f"{area_lookup}__parent_id": self.value()})
            )

    return StreetFilter


class CoverageInline(admin.TabularInline):
    model = Coverage
    extra = 0
    raw_id_fields = ["organization", "enterprise"]


class MembershipReturnInline(admin.TabularInline):
    model = MembershipReturn
    extra = 0
    exclude = ["version"]


class LiaisonAssignmentInline(admin.TabularInline):
    model = LiaisonAssignment
    extra = 0
    raw_id_fields = ["liaison"]


class MassOrganizationInline(admin.TabularInline):
    model = MassOrganization
    extra = 0
    exclude = ["version"]


@admin.register(IndustryChain)
class IndustryChainAdmin(admin.ModelAdmin):
    list_display = ["name"]
    search_fields = ["name"]


@admin.register(Enterprise)
class EnterpriseAdmin(VersionedAdminMixin, admin.ModelAdmin):
    list_display = [
        "name",
        "uscc",
        "community",
        "street",
        "industry",
        "size",
        "status",
        "status_date",
        "tracked_since",
        "archived_at",
    ]
    list_filter = [
        street_filter(community_lookup="community"),
        "status",
        "industry",
        "ownership",
        "size",
        "above_scale",
        "industry_chain",
        ("archived_at", admin.EmptyFieldListFilter),
    ]
    search_fields = ["name__contains", "uscc__contains"]
    list_select_related = ["community", "community__parent"]
    readonly_fields = ["version", "created_at", "updated_at"]
    inlines = [
        CoverageInline,
        MembershipReturnInline,
        LiaisonAssignmentInline,
        MassOrganizationInline,
    ]

    @admin.display(description=Area.Level.STREET.label, ordering="community__parent__name")
    def street(self, obj):
        return obj.community.parent


@admin.register(PartyOrganization)
class PartyOrganizationAdmin(VersionedAdminMixin, admin.ModelAdmin):
    list_display = [
        "name",
        "level",
        "formation",
        "area",
        "parent",
        "secretary",
        "established_on",
        "dissolved_on",
        "next_election_due",
        "red_sail",
    ]
    list_filter = [
        street_filter(area_lookup="area"),
        "level",
        "formation",
        "red_sail",
        ("dissolved_on", admin.EmptyFieldListFilter),
    ]
    search_fields = ["name__contains", "secretary"]
    list_select_related = ["area", "parent"]
    raw_id_fields = ["parent"]
    readonly_fields = ["next_election_due", "version"]
    inlines = [CoverageInline]


@admin.register(Coverage)
class CoverageAdmin(admin.ModelAdmin):
    list_display = ["organization", "enterprise", "since", "until"]
    list_filter = [
        street_filter(community_lookup="enterprise__community"),
        "organization__formation",
    ]
    search_fields = ["enterprise__name__contains", "organization__name__contains"]
    list_select_related = ["organization", "enterprise"]
    raw_id_fields = ["organization", "enterprise"]


@admin.register(MembershipReturn)
class MembershipReturnAdmin(VersionedAdminMixin, admin.ModelAdmin):
    list_display = [
        "enterprise",
        "reported_on",
        "formal",
        "probationary",
        "development_targets",
        "activists",
        "applicants",
        "employees",
    ]
    list_filter = [street_filter(community_lookup="enterprise__community")]
    search_fields = ["enterprise__name__contains"]
    list_select_related = ["enterprise"]
    raw_id_fields = ["enterprise"]
    readonly_fields = ["version"]


@admin.register(Liaison)
class LiaisonAdmin(VersionedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "kind", "unit", "area", "phone", "active"]
    list_filter = [street_filter(area_lookup="area"), "kind", "active"]
    search_fields = ["name", "unit"]
    list_select_related = ["area"]
    readonly_fields = ["version"]


@admin.register(LiaisonAssignment)
class LiaisonAssignmentAdmin(admin.ModelAdmin):
    list_display = ["liaison", "enterprise", "start", "end"]
    list_filter = [street_filter(community_lookup="enterprise__community")]
    search_fields = ["liaison__name", "enterprise__name__contains"]
    list_select_related = ["liaison", "enterprise"]
    raw_id_fields = ["liaison", "enterprise"]


@admin.register(MassOrganization)
class MassOrganizationAdmin(VersionedAdminMixin, admin.ModelAdmin):
    list_display = ["enterprise", "kind", "established_on", "dissolved_on"]
    list_filter = [street_filter(community_lookup="enterprise__community"), "kind"]
    search_fields = ["enterprise__name__contains"]
    list_select_related = ["enterprise"]
    raw_id_fields = ["enterprise"]
    readonly_fields = ["version"]


@admin.register(MembershipTransfer)
class MembershipTransferAdmin(VersionedAdminMixin, admin.ModelAdmin):
    list_display = [
        "member_name",
        "to_organization",
        "enterprise",
        "started_on",
        "completed_on",
        "status",
        "handler",
    ]
    list_filter = [street_filter(area_lookup="to_organization__area"), "status"]
    search_fields = ["member_name", "from_unit", "enterprise__name__contains"]
    list_select_related = ["to_organization", "enterprise"]
    raw_id_fields = ["to_organization", "enterprise"]
    readonly_fields = ["version"]
