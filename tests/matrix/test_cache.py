"""Cached figures are never stale: any committed change shows on the next request."""

import datetime as dt

import pytest
from django.urls import reverse

from enterprises.dashboard import figures, service
from enterprises.models import Coverage, Enterprise
from matrix.dashboard import service as dashboard
from tests.factories import (
    CoverageFactory,
    EnterpriseFactory,
    LiaisonAssignmentFactory,
    MassOrganizationFactory,
    MembershipReturnFactory,
    PartyOrganizationFactory,
)

from .conftest import PAST, TODAY

API = "/api/matrix/summary/"


@pytest.fixture
def computations(monkeypatch):
    """Records every call of figures.compute (snapshot?, trend points)."""
    calls = []
    real = figures.compute

    def spy(area, day, *, snapshot=True, trend=()):
        calls.append((snapshot, list(trend)))
        return real(area, day, snapshot=snapshot, trend=trend)

    monkeypatch.setattr(figures, "compute", spy)
    return calls


def summary(client, day=None):
    params = {"as_of": day.isoformat()} if day else {}
    return client.get(API, params).json()


@pytest.mark.django_db(transaction=True)
def test_a_change_shows_on_the_next_request(dataset, leader_client, shuicheng, computations):
    before = summary(leader_client)
    assert summary(leader_client) == before
    assert len(computations) == 1  # the second request was served from the cache
    uncovered = (
        Enterprise.objects.in_area(shuicheng)
        .with_coverage(TODAY)
        .filter(coverage_state="uncovered")
        .first()
    )
    CoverageFactory(enterprise=uncovered, since=TODAY, organization__established_on=TODAY)
    after = summary(leader_client)
    assert after["coverage"]["standalone"]["count"] == before["coverage"]["standalone"]["count"] + 1
    assert after["coverage"]["uncovered"]["count"] == before["coverage"]["uncovered"]["count"] - 1


@pytest.mark.django_db(transaction=True)
def test_a_backdated_change_invalidates_the_past(dataset, leader_client, shuicheng):
    past = summary(leader_client, PAST)
    e = EnterpriseFactory(community=shuicheng, tracked_since=dt.date(2020, 1, 1))
    assert summary(leader_client, PAST)["operating"] == past["operating"] + 1
    e.status, e.status_date = Enterprise.Status.MOVED_OUT, dt.date(2020, 6, 1)
    e.save()
    assert summary(leader_client, PAST)["operating"] == past["operating"]


@pytest.mark.django_db(transaction=True)
def test_a_past_date_does_not_change_when_later_records_are_added(
    dataset, leader_client, shuicheng
):
    past, today = summary(leader_client, PAST), summary(leader_client)
    # Records dated after PAST, of every kind.
    e = EnterpriseFactory(community=shuicheng, tracked_since=TODAY)
    CoverageFactory(enterprise=e, since=TODAY, organization__established_on=TODAY)
    target = Enterprise.objects.in_area(shuicheng).with_coverage(TODAY)
    uncovered = target.filter(coverage_state="uncovered").first()
    LiaisonAssignmentFactory(enterprise=uncovered, start=TODAY)
    MassOrganizationFactory(enterprise=uncovered, established_on=TODAY, kind="women")
    for ent in Enterprise.objects.in_area(shuicheng).exclude(returns__reported_on=TODAY):
        MembershipReturnFactory(enterprise=ent, reported_on=TODAY, formal=9)
    PartyOrganizationFactory(area=shuicheng, established_on=TODAY)
    assert summary(leader_client, PAST) == past
    assert summary(leader_client) != today


@pytest.mark.django_db(transaction=True)
def test_trend_points_match_a_fresh_computation_after_changes(dataset, leader_client, jiaonan):
    leader_client.get(reverse("dashboard:home"))
    cov = Coverage.objects.filter(enterprise__community__parent=jiaonan).first()
    cov.since = dt.date(TODAY.year - 1, 6, 15)
    cov.save()
    MembershipReturnFactory(
        enterprise=cov.enterprise, reported_on=dt.date(TODAY.year - 1, 3, 3), formal=0
    )
    cached = service.load(jiaonan, TODAY).trend
    _, fresh = figures.compute(jiaonan, TODAY, snapshot=False, trend=list(cached)[:-1])
    for point, tally in fresh.items():
        assert cached[point].states == tally.states and cached[point].bands == tally.bands


