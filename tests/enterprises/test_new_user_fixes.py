"""What a new user found in issue 10 (item 5), each pinned on the page it was seen on."""

import datetime as dt
import re

import pytest
from django.urls import reverse

from tests.factories import (
    EnterpriseFactory,
    MembershipTransferFactory,
    PartyOrganizationFactory,
)

pytestmark = pytest.mark.django_db


def _text(response):
    return response.content.decode()


def test_transfers_head_their_columns_from_unit_and_to_organisation(staff_client, shuicheng):
    transfer = MembershipTransferFactory(to_organization__area=shuicheng)
    listing = _text(staff_client.get(reverse("enterprises:transfer_list")))
    assert "转出单位" in listing and "转入党组织" in listing
    assert "起始日期" not in listing and "截止日期" not in listing
    page = _text(staff_client.get(reverse("enterprises:transfer_detail", args=[transfer.pk])))
    assert "转出单位" in page and "转入党组织" in page


def test_a_leader_lands_on_the_dashboard_and_staff_do_not(client, leader, staff):
    for user, lands in ((leader, reverse("dashboard:home")), (staff, None)):
        client.logout()
        user.set_password("a-long-pass-2026!")
        user.save()
        response = client.post(
            reverse("accounts:login"), {"username": user.username, "password": "a-long-pass-2026!"}
        )
        assert response.status_code == 302
        if lands:
            assert response.url == lands
        else:
            assert response.url != reverse("dashboard:home")


def test_the_badge_reads_alerts_and_its_count(staff_client, shuicheng):
    PartyOrganizationFactory(
        area=shuicheng,
        established_on=dt.date(2015, 1, 1),
        next_election_due=dt.date(2020, 1, 1),
    )
    page = _text(staff_client.get(reverse("enterprises:list")))
    assert re.search(r'预警\s*<span class="badge">\d+</span>', page), "预警 N in the navigation"


def test_an_overdue_term_change_is_marked_overdue(staff_client, shuicheng):
    PartyOrganizationFactory(
        name="超期党支部",
        area=shuicheng,
        established_on=dt.date(2015, 1, 1),
        next_election_due=dt.date(2020, 1, 1),
    )
    page = _text(staff_client.get("/enterprises/alerts/election_due/"))
    assert "超期党支部" in page and "已超期" in page
    assert "下次换届" in page  # the why column has a header


def test_an_empty_choice_reads_please_choose(staff_client):
    page = _text(staff_client.get(reverse("enterprises:organization_create")))
    assert "请选择" in page
    assert "---------" not in page


def test_enterprise_counts_have_thousands_separators(staff_client, shuicheng, monkeypatch):
    from core.paginator import VersionCachedPaginator

    EnterpriseFactory.create_batch(3, community=shuicheng)
    page = _text(staff_client.get(reverse("enterprises:list")))
    assert "共 3 家企业" in page
    monkeypatch.setattr(VersionCachedPaginator, "count", 1637)
    page = _text(staff_client.get(reverse("enterprises:list")))
    assert "共 1,637 家企业" in page


def test_history_shows_local_time_to_the_second_and_hides_empty_to_empty(staff_client, shuicheng):
    from audit.history import history_of

    organization = PartyOrganizationFactory(area=shuicheng, secretary="", notes="")
    organization.secretary = "张三"
    organization.save()
    entries = history_of(organization)
    created = entries[-1]
    assert "notes" in created.change.changes  # recorded …
    assert "备注" not in [f.label for f in created.fields]  # … but not shown: "" → ""
    assert all(f.before != f.after for e in entries for f in e.fields)
    page = _text(
        staff_client.get(reverse("enterprises:organization_detail", args=[organization.pk]))
    )
    assert re.search(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}", page), "time to the second"
    assert "张三" in page
