"""The dashboard page, its export and the JSON, as a leader uses them."""

import io
import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from enterprises.dashboard import figures

from .conftest import PAST, TODAY

URL = "/dashboard/"
API = "/api/matrix/summary/"


def page(client, **params):
    response = client.get(reverse("dashboard:home"), params)
    assert response.status_code == 200, response.status_code
    return response


def coverage_data(response):
    return response.context["panels"][0]["data"]


def figure_links(data):
    """(figure, url) for every count on the "1" panel, breakdown rows and totals included."""
    yield data["operating"]["count"], data["operating"]["url"]
    for item in [*data["coverage"], *data["bands"], *data["mass"]]:
        yield item["count"], item["url"]
    yield data["should_form"]["count"], data["should_form"]["url"]
    for item in data["alerts"]:
        if item["url"] and item["url"].startswith(reverse("enterprises:list") + "?"):
            yield item["count"], item["url"]
    for group in data["breakdowns"]:
        for row in [*group["rows"], group["total"]]:
            for cell in row["counts"]:
                yield cell["value"], cell["url"]


def list_count(client, url, cache={}):  # noqa: B006 (memo per test run of identical URLs)
    response = client.get(url)
    assert response.status_code == 200, url
    return response.context["page_obj"].paginator.count


def test_reverse_and_navigation(leader_client):
    assert reverse("dashboard:home") == URL
    response = page(leader_client)
    assert URL in [item["url"] for item in response.context["nav_sections"]]


@pytest.mark.parametrize("day", [TODAY, PAST])
def test_every_figure_links_to_a_list_of_exactly_that_many(dataset, admin_client, district, day):
    response = page(admin_client, area=district.pk, as_of=day.isoformat())
    data = coverage_data(response)
    checked = {}
    for value, url in figure_links(data):
        params = parse_qs(urlsplit(url).query)
        assert "area" in params, url
        if "alert" not in params:
            assert params["status"] == ["operating"] and params["as_of"] == [day.isoformat()]
        if url not in checked:
            checked[url] = list_count(admin_client, url)
        assert checked[url] == value, url
    # Every link to the enterprise list on the page is one of the checked ones.
    html = unescape(response.content.decode())
    on_page = set(re.findall(r'href="(/enterprises/\?[^"]+)"', html))
    assert on_page and on_page <= set(checked)
    assert len(checked) > 100


def test_street_leader_drill_down_by_community(dataset, leader_client, jiaonan, shuicheng):
    data = coverage_data(page(leader_client, as_of=PAST.isoformat()))
    keys = [g["key"] for g in data["breakdowns"]]
    assert "street" not in keys and keys[0] == "community"
    community = data["breakdowns"][0]
    assert [r["area"].pk for r in community["rows"]] == sorted(
        [r["area"].pk for r in community["rows"]],
        key=lambda pk: [a.name for a in jiaonan.children.order_by("name")].index(
            next(r["area"].name for r in community["rows"] if r["area"].pk == pk)
        ),
    )
    for row in community["rows"]:
        for cell in row["counts"]:
            assert list_count(leader_client, cell["url"]) == cell["value"]
    # A street leader can pick a community of the street.
    data = coverage_data(page(leader_client, area=shuicheng.pk))
    assert [g["key"] for g in data["breakdowns"]][0] == "industry"


def test_district_sees_streets_and_sorting(dataset, admin_client, district):
    data = coverage_data(page(admin_client, area=district.pk, sort="-operating"))
    streets = data["breakdowns"][0]
    assert streets["key"] == "street" and len(streets["rows"]) == 2
    counts = [r["tally"].operating for r in streets["rows"]]
    assert counts == sorted(counts, reverse=True)
    data = coverage_data(page(admin_client, area=district.pk, sort="organization_rate"))
    rates = [r["tally"].rate("organization") for r in data["breakdowns"][1]["rows"]]
    assert rates == sorted(rates)
    # A sort key that does not exist falls back to the name.
    assert page(admin_client, area=district.pk, sort="pk; drop").context["sort"] == "name"


def test_scope_stranger_gets_404_and_api_400(dataset, stranger_client, jiaonan, shuicheng):
    assert stranger_client.get(URL, {"area": jiaonan.pk}).status_code == 404
    assert stranger_client.get(URL, {"area": shuicheng.pk}).status_code == 404
    assert stranger_client.get(URL, {"area": "abc"}).status_code == 404
    assert stranger_client.get(reverse("dashboard:export"), {"area": jiaonan.pk}).status_code == 404
    response = stranger_client.get(API, {"area": jiaonan.pk})
    assert response.status_code == 400
    assert "error" in response.json() and str(jiaonan.pk) in response.json()["error"]


def test_api_refuses_bad_dates_and_anonymous(dataset, client, leader_client):
    for bad in ("2024-13-01", "yesterday", "2999-01-01"):
        response = leader_client.get(API, {"as_of": bad})
        assert response.status_code == 400 and response.json()["error"]
    assert client.get(API).status_code == 403
    assert client.get(URL).status_code == 302


def test_page_with_a_bad_date_shows_today_and_says_so(dataset, leader_client):
    response = page(leader_client, as_of="not-a-date")
    assert response.context["as_of"] == TODAY and response.context["selection"].errors


def test_leader_reads_everything_and_changes_nothing(dataset, leader_client, jiaonan):
    assert page(leader_client).context["area"] == jiaonan
    assert leader_client.get(API).status_code == 200
    assert leader_client.get(reverse("dashboard:export")).status_code == 200
    assert leader_client.post(URL).status_code == 405
    assert leader_client.post(API).status_code == 405


