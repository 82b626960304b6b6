"""点's lists and their exports: one ``core.tables.Table`` each (registered in
``part.py``: ``/ledger/export/<kind>.xlsx``). A list evaluates its dated filters at the
list's ``as_of`` (``filters.DatedFilterSet.day``), and so do its columns (a site's status
and stars at that day, a topic's state), so that a drill-down list shows the figure's
rows as they were at the figure's date.
"""

from django.db.models import Count, Prefetch
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.tables import HIDE, TAG, TITLE, Column, Table
from enterprises.models import Enterprise, PartyOrganization

from . import figures, filters, selectors
from .models import (
    TOPIC_ENDED,
    CaseReview,
    DemonstrationSite,
    Mentoring,
    Milestone,
    PioneerDeed,
    Rating,
    SiteBatch,
    SiteStatus,
    TaskTeam,
    TeachingCase,
    Topic,
    TopicState,
)


def tag(text, css=""):
    return format_html('<span class="tag {}">{}</span>', css, text)


def stars_text(stars):
    """★★★☆☆ with the number spelled out for screen readers; "—" when not rated."""
    if stars is None:
        return "—"
    return format_html(
        '<span aria-hidden="true">{}{}</span><span class="visually-hidden">{}</span>',
        "★" * stars,
        "☆" * (5 - stars),
        gettext("%(n)s stars") % {"n": stars},
    )


def percent_text(value):
    return "—" if value is None else f"{value}%"


class DatedTable(Table):
    """A table whose filters and columns are evaluated at the list's ``as_of``."""

    def rows_for(self, params, user, request=None, day=None):
        filterset = self.filterset(params, user, request)
        sorting = self.sorting(params)
        if not filterset.is_valid():
            return filterset, sorting, self.model.objects.none()
        queryset = self.prepare(filterset.qs, filterset.day)
        return filterset, sorting, self.order(queryset, sorting)


# ---------------------------------------------------------------------------
# Sites

SITE_STATUS_CSS = {
    SiteStatus.INCUBATING: "warn",
    SiteStatus.NAMED: "ok",
    SiteStatus.REVIEWED: "ok",
    SiteStatus.REVOKED: "bad",
}


def site_status(site):
    return SiteStatus(getattr(site, "status_at", None) or site.status)


class SiteTable(DatedTable):
    kind = "sites"
    list_url_name = "showcase:site_list"
    title = _("Demonstration sites")
    model = DemonstrationSite
    filterset_class = filters.SiteFilter
    default_sort = "enterprise"
    columns = [
        Column("brand_name", _("Brand"), sort=("brand_name", "pk"), link=True, role=TITLE),
        Column(
            "status",
            _("Status"),
            value=lambda s: site_status(s).label,
            html=lambda s: tag(site_status(s).label, SITE_STATUS_CSS[site_status(s)]),
            sort=("status", "enterprise__name", "pk"),
            role=TAG,
        ),
        Column(
            "enterprise",
            _("Enterprise"),
            value="enterprise.name",
            sort=("enterprise__name", "pk"),
        ),
        Column("community", _("Community"), value="enterprise.community.name", role=HIDE),
        Column("batch", _("Batch"), value=lambda s: str(s.batch), sort=("batch__year", "pk")),
        Column("level", _("Site level"), value="get_level_display", sort=("level", "pk")),
        Column(
            "stars",
            _("Stars"),
            value=lambda s: s.stars_at,
            html=lambda s: stars_text(s.stars_at),
            role=HIDE,
        ),
        Column("status_since", _("Status since"), role=HIDE),
        Column("review_due", _("Review due"), sort=("review_due", "pk"), role=HIDE),
        Column("slogan", _("Slogan"), show=False),
        Column("story", _("Brand story"), show=False),
    ]

    def prepare(self, queryset, day):
        queryset = queryset.select_related("enterprise__community", "batch")
        if "status_at" not in queryset.query.annotations:
            queryset = figures.with_status_at(queryset, day)
        if "stars_at" not in queryset.query.annotations:
            queryset = figures.with_stars_at(queryset, day)
        return queryset


