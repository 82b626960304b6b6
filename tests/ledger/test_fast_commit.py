"""The fast write path of an import commit (ledger.bulk: COPY on PostgreSQL, audit
entries built without the general machinery) records exactly what the audited
managers' ``bulk_create`` / ``bulk_update`` record: the same Change rows, the same
records, the same Event. Each import runs twice, once per path, in a rolled-back
savepoint, and the results are compared with the primary keys numbered in order."""

import re

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import transaction

from audit.models import Change
from enterprises.models import (
    Coverage,
    Enterprise,
    Liaison,
    LiaisonAssignment,
    MassOrganization,
    MembershipReturn,
    PartyOrganization,
)
from ledger import bulk
from ledger.importer import build_plan, commit

from .conftest import read_bytes, row, table, xlsx_bytes

RECORDS = [
    Enterprise,
    PartyOrganization,
    Coverage,
    MembershipReturn,
    Liaison,
    LiaisonAssignment,
    MassOrganization,
]
NOW = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?\+00:00$")
JOINT = {"org_name": "联合党支部", "org_formation": "联合组建", "org_established": "2022-01-01"}


def first_sheet():
    lines = []
    for n in range(12):
        values = {"formal": n % 4, "probationary": n % 2, "return_date": "2024-06-30"}
        if n % 3 == 0:
            values.update(
                org_name=f"青岛导入测试{n}有限公司党支部",
                org_formation="单独组建",
                org_established="2022-05-01",
                org_secretary=f"书记{n}",
            )
        elif n % 3 == 1:
            values.update(JOINT)
        if n % 2 == 0:
            values.update(liaison="张华" if n % 4 else "张华、李明")
        if n % 4 == 0:
            values.update(union="2020-03-01", youth_league="2021-05-04")
        lines.append(row(n, **values))
    return lines


def second_sheet():
    """Half the enterprises again with changed figures, and two new ones."""
    lines = []
    for n in [*range(0, 12, 2), 20, 21]:
        values = {"formal": n % 4 + 1, "probationary": n % 2, "return_date": "2024-06-30"}
        if n % 3 == 0 and n < 12:
            values.update(
                org_name=f"青岛导入测试{n}有限公司党支部",
                org_formation="单独组建",
                org_established="2022-05-01",
                org_secretary=f"新书记{n}",
            )
        if n % 4 == 0:
            values.update(union="2020-04-01")
        lines.append(row(n, employees=100 + n, **values))
    return lines


def run_import(user, lines):
    plan = build_plan(read_bytes(xlsx_bytes(table(lines))), user)
    assert not plan.has_errors, list(plan.problems())
    return commit(plan, user=user)


class Numbering:
    """Primary keys of the records an import created → their order of creation."""

    def __init__(self, before):
        self.before = before  # {model: max pk before the imports}
        self.seen = {}

    def __call__(self, model, pk):
        if pk is None or int(pk) <= self.before.get(model, 0):
            return pk  # a record that existed before: the same in both runs
        key = (model, int(pk))
        if key not in self.seen:
            self.seen[key] = f"new {model.__name__} #{sum(m is model for m, _ in self.seen)}"
        return self.seen[key]


def normalised_value(model, attname, value, number):
    if isinstance(value, str) and NOW.match(value):
        return "<now>"
    field = next((f for f in model._meta.concrete_fields if f.attname == attname), None)
    if field is not None and field.is_relation and value is not None:
        return number(field.related_model, value)
    return value


def outcome(event, number):
    changes = []
    for change in Change.objects.filter(event=event).order_by("pk"):
        model = ContentType.objects.get_for_id(change.content_type_id).model_class()
        changes.append(
            (
                change.action,
                model.__name__,
                number(model, change.object_pk),
                change.object_repr,
                change.actor_id,
                change.ip,
                {
                    name: [normalised_value(model, name, v, number) for v in pair]
                    for name, pair in change.changes.items()
                },
            )
        )
    records = {}
    for model in RECORDS:
        records[model.__name__] = sorted(
            (
                tuple(
                    number(model, getattr(obj, f.attname))
                    if f.primary_key
                    else normalised_value(
                        model,
                        f.attname,
                        getattr(obj, f.attname).isoformat()
                        if hasattr(getattr(obj, f.attname), "tzinfo")
                        and getattr(obj, f.attname).tzinfo is not None
                        else getattr(obj, f.attname),
                        number,
                    )
                    for f in model._meta.concrete_fields
                )
                for obj in model.objects.order_by("pk")
            ),
            key=repr,
        )
    return changes, records, event.detail


def both_paths(user, monkeypatch):
    """{path: [outcome of each import]}: the fast path and the audited managers'."""
    before = {m: m.objects.order_by("-pk").values_list("pk", flat=True).first() for m in RECORDS}
    before = {m: pk or 0 for m, pk in before.items()}
    results = {}
    for path in ("fast", "reference"):
        with monkeypatch.context() as patch:
            if path == "fast":
                patch.setattr(bulk, "COPY_FROM", 1)  # every insert takes the fast path
            else:
                patch.setattr(bulk, "FAST", False)  # the audited managers' bulk_create
            number = Numbering(before)
            with transaction.atomic():
                outcomes = []
                for lines in (first_sheet(), second_sheet()):
                    event = run_import(user, lines)
                    outcomes.append(outcome(event, number))
                transaction.set_rollback(True)
        results[path] = outcomes
    return results


def test_the_fast_commit_records_what_the_audited_managers_record(staff, shuicheng, monkeypatch):
    results = both_paths(staff, monkeypatch)
    fast, reference = results["fast"], results["reference"]
    first_changes = reference[0][0]
    # The scenario writes every kind of record, created and updated.
    assert {(action, model) for action, model, *_ in first_changes} >= {
        ("create", m.__name__) for m in RECORDS
    }
    assert {(action, model) for action, model, *_ in reference[1][0]} >= {
        ("update", "Enterprise"),
        ("update", "MembershipReturn"),
        ("update", "PartyOrganization"),
        ("update", "MassOrganization"),
        ("create", "Enterprise"),
    }
    for fast_import, reference_import in zip(fast, reference, strict=True):
        assert fast_import[0] == reference_import[0]  # the audit trail, entry by entry
        assert fast_import[1] == reference_import[1]  # the records
        assert fast_import[2] == reference_import[2]  # the event


@pytest.mark.parametrize("size", [1, 3])
def test_the_fast_audit_entry_of_a_new_record_is_the_general_one(staff, shuicheng, size):
    """``bulk.created`` gives what ``diff({}, snapshot(obj))`` gives, for every field type
    of the records an import creates."""
    from audit.models import diff, snapshot

    event = run_import(staff, first_sheet()[:size])
    for model in RECORDS:
        recorder = bulk._recorder(model)
        for obj in model.objects.all():
            assert bulk.created(obj, recorder) == diff({}, snapshot(obj)), model
    assert Change.objects.filter(event=event).exists()
