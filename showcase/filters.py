"""The filters of 点's lists. Each list accepts the parameters its drill-down links use
(``links.py``): ``area``, ``as_of`` and the figure's own (``status``, ``batch``, ``level``,
``stars``, ``state``, ``due``, ``overdue``, ``engaged``, ``this_year`` …), and applies
them through the drill-down querysets of ``figures.py``, so that a figure of the panel
and its list cannot disagree.

``as_of`` (default today) is the day a dated filter is evaluated at; it cannot be in the
future.
"""

import django_filters
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.filters import AreaFilter, DateFilter, ScopedFilterSet, SearchFilter
from enterprises.models import Enterprise, PartyOrganization

from . import figures
from .models import (
    CaseReview,
    DemonstrationSite,
    Mentoring,
    PioneerDeed,
    Rating,
    SiteBatch,
    SiteLevel,
    SiteStatus,
    TaskTeam,
    TeachingCase,
    Topic,
    TopicState,
)

RECOGNISED = "recognised"
STAR_CHOICES = [
    (str(n), format_lazy(pgettext_lazy("showcase", "{n} stars"), n=n)) for n in range(6)
]
YES = [("1", _("Yes"))]


def not_in_future(day):
    if day and day > timezone.localdate():
        raise ValidationError(_("The date cannot be in the future."))


def keep(queryset, name, value):
    """A filter applied in ``filter_queryset`` with the others it depends on."""
    return queryset


