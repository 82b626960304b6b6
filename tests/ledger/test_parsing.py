"""Reading real-world sheets: title rows, merged cells, header variations, encodings,
and every kind of unreadable file (a clear message, nothing written)."""

import io
import re
import zipfile

import pytest
from django.test import override_settings

from ledger import parsing

from .conftest import csv_bytes, read_bytes, row, table, xlsx_bytes


def problem(data, name="ledger.xlsx"):
    with pytest.raises(parsing.FileProblem) as info:
        read_bytes(data, name)
    return info.value


def test_title_and_note_rows_above_the_header_are_skipped():
    data = xlsx_bytes(
        table([row(1), row(2)]),
        title_rows=[
            ["2024年胶南街道非公企业党建台账"],
            ["填报单位：胶南街道", None, "日期：2024-06-30"],
            [],
        ],
    )
    sheet = read_bytes(data)
    assert sheet.header_row == 4
    assert [number for number, _ in sheet.rows] == [5, 6]
    assert sheet.cells(sheet.rows[0][1])["name"] == "青岛导入测试1有限公司"


@pytest.mark.parametrize(
    "headers",
    [
        ["单位名称", "信用代码", "社区", "行业"],
        ["企业名称", "统一社会信用代码（18位）", "所属社区(经合社)", "行业门类"],
        ["*企业名称", "社会信用代码", " 所属 社区 ", "所属行业"],
        ["企 业 名 称", "统一社会信用代码【必填】", "所在社区", "行业分类"],
    ],
)
def test_header_variations_are_recognised(headers):
    sheet = read_bytes(xlsx_bytes([headers, ["甲公司", "91370211MA00000013", "水城路社区", "C"]]))
    assert set(sheet.columns) == {"name", "uscc", "community", "industry"}
    assert sheet.headers == [h.strip() for h in headers]


def test_unknown_columns_are_ignored_and_listed():
    sheet = read_bytes(
        xlsx_bytes([["序号", "企业名称", "统一社会信用代码", "备注"], [1, "甲", "X", "说明"]])
    )
    assert sheet.ignored == ["序号", "备注"]
    assert set(sheet.columns) == {"name", "uscc"}


def test_merged_cells_fill_down_and_title_merges_are_harmless():
    lines = table([row(1), row(2), row(3), row(4)])
    community = lines[0].index("所属社区")
    for line in lines[2:4]:
        line[community] = None  # only the top cell of a vertical merge holds the value
    letter = "ABCDEFGHIJ"[community]
    data = xlsx_bytes(
        lines,
        title_rows=[["台账"]],
        merges=["A1:E1", f"{letter}3:{letter}5"],
    )
    sheet = read_bytes(data)
    assert [sheet.cells(v)["community"] for _, v in sheet.rows] == ["水城路社区"] * 4


def test_horizontal_merge_in_a_data_row_keeps_the_value_in_its_first_column():
    lines = [
        ["企业名称", "统一社会信用代码", "地址", "联系人"],
        ["甲", "91370211MA00000013", "珠山路1号", None],
    ]
    sheet = read_bytes(xlsx_bytes(lines, merges=["C2:D2"]))
    cells = sheet.cells(sheet.rows[0][1])
    assert cells["address"] == "珠山路1号"
    assert cells["contact_name"] is None


def test_blank_rows_trailing_columns_total_rows_and_repeated_headers_are_skipped():
    lines = table([row(1), row(2)])
    lines[0] = lines[0] + [None, None]
    data = xlsx_bytes(
        [
            lines[0],
            lines[1],
            [None] * 8,
            [],
            lines[2] + [None, None],
            lines[0],
            ["合计", None, None],
        ]
    )
    sheet = read_bytes(data)
    assert [number for number, _ in sheet.rows] == [2, 5]
    assert len(sheet.headers) == len(lines[0]) - 2


def test_formulas_are_read_as_their_cached_values():
    lines = table([row(1)])
    column = "ABCDEFGHIJ"[lines[0].index("从业人数")]
    data = xlsx_bytes(lines)
    # Excel stores a formula with its last computed value; openpyxl cannot write one, so
    # put it in the sheet XML by hand: =10+2, computed as 12.
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            content = source.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                content, n = re.subn(
                    rf'<c r="{column}2"[^>]*>.*?</c>'.encode(),
                    f'<c r="{column}2"><f>10+2</f><v>12</v></c>'.encode(),
                    content,
                )
                assert n == 1
            target.writestr(item, content)
    sheet = read_bytes(out.getvalue())
    assert sheet.cells(sheet.rows[0][1])["employees"] == 12


