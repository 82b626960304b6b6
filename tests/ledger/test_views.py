"""The browser workflow (upload → preview → confirm → summary), the error report, the
template, exports and the round trip export → import."""

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from audit.models import Event
from enterprises import sheets as cols
from enterprises import uscc
from enterprises.models import Enterprise, PartyOrganization
from ledger.importer import build_plan
from ledger.models import ImportBatch
from tests.factories import (
    CommunityFactory,
    CoverageFactory,
    EnterpriseFactory,
    IndustryChainFactory,
    LiaisonAssignmentFactory,
    LiaisonFactory,
    MassOrganizationFactory,
    MembershipReturnFactory,
    MembershipTransferFactory,
    PartyOrganizationFactory,
    UserFactory,
)

from .conftest import bad_check, code, read_bytes, row, table, upload_file, xlsx_bytes

UPLOAD = reverse("ledger:upload")


def upload(client, data, name="台账.xlsx"):
    return client.post(UPLOAD, {"file": upload_file(data, name)})


def latest_batch():
    return ImportBatch.objects.order_by("-pk").first()


def error_codes(batch):
    return {(item["n"], e[0], e[2]) for item in batch.load_plan() for e in item.get("e", [])}


def workbook_rows(response):
    content = b"".join(response.streaming_content)
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    return [list(r) for r in sheet.iter_rows(values_only=True)], sheet


# ---------------------------------------------------------------------------
# The journey of the issue


def test_template_bad_cells_error_report_fix_reupload_confirm(staff_client, staff, shuicheng):
    # 1. The template: canonical headers, notes, two example rows that import cleanly.
    response = staff_client.get(reverse("ledger:template"))
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert workbook.sheetnames == ["企业台账", "填写说明"]
    lines = [list(r) for r in workbook["企业台账"].iter_rows(values_only=True)]
    assert lines[0] == [c.header for c in cols.COLUMNS]
    assert len(lines) == 3

    # 2. Filled in Excel-style: a bad USCC, and an organisation founded "2023年5月".
    lines[1][1] = bad_check(lines[1][1])
    lines[2][cols.COLUMNS.index(cols.BY_KEY["org_name"])] = "青岛蓝湾党支部"
    lines[2][cols.COLUMNS.index(cols.BY_KEY["org_formation"])] = "单独组建"
    lines[2][cols.COLUMNS.index(cols.BY_KEY["org_established"])] = "2023年5月"
    response = upload(staff_client, xlsx_bytes(lines, title_rows=[["胶南街道企业台账"]]))
    batch = latest_batch()
    assert response.status_code == 302 and response.url == batch.get_absolute_url()
    assert batch.summary["errors"] == 1 and batch.summary["created"] == 1

    # 3. The preview says exactly which cell is wrong; no confirm button.
    page = staff_client.get(batch.get_absolute_url())
    text = page.content.decode()
    assert error_codes(batch) == {(3, "uscc", "uscc_check")}
    assert 'data-code="uscc_check"' in text
    assert "统一社会信用代码" in text and ">3<" in text
    assert reverse("ledger:confirm", args=[batch.pk]) not in text
    assert "2023-05-01" in text  # the month-only date, read as the first of the month
    assert not Enterprise.objects.exists()

    # 4. The error report: the rows as uploaded plus an error column.
    report = staff_client.get(reverse("ledger:errors", args=[batch.pk]))
    rows, sheet = workbook_rows(report)
    assert rows[0][-1] == "错误说明" and rows[0][:-1] == lines[0]
    assert "统一社会信用代码" in rows[1][-1] and rows[2][-1] is None
    assert sheet.cell(row=2, column=2).fill.fgColor.rgb.endswith("F2C7CE")

    # 5. Fixed in the report and uploaded again: no errors; confirm; summary.
    rows[1][1] = uscc.make(lines[1][1][:17])
    upload(staff_client, xlsx_bytes(rows))
    batch = latest_batch()
    assert batch.summary["errors"] == 0 and batch.summary["created"] == 2
    assert batch.summary["ignored"] == ["错误说明"]
    response = staff_client.post(reverse("ledger:confirm", args=[batch.pk]))
    assert response.status_code == 302
    batch.refresh_from_db()
    assert batch.is_committed and batch.event.kind == Event.Kind.IMPORT
    page = staff_client.get(batch.get_absolute_url()).content.decode()
    assert "2" in page and reverse("ledger:confirm", args=[batch.pk]) not in page

    # 6. The enterprises, the organisation and the figures are there, with history.
    assert Enterprise.objects.count() == 2
    org = PartyOrganization.objects.get(name="青岛蓝湾党支部")
    assert org.established_on == dt.date(2023, 5, 1)
    enterprise = Enterprise.objects.get(name="青岛蓝湾电子商务有限公司")
    assert enterprise.coverage_on() == "standalone"
    assert enterprise.history().filter(event=batch.event).exists()
    detail = staff_client.get(enterprise.get_absolute_url())
    assert detail.status_code == 200


