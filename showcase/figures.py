"""The 点 panel's figures for an area and a day D (METRICS.md, "Points"), and the
drill-down querysets behind every count.

Each figure is an aggregate of the very queryset its drill-down list shows: the
``*_rows(qs, day, …)`` functions take a base queryset (a list page passes
``Model.objects.for_user(user)``, narrowed to the area it shows; the panel passes
``Model.objects.in_area(area)``) and return the rows a count is made of, so a count and
its list cannot disagree. ``points(area, day)`` aggregates them in the database, in one
statement (each group of figures a branch of a UNION ALL).

Status at D and state at D come from the change tables (``core.dated``: the change
active at D), so a figure for a past D is not changed by anything dated after D.
"""

import datetime as dt

from django.db.models import Count, Exists, F, FilteredRelation, OuterRef, Q, Subquery

from core.sql import count_parts, fetch

from .models import (
    RECOGNISED,
    TOPIC_ENDED,
    CaseReview,
    DemonstrationSite,
    Mentoring,
    PioneerDeed,
    Rating,
    SiteLevel,
    SiteStatus,
    SiteStatusChange,
    TeachingCase,
    Topic,
    TopicState,
    TopicStateChange,
)

STARS = range(0, 6)
TOPIC_STATES = [s.value for s in TopicState]
TOPIC_OPEN = [s for s in TOPIC_STATES if s not in TOPIC_ENDED]


def year_start(day):
    return dt.date(day.year, 1, 1)


def rate(count, total):
    """count ÷ total; None (shown "—") when there is nothing to divide by."""
    return count / total if total else None


# ---------------------------------------------------------------------------
# Sites


def with_status_at(qs, day):
    """Sites with ``status_at``: their status at ``day`` (NULL for a site not yet created
    at that day)."""
    return qs.annotate(
        status_on_day=FilteredRelation(
            "status_changes", condition=SiteStatusChange.active_q(day, prefix="status_changes__")
        ),
        status_at=F("status_on_day__status"),
    )


def site_rows(qs, day, *, statuses=RECOGNISED, batch=None, level=None):
    """``sites``: named or reviewed at ``day`` (or any ``statuses``), of a batch / level."""
    rows = with_status_at(qs, day).filter(status_at__in=list(statuses))
    if batch is not None:
        rows = rows.filter(batch=batch)
    if level is not None:
        rows = rows.filter(level=level)
    return rows


def incubating_site_rows(qs, day, **filters):
    """``sites_incubating``: in incubation (培育) at ``day``."""
    return site_rows(qs, day, statuses=[SiteStatus.INCUBATING], **filters)


def _latest_rating(day):
    """Per site (correlated on OuterRef("pk")): its decided ratings dated ≤ day, newest
    first."""
    return Rating.objects.filter(
        site=OuterRef("pk"), status=Rating.Status.FINAL, rated_on__lte=day
    ).order_by("-rated_on", "-pk")


def with_stars_at(qs, day):
    """Sites with ``stars_at``: the stars of their latest rating dated ≤ day (NULL if
    never rated by then; a veto is 0)."""
    return qs.annotate(stars_at=Subquery(_latest_rating(day).values("stars")[:1]))


def star_site_rows(qs, day, *, stars=None):
    """``stars``: sites by the stars of their latest rating dated ≤ day."""
    rows = with_stars_at(qs, day).filter(stars_at__isnull=False)
    return rows if stars is None else rows.filter(stars_at=stars)


def latest_rating_rows(qs, day, *, stars=None):
    """The same count as rating rows: each site's latest decided rating dated ≤ day."""
    newer = Rating.objects.filter(
        site=OuterRef("site"), status=Rating.Status.FINAL, rated_on__lte=day
    ).filter(
        Q(rated_on__gt=OuterRef("rated_on"))
        | Q(rated_on=OuterRef("rated_on"), pk__gt=OuterRef("pk"))
    )
    rows = qs.filter(site__isnull=False, status=Rating.Status.FINAL, rated_on__lte=day).exclude(
        Exists(newer)
    )
    return rows if stars is None else rows.filter(stars=stars)


