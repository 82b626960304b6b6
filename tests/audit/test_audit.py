import datetime as dt

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from audit.context import audit_context
from audit.history import history_of
from audit.models import Change, Event
from partnerships.models import Partner
from tests.factories import PartnerFactory


def changes_for(obj):
    return list(obj.history().order_by("id"))


def test_create_update_delete_are_recorded_with_field_level_before_after(staff, jiaonan):
    with audit_context(actor=staff):
        partner = Partner.objects.create(
            name="中国石油大学（华东）", kind="university", area=jiaonan
        )
        partner.contact_name = "李老师"
        partner.save()
        pk = partner.pk
        partner.delete()
    partner.pk = pk
    create, update, delete = changes_for(partner)
    assert create.action == "create" and create.actor == staff
    assert create.changes["name"] == [None, "中国石油大学（华东）"]
    assert update.changes == {"contact_name": ["", "李老师"]}
    assert delete.action == "delete" and delete.changes["name"] == ["中国石油大学（华东）", None]


def test_saving_without_changes_records_nothing(jiaonan):
    partner = PartnerFactory(area=jiaonan)
    partner.save()
    assert [c.action for c in changes_for(partner)] == ["create"]


def test_bulk_create_is_recorded(staff, jiaonan):
    with audit_context(actor=staff):
        partners = Partner.objects.bulk_create(
            [Partner(name=f"单位{i}", kind="other", area=jiaonan) for i in range(3)]
        )
    for p in partners:
        (entry,) = changes_for(p)
        assert entry.action == "create" and entry.actor == staff


def test_bulk_update_is_recorded_with_before_values(staff, jiaonan):
    partners = [PartnerFactory(area=jiaonan, contact_name="旧") for _ in range(2)]
    for p in partners:
        p.contact_name = "新"
    with audit_context(actor=staff):
        Partner.objects.bulk_update(partners, ["contact_name"])
    for p in partners:
        create, update = changes_for(p)  # exactly one entry for the bulk update
        assert update.changes == {"contact_name": ["旧", "新"]}


def test_queryset_update_is_recorded(staff, jiaonan):
    partners = [PartnerFactory(area=jiaonan, notes="a") for _ in range(2)]
    with audit_context(actor=staff):
        assert Partner.objects.filter(area=jiaonan).update(notes="b") == 2
    for p in partners:
        assert changes_for(p)[-1].changes == {"notes": ["a", "b"]}


def test_queryset_delete_is_recorded(jiaonan):
    partners = [PartnerFactory(area=jiaonan) for _ in range(2)]
    Partner.objects.filter(area=jiaonan).delete()
    for p in partners:
        assert changes_for(p)[-1].action == "delete"


def test_changes_inside_an_event_point_to_it(staff, jiaonan):
    event = Event.objects.create(kind=Event.Kind.IMPORT, actor=staff, detail={"file": "台账.xlsx"})
    with audit_context(actor=staff, event=event):
        partner = PartnerFactory(area=jiaonan)
    assert changes_for(partner)[0].event == event


def test_history_shows_labels_and_display_values(jiaonan, hongshiya):
    partner = PartnerFactory(area=jiaonan, kind="university")
    partner.kind = "welfare"
    partner.area = hongshiya
    partner.save()
    latest = history_of(partner)[0]
    by_label = {f.label: (f.before, f.after) for f in latest.fields}
    assert by_label["类型"] == ("高校", "公益组织")
    assert by_label["区域"] == ("胶南街道", "红石崖街道")


def test_web_edits_are_attributed_to_the_signed_in_user(admin_client, admin_user, staff, hongshiya):
    from django.urls import reverse

    admin_client.post(
        reverse("accounts:user_edit", args=[staff.pk]),
        {
            "version": staff.version,  # the version the form was opened at (required)
            "username": staff.username,
            "full_name": "x",
            "phone": "",
            "role": "staff",
            "area": hongshiya.pk,
            "is_active": "on",
        },
        REMOTE_ADDR="10.1.2.3",
    )
    change = staff.history().filter(action="update").latest("id")
    assert change.actor == admin_user and change.ip == "10.1.2.3"


def test_prune_refuses_to_keep_less_than_180_days(db):
    with pytest.raises(CommandError):
        call_command("prune_audit", days=179)


def test_prune_keeps_everything_younger_than_the_cutoff(jiaonan):
    old = PartnerFactory(area=jiaonan)
    old.history().update(at=timezone.now() - dt.timedelta(days=400))
    young = PartnerFactory(area=jiaonan)
    Change.objects.filter(object_pk=str(young.pk)).update(
        at=timezone.now() - dt.timedelta(days=179)
    )
    call_command("prune_audit", days=365)
    assert not changes_for(old)
    assert changes_for(young)


def test_audit_log_filters(admin_client, staff, jiaonan):
    from django.urls import reverse

    with audit_context(actor=staff):
        PartnerFactory(area=jiaonan, name="青岛海容")
    PartnerFactory(area=jiaonan, name="别的")
    response = admin_client.get(reverse("accounts:audit_changes"), {"user": staff.pk})
    assert [e.change.object_repr for e in response.context["entries"]] == ["青岛海容"]
    response = admin_client.get(reverse("accounts:audit_changes"), {"record": "别的"})
    assert [e.change.object_repr for e in response.context["entries"]] == ["别的"]


def test_large_bulk_writes_are_recorded_in_full(staff, jiaonan):
    """≥ 1,000 rows take the fast path (COPY on PostgreSQL): same entries, same values."""
    with audit_context(actor=staff):
        partners = Partner.objects.bulk_create(
            [Partner(name=f"批量单位{i}", kind="other", area=jiaonan) for i in range(1200)]
        )
    entries = Change.objects.filter(action="create", object_repr__startswith="批量单位")
    assert entries.count() == 1200
    sample = partners[777].history().get()
    assert sample.actor == staff and sample.object_repr == "批量单位777"
    assert sample.changes["name"] == [None, "批量单位777"]
    assert sample.changes["area_id"] == [None, jiaonan.pk]
