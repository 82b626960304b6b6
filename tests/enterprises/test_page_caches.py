"""The bodies of the enterprise list (filters, count, rows, pages) and of the enterprise
page are cached under the data version. These tests run with a real cache: the suite's
default is a dummy cache."""

import re

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.factories import EnterpriseFactory, MembershipReturnFactory

LIST = "/enterprises/"

# Writes bump the data version when their transaction commits, so these tests commit.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _real_cache(real_cache):
    return real_cache


def client_for(user, language=None):
    client = Client()
    client.force_login(user)
    if language:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def main_of(response):
    """The page's <main>, without per-request CSRF tokens."""
    html = response.content.decode()
    main = html[html.index('<main id="main">') : html.index("</main>")]
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", main)


def test_a_repeated_view_reuses_the_body_without_touching_enterprises(staff, shuicheng):
    EnterpriseFactory(community=shuicheng, name="甲企业")
    client = client_for(staff)
    first = client.get(LIST, {"page": 1})
    with CaptureQueriesContext(connection) as queries:
        second = client.get(LIST, {"page": 1})
    assert main_of(second) == main_of(first)
    assert "甲企业" in main_of(second)
    assert not [q for q in queries if "enterprises_enterprise" in q["sql"]]


def test_the_body_is_never_stale(staff, shuicheng):
    EnterpriseFactory(community=shuicheng, name="甲企业")
    client = client_for(staff)
    assert "乙企业" not in main_of(client.get(LIST))
    EnterpriseFactory(community=shuicheng, name="乙企业")  # commits: the version moves
    body = main_of(client.get(LIST))
    assert "甲企业" in body and "乙企业" in body


def test_the_body_is_per_scope(staff, stranger, shuicheng, fulai):
    EnterpriseFactory(community=shuicheng, name="胶南的企业")
    EnterpriseFactory(community=fulai, name="红石崖的企业")
    mine = main_of(client_for(staff).get(LIST))
    theirs = main_of(client_for(stranger).get(LIST))
    assert "胶南的企业" in mine and "红石崖的企业" not in mine
    assert "红石崖的企业" in theirs and "胶南的企业" not in theirs


def empty_state(response):
    html = response.content.decode()
    return html[html.index('<p class="empty">') :].split("</p>")[0]


def test_the_body_is_per_rights_and_language(staff, leader, shuicheng):
    EnterpriseFactory(community=shuicheng)
    nothing = {"q": "没有这家企业"}  # the empty state offers "add" to editors only
    add = 'href="/enterprises/new/"'
    assert add not in empty_state(client_for(leader).get(LIST, nothing))
    assert add in empty_state(client_for(staff).get(LIST, nothing))
    assert add not in empty_state(client_for(leader).get(LIST, nothing))
    assert "没有符合条件的企业" in empty_state(client_for(staff).get(LIST, nothing))
    english = empty_state(client_for(staff, language="en").get(LIST, nothing))
    assert "No enterprises match these filters." in english


def test_each_filter_and_page_has_its_own_body(staff, shuicheng):
    for i in range(55):
        EnterpriseFactory(community=shuicheng, name=f"企业{i:02d}", industry="C" if i else "F")
    client = client_for(staff)
    page1, page2 = main_of(client.get(LIST)), main_of(client.get(LIST, {"page": 2}))
    assert "企业00" in page1 and "企业54" not in page1
    assert "企业54" in page2 and "企业00" not in page2
    only_f = main_of(client.get(LIST, {"industry": "F"}))
    assert '<option value="F" selected>' in only_f and "企业01" not in only_f
    only_c = main_of(client.get(LIST, {"industry": "C"}))
    assert '<option value="C" selected>' in only_c and '<option value="F" selected>' not in only_c


def test_the_area_switch_marks_each_users_own_area(admin_user, district, jiaonan, hongshiya):
    admin_user.viewing_area = jiaonan
    admin_user.save()
    other = type(admin_user).objects.create_user(
        "admin2", password="x" * 12, role=admin_user.role, area=district, viewing_area=hongshiya
    )
    selected = re.compile(r'<option value="(\d+)" selected>')
    assert selected.findall(client_for(admin_user).get(LIST).content.decode()) == [str(jiaonan.pk)]
    assert selected.findall(client_for(other).get(LIST).content.decode()) == [str(hongshiya.pk)]


def test_users_of_one_scope_share_the_ordered_ids(staff, leader, shuicheng):
    EnterpriseFactory(community=shuicheng)
    client_for(staff).get(LIST)
    with CaptureQueriesContext(connection) as queries:
        client_for(leader, language="en").get(LIST)  # its own body, the same ids
    ids_queries = [
        q for q in queries if q["sql"].startswith('SELECT "enterprises_enterprise"."id"')
    ]
    assert len(ids_queries) == 1  # the rows of the page, not the list's ids
    assert "WHERE" in ids_queries[0]["sql"] and " IN (" in ids_queries[0]["sql"]


