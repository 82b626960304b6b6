"""Builders of messy ledger files (generated in tmp_path) and a row of ledger values."""

import csv
import io

import pytest
from openpyxl import Workbook

from enterprises import sheets as cols
from enterprises import uscc
from ledger import parsing

HEADERS = [c.header for c in cols.COLUMNS]


def code(n):
    """A valid USCC for ``n``."""
    return uscc.make(f"91370211MA{n:07d}"[:17])


def bad_check(valid):
    """The same code with a wrong check character."""
    return valid[:17] + ("0" if valid[17] != "0" else "1")


def row(n=1, **values):
    """A ledger row as {header: value}: a valid new enterprise in 水城路社区."""
    data = {
        "企业名称": f"青岛导入测试{n}有限公司",
        "统一社会信用代码": code(n),
        "所属社区": "水城路社区",
        "行业门类": "C",
        "从业人数": 10 + n,
    }
    for key, value in values.items():
        header = cols.BY_KEY[key].header if key in cols.BY_KEY else key
        data[header] = value
    return data


def table(rows, headers=None):
    """[header row, value rows…] from row dicts (union of their headers, template order)."""
    if headers is None:
        used = {h for r in rows for h in r}
        headers = [h for h in HEADERS if h in used] + sorted(used - set(HEADERS))
    return [headers] + [[r.get(h) for h in headers] for r in rows]


def xlsx_bytes(lines, title_rows=(), sheet_title="台账", merges=()):
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = sheet_title
    for line in title_rows:
        sheet.append(line)
    for line in lines:
        sheet.append(line)
    for merge in merges:
        sheet.merge_cells(merge)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_bytes(lines, encoding="utf-8-sig", delimiter=","):
    text = io.StringIO()
    writer = csv.writer(text, delimiter=delimiter)
    for line in lines:
        writer.writerow(["" if v is None else v for v in line])
    return text.getvalue().encode(encoding)


def read_bytes(data, name="ledger.xlsx"):
    return parsing.read(io.BytesIO(data), name)


def upload_file(data, name):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data)


@pytest.fixture
def partner_sheet(monkeypatch):
    """Registers the test-only second spec (partner_sheet.py) as if a part declared it."""
    from core import registry

    from .partner_sheet import PART, SHEET

    monkeypatch.setattr(registry, "_parts", [*registry.parts(), PART])
    return SHEET
