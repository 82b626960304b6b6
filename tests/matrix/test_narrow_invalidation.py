"""Narrow invalidation (core/versions.py): a save in one street leaves the other streets'
pages cached, and shows at once on every page that shows it."""

import datetime as dt
import re

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse

from accounts.models import User
from core import versions
from core.views import CachedBodyMixin
from enterprises.models import Coverage, Enterprise, MembershipReturn
from tests.factories import DemonstrationSiteFactory, EnterpriseFactory, UserFactory
from tests.kitdemo.factories import PatrolFactory

LIST, DASHBOARD = "enterprises:list", "dashboard:home"


@pytest.fixture
def renders(monkeypatch):
    """(view class name, username) of every body rendered (not served from the cache)."""
    calls = []
    real = CachedBodyMixin._render_body

    def spy(self):
        calls.append((type(self).__name__, self.request.user.username))
        return real(self)

    monkeypatch.setattr(CachedBodyMixin, "_render_body", spy)
    return calls


def client_of(user):
    client = Client()
    client.force_login(user)
    return client


def main(client, name, **params):
    response = client.get(reverse(name), params)
    assert response.status_code == 200
    html = response.content.decode()
    html = html[html.index('<main id="main">') : html.index("</main>")]
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


@pytest.fixture
def hsy_leader(areas, hongshiya):
    return UserFactory(username="hsy_leader", role=User.Role.LEADER, area=hongshiya)


@pytest.fixture
def district_leader(areas, district):
    return UserFactory(username="district_leader", role=User.Role.LEADER, area=district)


def in_fulai(fulai):
    return Enterprise.objects.filter(community=fulai).order_by("pk").first()


def write(kind, fulai):
    if kind == "kitdemo":
        PatrolFactory(community=fulai, title="红石崖巡查", start=dt.date(2024, 1, 1))
    elif kind == "showcase":
        DemonstrationSiteFactory(enterprise=in_fulai(fulai))
    else:
        EnterpriseFactory(community=fulai, name="红石崖新企业", tracked_since=dt.date(2020, 1, 1))


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("kind", ["kitdemo", "showcase", "enterprise"])
def test_a_save_in_one_street_leaves_the_other_streets_pages_cached(
    dataset, leader, hsy_leader, fulai, renders, kind
):
    jn, hsy = client_of(leader), client_of(hsy_leader)
    for client in (jn, hsy):
        for name in (LIST, DASHBOARD):
            main(client, name)
    before = {name: main(hsy, name) for name in (LIST, DASHBOARD)}
    jn_before = {name: main(jn, name) for name in (LIST, DASHBOARD)}
    renders.clear()  # everything above is cached now: no body was rendered since
    write(kind, fulai)
    # 胶南街道's leader: both pages warm (no body rendered), and unchanged.
    assert {name: main(jn, name) for name in (LIST, DASHBOARD)} == jn_before
    assert [r for r in renders if r[1] == leader.username] == []
    # 红石崖街道's leader: the dashboard shows the change.
    after = main(hsy, DASHBOARD)
    assert ("DashboardView", hsy_leader.username) in renders
    assert after != before[DASHBOARD]
    listed = main(hsy, LIST)
    if kind == "enterprise":
        assert "红石崖新企业" in listed and "红石崖新企业" not in before[LIST]
        assert ("EnterpriseListView", hsy_leader.username) in renders
    elif kind == "kitdemo":
        # A patrol is no record of the "1": even the street's own list stays cached.
        assert listed == before[LIST]
        assert ("EnterpriseListView", hsy_leader.username) not in renders


@pytest.mark.django_db(transaction=True)
def test_a_save_shows_at_once_to_every_page_that_shows_it(
    dataset, leader, hsy_leader, district_leader, district, hongshiya, fulai, jiaonan, renders
):
    readers = [client_of(hsy_leader), client_of(district_leader)]
    pages = [(LIST, {}), (DASHBOARD, {}), (DASHBOARD, {"area": hongshiya.pk})]
    district_client = readers[1]
    seen = {
        (i, name, tuple(p.items())): main(c, name, **p)
        for i, c in enumerate(readers)
        for name, p in pages
    }
    seen[("district", "jiaonan")] = main(district_client, DASHBOARD, area=jiaonan.pk)
    renders.clear()
    EnterpriseFactory(community=fulai, name="新开业的企业", tracked_since=dt.date(2020, 1, 1))
    for i, client in enumerate(readers):
        for name, params in pages:
            now = main(client, name, **params)
            assert now != seen[(i, name, tuple(params.items()))], (i, name, params)
        assert "新开业的企业" in main(client, LIST)
    # The district leader's view of the other street is as it was (and still correct).
    renders.clear()
    assert main(district_client, DASHBOARD, area=jiaonan.pk) == seen[("district", "jiaonan")]
    assert renders == []  # served from the cache


def counters(*areas):
    return versions.values(
        [name for area in areas for name in versions.deps(area, ["coverage"]).names()],
        memo=False,
    )