class BatchTable(Table):
    title = _("Site batches")
    model = SiteBatch
    filterset_class = filters.BatchFilter
    default_sort = "year"
    columns = [
        Column("name", _("Batch"), value=str, link=True, role=TITLE),
        Column("year", _("Year"), sort=("year", "name", "pk")),
        Column("area", _("Named by"), value="area.name", sort=("area__name", "pk")),
        Column("sites", _("Sites"), value="site_count", num=True, sort=("site_count", "pk")),
    ]

    def prepare(self, queryset, day):
        return queryset.select_related("area").annotate(site_count=Count("sites"))


# ---------------------------------------------------------------------------
# Topics

TOPIC_STATE_CSS = {
    TopicState.COLLECTING: "",
    TopicState.PUBLISHED: "",
    TopicState.CLAIMED: "warn",
    TopicState.IN_PROGRESS: "warn",
    TopicState.ACCEPTING: "warn",
    TopicState.CLOSED: "ok",
    TopicState.TOLERATED: "",
}


def topic_state(topic):
    return TopicState(getattr(topic, "state_at", None) or topic.state)


def topic_state_html(topic):
    state = topic_state(topic)
    shown = tag(state.label, TOPIC_STATE_CSS[state])
    if state not in TOPIC_ENDED and topic.due_on < timezone.localdate():
        shown = format_html("{} {}", shown, tag(gettext("Overdue"), "bad"))
    return shown


def claimer(topic):
    return str(topic.claimer) if topic.claimer else ""


def target(topic):
    return f"{topic.get_target_direction_display()} {topic.target_value} {topic.target_unit}"


def milestone_summary(topic):
    return "；".join(
        f"{m.title}（{gettext('weight')} {m.weight}）{m.percent_done}%"
        for m in topic.milestones.all()
    )


class TopicTable(DatedTable):
    kind = "topics"
    list_url_name = "showcase:topic_list"
    title = _("揭榜挂帅 topics")
    model = Topic
    filterset_class = filters.TopicFilter
    default_sort = "due_on"
    columns = [
        Column("title", _("Topic"), sort=("title", "pk"), link=True, role=TITLE),
        Column(
            "state",
            _("State"),
            value=lambda t: topic_state(t).label,
            html=topic_state_html,
            sort=("state", "due_on", "pk"),
            role=TAG,
        ),
        Column("owner", _("Owner"), value=lambda t: str(t.owner), sort=("enterprise__name", "pk")),
        Column("enterprise", _("Enterprise"), value="enterprise.name", show=False),
        Column("claimer", _("Claimed by"), value=claimer, role=HIDE),
        Column("leader_name", _("Led by"), role=HIDE),
        Column(
            "progress",
            _("Progress (%)"),
            value=selectors.topic_progress,
            html=lambda t: percent_text(selectors.topic_progress(t)),
            num=True,
        ),
        Column("due_on", _("Due"), sort=("due_on", "pk")),
        Column("posted_on", _("Posted"), sort=("posted_on", "pk"), show=False),
        Column("target", _("Target"), value=target, show=False),
        Column("problem", _("Problem"), show=False),
        Column("expected_result", _("Expected result"), show=False),
        Column("claimed_on", _("Claimed on"), show=False),
        Column("closed_on", _("Closed on"), show=False),
        Column("milestones", _("Milestones"), value=milestone_summary, show=False),
    ]

    def prepare(self, queryset, day):
        queryset = queryset.select_related(
            "enterprise", "site", "claimed_branch", "claimed_team"
        ).prefetch_related(
            Prefetch("milestones", queryset=Milestone.objects.order_by("order", "pk"))
        )
        return selectors.with_milestone_sums(queryset)


# ---------------------------------------------------------------------------
# Task teams, branches engaged