API_KEYS = {
    "as_of",
    "area",
    "operating",
    "coverage",
    "members",
    "member_bands",
    "should_form",
    "mass_orgs",
    "by_community",
}


def test_json_has_the_documented_keys(dataset, leader_client, jiaonan):
    body = leader_client.get(API, {"as_of": PAST.isoformat()}).json()
    assert set(body) >= API_KEYS
    assert body["as_of"] == PAST.isoformat()
    assert body["area"] == {"id": jiaonan.pk, "level": "street", "name": jiaonan.name}
    assert set(body["coverage"]) == set(figures.COVERAGE_KEYS)
    assert all(set(v) == {"count", "rate"} for v in body["coverage"].values())
    assert set(body["member_bands"]) == {"zero", "few", "many", "unknown"}
    assert set(body["members"]) == {
        "formal",
        "probationary",
        "development_targets",
        "activists",
        "applicants",
    }
    assert set(body["mass_orgs"]) == {"union", "youth_league", "women"}
    assert len(body["by_community"]) == 2
    row = body["by_community"][0]
    assert {"id", "name", "coverage", "member_bands"} <= set(row)
    assert all(0 <= v["rate"] <= 1 for v in body["coverage"].values())


def test_rates_are_null_and_shown_as_dash_without_operating(areas, leader_client, jiaonan):
    body = leader_client.get(API).json()
    assert body["operating"] == 0
    assert all(v["rate"] is None for v in body["coverage"].values())
    data = coverage_data(page(leader_client))
    assert all(c["text"] == "—" for c in data["coverage"])


def _sheet_rows(ws):
    return [[c.value for c in row] for row in ws.iter_rows()]


@pytest.mark.parametrize("day", [TODAY, PAST])
def test_export_equals_page_equals_json(dataset, leader_client, jiaonan, day):
    params = {"as_of": day.isoformat()}
    data = coverage_data(page(leader_client, **params))
    body = leader_client.get(API, params).json()
    response = leader_client.get(reverse("dashboard:export"), params)
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    wb = load_workbook(io.BytesIO(response.content))

    # Page = JSON.
    assert body["operating"] == data["operating"]["count"]
    for item in data["coverage"]:
        assert body["coverage"][item["key"]] == {"count": item["count"], "rate": item["rate"]}
    for item in data["bands"]:
        assert body["member_bands"][item["key"]] == item["count"]
    for item in data["members"]:
        assert body["members"][item["key"]] == item["value"]
    for item in data["mass"]:
        assert body["mass_orgs"][item["key"]] == item["count"]
    assert body["should_form"] == data["should_form"]["count"]
    community = next(g for g in data["breakdowns"] if g["key"] == "community")
    for row, api_row in zip(community["rows"], body["by_community"], strict=True):
        assert api_row["id"] == row["area"].pk
        assert api_row["operating"] == row["tally"].operating
        for key in figures.COVERAGE_KEYS:
            assert api_row["coverage"][key]["count"] == row["tally"].count(key)

    # Page = export: the summary sheet, in page order, with area and date.
    summary = _sheet_rows(wb.worksheets[0])
    assert summary[1][1] == jiaonan.path_names
    assert summary[2][1].date() == day
    values = [r[1] for r in summary[6:]]
    expected = [
        data["operating"]["count"],
        *(c["count"] for c in data["coverage"]),
        *(b["count"] for b in data["bands"]),
        data["should_form"]["count"],
        *(m["value"] for m in data["members"]),
        *(m["count"] for m in data["mass"]),
        data["organizations_formed"],
        data["members_added"],
        *(a["count"] for a in data["alerts"]),
    ]
    assert values == expected
    rates = [r[2] for r in summary[7 : 7 + len(data["coverage"])]]
    assert rates == [pytest.approx(c["rate"], rel=1e-12) for c in data["coverage"]]
    # One sheet per breakdown: every row and the total, counts and rates.
    for group, ws in zip(data["breakdowns"], wb.worksheets[1:], strict=False):
        rows = _sheet_rows(ws)[6 : 6 + len(group["rows"]) + 1]
        for page_row, sheet_row in zip([*group["rows"], group["total"]], rows, strict=True):
            assert sheet_row[1:] == [c["value"] for c in page_row["counts"]] + [
                None if r["rate"] is None else pytest.approx(r["rate"], rel=1e-12)
                for r in page_row["rates"]
            ]
    trend = _sheet_rows(wb[wb.sheetnames[len(data["breakdowns"]) + 1]])[6:30]
    assert [r[1] for r in trend] == [r["operating"] for r in data["trend"]["rows"]]
    assert [r[3] for r in trend] == [
        pytest.approx(r["organization_rate"], rel=1e-12) for r in data["trend"]["rows"]
    ]


def test_page_is_self_contained_svg_with_table_alternatives(dataset, leader_client):
    response = page(leader_client)
    html = response.content.decode()
    assert "<svg" in html and "<script>" not in html
    assert " style=" not in html and "<style" not in html  # CSP: no inline style
    data = coverage_data(response)
    assert len(data["trend"]["rows"]) == 24
    assert html.count('class="ring"') == 3
    # Bars link to their drill-down.
    assert re.search(
        r'<a href="/enterprises/\?[^"]*coverage=standalone[^"]*"><rect class="seg', html
    )
    # Each breakdown has its chart and a table with a total row.
    assert html.count("<tfoot>") == len(data["breakdowns"])
