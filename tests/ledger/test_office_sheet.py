"""Sheets the way offices keep them (issue 12): the date once at the top, 时间 for 日期,
a 序号 column, a 合计 row, columns nobody recognises, several sheets, hidden rows — and
every figure lands on the dashboard."""

import datetime as dt
import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook

from enterprises.models import Enterprise, MassOrganization, MembershipReturn
from ledger import parsing
from ledger.importer import build_plan
from ledger.models import ImportBatch

from .conftest import code, read_bytes, upload_file

TODAY = timezone.localdate()
REPORTED = TODAY.replace(day=1) - dt.timedelta(days=1)  # the last day of last month
TITLE = "胶南街道非公企业党建工作台账"
HEADER = [
    "序号",
    "企业名称",
    "统一社会信用代码",
    "所属社区",
    "行业",
    "党组织名称",
    "组建方式",
    "党组织成立时间",
    "正式党员（人）",
    "预备党员（人）",
    "团组织成立时间",
    "工会成立时间",
    "党建指导员",
]


def enterprise_rows():
    return [
        [
            1,
            "青岛甲科技有限公司",
            code(1),
            "水城路社区",
            "C",
            "甲党支部",
            "单独组建",
            "2022年5月",
            5,
            1,
            "2023-05-04",
            "2021-07-01",
            "张华",
        ],
        [
            2,
            "青岛乙贸易有限公司",
            code(2),
            "水城路社区",
            "F",
            None,
            None,
            None,
            2,
            0,
            "2024-05-04",
            None,
            "张华",
        ],
        [
            3,
            "青岛丙物流有限公司",
            code(3),
            "珠山路社区",
            "G",
            None,
            None,
            None,
            0,
            0,
            None,
            "2022-03-01",
            None,
        ],
    ]


def office_workbook(date_line=None, extra_header=(), hidden_row=None, total=True, header=HEADER):
    """Title, the date line, the header, three enterprises and a 合计 row, as offices do."""
    book = Workbook()
    sheet = book.active
    sheet.title = "台账"
    sheet.append([TITLE])
    sheet.merge_cells("A1:M1")
    sheet.append(
        [
            date_line
            if date_line is not None
            else f"填报日期：{REPORTED:%Y}年{REPORTED.month}月{REPORTED.day}日"
        ]
    )
    sheet.append([*header, *extra_header])
    for values in enterprise_rows():
        sheet.append([*values, *(["说明"] * len(extra_header))])
    if total:
        sheet.append(["合计", None, None, None, None, None, None, None, 7, 1])
    if hidden_row:
        sheet.row_dimensions[hidden_row].hidden = True
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def summary(client, area):
    response = client.get("/api/matrix/summary/", {"as_of": TODAY.isoformat(), "area": area.pk})
    assert response.status_code == 200
    return json.loads(response.content)


def upload(client, data, **fields):
    return client.post(reverse("ledger:upload"), {"file": upload_file(data, "台账.xlsx"), **fields})


# ---------------------------------------------------------------------------
# Done means: one pass, every figure on the dashboard


