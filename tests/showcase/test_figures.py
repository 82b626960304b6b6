"""The 点 figures (METRICS.md, Points) on a small hand-checked data set, and their
invariants: each count equals its drill-down list, a street is the sum of its
communities (and the district of its streets), a past day is not changed by later
records, and the panel costs a fixed number of queries."""

import datetime as dt

import pytest
from django.utils import timezone

from areas.models import Area
from enterprises.models import Enterprise, PartyOrganization
from showcase import figures, services
from showcase.models import (
    DemonstrationSite,
    Mentoring,
    PioneerDeed,
    Rating,
    SiteLevel,
    SiteStatus,
    TaskTeam,
    TeachingCase,
    Topic,
    TopicState,
)
from tests.factories import (
    MentoringFactory,
    PartyOrganizationFactory,
    PioneerDeedFactory,
    TeachingCaseFactory,
)

from .world import D1, D2, flat, make_site, rate, topic

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
DAYS = [D1, D2, TODAY]
T = TopicState
d = dt.date


def test_the_figures_of_a_street_at_two_days(data, jiaonan):
    batch_a = data["batches"][0]
    p = figures.points(jiaonan, D1)
    assert p["sites"]["total"] == 3 and p["sites_incubating"] == 1
    assert [(b["name"], b["count"]) for b in p["sites"]["by_batch"]] == [("首批", 3)]
    assert p["sites"]["by_batch"][0]["batch"] == batch_a.pk
    assert p["sites"]["by_level"] == {"street": 2, "district": 1, "city": 0}
    assert p["stars"] == {0: 0, 1: 0, 2: 0, 3: 0, 4: 1, 5: 0}
    assert p["topics"] == {
        "collecting": 1,
        "published": 0,
        "claimed": 0,
        "in_progress": 2,
        "accepting": 0,
        "closed": 1,
        "tolerated": 0,
        "total": 4,
    }
    assert (p["topics_due"], p["topics_due_closed"], p["topic_completion"]) == (2, 1, 0.5)
    assert p["topics_overdue"] == 1
    assert p["engaged"] == {"branches": 2, "teams": 1}
    assert (p["deeds"], p["cases"], p["mentored"]) == (0, 0, 2)

    p = figures.points(jiaonan, D2)
    assert p["sites"]["total"] == 2 and p["sites_incubating"] == 1
    assert p["sites"]["by_status"] == {"incubating": 1, "named": 1, "reviewed": 1, "revoked": 1}
    assert p["stars"] == {0: 1, 1: 0, 2: 0, 3: 0, 4: 0, 5: 1}  # s1 went up, s2 vetoed
    assert p["topics"]["tolerated"] == 1 and p["topics"]["claimed"] == 1
    assert p["topics"]["total"] == 5
    assert (p["topics_due"], p["topics_due_closed"], p["topic_completion"]) == (5, 1, 0.2)
    assert p["topics_overdue"] == 2
    assert p["engaged"] == {"branches": 2, "teams": 2}
    assert (p["deeds"], p["cases"], p["mentored"]) == (1, 1, 1)


def test_the_other_street(data, hongshiya):
    p = figures.points(hongshiya, D2)
    assert p["sites"]["total"] == 1 and p["sites"]["by_level"]["city"] == 1
    assert p["stars"][3] == 1
    assert p["topics"]["accepting"] == 1 and p["topics_overdue"] == 1
    assert p["cases"] == 1 and p["deeds"] == 0


def test_no_topic_due_means_no_completion_rate(jiaonan):
    p = figures.points(jiaonan, D1)
    assert p["topic_completion"] is None and p["topics"]["total"] == 0
    assert p["stars"] == dict.fromkeys(range(6), 0)


def test_this_year_counts_deeds_of_this_year_only(data, jiaonan):
    assert figures.points(jiaonan, TODAY)["deeds"] == 1


def summed(areas, day):
    total = {}
    for area in areas:
        for k, v in flat(figures.points(area, day)).items():
            total[k] = total.get(k, 0) + v
    return total


def nonzero(counts):
    return {k: v for k, v in counts.items() if v}


@pytest.mark.parametrize("day", DAYS)
def test_a_parent_is_the_sum_of_its_children(data, district, day):
    for street in Area.objects.filter(parent=district):
        assert nonzero(flat(figures.points(street, day))) == nonzero(
            summed(street.children.all(), day)
        )
    assert nonzero(flat(figures.points(district, day))) == nonzero(
        summed(Area.objects.filter(parent=district), day)
    )