class TeamTable(DatedTable):
    kind = "teams"
    list_url_name = "showcase:team_list"
    title = _("Task teams")
    model = TaskTeam
    filterset_class = filters.TeamFilter
    default_sort = "enterprise"
    columns = [
        Column("name", _("Team"), sort=("name", "pk"), link=True, role=TITLE),
        Column(
            "active",
            _("In service"),
            value=lambda t: t.end is None,
            html=lambda t: "" if t.end is None else tag(gettext("Disbanded")),
            role=TAG,
            export=False,
        ),
        Column(
            "enterprise",
            _("Enterprise"),
            value="enterprise.name",
            sort=("enterprise__name", "name", "pk"),
        ),
        Column("branch", _("Branch"), value="branch.name", role=HIDE),
        Column("leader_name", _("Team leader")),
        Column("members", _("Members"), num=True, sort=("members", "pk")),
        Column("topics", _("Topics claimed"), value="topic_count", num=True),
        Column("start", _("Formed on"), sort=("start", "pk"), role=HIDE),
        Column("end", _("Disbanded on"), show=False),
    ]

    def prepare(self, queryset, day):
        return queryset.select_related("enterprise", "branch").annotate(topic_count=Count("topics"))


class BranchTable(DatedTable):
    """The party organisations that claimed one of the user's topics (the rows are the
    claimers those topics name: a street-level branch can claim a community's topic)."""

    title = _("Branches engaged")
    model = PartyOrganization
    filterset_class = filters.BranchFilter
    default_sort = "name"
    columns = [
        Column("name", _("Party organisation"), sort=("name", "pk"), link=True, role=TITLE),
        Column("level", _("Level"), value="get_level_display"),
        Column("area", _("Managing area"), value="area.name", sort=("area__name", "pk")),
    ]

    def base_queryset(self, user):
        claimed = Topic.objects.for_user(user).filter(claimed_branch__isnull=False)
        return PartyOrganization.objects.filter(pk__in=claimed.values("claimed_branch_id"))

    def prepare(self, queryset, day):
        return queryset.select_related("area")


class MentoredTable(DatedTable):
    """The enterprises mentored (传帮带) by the user's sites."""

    title = _("Mentored enterprises")
    model = Enterprise
    filterset_class = filters.MentoredFilter
    default_sort = "name"
    columns = [
        Column("name", _("Enterprise"), sort=("name", "pk"), link=True, role=TITLE),
        Column("community", _("Community"), value="community.name", sort=("community__name", "pk")),
    ]

    def base_queryset(self, user):
        return Enterprise.objects.filter(
            pk__in=Mentoring.objects.for_user(user).values("mentee_id")
        )

    def prepare(self, queryset, day):
        return queryset.select_related("community")


# ---------------------------------------------------------------------------
# 传帮带, deeds, cases


class MentoringTable(DatedTable):
    kind = "mentorings"
    list_url_name = "showcase:mentoring_list"
    title = _("Mentoring (传帮带)")
    model = Mentoring
    filterset_class = filters.MentoringFilter
    default_sort = "-start"
    columns = [
        Column("pair", _("Mentoring"), value=str, link=True, role=TITLE),
        Column(
            "ended",
            _("Ended"),
            value="end",
            html=lambda m: "" if m.end is None else tag(gettext("Ended")),
            role=TAG,
            export=False,
        ),
        Column("site", _("Mentoring site"), value="site.brand_name", show=False),
        Column("mentee", _("Mentored enterprise"), value="mentee.name", show=False),
        Column("content", _("What is passed on")),
        Column("start", _("Start"), sort=("start", "pk")),
        Column("end", _("End"), sort=("end", "pk"), role=HIDE),
        Column("notes", _("Notes"), value="note_count", num=True, role=HIDE),
    ]

    def prepare(self, queryset, day):
        return queryset.select_related("site__enterprise", "mentee").annotate(
            note_count=Count("notes")
        )


def _recognitions(record):
    return "；".join(f"{r.name} {r.granted_on:%Y-%m-%d}" for r in record.recognitions.all())