def test_confirming_twice_imports_once(staff_client, shuicheng):
    upload(staff_client, xlsx_bytes(table([row(1)])))
    batch = latest_batch()
    confirm = reverse("ledger:confirm", args=[batch.pk])
    staff_client.post(confirm)
    staff_client.post(confirm)
    assert Enterprise.objects.count() == 1
    assert Event.objects.filter(kind=Event.Kind.IMPORT).count() == 1


def test_confirm_refuses_when_the_data_changed_since_the_preview(staff_client, shuicheng):
    upload(staff_client, xlsx_bytes(table([row(1)])))
    batch = latest_batch()
    EnterpriseFactory(uscc=code(1), community=shuicheng, name="别人刚录入的")
    response = staff_client.post(reverse("ledger:confirm", args=[batch.pk]), follow=True)
    batch.refresh_from_db()
    assert not batch.is_committed and batch.summary["updated"] == 1
    assert Enterprise.objects.get().name == "别人刚录入的"
    assert response.status_code == 200


def test_unreadable_files_get_a_clear_message_and_nothing_is_stored(staff_client):
    response = upload(staff_client, b"%PDF-1.4 \x00\x01binary", "report.pdf")
    assert response.status_code == 200
    assert response.context["form"].errors["file"]
    assert not ImportBatch.objects.exists()


def test_rows_of_another_street_are_errors(staff_client, shuicheng, fulai):
    upload(staff_client, xlsx_bytes(table([row(1, community="福莱社区"), row(2)])))
    batch = latest_batch()
    assert error_codes(batch) == {(2, "community", "out_of_scope")}
    staff_client.post(reverse("ledger:confirm", args=[batch.pk]))
    assert not Enterprise.objects.exists()


def test_a_leader_cannot_import(leader_client, shuicheng):
    assert leader_client.get(UPLOAD).status_code == 403
    response = leader_client.post(
        UPLOAD, {"file": upload_file(xlsx_bytes(table([row(1)])), "a.xlsx")}
    )
    assert response.status_code == 403
    assert not ImportBatch.objects.exists() and not Enterprise.objects.exists()


def test_only_the_uploader_sees_and_confirms_a_batch(
    staff_client, stranger_client, client, jiaonan, shuicheng
):
    upload(staff_client, xlsx_bytes(table([row(1), row(2, uscc="x")])))
    batch = latest_batch()
    colleague = UserFactory(username="jn_staff2", area=jiaonan)
    client.force_login(colleague)
    for other in (stranger_client, client):
        for name in ("preview", "errors", "confirm"):
            url = reverse(f"ledger:{name}", args=[batch.pk])
            assert other.get(url).status_code == 404
        assert other.post(reverse("ledger:confirm", args=[batch.pk])).status_code == 404
    assert not Enterprise.objects.exists()


def test_the_preview_pages_and_filters_rows(staff_client, shuicheng):
    upload(staff_client, xlsx_bytes(table([row(n) for n in range(150)] + [row(999, uscc="x")])))
    batch = latest_batch()
    page = staff_client.get(batch.get_absolute_url())
    assert [r["n"] for r in page.context["rows"]][:2] == [152, 2]  # errors first
    assert len(page.context["rows"]) == 100
    errors = staff_client.get(batch.get_absolute_url(), {"show": "error"})
    assert [r["n"] for r in errors.context["rows"]] == [152]
    second = staff_client.get(batch.get_absolute_url(), {"show": "new", "page": 2})
    assert len(second.context["rows"]) == 50


