"""The framework is generic: a second spec (partner_sheet.py, in the tests only) gets the
reading, preview, confirm, error report, template and command with nothing in
``ledger/`` naming it."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import load_workbook

from audit.models import Event
from ledger import headers, specs
from ledger.importer import build_plan, commit
from ledger.models import ImportBatch
from partnerships.models import Partner

from .conftest import csv_bytes, upload_file, xlsx_bytes

HEADER = ["单位名称", "所属街道", "单位类型", "联系人", "联系电话"]


def partner_rows(*rows):
    return [HEADER, *rows]


def read(data, name="共建单位.xlsx", spec=None):
    from ledger import parsing

    return parsing.read(io.BytesIO(data), name, spec)


def test_every_registered_spec_has_unambiguous_headers(partner_sheet):
    kinds = [s.kind for s in specs.all_specs()]
    assert kinds[0] == "enterprises" and "partners" in kinds  # the first is the default
    for spec in specs.all_specs():
        assert spec.lookup.key(spec.columns[0].header) == spec.columns[0].key
        for column in spec.columns:
            for name in (column.header, *column.variants):
                assert spec.lookup.key(name) == column.key, (spec.kind, name)


def test_plan_new_update_unchanged_and_errors(partner_sheet, staff, jiaonan, hongshiya):
    Partner.objects.create(name="青岛理工大学", kind="university", area=jiaonan, contact_name="旧")
    Partner.objects.create(name="红石崖的单位", kind="other", area=hongshiya)
    data = xlsx_bytes(
        partner_rows(
            ["青岛理工大学", "胶南街道", "高校", "王老师", None],  # update: the contact
            ["胶南社工站", "胶南街道", "社会组织", None, "１３８００００００００"],  # new
            ["红石崖的单位", "红石崖街道", "其他", None, None],  # another street: refused
            ["无名单位", "胶南街道", None, None, None],  # new without its kind
            ["胶南社工站", "胶南街道", "公益组织", None, None],  # the same key twice
            ["某单位", "不存在街道", "其他", None, None],  # no such street
        )
    )
    plan = build_plan(read(data, spec=partner_sheet), staff)
    by_row = {r.number: r for r in plan.rows}
    assert by_row[2].status == "update"
    assert {c.key: (c.before, c.after) for c in by_row[2].changes} == {
        "contact_name": ("旧", "王老师")
    }
    assert {(p.key, p.code) for p in by_row[3].clean.errors} == {("name", "duplicate_key")}
    assert {(p.key, p.code) for p in by_row[4].clean.errors} == {("area", "out_of_scope")}
    assert {(p.key, p.code) for p in by_row[5].clean.errors} == {("kind", "required")}
    assert {(p.key, p.code) for p in by_row[7].clean.errors} == {("area", "unknown")}
    assert "胶南街道" in by_row[7].clean.errors[0].message  # the message lists the known ones


def test_the_web_journey_for_another_kind(partner_sheet, staff_client, staff, jiaonan):
    page = staff_client.get(reverse("ledger:upload", kwargs={"kind": "partners"}))
    assert page.status_code == 200 and "Import partners" in page.content.decode()
    template = staff_client.get(reverse("ledger:template", kwargs={"kind": "partners"}))
    book = load_workbook(io.BytesIO(b"".join(template.streaming_content)))
    assert book.sheetnames == ["共建单位", "填写说明"]
    assert [c.value for c in book["共建单位"][1]] == HEADER
    notes = {r[0]: r[2] for r in book["填写说明"].iter_rows(min_row=2, values_only=True) if r[0]}
    assert notes["单位类型"] == "类型、单位性质"  # each column's variants are listed

    data = csv_bytes(partner_rows(["胶南社工站", "胶南街道", "公益组织", "李", "123"]))
    response = staff_client.post(
        reverse("ledger:upload", kwargs={"kind": "partners"}), {"file": upload_file(data, "p.csv")}
    )
    batch = ImportBatch.objects.get()
    assert response.url == batch.get_absolute_url() and batch.kind == "partners"
    preview = staff_client.get(batch.get_absolute_url()).content.decode()
    assert "胶南社工站" in preview and batch.summary["created"] == 1
    staff_client.post(reverse("ledger:confirm", args=[batch.pk]))
    partner = Partner.objects.get(name="胶南社工站")
    assert (partner.area, partner.kind, partner.contact_phone) == (jiaonan, "welfare", "123")
    batch.refresh_from_db()
    assert batch.is_committed and batch.event.kind == Event.Kind.IMPORT
    assert partner.history().filter(event=batch.event, actor=staff).exists()


def test_error_report_of_another_kind(partner_sheet, staff_client, jiaonan):
    data = xlsx_bytes(partner_rows(["单位甲", "胶南街道", "外星机构", None, None]))
    staff_client.post(
        reverse("ledger:upload", kwargs={"kind": "partners"}), {"file": upload_file(data, "p.xlsx")}
    )
    batch = ImportBatch.objects.get()
    report = staff_client.get(reverse("ledger:errors", args=[batch.pk]))
    rows = list(load_workbook(io.BytesIO(b"".join(report.streaming_content))).active.values)
    assert rows[0] == (*HEADER, headers.ERROR_HEADER)
    assert rows[1][-1].startswith("单位类型: ")


def test_the_command_takes_a_kind(partner_sheet, staff, jiaonan, tmp_path):
    path = tmp_path / "共建单位.xlsx"
    path.write_bytes(xlsx_bytes(partner_rows(["青岛理工大学", "胶南街道", "高校", None, None])))
    out = io.StringIO()
    call_command(
        "import_ledger",
        "partners",
        str(path),
        "--user",
        staff.username,
        stdout=out,
        stderr=io.StringIO(),
    )
    assert out.getvalue().startswith("created 1, updated 0, unchanged 0, errors 0")
    assert Partner.objects.get().kind == "university"
    with pytest.raises(CommandError) as info:
        call_command("import_ledger", "visits", str(path), stdout=io.StringIO())
    assert info.value.returncode == 2 and "partners" in str(info.value)


def test_a_commit_of_another_kind_is_all_or_nothing(partner_sheet, staff, jiaonan, monkeypatch):
    data = xlsx_bytes(
        partner_rows(*[[f"单位{n}", "胶南街道", "其他", None, None] for n in range(5)])
    )
    plan = build_plan(read(data, spec=partner_sheet), staff)
    from ledger import importer

    monkeypatch.setattr(importer, "WRITE_CHUNK", 2)

    def fail(done, total):
        if done >= 4:
            raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        commit(plan, user=staff, progress=fail)
    assert not Partner.objects.exists() and not Event.objects.filter(kind="import").exists()