def test_an_office_sheet_imports_in_one_pass_and_every_figure_lands_on_the_dashboard(
    staff_client, staff, jiaonan, shuicheng, zhushan
):
    before = summary(staff_client, jiaonan)
    upload(staff_client, office_workbook())
    batch = ImportBatch.objects.get()
    s = batch.summary
    assert (s["errors"], s["created"], s["unknown"]) == (0, 3, [])
    assert s["ignored"] == ["序号"]  # skipped quietly: no acknowledgement needed
    assert s["as_of"]["from"] == "sheet" and s["as_of"]["day"] == REPORTED.isoformat()
    page = staff_client.get(batch.get_absolute_url()).content.decode()
    assert REPORTED.isoformat() in page and "表头上方第 2 行" in page
    assert ["total_rows", {"rows": [7]}] in s["file_notes"]
    assert "unknown-columns" not in page

    staff_client.post(reverse("ledger:confirm", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.is_committed

    returns = MembershipReturn.objects.all()
    assert {r.reported_on for r in returns} == {REPORTED}
    assert MassOrganization.objects.filter(kind="youth_league").count() == 2

    after = summary(staff_client, jiaonan)
    assert after["operating"] - before["operating"] == 3
    assert after["members"]["formal"] - before["members"]["formal"] == 7
    assert after["members"]["probationary"] - before["members"]["probationary"] == 1
    assert after["mass_orgs"]["youth_league"] - before["mass_orgs"]["youth_league"] == 2
    assert after["mass_orgs"]["union"] - before["mass_orgs"]["union"] == 2
    assert after["coverage"]["standalone"]["count"] - before["coverage"]["standalone"]["count"] == 1
    # 乙 has a liaison and a youth league, 丙 a union: work coverage without an organisation.
    assert after["coverage"]["work_only"]["count"] - before["coverage"]["work_only"]["count"] == 2
    assert after["coverage"]["work"]["count"] - before["coverage"]["work"]["count"] == 3
    assert after["member_bands"]["many"] - before["member_bands"]["many"] == 1


def test_the_command_says_where_the_date_came_from(staff, shuicheng, zhushan, tmp_path):
    path = tmp_path / "台账.xlsx"
    path.write_bytes(
        office_workbook(date_line=f"截至{REPORTED:%Y}年{REPORTED.month}月{REPORTED.day}日")
    )
    out, err = io.StringIO(), io.StringIO()
    call_command("import_enterprises", str(path), "--user", staff.username, stdout=out, stderr=err)
    assert out.getvalue().startswith("created 3, updated 0, unchanged 0, errors 0")
    said = err.getvalue()
    assert REPORTED.isoformat() in said and "截至" in said
    assert "合计" in said  # the skipped total row is said too
    assert set(MembershipReturn.objects.values_list("reported_on", flat=True)) == {REPORTED}


@pytest.mark.parametrize(
    "line, expected",
    [
        ("填报日期：2026年6月30日", dt.date(2026, 6, 30)),
        ("统计日期 2026-06-30", dt.date(2026, 6, 30)),
        ("截止2026.6.30", dt.date(2026, 6, 30)),
        ("数据截至2026/06/30", dt.date(2026, 6, 30)),
        ("2026年6月胶南街道非公企业党建台账", dt.date(2026, 6, 30)),
        ("（截至2026年6月底）", dt.date(2026, 6, 30)),
    ],
)
def test_the_date_at_the_top_is_read_in_the_ways_offices_write_it(line, expected, staff, shuicheng):
    if expected > TODAY:
        pytest.skip("the example date is in the future on this machine's clock")
    sheet = read_bytes(office_workbook(date_line=line))
    assert sheet.as_of["day"] == expected.isoformat() and sheet.as_of["row"] == 2
    plan = build_plan(sheet, staff)
    assert plan.as_of == expected and plan.as_of_summary()["from"] == "sheet"


def test_a_month_in_the_title_of_the_current_month_is_today(staff, shuicheng):
    sheet = read_bytes(office_workbook(date_line=f"{TODAY.year}年{TODAY.month}月台账"))
    assert sheet.as_of["day"] == TODAY.isoformat() and sheet.as_of["month_only"]


def test_without_a_date_anywhere_the_upload_form_or_today_is_used(staff_client, shuicheng, zhushan):
    upload(staff_client, office_workbook(date_line=""), as_of=REPORTED.isoformat())
    batch = ImportBatch.objects.get()
    assert batch.summary["as_of"]["from"] == "asked"
    assert batch.summary["as_of"]["day"] == REPORTED.isoformat()
    ImportBatch.objects.all().delete()
    upload(staff_client, office_workbook(date_line=""))
    batch = ImportBatch.objects.get()
    assert (batch.summary["as_of"]["from"], batch.summary["as_of"]["day"]) == (
        "today",
        TODAY.isoformat(),
    )
    assert "--as-of" in staff_client.get(batch.get_absolute_url()).content.decode()


def test_the_command_takes_as_of(staff, shuicheng, zhushan, tmp_path):
    path = tmp_path / "台账.xlsx"
    path.write_bytes(office_workbook(date_line=""))
    err = io.StringIO()
    call_command(
        "import_enterprises",
        str(path),
        "--user",
        staff.username,
        "--as-of",
        REPORTED.isoformat(),
        stdout=io.StringIO(),
        stderr=err,
    )
    assert set(MembershipReturn.objects.values_list("reported_on", flat=True)) == {REPORTED}
    assert REPORTED.isoformat() in err.getvalue()
    with pytest.raises(CommandError) as info:
        call_command("import_enterprises", str(path), "--as-of", "2099-01-01", stdout=io.StringIO())
    assert info.value.returncode == 2


def test_a_row_date_column_wins_and_an_empty_cell_takes_the_top_date(staff, shuicheng, zhushan):
    header = [*HEADER, "统计时间"]  # 时间 for 日期
    book = Workbook()
    sheet = book.active
    sheet.append([f"截至{REPORTED:%Y}年{REPORTED.month}月{REPORTED.day}日"])
    sheet.append(header)
    rows = enterprise_rows()
    rows[0].append("2024-06-30")
    rows[1].append(None)
    rows[2].append(None)
    for values in rows:
        sheet.append(values)
    buffer = io.BytesIO()
    book.save(buffer)
    plan = build_plan(read_bytes(buffer.getvalue()), staff)
    assert plan.as_of_summary()["from"] == "column+sheet"
    days = {r.number: r.values.get("return_date") for r in plan.rows}
    assert days == {3: dt.date(2024, 6, 30), 4: REPORTED, 5: REPORTED}


def test_a_future_date_at_the_top_is_an_error_on_the_rows_that_need_it(staff, shuicheng, zhushan):
    future = TODAY + dt.timedelta(days=40)
    sheet = read_bytes(office_workbook(date_line=f"填报日期：{future:%Y-%m-%d}"))
    plan = build_plan(sheet, staff)
    codes = {(r.number, p.code) for r in plan.rows for p in r.clean.errors}
    assert codes == {(4, "bad_sheet_date"), (5, "bad_sheet_date"), (6, "bad_sheet_date")}
    assert not Enterprise.objects.exists()


# ---------------------------------------------------------------------------
# Headers as people write them


@pytest.mark.parametrize(
    "text, key",
    [
        ("团组织成立时间", "youth_league"),
        ("团支部成立日期", "youth_league"),
        ("共青团组织成立时间", "youth_league"),
        ("工会组建时间", "union"),
        ("工会建立日期", "union"),
        ("妇联组织成立时间", "women"),
        ("党组织建立时间", "org_established"),
        ("党支部成立时间", "org_established"),
        ("正式党员（人）", "formal"),
        ("预备党员(名)", "probationary"),
        ("从业人数（个）", "employees"),
        ("1. 企业名称", "name"),
        ("一、统一社会信用代码", "uscc"),
        ("（三）所属社区", "community"),
        ("③行业门类", "industry"),
        ("＊企业名称", "name"),
        ("纳入管理时间", "tracked_since"),
        ("党员统计时间", "return_date"),
    ],
)
def test_header_variants(text, key):
    from enterprises.sheets import SHEET

    assert SHEET.lookup.key(text) == key


def test_a_plain_date_header_is_not_taken_for_an_organisations(staff):
    from enterprises.sheets import SHEET

    assert SHEET.lookup.key("成立日期") is None  # the enterprise's own: not a column we read


def test_a_column_recognised_twice_names_both():
    header = [h if h != "预备党员（人）" else "共青团成立日期" for h in HEADER]
    with pytest.raises(parsing.FileProblem) as info:
        read_bytes(office_workbook(header=header))
    assert info.value.code == "duplicate_header"
    assert "团组织成立时间" in info.value.message and "共青团成立日期" in info.value.message


# ---------------------------------------------------------------------------
# A column nobody recognises stops the import until it is acknowledged


def test_unknown_columns_need_a_tick_on_the_page(staff_client, shuicheng, zhushan):
    upload(staff_client, office_workbook(extra_header=["备注", "走访情况"]))
    batch = ImportBatch.objects.get()
    assert batch.summary["unknown"] == ["备注", "走访情况"]
    page = staff_client.get(batch.get_absolute_url()).content.decode()
    assert page.index("unknown-columns") < page.index('class="confirm"')  # listed at the top
    assert 'name="acknowledge_unknown"' in page
    response = staff_client.post(reverse("ledger:confirm", args=[batch.pk]), follow=True)
    assert "acknowledge" not in response.request["PATH_INFO"]
    assert not Enterprise.objects.exists()
    messages = [str(m) for m in response.context["messages"]]
    assert messages and "变化" not in messages[0]
    staff_client.post(reverse("ledger:confirm", args=[batch.pk]), {"acknowledge_unknown": "1"})
    assert Enterprise.objects.count() == 3


def test_unknown_columns_stop_the_command_unless_ignored(staff, shuicheng, zhushan, tmp_path):
    path = tmp_path / "台账.xlsx"
    path.write_bytes(office_workbook(extra_header=["备注"]))
    err = io.StringIO()
    with pytest.raises(CommandError) as info:
        call_command(
            "import_enterprises",
            str(path),
            "--user",
            staff.username,
            stdout=io.StringIO(),
            stderr=err,
        )
    assert info.value.returncode == 3 and "备注" in str(info.value) and "备注" in err.getvalue()
    assert not Enterprise.objects.exists()
    out = io.StringIO()
    call_command(
        "import_ledger",
        "enterprises",
        str(path),
        "--user",
        staff.username,
        "--ignore-unknown-columns",
        stdout=out,
        stderr=io.StringIO(),
    )
    assert out.getvalue().startswith("created 3")


# ---------------------------------------------------------------------------
# More real-sheet cases, each said


def test_several_sheets_the_best_is_read_and_said(staff, shuicheng, zhushan):
    book = Workbook()
    book.active.title = "填表说明"
    book.active.append(["请按模板填写"])
    old = book.create_sheet("2025年")
    old.append(["企业名称", "统一社会信用代码"])
    old.append(["旧表企业", code(9)])
    new = book.create_sheet("2026年")
    new.append(HEADER)
    for values in enterprise_rows():
        new.append(values)
    buffer = io.BytesIO()
    book.save(buffer)
    sheet = read_bytes(buffer.getvalue())
    assert sheet.sheet_name == "2026年"
    note = dict(sheet.notes)["sheet_chosen"]
    assert note["others"] == ["填表说明", "2025年"] and note["also_ledgers"] == ["2025年"]
    other = parsing.read(io.BytesIO(buffer.getvalue()), "a.xlsx", sheet="2025年")
    assert other.sheet_name == "2025年" and len(other.rows) == 1
    with pytest.raises(parsing.FileProblem) as info:
        parsing.read(io.BytesIO(buffer.getvalue()), "a.xlsx", sheet="2024年")
    assert info.value.code == "no_such_sheet" and "2026年" in info.value.message


def test_hidden_rows_and_columns_are_read_and_said(staff, shuicheng, zhushan):
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    for values in enterprise_rows():
        sheet.append(values)
    sheet.row_dimensions[3].hidden = True
    sheet.column_dimensions["F"].hidden = True
    buffer = io.BytesIO()
    book.save(buffer)
    parsed = read_bytes(buffer.getvalue())
    notes = dict(parsed.notes)
    assert notes["hidden_rows"] == {"rows": [3], "count": 1}
    assert notes["hidden_columns"] == {"columns": ["党组织名称"]}
    assert [n for n, _ in parsed.rows] == [2, 3, 4]  # read like the others


def test_a_hidden_sheet_is_read_only_when_no_visible_one_has_a_header():
    book = Workbook()
    book.active.title = "封面"
    book.active.append(["胶南街道"])
    hidden = book.create_sheet("数据")
    hidden.sheet_state = "hidden"
    hidden.append(HEADER)
    hidden.append(enterprise_rows()[0])
    buffer = io.BytesIO()
    book.save(buffer)
    sheet = read_bytes(buffer.getvalue())
    assert sheet.sheet_name == "数据" and "hidden_sheet" in dict(sheet.notes)


def test_total_rows_are_skipped_and_said():
    sheet = read_bytes(office_workbook())
    assert [n for n, _ in sheet.rows] == [4, 5, 6]
    assert dict(sheet.notes)["total_rows"] == {"rows": [7]}


def test_a_row_with_only_its_number_is_blank():
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    sheet.append(enterprise_rows()[0])
    for n in range(2, 30):  # pre-numbered rows nobody filled in
        sheet.append([n])
    buffer = io.BytesIO()
    book.save(buffer)
    assert len(read_bytes(buffer.getvalue()).rows) == 1


def test_cells_beyond_the_header_are_said():
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    sheet.append([*enterprise_rows()[0], None, "多余内容"])
    buffer = io.BytesIO()
    book.save(buffer)
    note = dict(read_bytes(buffer.getvalue()).notes)["wide_cells"]
    assert note["rows"] == [2] and note["last"] == "M"