# ---------------------------------------------------------------------------
# Exports


@pytest.fixture
def registry(shuicheng, zhushan, fulai, jiaonan):
    """A rich enterprise (every fact), a closed one, a risky name and another street's."""
    chain = IndustryChainFactory(name="智能家电")
    rich = EnterpriseFactory(
        uscc=code(1),
        name="青岛海晟智能装备有限公司",
        community=shuicheng,
        address="珠山路88号",
        industry="C",
        industry_chain=chain,
        above_scale=True,
        employees=120,
        investor_is_member=True,
        contact_name="王经理",
        contact_phone="+86 532 8600 0000",
        tracked_since=dt.date(2021, 3, 1),
    )
    org = PartyOrganizationFactory(
        name="海晟党支部", area=shuicheng, secretary="李明", established_on=dt.date(2022, 5, 1)
    )
    CoverageFactory(organization=org, enterprise=rich, since=dt.date(2022, 5, 1))
    MembershipReturnFactory(enterprise=rich, reported_on=dt.date(2023, 6, 30), formal=2)
    MembershipReturnFactory(
        enterprise=rich, reported_on=dt.date(2024, 6, 30), formal=5, probationary=1, applicants=2
    )
    LiaisonAssignmentFactory(enterprise=rich, liaison=LiaisonFactory(name="张华", area=jiaonan))
    LiaisonAssignmentFactory(enterprise=rich, liaison=LiaisonFactory(name="刘洋", area=jiaonan))
    MassOrganizationFactory(enterprise=rich, kind="union", established_on=dt.date(2021, 7, 1))
    MassOrganizationFactory(enterprise=rich, kind="women", established_on=dt.date(2022, 3, 8))
    EnterpriseFactory(
        uscc=code(2),
        name="青岛已注销贸易有限公司",
        community=zhushan,
        industry="F",
        status="deregistered",
        status_date=dt.date(2023, 12, 31),
    )
    EnterpriseFactory(uscc=code(3), name='=HYPERLINK("http://x")', community=zhushan, industry="I")
    EnterpriseFactory(uscc=code(4), name="红石崖的企业", community=fulai)
    return rich


def export(client, fmt, **params):
    return client.get(reverse("ledger:export", kwargs={"kind": "enterprises", "fmt": fmt}), params)


def csv_rows(response):
    content = b"".join(response.streaming_content)
    assert content.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def test_enterprise_export_uses_the_template_columns_within_scope(staff_client, registry):
    rows, sheet = workbook_rows(export(staff_client, "xlsx"))
    assert rows[0] == [c.header for c in cols.COLUMNS]
    names = [r[0] for r in rows[1:]]
    assert "红石崖的企业" not in names and len(names) == 3
    rich = dict(zip(rows[0], rows[names.index("青岛海晟智能装备有限公司") + 1], strict=True))
    assert rich["行业门类"] == "C 制造业" and rich["规上企业"] == "是"
    assert rich["党组织名称"] == "海晟党支部" and rich["党组织书记"] == "李明"
    assert rich["党员统计日期"] == dt.datetime(2024, 6, 30) and rich["正式党员"] == 5
    assert rich["党建指导员"] in ("张华、刘洋", "刘洋、张华")
    assert rich["工会成立日期"] == dt.datetime(2021, 7, 1) and rich["共青团成立日期"] is None
    assert rich["纳入管理日期"] == dt.datetime(2021, 3, 1)


def test_exported_cells_are_never_formulas(staff_client, registry):
    rows, sheet = workbook_rows(export(staff_client, "xlsx"))
    risky = next(r for r in sheet.iter_rows(min_row=2) if str(r[0].value).startswith("="))
    assert risky[0].data_type == "s"
    phone = next(
        r for r in sheet.iter_rows(min_row=2) if r[12].value and r[12].value.startswith("+")
    )
    assert phone[12].data_type == "s"
    lines = csv_rows(export(staff_client, "csv"))
    assert [r[0] for r in lines if "HYPERLINK" in r[0]] == ['\'=HYPERLINK("http://x")']
    assert any(r[12] == "'+86 532 8600 0000" for r in lines)


