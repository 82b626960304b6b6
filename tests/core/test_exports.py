"""The one writer of every export (core/exports.py): formula-safe, no control characters."""

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from core import exports
from tests.factories import CommunityFactory, EnterpriseFactory

RISKY = ["=1+2", "+86 532", "-5", "@SUM(A1)", "\tTAB", "\rCR", '=HYPERLINK("http://x","y")']
CONTROLS = "".join(chr(c) for c in range(0x01, 0x20) if chr(c) not in "\t\n\r")


def xlsx_values(file):
    book = load_workbook(file)
    return [list(row) for row in book.active.iter_rows()]


def test_risky_text_is_written_as_text_in_xlsx():
    rows = xlsx_values(exports.write_xlsx(["v"], [[v] for v in RISKY], "t"))
    for cell, value in zip((r[0] for r in rows[1:]), RISKY, strict=True):
        assert cell.data_type == "s", value  # a string, never a formula
        # (XML turns a carriage return into a line feed; the text is the same.)
        assert cell.value.replace("\n", "\r") == value.replace("\n", "\r")


def test_risky_text_gets_a_quote_in_csv():
    for value in RISKY:
        assert exports.csv_value(value) == "'" + value


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_control_characters_are_stripped(fmt):
    text = f"a{CONTROLS}b\x7fc"
    if fmt == "csv":
        assert exports.csv_value(text) == "abc"
    else:
        rows = xlsx_values(exports.write_xlsx(["v"], [[text]], f"x{CONTROLS}"))
        assert rows[1][0].value == "abc"


def test_line_breaks_and_tabs_inside_a_cell_stay():
    assert exports.csv_value("第一行\n第二行\t备注") == "第一行\n第二行\t备注"


def test_plain_values_keep_their_types():
    day = dt.date(2024, 5, 19)
    rows = xlsx_values(exports.write_xlsx(["a", "b", "c"], [[day, 12, True]], "t"))
    assert rows[1][0].value.date() == day and rows[1][1].value == 12
    assert exports.csv_value(day) == "2024-05-19" and exports.csv_value(True) == "是"


def test_styled_workbooks_are_safe_too():
    sheet = exports.Sheet(f"名称{CONTROLS}").add(RISKY, bold=True).add([f"x{CONTROLS}y"])
    book = load_workbook(exports.workbook([sheet]))
    cells = list(book.active.iter_rows())
    assert [c.data_type for c in cells[0]] == ["s"] * len(RISKY)
    assert cells[1][0].value == "xy"


@pytest.mark.django_db
def test_the_dashboard_export_writes_area_names_as_text(leader_client, jiaonan):
    hostile = CommunityFactory(name='=HYPERLINK("http://evil","点击")\x01', parent=jiaonan)
    EnterpriseFactory(community=hostile)
    response = leader_client.get(reverse("dashboard:export"))
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    found = [
        cell
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if isinstance(cell.value, str) and "HYPERLINK" in cell.value
    ]
    assert found and all(c.data_type == "s" and "\x01" not in c.value for c in found)


@pytest.mark.django_db
def test_a_list_export_with_a_hostile_name(staff_client, shuicheng):
    EnterpriseFactory(community=shuicheng, name="=cmd|' /C calc'!A0")
    url = reverse("ledger:export", kwargs={"kind": "enterprises", "fmt": "csv"})
    text = b"".join(staff_client.get(url).streaming_content).decode("utf-8-sig")
    names = [row[0] for row in csv.reader(io.StringIO(text))]
    assert "'=cmd|' /C calc'!A0" in names
