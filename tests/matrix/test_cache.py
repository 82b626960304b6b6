"""Cached figures are never stale: any committed change shows on the next request."""

import datetime as dt

import pytest
from django.urls import reverse

from enterprises.dashboard import figures, service
from enterprises.dashboard import version as versions
from enterprises.models import Coverage, Enterprise, MembershipReturn, PartyOrganization
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


@pytest.mark.parametrize(
    "write",
    [
        "save",
        "delete",
        "queryset_update",
        "bulk_update",
        "bulk_create",
    ],
)
def test_every_write_path_leaves_a_change_the_trend_check_reads(dataset, shuicheng, write):
    before, _ = versions.mark_and_changes()
    e = Enterprise.objects.in_area(shuicheng).first()
    if write == "save":
        e.status, e.status_date = Enterprise.Status.SUSPENDED, TODAY
        e.save()
    elif write == "delete":
        MembershipReturn.objects.filter(enterprise__community=shuicheng).first().delete()
    elif write == "queryset_update":
        Coverage.objects.filter(enterprise__community=shuicheng).update(until=TODAY)
    elif write == "bulk_update":
        e.industry = "J"
        Enterprise.objects.bulk_update([e], ["industry"])
    else:
        MembershipReturn.objects.bulk_create(
            [MembershipReturn(enterprise=e, reported_on=dt.date(2019, 1, 1), formal=9)]
        )
    after, rows = versions.mark_and_changes(before.max_id)
    assert after.count > before.count and after.max_id > before.max_id
    assert len(rows) == after.count - before.count


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
def test_trend_points_survive_changes_that_cannot_affect_them(
    dataset, leader_client, shuicheng, computations
):
    url = reverse("dashboard:home")
    leader_client.get(url)
    assert computations[-1] == (True, figures.trend_days(TODAY)[:-1])
    # A return dated today: only today's snapshot is recomputed, not one month-end.
    e = Enterprise.objects.in_area(shuicheng).exclude(returns__reported_on=TODAY).first()
    MembershipReturnFactory(enterprise=e, reported_on=TODAY, formal=12)
    leader_client.get(url)
    assert computations[-1] == (True, [])
    # A name or industry edit does not touch the trend either.
    e.name, e.industry = "改名后的企业", "J"
    e.save()
    leader_client.get(url)
    assert computations[-1] == (True, [])
    # The end of last year: computed once; a return dated today leaves it valid, an
    # industry change (a breakdown dimension, not dated) does not.
    leader_client.get(url, {"as_of": PAST.isoformat()})
    calls = len(computations)
    other = Enterprise.objects.in_area(shuicheng).exclude(returns__reported_on=TODAY).first()
    MembershipReturnFactory(enterprise=other, reported_on=TODAY, formal=1)
    leader_client.get(url, {"as_of": PAST.isoformat()})
    assert len(computations) == calls
    e.industry = "K"
    e.save()
    leader_client.get(url, {"as_of": PAST.isoformat()})
    assert computations[-1] == (True, [])
    # A coverage ended at the end of last year: points from then on are recomputed.
    cov = Coverage.objects.filter(enterprise__community=shuicheng, until__isnull=True).first()
    cov.until = PAST
    cov.save()
    leader_client.get(url)
    snapshot, points = computations[-1]
    assert points == [p for p in figures.trend_days(TODAY)[:-1] if p >= PAST]
    # Changing an organisation's formation is not dated: every point is recomputed.
    org = PartyOrganization.objects.filter(area=shuicheng).first()
    org.formation = PartyOrganization.Formation.REGIONAL
    org.save()
    leader_client.get(url)
    assert computations[-1][1] == figures.trend_days(TODAY)[:-1]


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


def test_effect_of_each_kind_of_change():
    day = dt.date(2025, 6, 1)
    iso = day.isoformat()
    create = versions.effect_of(Coverage, "create", {"since": [None, iso], "until": [None, None]})
    assert create == day
    assert versions.effect_of(MembershipReturn, "update", {"activists": [1, 2]}) == versions.NEVER
    assert versions.effect_of(MembershipReturn, "update", {"formal": [1, 2]}) == versions.ALWAYS
    assert versions.effect_of(Enterprise, "update", {"name": ["a", "b"]}) == versions.NEVER
    closed = versions.effect_of(
        Enterprise, "update", {"status": ["operating", "suspended"], "status_date": [None, iso]}
    )
    assert closed == day
    assert versions.effect_of(Enterprise, "update", {"status": ["a", "b"]}) == versions.ALWAYS
    assert versions.effect_of(Enterprise, "update", {"archived_at": [None, "x"]}) == versions.ALWAYS
    moved = versions.effect_of(Coverage, "update", {"until": ["2025-09-01", iso]})
    assert moved == day
    assert versions.effect_of(PartyOrganization, "update", {"enterprises": [[1], [1, 2]]}) == (
        versions.ALWAYS
    )
    from areas.models import Area
    from partnerships.models import Partner

    assert versions.effect_of(Area, "update", {"name": ["a", "b"]}) == versions.ALWAYS
    assert versions.effect_of(Partner, "create", {"name": [None, "x"]}) == versions.NEVER
    industry = {"industry": ["C", "J"]}
    assert versions.effect_of(Enterprise, "update", industry) == versions.NEVER
    snapshot_fields = versions.SNAPSHOT_FIELDS
    assert versions.effect_of(Enterprise, "update", industry, snapshot_fields) == versions.ALWAYS


@pytest.mark.parametrize(
    "build, fields",
    [
        (lambda a, d: figures.state_band_counts(a, d), versions.TREND_FIELDS),
        (lambda a, d: figures.enterprise_rows(a, d), versions.SNAPSHOT_FIELDS),
    ],
    ids=["trend", "snapshot"],
)
def test_the_invalidation_lists_every_field_the_figures_read(areas, district, build, fields):
    """Guard for enterprises/coverage.py changes: the SQL of the figures reads no table
    and no column that version.TREND_FIELDS / SNAPSHOT_FIELDS leave out (a change to a
    left-out field keeps cached figures; it must not be able to change them)."""
    import re

    from django.apps import apps

    sql = str(build(district, TODAY).query)
    tables = set(re.findall(r'(?:FROM|JOIN) "(\w+)"', sql))
    listed = {m._meta.db_table: m for m in fields}
    assert tables <= set(listed), tables - set(listed)
    columns = set(re.findall(r'\."(\w+)"', sql))
    read_anywhere = {c for m, names in fields.items() if names for c in names} | {
        f.column for m, names in fields.items() if names is None for f in m._meta.concrete_fields
    }
    for table in tables:
        model = listed[table]
        if fields[model] is None:
            continue  # every field counts (Area)
        for field in model._meta.concrete_fields:
            if field.attname in fields[model] or field.primary_key:
                continue
            # A left-out column may share its name with a listed column of another model.
            assert field.column not in columns or field.column in read_anywhere, (
                f"{model.__name__}.{field.attname} is read but not listed"
            )
    assert apps.get_model("enterprises", "Enterprise") in fields


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
