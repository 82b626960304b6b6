"""The enterprise list's filters. The dashboard's drill-down links use the same
parameters, so a figure and its list read the same data: the coverage state, member
band and members at ``as_of`` (default today) come from the stored state
(``readers.py``, the interval holding at that day), like the dashboard's figures.

Every date-dependent filter is evaluated at ``as_of``.
"""

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from areas.models import Area
from core.filters import AreaChoiceField, ScopedFilterSet, SearchFilter
from core.forms import BoundedDateFilter, DateInput

from . import alerts, coverage, readers
from .models import (
    Enterprise,
    Industry,
    IndustryChain,
    Liaison,
    MembershipTransfer,
    PartyOrganization,
)

YES_NO = [("1", _("Yes")), ("0", _("No"))]

STATUS_CHOICES = [
    ("operating", _("Operating")),
    ("suspended", _("Suspended")),
    ("deregistered", _("Deregistered")),
    ("moved_out", _("Moved out")),
    ("closed", _("Closed (any)")),
    ("archived", _("Archived")),
]
COVERAGE_CHOICES = [
    (coverage.STANDALONE, _("Standalone organisation")),
    (coverage.JOINT, _("Joint organisation")),
    (coverage.REGIONAL, _("Regional or attached organisation")),
    ("organization", _("Organisation coverage (any)")),
    (coverage.WORK_ONLY, _("Work coverage only")),
    ("work", _("Work coverage (organisation or work)")),
    (coverage.UNCOVERED, _("Uncovered")),
]
BAND_CHOICES = [
    (coverage.ZERO, _("0 members")),
    (coverage.FEW, _("1–2 members")),
    (coverage.MANY, _("3 or more members")),
    (coverage.UNKNOWN, _("No return")),
]
MASS_CHOICES = [
    ("union", _("Has a trade union")),
    ("youth_league", _("Has a youth league")),
    ("women", _("Has a women's federation")),
]
SORTS = {
    "name": ("name", "pk"),
    "-name": ("-name", "-pk"),
    "uscc": ("uscc",),
    "-uscc": ("-uscc",),
    "community": ("community__name", "name"),
    "-community": ("-community__name", "name"),
    "tracked_since": ("tracked_since", "pk"),
    "-tracked_since": ("-tracked_since", "-pk"),
    "employees": ("employees", "pk"),
    "-employees": ("-employees", "-pk"),
    "formal": ("formal", "pk"),
    "-formal": ("-formal", "-pk"),
}