# ---------------------------------------------------------------------------
# Topics


def with_state_at(qs, day):
    """Topics posted ≤ day with ``state_at``, their state at ``day``."""
    return (
        qs.filter(posted_on__lte=day)
        .annotate(
            state_on_day=FilteredRelation(
                "state_changes", condition=TopicStateChange.active_q(day, prefix="state_changes__")
            ),
            state_at=F("state_on_day__state"),
        )
        .filter(state_at__isnull=False)
    )


def topic_rows(qs, day, *, state=None, states=None):
    """``topics``: posted ≤ day, in ``state`` (or any of ``states``) at day."""
    rows = with_state_at(qs, day)
    if state is not None:
        rows = rows.filter(state_at=state)
    if states is not None:
        rows = rows.filter(state_at__in=list(states))
    return rows


def due_topic_rows(qs, day):
    """The completion rate's denominator: posted ≤ day and due ≤ day."""
    return topic_rows(qs, day).filter(due_on__lte=day)


def done_topic_rows(qs, day):
    """The completion rate's numerator: due ≤ day and closed as done (销号) at day."""
    return due_topic_rows(qs, day).filter(state_at=TopicState.CLOSED)


def overdue_topic_rows(qs, day):
    """``topics_overdue``: due before day and not closed (销号 or 容错关闭) at day."""
    return topic_rows(qs, day, states=TOPIC_OPEN).filter(due_on__lt=day)


def claimed_topic_rows(qs, day):
    """Topics posted ≤ day and claimed (揭榜) ≤ day."""
    return qs.filter(posted_on__lte=day, claimed_on__lte=day)


def engaged_branch_rows(qs, day, *, topics):
    """``engaged.branches``: party organisations (``qs``) that claimed one of ``topics``."""
    claimed = claimed_topic_rows(topics, day).filter(claimed_branch__isnull=False)
    return qs.filter(pk__in=claimed.values("claimed_branch_id"))


def engaged_team_rows(qs, day, *, topics):
    """``engaged.teams``: task teams (``qs``) that claimed one of ``topics``."""
    claimed = claimed_topic_rows(topics, day).filter(claimed_team__isnull=False)
    return qs.filter(pk__in=claimed.values("claimed_team_id"))


# ---------------------------------------------------------------------------
# Deeds, cases, mentoring


def deed_rows(qs, day):
    """``deeds``: recorded this year (1 January of day's year … day)."""
    return qs.filter(recorded_on__gte=year_start(day), recorded_on__lte=day)


def case_rows(qs, day):
    """``cases``: reviewed this year (only reviewed cases count)."""
    return qs.filter(
        review_state=CaseReview.REVIEWED,
        reviewed_on__gte=year_start(day),
        reviewed_on__lte=day,
    )


def mentoring_rows(qs, day):
    """Mentoring pairs (传帮带) in force at day."""
    return qs.active_on(day)


def mentored_enterprise_rows(qs, day, *, mentorings):
    """``mentored``: enterprises (``qs``) mentored by one of ``mentorings`` at day."""
    return qs.filter(pk__in=mentoring_rows(mentorings, day).values("mentee_id"))


# ---------------------------------------------------------------------------
# The panel


# The one statement of ``points``: every group of figures as UNION ALL branches of the
# same width (kind, four text keys, two integer keys, three counts).
_BRANCHES = {
    # The first branch types the columns (PostgreSQL resolves a UNION pairwise: two
    # untyped NULLs would make a column text).
    "sites": "SELECT 'sites', status, level, bname, barea, batch, byear, n, "
    "CAST(NULL AS BIGINT), CAST(NULL AS BIGINT) FROM s",
    "stars": "SELECT 'stars', NULL, NULL, NULL, NULL, stars, NULL, n, NULL, NULL FROM r",
    "topics": "SELECT 'topics', state, NULL, NULL, NULL, NULL, NULL, n, due, late FROM t",
}