class DeedTable(DatedTable):
    kind = "deeds"
    list_url_name = "showcase:deed_list"
    title = _("Pioneer deeds")
    model = PioneerDeed
    filterset_class = filters.DeedFilter
    default_sort = "-recorded_on"
    columns = [
        Column("title", _("Deed"), sort=("title", "pk"), link=True, role=TITLE),
        Column("person_name", _("Member"), sort=("person_name", "pk")),
        Column(
            "enterprise", _("Enterprise"), value="enterprise.name", sort=("enterprise__name", "pk")
        ),
        Column("branch", _("Branch"), value="branch.name", role=HIDE),
        Column("recorded_on", _("Recorded on"), sort=("recorded_on", "pk")),
        Column(
            "recognitions",
            _("Recognitions"),
            value=_recognitions,
            html=lambda d: tag(len(d.recognitions.all()), "ok") if d.recognitions.all() else "",
            role=TAG,
        ),
        Column("site", _("From site"), value="site.brand_name", show=False),
        Column("topic", _("From topic"), value="topic.title", show=False),
        Column("background", _("Background"), show=False),
        Column("measures", _("Measures"), show=False),
        Column("results", _("Measured results"), show=False),
        Column("method", _("Reusable method"), show=False),
    ]

    def prepare(self, queryset, day):
        return queryset.select_related("enterprise", "branch", "site", "topic").prefetch_related(
            "recognitions"
        )


CASE_CSS = {
    CaseReview.DRAFT: "",
    CaseReview.SUBMITTED: "warn",
    CaseReview.REVIEWED: "ok",
    CaseReview.RETURNED: "bad",
}


class CaseTable(DatedTable):
    kind = "cases"
    list_url_name = "showcase:case_list"
    title = _("红帆 teaching cases")
    model = TeachingCase
    filterset_class = filters.CaseFilter
    default_sort = "-recorded_on"
    columns = [
        Column("title", _("Case"), sort=("title", "pk"), link=True, role=TITLE),
        Column(
            "review_state",
            _("Review"),
            value="get_review_state_display",
            html=lambda c: tag(c.get_review_state_display(), CASE_CSS[c.review_state]),
            sort=("review_state", "pk"),
            role=TAG,
        ),
        Column("area", _("Community"), value="area.name", sort=("area__name", "pk")),
        Column("enterprise", _("Enterprise"), value="enterprise.name", role=HIDE),
        Column("recorded_on", _("Recorded on"), sort=("recorded_on", "pk")),
        Column("reviewed_on", _("Reviewed on"), sort=("reviewed_on", "pk"), role=HIDE),
        Column("reviewed_by", _("Reviewed by"), show=False),
        Column("recognitions", _("Recognitions"), value=_recognitions, show=False),
        Column("background", _("Background"), show=False),
        Column("measures", _("Measures"), show=False),
        Column("results", _("Measured results"), show=False),
        Column("method", _("Reusable method"), show=False),
    ]

    def prepare(self, queryset, day):
        return queryset.select_related("area", "enterprise").prefetch_related("recognitions")


# ---------------------------------------------------------------------------
# Ratings


def rating_status(r):
    if r.status == Rating.Status.DRAFT:
        return tag(r.get_status_display(), "warn")
    if r.vetoed:
        return tag(gettext("Vetoed"), "bad")
    return stars_text(r.stars)


class RatingTable(DatedTable):
    kind = "ratings"
    list_url_name = "showcase:rating_list"
    title = _("Star ratings")
    model = Rating
    filterset_class = filters.RatingFilter
    default_sort = "-year"
    columns = [
        Column("subject", _("Rated"), value=lambda r: str(r.subject), link=True, role=TITLE),
        Column(
            "result", _("Result"), value="stars", html=rating_status, sort=("stars", "pk"), role=TAG
        ),
        Column("year", _("Rating year"), sort=("year", "pk")),
        Column("status", _("Status"), value="get_status_display", show=False),
        Column("percent", _("Percent of the total"), sort=("percent", "pk"), role=HIDE),
        Column("total", _("Reviewed points"), show=False),
        Column("self_total", _("Self-assessed points"), show=False),
        Column("vetoed", _("Vetoed"), show=False),
        Column("rated_on", _("Decided on"), sort=("rated_on", "pk")),
        Column("reviewers", _("Reviewers"), role=HIDE),
        Column("rubric", _("Rubric"), value=lambda r: str(r.rubric), show=False),
        Column("result_note", _("Result"), show=False),
    ]

    def prepare(self, queryset, day):
        return queryset.select_related("site__enterprise", "organization", "rubric")


TABLES = (
    SiteTable(),
    TopicTable(),
    TeamTable(),
    MentoringTable(),
    DeedTable(),
    CaseTable(),
    RatingTable(),
)