def moved(before, after):
    return {name for name in before if before[name] != after[name]}


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "how", ["save", "delete", "queryset_update", "bulk_update", "bulk_create", "copy", "move"]
)
def test_every_write_path_bumps_its_street_and_no_other(
    dataset, real_cache, district, jiaonan, hongshiya, shuicheng, fulai, how
):
    from ledger import bulk

    before = counters(jiaonan, hongshiya, district)
    e = Enterprise.objects.filter(community=shuicheng).order_by("pk").first()
    if how == "save":
        e.name = "改名"
        e.save()
    elif how == "delete":
        MembershipReturn.objects.filter(enterprise__community=shuicheng).first().delete()
    elif how == "queryset_update":
        Coverage.objects.filter(enterprise__community=shuicheng).update(until=dt.date.today())
    elif how == "bulk_update":
        e.industry = "J"
        Enterprise.objects.bulk_update([e], ["industry"])
    elif how == "bulk_create":
        MembershipReturn.objects.bulk_create(
            [MembershipReturn(enterprise=e, reported_on=dt.date(2019, 1, 1), formal=9)]
        )
    elif how == "copy":  # the import's path: COPY on PostgreSQL from 500 rows
        with transaction.atomic():
            bulk.insert(
                [
                    MembershipReturn(
                        enterprise=e, reported_on=dt.date(2000, 1, 1) + dt.timedelta(n)
                    )
                    for n in range(600)
                ]
            )
    else:  # the enterprise moves to 红石崖街道: both streets
        e.community = fulai
        e.save()
    changed = moved(before, counters(jiaonan, hongshiya, district))
    assert f"coverage:{jiaonan.pk}" in changed and f"coverage:{district.pk}" in changed
    assert (f"coverage:{hongshiya.pk}" in changed) == (how == "move")
    assert versions.EVERYTHING not in changed and "coverage" not in changed


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_write_bumps_nothing(dataset, real_cache, jiaonan, shuicheng):
    before = counters(jiaonan)
    with pytest.raises(RuntimeError), transaction.atomic():
        EnterpriseFactory(community=shuicheng)
        raise RuntimeError("rolled back")
    assert moved(before, counters(jiaonan)) == set()


@pytest.mark.django_db(transaction=True)
def test_area_edits_bump_everything_and_the_area_switch_nothing(
    dataset, real_cache, leader, district, jiaonan, hongshiya
):
    before = counters(jiaonan, hongshiya, district)
    district_user = UserFactory(username="d_leader", role=User.Role.LEADER, area=district)
    before = counters(jiaonan, hongshiya, district)
    client = client_of(district_user)
    response = client.post(reverse("accounts:viewing_area"), {"area": jiaonan.pk})
    assert response.status_code in (200, 302)
    district_user.refresh_from_db()
    assert district_user.viewing_area_id == jiaonan.pk  # the switch did switch
    assert moved(before, counters(jiaonan, hongshiya, district)) == set()
    jiaonan.name = "胶南街道（新）"
    jiaonan.save()
    assert versions.EVERYTHING in moved(before, counters(jiaonan, hongshiya, district))


@pytest.mark.django_db(transaction=True)
def test_a_missing_counter_starts_afresh(real_cache, jiaonan):
    """After the cache is cleared no counter comes back with a value read before."""
    first = counters(jiaonan)
    real_cache.clear()
    again = counters(jiaonan)
    assert all(first[n] != again[n] for n in first)
    assert counters(jiaonan) == again  # and then it is kept


def badge(client, name):
    html = client.get(reverse(name)).content.decode()
    found = re.search(r'href="/alerts/"[^>]*>[^<]*<span class="badge">(\d+)</span>', html)
    return int(found.group(1)) if found else 0


@pytest.mark.django_db(transaction=True)
def test_the_badge_never_makes_a_page_cold(dataset, real_cache, leader, shuicheng, renders):
    """The badge counts every part's alerts, the list shows the "1" only: a new alert of
    another part changes the badge on the list's next view, from the cached body."""
    client = client_of(leader)
    before = badge(client, LIST)
    listed = main(client, LIST)
    renders.clear()
    PatrolFactory(community=shuicheng, start=dt.date(2024, 1, 1))  # open > 30 days: fires
    assert badge(client, LIST) == before + 1
    assert main(client, LIST) == listed
    assert renders == []


@pytest.mark.django_db(transaction=True)
def test_a_write_whose_street_cannot_be_found_bumps_everything(
    dataset, real_cache, monkeypatch, jiaonan, shuicheng
):
    before = counters(jiaonan)

    def broken(self):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(versions.Pending, "_resolve", broken)
    EnterpriseFactory(community=shuicheng)
    assert versions.EVERYTHING in moved(before, counters(jiaonan))


@pytest.mark.django_db(transaction=True)
def test_a_district_leader_looking_at_one_street_keeps_it_cached(
    dataset, district_leader, jiaonan, fulai, renders
):
    client = client_of(district_leader)
    assert client.post(reverse("accounts:viewing_area"), {"area": jiaonan.pk}).status_code < 400
    pages = {name: main(client, name) for name in (LIST, DASHBOARD)}
    renders.clear()
    EnterpriseFactory(community=fulai, name="红石崖新企业", tracked_since=dt.date(2020, 1, 1))
    assert {name: main(client, name) for name in (LIST, DASHBOARD)} == pages
    assert renders == []
    # Back to the whole district: the new enterprise is there.
    client.post(reverse("accounts:viewing_area"), {"area": ""})
    assert "红石崖新企业" in main(client, LIST, area="")
