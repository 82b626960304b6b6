"""Large files are planned and written chunk by chunk (ledger.importer.Planning), so
that a file of 100,000 rows never holds all its records at once: rows that refer to each
other are planned together, and the result is the same as planning them all at once."""

import io

import pytest
from django.urls import reverse

from audit.models import Event
from enterprises.models import Coverage, Enterprise, Liaison, LiaisonAssignment, PartyOrganization
from ledger import importer, services
from ledger.importer import Planning, build_plan
from ledger.models import ImportBatch

from .conftest import code, read_bytes, row, table, upload_file, xlsx_bytes

JOINT = {"org_name": "联合党支部", "org_formation": "联合组建", "org_established": "2022-01-01"}


def rows():
    """Ten rows: the first and the last share a joint organisation, every row the same new
    liaison, rows 3 and 8 the same USCC, and 4 and 6 an organisation on which they
    disagree."""
    lines = [row(n, liaison="张华") for n in range(10)]
    lines[0] = row(0, liaison="张华", **JOINT)
    lines[9] = row(9, liaison="张华", **JOINT)
    lines[8] = row(8, uscc=code(3))
    lines[4] = row(4, org_name="甲党支部", org_formation="单独组建", org_established="2022-01-01")
    lines[6] = row(6, org_name="甲党支部", org_formation="单独组建", org_established="2023-01-01")
    return lines


def outcome(plan):
    return [
        (r.number, r.status, sorted((p.key, p.code) for p in r.clean.errors)) for r in plan.rows
    ]


def test_chunks_keep_linked_rows_together_and_give_the_same_plan(staff, shuicheng, monkeypatch):
    whole = build_plan(read_bytes(xlsx_bytes(table(rows()))), staff)
    monkeypatch.setattr(importer, "PLAN_CHUNK", 2)
    planning = Planning(read_bytes(xlsx_bytes(table(rows()))), staff)
    chunks = [[r.number for r in chunk] for chunk in planning]
    assert len(chunks) > 3
    together = [c for c in chunks if 2 in c]  # row 0 of the data is sheet row 2
    assert 11 in together[0]  # … and row 9, sheet row 11: the same organisation
    assert any(5 in c and 10 in c for c in chunks)  # the same USCC
    assert any(6 in c and 8 in c for c in chunks)  # the same organisation
    chunked = build_plan(read_bytes(xlsx_bytes(table(rows()))), staff)
    assert outcome(chunked) == outcome(whole)
    assert chunked.digest() == whole.digest()


def fixed_rows():
    lines = rows()
    lines[8] = row(8, liaison="张华")
    lines[6] = row(6, org_name="甲党支部", org_formation="单独组建", org_established="2022-01-01")
    lines[4] = row(4, liaison="张华")
    return lines


def test_a_commit_in_chunks_writes_everything_once(staff_client, staff, shuicheng, monkeypatch):
    monkeypatch.setattr(importer, "PLAN_CHUNK", 2)
    monkeypatch.setattr(importer, "WRITE_CHUNK", 1)
    staff_client.post(
        reverse("ledger:upload"), {"file": upload_file(xlsx_bytes(table(fixed_rows())), "a.xlsx")}
    )
    batch = ImportBatch.objects.get()
    assert batch.summary["created"] == 10 and batch.summary["errors"] == 0
    items = batch.load_plan()
    assert sorted(i["n"] for i in items) == list(range(2, 12))
    staff_client.post(reverse("ledger:confirm", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.is_committed
    assert Enterprise.objects.count() == 10
    assert Liaison.objects.get().assignments.count() == 9  # one new liaison, shared
    joint = PartyOrganization.objects.get(name="联合党支部")
    assert joint.coverages.count() == 2
    assert Coverage.objects.count() == 3 and LiaisonAssignment.objects.count() == 9
    event = Event.objects.get(kind="import")
    assert event.detail == {
        "file": "a.xlsx",
        "created": 10,
        "updated": 0,
        "unchanged": 0,
        "errors": 0,
    }


def test_a_commit_whose_plan_changed_writes_nothing(staff, shuicheng, monkeypatch):
    monkeypatch.setattr(importer, "PLAN_CHUNK", 2)
    batch = services.preview(io.BytesIO(xlsx_bytes(table(fixed_rows()))), "a.xlsx", staff)
    from tests.factories import EnterpriseFactory

    EnterpriseFactory(uscc=code(9), community=shuicheng, name="别人刚录入的")  # the last row
    with pytest.raises(importer.PlanChanged):
        importer.commit_planning(batch.load_sheet(), staff, expect=batch.digest)
    assert Enterprise.objects.count() == 1 and not Event.objects.filter(kind="import").exists()
    assert services.confirm(batch, staff) is None
    batch.refresh_from_db()
    assert batch.notice == "changed" and batch.summary["updated"] == 1