class Flag(django_filters.ChoiceFilter):
    """A yes-only flag (``?overdue=1``), applied in ``filter_queryset``."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("choices", YES)
        kwargs.setdefault("method", keep)
        super().__init__(*args, **kwargs)


class DatedFilterSet(ScopedFilterSet):
    as_of = DateFilter(
        label=_("As of"),
        method=keep,
        validators=[not_in_future],
        help_text=_("Figures at this day (default: today)."),
    )

    @property
    def data_ok(self):
        return self.is_bound and self.form.is_valid()

    @property
    def day(self):
        if self.data_ok and self.form.cleaned_data.get("as_of"):
            return self.form.cleaned_data["as_of"]
        return timezone.localdate()

    def value(self, name):
        return self.form.cleaned_data.get(name) if self.data_ok else None


# ---------------------------------------------------------------------------
# Sites


class SiteFilter(DatedFilterSet):
    q = SearchFilter(
        label=_("Brand or enterprise contains"), fields=("brand_name", "enterprise__name")
    )
    area = AreaFilter()
    status = django_filters.ChoiceFilter(
        label=_("Status at the date"),
        choices=[(RECOGNISED, _("Named or reviewed")), *SiteStatus.choices],
        method=keep,
    )
    batch = django_filters.ModelChoiceFilter(
        label=_("Batch"), queryset=lambda request: SiteBatch.objects.for_user(request.user)
    )
    level = django_filters.ChoiceFilter(label=_("Site level"), choices=SiteLevel.choices)
    stars = django_filters.ChoiceFilter(
        label=_("Stars at the date"), choices=STAR_CHOICES, method=keep
    )

    class Meta:
        model = DemonstrationSite
        fields = []

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        day, status, stars = self.day, self.value("status"), self.value("stars")
        if status == RECOGNISED:
            queryset = figures.site_rows(queryset, day)
        elif status:
            queryset = figures.site_rows(queryset, day, statuses=[status])
        if stars not in (None, ""):
            queryset = figures.star_site_rows(queryset, day, stars=int(stars))
        return queryset


class BatchFilter(ScopedFilterSet):
    q = SearchFilter(label=_("Name contains"), fields=("name",))

    class Meta:
        model = SiteBatch
        fields = ["year"]


# ---------------------------------------------------------------------------
# Topics


class TopicFilter(DatedFilterSet):
    q = SearchFilter(label=_("Title contains"), fields=("title",))
    area = AreaFilter()
    state = django_filters.ChoiceFilter(
        label=_("State at the date"), choices=TopicState.choices, method=keep
    )
    due = Flag(label=_("Due by the date"))
    overdue = Flag(label=_("Overdue at the date"))
    site = django_filters.ModelChoiceFilter(
        label=_("Demonstration site"),
        queryset=lambda request: DemonstrationSite.objects.for_user(request.user).order_by(
            "brand_name", "pk"
        ),
    )

    class Meta:
        model = Topic
        fields = []

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        day = self.day
        if self.value("overdue"):
            queryset = figures.overdue_topic_rows(queryset, day)
        elif self.value("due"):
            queryset = figures.due_topic_rows(queryset, day)
        else:
            queryset = figures.topic_rows(queryset, day)
        if self.value("state"):
            queryset = queryset.filter(state_at=self.value("state"))
        return queryset


# ---------------------------------------------------------------------------
# Task teams and the branches engaged


class TeamFilter(DatedFilterSet):
    q = SearchFilter(label=_("Team or leader contains"), fields=("name", "leader_name"))
    area = AreaFilter()
    active = django_filters.BooleanFilter(
        label=_("Not disbanded"), field_name="end", lookup_expr="isnull"
    )
    engaged = Flag(label=_("Claimed a topic by the date"))

    class Meta:
        model = TaskTeam
        fields = []

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        if self.value("engaged"):
            # A team claims only its own enterprise's topics, so the teams of the area that
            # claimed a topic are the teams that claimed a topic of the area.
            topics = Topic.objects.for_user(self.user)
            queryset = figures.engaged_team_rows(queryset, self.day, topics=topics)
        return queryset


class TopicAreaFilterSet(DatedFilterSet):
    """A list of rows that a set of visible records (topics, mentorings) names: the area
    narrows those records, not the rows (a street-level branch claims a community's
    topic; a mentored enterprise can be elsewhere)."""

    area = AreaFilter(method=keep)

    def records(self, model):
        queryset = model.objects.for_user(self.user)
        area = self.value("area")
        return queryset.in_area(area) if area else queryset


class BranchFilter(TopicAreaFilterSet):
    class Meta:
        model = PartyOrganization
        fields = []

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        return figures.engaged_branch_rows(queryset, self.day, topics=self.records(Topic))


class MentoredFilter(TopicAreaFilterSet):
    class Meta:
        model = Enterprise
        fields = []

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        return figures.mentored_enterprise_rows(
            queryset, self.day, mentorings=self.records(Mentoring)
        )


# ---------------------------------------------------------------------------
# 传帮带, deeds, cases, ratings


class MentoringFilter(DatedFilterSet):
    q = SearchFilter(
        label=_("Site, enterprise or content contains"),
        fields=("site__brand_name", "mentee__name", "content"),
    )
    area = AreaFilter()
    active = Flag(label=_("In force at the date"))

    class Meta:
        model = Mentoring
        fields = []

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        if self.value("active"):
            queryset = figures.mentoring_rows(queryset, self.day)
        return queryset


class DeedFilter(DatedFilterSet):
    q = SearchFilter(
        label=_("Title, member or enterprise contains"),
        fields=("title", "person_name", "enterprise__name"),
    )
    area = AreaFilter()
    this_year = Flag(label=_("Recorded this year (to the date)"))

    class Meta:
        model = PioneerDeed
        fields = []

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        if self.value("this_year"):
            queryset = figures.deed_rows(queryset, self.day)
        return queryset


class CaseFilter(DatedFilterSet):
    q = SearchFilter(label=_("Title contains"), fields=("title",))
    area = AreaFilter()
    review_state = django_filters.ChoiceFilter(label=_("Review"), choices=CaseReview.choices)
    this_year = Flag(label=_("Reviewed this year (to the date)"))

    class Meta:
        model = TeachingCase
        fields = []

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        if self.value("this_year"):
            queryset = figures.case_rows(queryset, self.day)
        return queryset


class RatingFilter(DatedFilterSet):
    q = SearchFilter(
        label=_("Site or organisation contains"),
        fields=("site__brand_name", "site__enterprise__name", "organization__name"),
    )
    area = AreaFilter()
    year = django_filters.NumberFilter(label=_("Rating year"))
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Rating.Status.choices)
    stars = django_filters.ChoiceFilter(label=_("Stars"), choices=STAR_CHOICES)
    latest = Flag(label=_("Each site's latest decided rating at the date"))

    class Meta:
        model = Rating
        fields = []

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        if self.value("latest"):
            queryset = figures.latest_rating_rows(queryset, self.day)
        return queryset