def test_the_export_keeps_the_lists_filters(staff_client, registry):
    rows, _sheet = workbook_rows(export(staff_client, "xlsx", industry="F", status="deregistered"))
    assert [r[0] for r in rows[1:]] == ["青岛已注销贸易有限公司"]
    lines = csv_rows(export(staff_client, "csv", q="海晟"))
    assert [r[0] for r in lines[1:]] == ["青岛海晟智能装备有限公司"]
    assert lines[1][cols.COLUMNS.index(cols.BY_KEY["org_established"])] == "2022-05-01"


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_round_trip_export_then_import_is_all_unchanged(
    fmt, staff_client, staff, registry, hongshiya
):
    # A community name that exists in two streets is written street/community.
    response = export(staff_client, fmt)
    data = b"".join(response.streaming_content)
    sheet = read_bytes(data, f"export.{fmt}")
    plan = build_plan(sheet, staff)
    assert [r.status for r in plan.rows] == ["unchanged"] * 3, [
        (r.number, [(c.column, c.before, c.after) for c in r.changes], r.clean.errors)
        for r in plan.rows
    ]


def test_round_trip_with_a_community_name_in_two_streets(
    admin_client, admin_user, registry, hongshiya
):
    CommunityFactory(name="水城路社区", parent=hongshiya)
    data = b"".join(export(admin_client, "csv").streaming_content)
    assert "胶南街道/水城路社区" in data.decode("utf-8-sig")
    plan = build_plan(read_bytes(data, "export.csv"), admin_user)
    assert {r.status for r in plan.rows} == {"unchanged"} and len(plan.rows) == 4


@pytest.mark.parametrize("kind", ["organizations", "liaisons", "transfers"])
@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_other_exports_within_scope(kind, fmt, leader_client, registry, fulai):
    PartyOrganizationFactory(name="红石崖的党支部", area=fulai)
    MembershipTransferFactory(
        member_name="转入党员", to_organization=PartyOrganization.objects.first()
    )
    response = leader_client.get(reverse("ledger:export", kwargs={"kind": kind, "fmt": fmt}))
    assert response.status_code == 200
    if fmt == "csv":
        lines = csv_rows(response)
    else:
        lines, _sheet = workbook_rows(response)
    text = str(lines)
    assert "红石崖的党支部" not in text
    expected = {"organizations": "海晟党支部", "liaisons": "张华", "transfers": "转入党员"}[kind]
    assert expected in text


def test_organisation_export_keeps_the_filters(staff_client, registry, shuicheng):
    PartyOrganizationFactory(name="联合党支部甲", formation="joint", area=shuicheng)
    url = reverse("ledger:export", kwargs={"kind": "organizations", "fmt": "csv"})
    lines = csv_rows(staff_client.get(url, {"formation": "joint"}))
    assert [r[0] for r in lines[1:]] == ["联合党支部甲"]


def test_list_pages_link_to_export_and_import(staff_client, leader_client, registry):
    page = staff_client.get(reverse("enterprises:list"), {"industry": "C"}).content.decode()
    assert reverse("ledger:upload") in page
    assert (
        reverse("ledger:export", kwargs={"kind": "enterprises", "fmt": "xlsx"}) + "?industry=C"
        in page
    )
    assert (
        reverse("ledger:upload")
        not in leader_client.get(reverse("enterprises:list")).content.decode()
    )
    for name, kind in [
        ("organization_list", "organizations"),
        ("liaison_list", "liaisons"),
        ("transfer_list", "transfers"),
    ]:
        page = staff_client.get(reverse(f"enterprises:{name}")).content.decode()
        assert reverse("ledger:export", kwargs={"kind": kind, "fmt": "csv"}) in page


def test_unknown_export_is_404(staff_client):
    assert staff_client.get("/ledger/export/users.xlsx").status_code == 404
    assert staff_client.get("/ledger/export/enterprises.pdf").status_code == 404