def test_the_enterprise_page_is_reused_and_never_stale(staff, shuicheng):
    enterprise = EnterpriseFactory(community=shuicheng)
    client = client_for(staff)
    first = main_of(client.get(enterprise.get_absolute_url()))
    with CaptureQueriesContext(connection) as queries:
        assert main_of(client.get(enterprise.get_absolute_url())) == first
    reads = [q["sql"] for q in queries if "enterprises_" in q["sql"]]
    assert len(reads) == 1 and "enterprises_enterprise" in reads[0]  # the scope check only
    MembershipReturnFactory(enterprise=enterprise, formal=7, probationary=5)
    assert '<td class="num">7</td>' in main_of(client.get(enterprise.get_absolute_url()))


def test_the_enterprise_page_is_per_rights_and_language(staff, leader, shuicheng):
    enterprise = EnterpriseFactory(community=shuicheng)
    edit = MembershipReturnFactory(enterprise=enterprise, formal=1)
    link = f'href="/enterprises/returns/{edit.pk}/edit/"'
    url = enterprise.get_absolute_url()
    assert link not in main_of(client_for(leader).get(url))
    assert link in main_of(client_for(staff).get(url))
    assert link not in main_of(client_for(leader).get(url))
    assert "No party organisation covers this enterprise." in main_of(
        client_for(staff, language="en").get(url)
    )


def test_a_cached_enterprise_page_is_still_404_outside_the_scope(staff, stranger, shuicheng):
    enterprise = EnterpriseFactory(community=shuicheng)
    assert client_for(staff).get(enterprise.get_absolute_url()).status_code == 200
    assert client_for(stranger).get(enterprise.get_absolute_url()).status_code == 404


def sort_and_page_links(html):
    return re.findall(r'href="(\?[^"]*(?:sort|page)=[^"]*)"', html)


def test_a_shared_body_links_the_same_list_for_every_viewer(jiaonan, shuicheng, zhushan):
    from accounts.models import User
    from tests.factories import UserFactory

    for i in range(55):
        EnterpriseFactory(community=shuicheng, name=f"水城企业{i:02d}")
    for i in range(5):
        EnterpriseFactory(community=zhushan, name=f"珠山企业{i:02d}")
    a = UserFactory(username="a", role=User.Role.STAFF, area=jiaonan, viewing_area=shuicheng)
    b = UserFactory(username="b", role=User.Role.STAFF, area=jiaonan, viewing_area=zhushan)
    client_for(a).get(LIST)  # A's remembered area; the body is cached
    b_client = client_for(b)
    html = b_client.get(LIST, {"area": shuicheng.pk}).content.decode()
    links = sort_and_page_links(html)
    assert links and all(f"area={shuicheng.pk}" in link for link in links), links
    page2 = [link for link in links if "page=2" in link][0]
    followed = main_of(b_client.get(LIST + page2.replace("&amp;", "&")))
    assert "水城企业" in followed and "珠山企业" not in followed


def test_unknown_parameters_do_not_make_new_bodies(staff, shuicheng):
    EnterpriseFactory(community=shuicheng)
    client = client_for(staff)
    client.get(LIST, {"utm": "1"})
    with CaptureQueriesContext(connection) as queries:
        client.get(LIST, {"utm": "2", "junk": "x"})
    assert not [q for q in queries if "enterprises_enterprise" in q["sql"]]


def test_the_version_is_read_before_the_record(staff, shuicheng, monkeypatch):
    # Another request commits a change just after this one has read the record: the old
    # record must not end up cached under the new data version.
    import threading

    from django.db import connection as conn
    from django.db import connections

    from enterprises.models import Enterprise
    from enterprises.views import EnterpriseDetailView

    enterprise = EnterpriseFactory(community=shuicheng, address="旧地址")
    real, fired = EnterpriseDetailView.get_object, []

    def other_request():
        Enterprise.objects.filter(pk=enterprise.pk).update(address="新地址")  # commits
        connections.close_all()

    def get_object(self, queryset=None):
        obj = real(self, queryset)
        if not fired:
            fired.append(1)
            thread = threading.Thread(target=other_request)
            thread.start()
            thread.join()
        return obj

    monkeypatch.setattr(EnterpriseDetailView, "get_object", get_object)
    # No request transaction, so SQLite lets the other connection write meanwhile.
    monkeypatch.setitem(conn.settings_dict, "ATOMIC_REQUESTS", False)
    client = client_for(staff)
    client.get(enterprise.get_absolute_url())
    assert "<dd>新地址</dd>" in client.get(enterprise.get_absolute_url()).content.decode()
