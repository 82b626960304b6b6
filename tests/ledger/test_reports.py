"""The error report downloads for any file the preview accepted (issue 14, #6), and
confirming a batch with errors says so, not that the data changed (#9)."""

import io
import string

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from enterprises.models import Enterprise
from ledger import parsing, services
from ledger.models import ImportBatch

from .conftest import code, csv_bytes, row, table, upload_file, xlsx_bytes

CONTROL = "".join(chr(c) for c in range(1, 32) if chr(c) not in "\t\n\r")


def report_rows(client, batch):
    response = client.get(reverse("ledger:errors", args=[batch.pk]))
    assert response.status_code == 200
    return list(load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.values)


def test_a_control_character_in_a_cell_does_not_break_the_report(staff_client, shuicheng):
    data = csv_bytes(
        table(
            [
                row(1, employees="12\x01人", contact_name="王\x02五"),
                row(2, uscc="BAD\x0bCODE", address="=HYPERLINK(\x1f)"),
            ]
        )
    )
    staff_client.post(reverse("ledger:upload"), {"file": upload_file(data, "台账.csv")})
    batch = ImportBatch.objects.get()
    assert batch.summary["errors"] == 2
    rows = report_rows(staff_client, batch)
    assert rows[1][rows[0].index("联系人")] == "王五"  # dropped, not the whole report
    assert "\x01" not in rows[1][-1] and "从业人数" in rows[1][-1]
    assert rows[2][rows[0].index("地址")] == "=HYPERLINK()"  # and never a formula


def test_control_characters_excel_escapes_are_read_and_reported(staff_client, shuicheng):
    # Excel writes a control character in a cell as _x0001_.
    lines = table([row(1, employees="x_x0001_y")])
    staff_client.post(reverse("ledger:upload"), {"file": upload_file(xlsx_bytes(lines), "a.xlsx")})
    batch = ImportBatch.objects.get()
    sheet = batch.load_sheet()
    assert "x\x01y" in sheet.rows[0][1]
    assert report_rows(staff_client, batch)[1][-1]


cell_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), max_codepoint=0x2FFFF)
    | st.sampled_from([*CONTROL, "=", "+", "-", "@", "'", '"', ",", "\n"]),
    max_size=40,
)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(cells=st.lists(st.tuples(cell_text, cell_text, cell_text), min_size=1, max_size=6))
def test_the_report_downloads_for_any_file_the_preview_accepted(cells, staff, shuicheng):
    lines = [["企业名称", "统一社会信用代码", "从业人数", "联系人"]]
    lines += [
        [name, code(n) if n % 2 else bad, count, name] for n, (name, bad, count) in enumerate(cells)
    ]
    data = csv_bytes(lines)
    try:
        batch = services.preview(io.BytesIO(data), "台账.csv", staff)
    except parsing.FileProblem:
        return  # not accepted: nothing to report
    report = load_workbook(services.report_file(batch))
    values = list(report.active.values)
    assert values[0][-1] == "错误说明"
    assert len(values) == len(batch.load_sheet().rows) + 1


def test_an_xlsx_with_every_control_character_can_be_reported(staff, shuicheng):
    book = Workbook()
    sheet = book.active
    sheet.append(["企业名称", "统一社会信用代码", "从业人数"])
    for n, char in enumerate(CONTROL + string.punctuation):
        sheet.append([f"企业{n}_x{ord(char):04X}_", "X" + f"_x{ord(char):04X}_", "三"])
    buffer = io.BytesIO()
    book.save(buffer)
    batch = services.preview(io.BytesIO(buffer.getvalue()), "a.xlsx", staff)
    assert batch.summary["errors"] == len(CONTROL + string.punctuation)
    load_workbook(services.report_file(batch))


def test_confirming_a_batch_with_errors_says_it_has_errors(staff_client, shuicheng):
    data = xlsx_bytes(table([row(1), row(2, uscc="bad")]))
    staff_client.post(reverse("ledger:upload"), {"file": upload_file(data, "a.xlsx")})
    batch = ImportBatch.objects.get()
    response = staff_client.post(reverse("ledger:confirm", args=[batch.pk]), follow=True)
    messages = [str(m) for m in response.context["messages"]]
    assert len(messages) == 1
    assert "错误" in messages[0] and "变化" not in messages[0]
    assert not Enterprise.objects.exists()
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.PREVIEW and not batch.notice


@pytest.mark.parametrize("kind", ["xlsx", "csv"])
def test_the_report_is_404_before_the_file_is_read(kind, staff_client, staff):
    batch = ImportBatch.objects.create(user=staff, file_name=f"a.{kind}", status="queued")
    assert staff_client.get(reverse("ledger:errors", args=[batch.pk])).status_code == 404