def leader_client_user(client):
    from accounts.models import User

    return User.objects.get(pk=client.session["_auth_user_id"])


def dashboard_main(client, **params):
    """The page's <main> (the cached body and the heading), without CSRF tokens."""
    import re

    html = client.get(reverse("dashboard:home"), params).content.decode()
    main = html[html.index('<main id="main">') : html.index("</main>")]
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", main)


@pytest.mark.django_db(transaction=True)
def test_the_dashboard_page_is_reused_and_never_stale(
    dataset, leader_client, shuicheng, computations
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    first = dashboard_main(leader_client)
    with CaptureQueriesContext(connection) as queries:
        assert dashboard_main(leader_client) == first
    assert len(computations) == 1
    assert not [q for q in queries if "enterprises_" in q["sql"]]  # no figure was read
    EnterpriseFactory(community=shuicheng, tracked_since=TODAY - dt.timedelta(days=1))
    assert dashboard_main(leader_client) != first  # one more operating enterprise


@pytest.mark.django_db(transaction=True)
def test_the_cached_dashboard_is_per_language_date_and_sort(dataset, leader_client):
    from django.conf import settings

    chinese = dashboard_main(leader_client)
    leader_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = dashboard_main(leader_client)
    assert "Quick picks" in english and "Quick picks" not in chinese
    past = dashboard_main(leader_client, as_of=PAST.isoformat())
    assert f'value="{PAST.isoformat()}"' in past and f'value="{PAST.isoformat()}"' not in english
    bad = dashboard_main(leader_client, as_of="2099-01-01")
    assert "The date cannot be in the future." in bad
    by_count = dashboard_main(leader_client, sort="-operating")
    assert by_count != english


@pytest.mark.django_db(transaction=True)
def test_the_cached_dashboard_is_per_scope(dataset, leader_client, admin_client, jiaonan):
    # The same area seen from the street's own leader and from the district: the
    # area picker offers different choices.
    mine = dashboard_main(leader_client, area=jiaonan.pk)
    district = dashboard_main(admin_client, area=jiaonan.pk)
    assert mine != district
    assert district.count("<option") > mine.count("<option")


@pytest.mark.parametrize("who", ["leader", "admin_user"])
def test_the_dashboards_alerts_keep_the_badge(dataset, request, who, django_assert_max_num_queries):
    from enterprises import alerts

    user = request.getfixturevalue(who)
    _in_area, scope_total = dashboard.alerts(user, user.current_area)
    with django_assert_max_num_queries(1):  # the data version; no alert is counted again
        assert alerts.total(user) == scope_total
    assert scope_total == sum(a.count(user) for a in alerts.ALERTS)


@pytest.mark.django_db(transaction=True)
def test_admins_with_different_areas_get_their_own_dashboard(dataset, district, jiaonan):
    # Admins share the scope "all", but the alert rows link to the alert pages only for
    # the admin whose own area is shown.
    from django.core.cache import cache
    from django.test import Client

    from tests.factories import UserFactory

    def seen_by(user, fresh):
        if fresh:
            cache.clear()
        client = Client()
        client.force_login(user)
        return dashboard_main(client, area=district.pk)

    role = {"role": "admin"}
    at_district = UserFactory(username="adm_district", area=district, **role)
    at_street = UserFactory(username="adm_street", area=jiaonan, **role)
    fresh = {u: seen_by(u, fresh=True) for u in (at_district, at_street)}
    assert fresh[at_district] != fresh[at_street]
    cache.clear()
    for user in (at_district, at_street, at_district):
        assert seen_by(user, fresh=False) == fresh[user]


@pytest.mark.django_db(transaction=True)
def test_a_kept_alert_total_is_never_newer_than_its_counts(
    admin_user, district, shuicheng, monkeypatch
):
    # Outside a request (warm_dashboard) a change may commit while the alerts are counted:
    # the total must be kept under the version read before counting, not after.
    from enterprises import alerts

    real = dashboard.alert_counts

    def counted_then_changed(user, area, today):
        value = real(user, area, today)
        EnterpriseFactory(community=shuicheng, tracked_since=dt.date(2000, 1, 1))  # commits
        return value

    monkeypatch.setattr(dashboard, "alert_counts", counted_then_changed)
    dashboard.alerts(admin_user, district)
    monkeypatch.setattr(dashboard, "alert_counts", real)
    assert alerts.total(admin_user) == sum(alerts.counts(admin_user).values())
