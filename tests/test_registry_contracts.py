"""The contracts of the kit's registries (core/registry.py), for every registered part:

- every panel shows the same numbers on the dashboard page, in its export and in the
  JSON summary (``Panel.numbers`` names them);
- every alert's list page counts what its share of the navigation badge counts, and the
  badge is their sum;
- every table's export has the rows of its list.

They run on the demo data of every part (``seed_demo``), as a leader and as staff.
"""

import csv
import io
import re
from html import unescape

import pytest
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from accounts.models import User
from core import alerts, registry
from matrix.dashboard import service
from matrix.dashboard.selection import Selection

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(django_db_blocker):
    call_command("seed_demo", stdout=io.StringIO())
    return {u.username: u for u in User.objects.all()}


def client_for(user):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


def _at(body, path):
    for step in path:
        body = body[step]
    return body


def _page_figures(html):
    """{data-figure key: shown number} of a dashboard page."""
    found = re.findall(r'data-figure="([^"]+)"[^>]*>([^<]*)<', unescape(html))
    return {key: int(value.replace(",", "")) for key, value in found}


def _sheet_rows(book):
    return [list(row) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True)]


def test_every_part_registers_something():
    parts = registry.parts()
    assert [p.key for p in parts][:1] == ["coverage"]
    for part in parts:
        assert part.panels or part.alerts or part.tables, part.key


@pytest.mark.parametrize("username", ["jiaonan_leader", "district_leader"])
def test_every_panel_shows_the_same_numbers_on_the_page_in_the_export_and_the_json(demo, username):
    user = demo[username]
    client = client_for(user)
    html = client.get(reverse("dashboard:home")).content.decode()
    book = load_workbook(io.BytesIO(client.get(reverse("dashboard:export")).content))
    body = client.get("/api/matrix/summary/").json()
    on_page, rows = _page_figures(html), _sheet_rows(book)
    area = user.current_area
    from django.utils import timezone

    from areas.models import Area

    areas = list(Area.objects.for_user(user).select_related("parent__parent"))
    ctx = service.context(user, Selection(area, timezone.localdate(), areas))
    checked = 0
    for panel in registry.panels():
        numbers = panel.numbers(ctx, panel.load(ctx))
        assert numbers, f"{panel.key} shows no numbers"
        for key, label, value, path in numbers:
            assert on_page.get(key) == value, f"{panel.key}.{key} on the page"
            assert [str(label), value] in [r[:2] for r in rows], f"{panel.key}.{key} in export"
            assert _at(body, path) == value, f"{panel.key}.{key} in the JSON"
            checked += 1
    assert checked > 20


@pytest.mark.parametrize("username", ["jiaonan_staff", "district_leader", "admin"])
def test_every_alert_list_counts_its_share_of_the_badge(demo, username):
    user = demo[username]
    client = client_for(user)
    shares = alerts.counts(user)
    assert set(shares) == {a.key for a in registry.alerts()}
    for alert in registry.alerts():
        page = client.get(alert.url)
        assert page.status_code == 200
        assert page.context["page_obj"].paginator.count == shares[alert.key], alert.key
    badge = re.search(r'class="badge">(\d+)<', client.get("/").content.decode())
    total = sum(shares.values())
    assert alerts.total(user) == total
    assert (int(badge.group(1)) if badge else 0) == total
    assert total > 0


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_every_table_exports_the_rows_of_its_list(demo, fmt):
    user = demo["jiaonan_staff"]
    client = client_for(user)
    tables = registry.tables()
    assert all(t.list_url_name for t in tables), "every exported table names its list"
    for table in tables:
        listed = client.get(reverse(table.list_url_name)).context["page_obj"].paginator.count
        response = client.get(reverse("ledger:export", kwargs={"kind": table.kind, "fmt": fmt}))
        data = b"".join(response.streaming_content)
        if fmt == "csv":
            exported = len(list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))) - 1
        else:
            sheet = load_workbook(io.BytesIO(data), read_only=True).worksheets[0]
            exported = sum(1 for _ in sheet.iter_rows(values_only=True)) - 1
        assert exported == listed, table.kind