class EnterpriseFilter(ScopedFilterSet):
    q = django_filters.CharFilter(label=_("Name or USCC contains"), method="search")
    as_of = BoundedDateFilter(label=_("As of"), method="keep", widget=DateInput)
    # Set by the header's area switch and by dashboard drill-downs; kept as a hidden field
    # (a select of every street and community would duplicate the community filter).
    area = django_filters.ModelChoiceFilter(
        label=_("Area"), queryset=Area.objects.none(), method="in_area", widget=forms.HiddenInput
    )
    community = django_filters.ModelChoiceFilter(label=_("Community"), queryset=Area.objects.none())
    industry = django_filters.ChoiceFilter(label=_("Industry"), choices=Industry.choices)
    industry_chain = django_filters.ModelChoiceFilter(
        label=_("Industry chain"), queryset=IndustryChain.objects.all()
    )
    size = django_filters.ChoiceFilter(label=_("Size class"), choices=Enterprise.Size.choices)
    above_scale = django_filters.ChoiceFilter(
        label=_("Above designated size"), choices=YES_NO, method="boolean"
    )
    ownership = django_filters.ChoiceFilter(
        label=_("Ownership"), choices=Enterprise.Ownership.choices
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=STATUS_CHOICES, method="by_status"
    )
    coverage = django_filters.ChoiceFilter(
        label=_("Coverage"), choices=COVERAGE_CHOICES, method="by_coverage"
    )
    band = django_filters.ChoiceFilter(
        label=_("Formal members"), choices=BAND_CHOICES, method="by_band"
    )
    should_form = django_filters.ChoiceFilter(
        label=_("Should form, has not"), choices=YES_NO[:1], method="by_should_form"
    )
    liaison = django_filters.ChoiceFilter(
        label=_("Has a liaison"), choices=YES_NO, method="by_liaison"
    )
    mass = django_filters.ChoiceFilter(
        label=_("Mass organisation"), choices=MASS_CHOICES, method="by_mass"
    )
    alert = django_filters.ChoiceFilter(
        label=_("Alert"),
        choices=[(a.key, a.label) for a in alerts.ENTERPRISE_ALERTS],
        method="by_alert",
    )

    class Meta:
        model = Enterprise
        fields = []

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        scoped = Area.objects.for_user(user).in_tree_order()
        self.filters["area"].queryset = scoped
        self.filters["community"].queryset = scoped.filter(level=Area.Level.COMMUNITY)
        self.filters["area"].field_class = AreaChoiceField
        self.filters["community"].field_class = AreaChoiceField

    @property
    def day(self):
        data = getattr(self.form, "cleaned_data", {}) or {}
        return data.get("as_of") or timezone.localdate()

    def keep(self, queryset, name, value):
        return queryset

    def search(self, queryset, name, value):
        # ``contains`` (LIKE '%…%'), not icontains: Chinese has no case, and the pg_trgm
        # GIN indexes serve it. A USCC is searched in its normalised form.
        from . import uscc

        value = value.strip()
        code = uscc.normalize(value)
        return queryset.filter(Q(name__contains=value) | Q(uscc__contains=code))

    def in_area(self, queryset, name, value):
        return queryset.in_area(value)

    def boolean(self, queryset, name, value):
        return queryset.filter(**{name: value == "1"})

    def by_status(self, queryset, name, value):
        day = self.day
        if value == "operating":
            return queryset.operating_on(day)
        if value == "archived":
            return queryset.filter(archived_at__isnull=False)
        closed = (
            queryset.live().filter(status_date__lte=day).exclude(status=Enterprise.Status.OPERATING)
        )
        return closed if value == "closed" else closed.filter(status=value)

    def by_coverage(self, queryset, name, value):
        return queryset.filter(readers.coverage_in(value, self.day))

    def by_band(self, queryset, name, value):
        return queryset.filter(readers.band_in(value, self.day))

    def by_should_form(self, queryset, name, value):
        return alerts.should_form(queryset, self.day)

    def by_liaison(self, queryset, name, value):
        has = coverage.has_liaison_on(self.day, correlated=False)
        return queryset.filter(has) if value == "1" else queryset.exclude(has)

    def by_mass(self, queryset, name, value):
        return queryset.filter(readers.holds(self.day, Q(**{f"has_{value}": True})))

    def by_alert(self, queryset, name, value):
        return alerts.filter_enterprises(queryset, value)

    def filter_queryset(self, queryset):
        # Archived records only appear when asked for.
        if self.form.cleaned_data.get("status") != "archived":
            queryset = queryset.live()
        return super().filter_queryset(queryset)


# ---------------------------------------------------------------------------
# The other lists of the "1"

ORGANIZATION_STATES = [("", _("Active")), ("dissolved", _("Dissolved")), ("all", _("All"))]


class OrganizationFilter(ScopedFilterSet):
    q = SearchFilter(label=_("Name or secretary contains"), fields=("name", "secretary"))
    formation = django_filters.ChoiceFilter(
        label=_("Formation"), choices=PartyOrganization.Formation.choices
    )
    level = django_filters.ChoiceFilter(label=_("Level"), choices=PartyOrganization.Level.choices)
    state = django_filters.ChoiceFilter(
        label=_("State"),
        choices=ORGANIZATION_STATES[1:],
        empty_label=_("Active"),
        method="by_state",
    )
    red_sail = django_filters.BooleanFilter(
        label=_("红帆支部"), widget=forms.CheckboxInput, method="by_red_sail"
    )

    class Meta:
        model = PartyOrganization
        fields = []

    def by_state(self, queryset, name, value):
        if value == "dissolved":
            return queryset.exclude(dissolved_on__isnull=True)
        return queryset

    def by_red_sail(self, queryset, name, value):
        return queryset.filter(red_sail=True) if value else queryset

    def filter_queryset(self, queryset):
        # Dissolved organisations appear only when asked for.
        if not self.form.cleaned_data.get("state"):
            queryset = queryset.filter(dissolved_on__isnull=True)
        return super().filter_queryset(queryset)


class LiaisonFilter(ScopedFilterSet):
    q = SearchFilter(label=_("Name, unit or phone contains"), fields=("name", "unit", "phone"))
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=Liaison.Kind.choices)

    class Meta:
        model = Liaison
        fields = []


TRANSFER_STATUSES = [("overdue", _("Overdue")), *MembershipTransfer.Status.choices]


class TransferFilter(ScopedFilterSet):
    q = SearchFilter(label=_("Member name contains"), fields=("member_name",))
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=TRANSFER_STATUSES, method="by_status"
    )

    class Meta:
        model = MembershipTransfer
        fields = []

    def by_status(self, queryset, name, value):
        if value == "overdue":
            return queryset.overdue()
        return queryset.filter(status=value)