def test_data_on_a_later_sheet_after_a_notes_sheet():
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.title = "说明"
    workbook.active.append(["请按模板填写"])
    data_sheet = workbook.create_sheet("台账")
    for line in table([row(1)]):
        data_sheet.append(line)
    buffer = io.BytesIO()
    workbook.save(buffer)
    sheet = read_bytes(buffer.getvalue())
    assert sheet.sheet_name == "台账" and len(sheet.rows) == 1


@pytest.mark.parametrize(
    "encoding, delimiter",
    [("utf-8-sig", ","), ("utf-8", ","), ("gb18030", ","), ("gbk", ","), ("utf-16", "\t")],
)
def test_csv_encodings(encoding, delimiter):
    data = csv_bytes(table([row(1), row(2)]), encoding=encoding, delimiter=delimiter)
    sheet = read_bytes(data, "ledger.csv")
    assert [sheet.cells(v)["community"] for _, v in sheet.rows] == ["水城路社区"] * 2
    assert sheet.cells(sheet.rows[0][1])["name"] == "青岛导入测试1有限公司"


# ---------------------------------------------------------------------------
# Files we cannot read: a clear message


def test_not_a_spreadsheet():
    assert problem(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, "photo.png").code == (
        "not_spreadsheet"
    )


def test_a_text_file_with_another_extension_is_not_a_spreadsheet():
    assert problem(b"%PDF-1.4 some text", "report.pdf").code == "not_spreadsheet"
    html = "<html><body><table><tr><td>企业名称</td></tr></table></body></html>".encode()
    assert problem(html, "导出.xls").code == "old_xls"  # an HTML page saved as .xls


def test_a_word_document_is_not_a_spreadsheet():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as docx:
        docx.writestr("word/document.xml", "<w:document/>")
    assert problem(out.getvalue(), "report.docx").code == "not_spreadsheet"


def test_a_corrupted_workbook():
    data = xlsx_bytes(table([row(1)]))
    assert problem(data[: len(data) // 2]).code == "damaged"


def test_a_damaged_part_inside_the_workbook():
    data = xlsx_bytes(table([row(1)]))
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            content = source.read(item)
            if item.filename == "xl/workbook.xml":
                content = content[: len(content) // 2]
            target.writestr(item, content)
    assert problem(out.getvalue()).code == "damaged"


def test_a_password_protected_workbook():
    # Excel saves an encrypted workbook as an OLE compound file with an EncryptionInfo
    # stream (the name is stored in UTF-16).
    data = parsing.OLE_MAGIC + b"\x00" * 504 + "EncryptionInfo".encode("utf-16-le") + b"\x00" * 600
    message = problem(data)
    assert message.code == "encrypted"


def test_an_old_xls_file():
    data = parsing.OLE_MAGIC + b"\x00" * 504 + "Workbook".encode("utf-16-le") + b"\x00" * 600
    assert problem(data, "old.xls").code == "old_xls"


def test_an_empty_file_and_an_empty_sheet():
    assert problem(b"").code == "empty_file"
    assert problem(xlsx_bytes([])).code == "empty_sheet"
    assert problem(b"\xef\xbb\xbf\r\n\r\n", "empty.csv").code == "empty_sheet"


def test_no_header_row_says_which_headers_were_expected():
    error = problem(xlsx_bytes([["名称", "地址"], ["甲", "乙"]]))
    assert error.code == "no_header"
    assert "统一社会信用代码" in error.message and "企业名称" in error.message


def test_two_columns_with_the_same_meaning():
    error = problem(
        xlsx_bytes([["企业名称", "统一社会信用代码", "社区", "所属社区"], ["甲", "X", "a", "b"]])
    )
    assert error.code == "duplicate_header"
    assert "社区" in error.message and "所属社区" in error.message


@override_settings(IMPORT_MAX_BYTES=1000)
def test_over_the_size_limit():
    data = xlsx_bytes(table([row(n) for n in range(50)]))
    assert len(data) > 1000
    assert problem(data).code == "too_large"


@override_settings(IMPORT_MAX_ROWS=5)
def test_over_the_row_limit():
    assert read_bytes(xlsx_bytes(table([row(n) for n in range(5)])))
    assert problem(xlsx_bytes(table([row(n) for n in range(6)]))).code == "too_many_rows"
    data = csv_bytes(table([row(n) for n in range(6)]))
    assert problem(data, "ledger.csv").code == "too_many_rows"