def _statement(area, day):
    sites = DemonstrationSite.objects.in_area(area)
    topics = Topic.objects.in_area(area)
    groups = (
        with_status_at(sites, day)
        .filter(status_at__isnull=False)
        .values("status_at", "level", "batch", "batch__name", "batch__year", "batch__area__name")
        .annotate(n=Count("pk"))
        .values_list(
            "status_at", "level", "batch__name", "batch__area__name", "batch", "batch__year", "n"
        )
        .order_by()
    )
    # Counted over the ratings (an anti-join: no newer decided rating of the same site),
    # which plans better than a subquery per site; star_site_rows lists the same sites.
    latest = latest_rating_rows(Rating.objects.filter(site__in=sites), day)
    stars = latest.values("stars").annotate(n=Count("pk")).values_list("stars", "n").order_by()
    states = (
        topic_rows(topics, day)
        .values("state_at")
        .annotate(
            n=Count("pk"),
            due=Count("pk", filter=Q(due_on__lte=day)),
            late=Count("pk", filter=Q(due_on__lt=day)),
        )
        .values_list("state_at", "n", "due", "late")
        .order_by()
    )
    claimed = claimed_topic_rows(topics, day)
    scalars, params = count_parts(
        (claimed, "claimed_branch"),
        (claimed, "claimed_team"),
        deed_rows(PioneerDeed.objects.in_area(area), day),
        case_rows(TeachingCase.objects.in_area(area), day),
        (mentoring_rows(Mentoring.objects.in_area(area), day), "mentee"),
    )
    ctes, cte_params = [], []
    for name, columns, queryset in (
        ("s", "status, level, bname, barea, batch, byear, n", groups),
        ("r", "stars, n", stars),
        ("t", "state, n, due, late", states),
    ):
        sql, sub = queryset.query.sql_with_params()
        ctes.append(f"{name} ({columns}) AS ({sql})")
        cte_params.extend(sub)
    counted = f"SELECT 'counts', NULL, NULL, NULL, NULL, {', '.join(scalars)}"
    branches = [*_BRANCHES.values(), counted]
    sql = "WITH " + ", ".join(ctes) + " " + " UNION ALL ".join(branches)
    return sql, [*cte_params, *params]


def points(area, day):
    """Every 点 figure for ``area`` at ``day`` (keys of METRICS.md, plus ``mentored`` and
    the completion rate's two counts), in one statement."""
    by_status = dict.fromkeys([s.value for s in SiteStatus], 0)
    by_level = dict.fromkeys([lv.value for lv in SiteLevel], 0)
    batches = {}
    stars = dict.fromkeys(STARS, 0)
    states = dict.fromkeys(TOPIC_STATES, 0)
    due = done = overdue = 0
    branches = teams = deeds = cases = mentored = 0
    for kind, k1, k2, k3, k4, i1, i2, n1, n2, n3 in fetch(*_statement(area, day)):
        if kind == "sites":
            by_status[k1] += n1
            if k1 in RECOGNISED:
                by_level[k2] += n1
                batch = batches.setdefault(
                    i1, {"batch": i1, "name": k3, "year": i2, "area": k4, "count": 0}
                )
                batch["count"] += n1
        elif kind == "stars":
            stars[i1] += n1
        elif kind == "topics":
            states[k1] += n1
            due += n2
            if k1 == TopicState.CLOSED:
                done += n2
            if k1 in TOPIC_OPEN:
                overdue += n3
        else:
            branches, teams, deeds, cases, mentored = i1, i2, n1, n2, n3

    return {
        "sites": {
            "total": sum(by_status[s] for s in RECOGNISED),
            "by_batch": sorted(batches.values(), key=lambda b: (b["year"], b["name"], b["batch"])),
            "by_level": by_level,
            "by_status": by_status,
        },
        "sites_incubating": by_status[SiteStatus.INCUBATING],
        "stars": stars,
        "topics": {**states, "total": sum(states.values())},
        "topic_completion": rate(done, due),
        "topics_due": due,
        "topics_due_closed": done,
        "topics_overdue": overdue,
        "engaged": {"branches": branches, "teams": teams},
        "deeds": deeds,
        "cases": cases,
        "mentored": mentored,
    }
