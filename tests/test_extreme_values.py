"""The extreme values that answered 500 before (issue 14, "What did not" item 5), and the
bounded input building blocks of core/forms.py. The fuzz test (tests/test_fuzz.py) looks
for more; these pin the ones found."""

import datetime as dt

import pytest

from core.forms import BoundedDateField, parse_id, parse_moment, search_text
from tests.enterprises.test_views import enterprise_data
from tests.factories import EnterpriseFactory

RANGE_MESSAGE = "请输入 1900-01-01 至 2100-12-31 之间的日期"


@pytest.mark.parametrize(
    "query", ["date_to=9999-12-31", "date_from=0001-01-01", "date_from=1899-12-31"]
)
@pytest.mark.parametrize("page", ["/accounts/audit/", "/accounts/audit/events/"])
def test_the_audit_log_refuses_far_dates_with_a_message(admin_client, page, query):
    response = admin_client.get(f"{page}?{query}")
    assert response.status_code == 200
    assert RANGE_MESSAGE in response.content.decode()


def test_a_huge_enterprise_id_on_the_organisation_form_is_ignored(staff_client, shuicheng):
    EnterpriseFactory(community=shuicheng)
    for value in ["9" * 5000, "9" * 20, "-1", "0", "１", "①", " 1"]:
        response = staff_client.get("/enterprises/organizations/new/", {"enterprise": value})
        assert response.status_code == 200, value
        assert not response.context["form"].initial.get("enterprises"), value


def test_a_valid_enterprise_id_still_fills_the_organisation_form(staff_client, shuicheng):
    enterprise = EnterpriseFactory(community=shuicheng)
    response = staff_client.get("/enterprises/organizations/new/", {"enterprise": enterprise.pk})
    assert response.context["form"].initial["enterprises"] == [enterprise]


@pytest.mark.parametrize("as_of", ["0001-01-01", "9999-12-31", "2101-01-01"])
def test_the_enterprise_list_refuses_far_dates(staff_client, shuicheng, as_of):
    response = staff_client.get("/enterprises/", {"as_of": as_of})
    assert response.status_code == 200
    assert RANGE_MESSAGE in response.content.decode()


@pytest.mark.parametrize("field", ["tracked_since", "status_date"])
def test_a_model_form_date_outside_1900_2100_is_a_field_error(staff_client, shuicheng, field):
    data = enterprise_data(shuicheng, **{field: "1899-12-31", "status": "deregistered"})
    response = staff_client.post("/enterprises/new/", data)
    assert response.status_code == 200
    assert RANGE_MESSAGE + "。" in response.context["form"].errors[field]


@pytest.mark.parametrize("area", ["9" * 5000, "-1", "١٢", "1e3"])
def test_the_dashboard_answers_404_for_an_impossible_area(staff_client, area):
    assert staff_client.get("/dashboard/", {"area": area}).status_code == 404


@pytest.mark.parametrize("q", ["\x00", "a\x00b", "\x1b[0m", "长" * 10_000])
@pytest.mark.parametrize(
    "page",
    ["/enterprises/organizations/", "/enterprises/liaisons/", "/enterprises/transfers/"],
)
def test_text_searches_take_control_characters(staff_client, page, q):
    assert staff_client.get(page, {"q": q}).status_code == 200


def test_parse_id_accepts_only_plain_positive_ids():
    assert parse_id("42") == 42
    assert parse_id(42) == 42
    assert parse_id(str(2**63 - 1)) == 2**63 - 1
    for bad in [None, "", "0", "-1", "+1", " 1", "1 ", "1.0", "1e3", "１", "①", "١٢", "9" * 20]:
        assert parse_id(bad) is None, repr(bad)
    assert parse_id("3", maximum=2) is None


def test_parse_moment_keeps_only_dates_inside_the_range():
    assert parse_moment("2024-05-01T10:00:00+08:00") == dt.datetime.fromisoformat(
        "2024-05-01T10:00:00+08:00"
    )
    assert parse_moment("2024-05-01T10:00").tzinfo is not None  # made aware
    for bad in ["", None, "0001-01-01", "9999-12-31T23:59", "2024-02-30T00:00", "x" * 5000]:
        assert parse_moment(bad) is None, repr(bad)


def test_the_bounded_date_field_takes_the_range_ends():
    field = BoundedDateField()
    assert field.clean("1900-01-01") == dt.date(1900, 1, 1)
    assert field.clean("2100-12-31") == dt.date(2100, 12, 31)


def test_search_text_drops_control_characters_and_is_short():
    assert search_text(" 胶南\x00街道\r\n ") == "胶南街道"
    assert len(search_text("长" * 1000)) == 100
    assert search_text(None) == ""


def test_a_huge_id_in_any_object_url_is_404(admin_client):
    from tests.test_url_security import ALL, build_url, takes_pk

    for name, route, _ in ALL:
        if not takes_pk(route):
            continue
        for pk in ["9" * 20, "9" * 5000]:
            url = build_url(route).replace("/None/", f"/{pk}/")
            for method in (admin_client.get, admin_client.post):
                response = method(url)
                assert response.status_code in (404, 405), f"{name} {method.__name__} {pk[:25]}"