def drill_downs(area, day, points):
    """(figure, rows of its drill-down list) for every count."""
    sites = DemonstrationSite.objects.in_area(area)
    topics = Topic.objects.in_area(area)
    pairs = [
        (points["sites"]["total"], figures.site_rows(sites, day)),
        (points["sites_incubating"], figures.incubating_site_rows(sites, day)),
        (points["topics"]["total"], figures.topic_rows(topics, day)),
        (points["topics_due"], figures.due_topic_rows(topics, day)),
        (points["topics_due_closed"], figures.done_topic_rows(topics, day)),
        (points["topics_overdue"], figures.overdue_topic_rows(topics, day)),
        (
            points["engaged"]["branches"],
            figures.engaged_branch_rows(PartyOrganization.objects.all(), day, topics=topics),
        ),
        (
            points["engaged"]["teams"],
            figures.engaged_team_rows(TaskTeam.objects.all(), day, topics=topics),
        ),
        (points["deeds"], figures.deed_rows(PioneerDeed.objects.in_area(area), day)),
        (points["cases"], figures.case_rows(TeachingCase.objects.in_area(area), day)),
        (
            points["mentored"],
            figures.mentored_enterprise_rows(
                Enterprise.objects.all(), day, mentorings=Mentoring.objects.in_area(area)
            ),
        ),
    ]
    for row in points["sites"]["by_batch"]:
        pairs.append((row["count"], figures.site_rows(sites, day, batch=row["batch"])))
    for level, count in points["sites"]["by_level"].items():
        pairs.append((count, figures.site_rows(sites, day, level=level)))
    for status, count in points["sites"]["by_status"].items():
        pairs.append((count, figures.site_rows(sites, day, statuses=[status])))
    for stars, count in points["stars"].items():
        pairs.append((count, figures.star_site_rows(sites, day, stars=stars)))
        pairs.append(
            (count, figures.latest_rating_rows(Rating.objects.in_area(area), day, stars=stars))
        )
    for state in figures.TOPIC_STATES:
        pairs.append((points["topics"][state], figures.topic_rows(topics, day, state=state)))
    return pairs


@pytest.mark.parametrize("day", DAYS)
def test_every_count_equals_its_drill_down_list(data, day):
    for area in Area.objects.all():
        points = figures.points(area, day)
        for figure, rows in drill_downs(area, day, points):
            assert figure == rows.count() == len(list(rows)), (area, day, str(rows.query)[:200])


def test_a_users_lists_give_the_same_counts(data, staff, jiaonan):
    """A list page starts from for_user: for a street's staff that is the street."""
    points = figures.points(jiaonan, D2)
    assert (
        figures.site_rows(DemonstrationSite.objects.for_user(staff), D2).count()
        == (points["sites"]["total"])
    )
    assert (
        figures.overdue_topic_rows(Topic.objects.for_user(staff), D2).count()
        == (points["topics_overdue"])
    )


def test_past_days_do_not_change_when_later_records_are_added(data, district, shuicheng, zhushan):
    before = {
        (area.pk, day): figures.points(area, day) for area in Area.objects.all() for day in (D1, D2)
    }
    s1, s2, s3, s4, s5 = data["sites"]
    later = d(2025, 2, 1)
    # A new site named later, a later review, rating, state changes, claims and records.
    make_site(shuicheng, data["batches"][0], SiteLevel.STREET, named=later, since=later)
    services.site_name(site=s3, on=later)
    services.site_reincubate(site=s4, on=later)
    rubric = Rating.objects.first().rubric
    rate(rubric, s2, 2024, 60, d(2025, 3, 1))  # a 2024 rating decided in 2025
    open_topic = Topic.objects.get(enterprise=s2.enterprise, state=T.IN_PROGRESS)
    services.topic_record_acceptance(
        topic=open_topic, on=later, reviewers=["专家"], measured_value=1, passed=True
    )
    new_branch = PartyOrganizationFactory(area=zhushan)
    topic(
        s2.enterprise,
        later,
        later,
        [(T.PUBLISHED, later), (T.CLAIMED, later, new_branch)],
    )
    PioneerDeedFactory(enterprise=s1.enterprise, recorded_on=later)
    case = TeachingCaseFactory(area=zhushan, recorded_on=d(2024, 6, 1))
    services.case_submit(case=case)
    services.case_review(case=case, on=later, reviewer="审核人", approve=True)
    mentoring = Mentoring.objects.get(site=s1)
    mentoring.end = later
    mentoring.save()
    MentoringFactory(site=s1, start=later)
    after = {
        (area.pk, day): figures.points(area, day) for area in Area.objects.all() for day in (D1, D2)
    }
    assert after == before
    assert figures.points(district, TODAY) != before[(district.pk, D2)]


def test_the_panel_costs_a_fixed_number_of_queries(data, district, django_assert_max_num_queries):
    with django_assert_max_num_queries(4):
        figures.points(district, D2)


def test_statuses_and_states_at_a_day_match_the_records(data):
    for site in DemonstrationSite.objects.all():
        for day in DAYS:
            row = figures.with_status_at(DemonstrationSite.objects.filter(pk=site.pk), day).get()
            assert row.status_at == site.status_on(day)
    for t in Topic.objects.all():
        for day in DAYS:
            rows = figures.with_state_at(Topic.objects.filter(pk=t.pk), day)
            assert (rows.get().state_at if rows.exists() else None) == t.state_on(day)
    assert SiteStatus.REVOKED in {s.status for s in DemonstrationSite.objects.all()}
