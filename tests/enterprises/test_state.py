"""The stored state of the "1" (enterprises/state.py): its intervals, and that every
write path keeps it in the same transaction, at a cost that does not grow with history.

Every database test of the suite also ends with a drift check (tests/conftest.py); the
tests here name the path they exercise and assert the state the path must produce.
"""

import datetime as dt

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from enterprises import coverage, services, state
from enterprises.models import (
    Enterprise,
    EnterpriseState,
    EventDay,
    MembershipReturn,
    PartyOrganization,
)
from tests.factories import (
    CommunityFactory,
    CoverageFactory,
    EnterpriseFactory,
    LiaisonAssignmentFactory,
    MassOrganizationFactory,
    MembershipReturnFactory,
    PartyOrganizationFactory,
)

pytestmark = pytest.mark.django_db

D = dt.date
F = PartyOrganization.Formation
EVENT_TABLE = EventDay._meta.db_table  # named in every points statement, and only there


def rows(enterprise, *fields):
    fields = fields or ("start", "end", "operating", "coverage_state", "member_band", "formal")
    return list(
        EnterpriseState.objects.filter(enterprise=enterprise).order_by("start").values_list(*fields)
    )


def at(enterprise, day):
    return state.state_on(enterprise.pk, day)


def assert_kept():
    assert state.rebuild(check=True).drifts == []


def points_statements(captured):
    return [q["sql"] for q in captured if EVENT_TABLE in q["sql"]]


def organization(enterprises, formation=F.JOINT, established=None, **fields):
    established = established or D(2023, 3, 1)
    org = PartyOrganizationFactory(
        formation=formation,
        area=enterprises[0].community,
        established_on=established,
        **fields,
    )
    for enterprise in enterprises:
        CoverageFactory(enterprise=enterprise, organization=org, since=established)
    return org


@pytest.fixture
def history(shuicheng):
    """Tracked from 2023-01-01; standalone from 2023-03-01; 4 formal members reported on
    2023-06-01; a trade union from 2023-02-01."""
    enterprise = EnterpriseFactory(community=shuicheng, tracked_since=D(2023, 1, 1))
    organization([enterprise], formation=F.STANDALONE)
    MembershipReturnFactory(enterprise=enterprise, reported_on=D(2023, 6, 1), formal=4)
    MassOrganizationFactory(enterprise=enterprise, established_on=D(2023, 2, 1))
    return enterprise


# ---------------------------------------------------------------------------
# The intervals


def test_intervals_follow_the_event_days_and_merge_what_does_not_change(history):
    assert rows(history, "start", "end", "operating", "coverage_state", "member_band") == [
        (D(2023, 1, 1), D(2023, 2, 1), True, "uncovered", "unknown"),
        (D(2023, 2, 1), D(2023, 3, 1), True, "work_only", "unknown"),
        (D(2023, 3, 1), D(2023, 6, 1), True, "standalone", "unknown"),
        (D(2023, 6, 1), None, True, "standalone", "many"),
    ]
    # A second return with the same figures, a liaison while covered: nothing changes.
    MembershipReturnFactory(enterprise=history, reported_on=D(2023, 9, 1), formal=4)
    LiaisonAssignmentFactory(enterprise=history, start=D(2023, 7, 1))
    assert len(rows(history)) == 4
    last = EnterpriseState.objects.get(enterprise=history, end__isnull=True)
    assert (last.formal, last.probationary, last.has_union, last.has_women) == (4, 0, True, False)
    assert (last.start_month, last.end_month) == (2023 * 12 + 5, None)
    assert_kept()


def test_dimensions_are_copied_onto_every_interval(history, zhushan):
    history.community = zhushan
    history.size = Enterprise.Size.LARGE
    history.above_scale = True
    history.save()
    assert set(rows(history, "community_id", "size", "above_scale")) == {
        (zhushan.pk, "large", True)
    }


def test_before_the_first_event_day_nothing_holds(history):
    day = D(2022, 12, 31)
    assert at(history, day) == {"enterprise_id": history.pk, **state.EMPTY}
    annotated = Enterprise.objects.with_coverage(day).get(pk=history.pk)
    assert (annotated.coverage_state, annotated.member_band) == ("uncovered", "unknown")
    assert not Enterprise.objects.operating_on(day).filter(pk=history.pk).exists()


def test_closing_and_archiving(history):
    history.status = Enterprise.Status.DEREGISTERED
    history.status_date = D(2024, 1, 1)
    history.save()
    assert rows(history, "start", "operating")[-2:] == [
        (D(2023, 6, 1), True),
        (D(2024, 1, 1), False),
    ]
    services.enterprise_archive(enterprise=history, reason="重复录入")
    assert not EnterpriseState.objects.filter(enterprise=history, operating=True).exists()
    assert rows(history, "coverage_state")[-1] == ("standalone",)  # the rules still say so
    services.enterprise_restore(enterprise=history)
    assert EnterpriseState.objects.filter(enterprise=history, operating=True).count() == 4
    assert_kept()


# ---------------------------------------------------------------------------
# Write paths


def test_organisation_dates_and_formation_reach_every_enterprise_it_covers(shuicheng):
    units = [EnterpriseFactory(community=shuicheng, tracked_since=D(2023, 1, 1)) for _ in range(3)]
    org = organization(units)
    org.dissolved_on = D(2024, 1, 1)
    org.save()
    for unit in units:
        assert at(unit, D(2023, 12, 31))["coverage_state"] == "joint"
        assert at(unit, D(2024, 1, 1))["coverage_state"] == "uncovered"
    PartyOrganization.objects.filter(pk=org.pk).update(formation=F.REGIONAL)  # QuerySet.update
    assert {at(u, D(2023, 12, 31))["coverage_state"] for u in units} == {"regional"}
    assert_kept()


def test_an_organisation_edit_that_no_rule_reads_recomputes_nothing(shuicheng):
    org = organization([EnterpriseFactory(community=shuicheng) for _ in range(3)])
    org.secretary, org.level = "张书记", PartyOrganization.Level.GENERAL_BRANCH
    with CaptureQueriesContext(connection) as captured:
        org.save()
        PartyOrganization.objects.filter(pk=org.pk).update(name="新名称")
    assert points_statements(captured.captured_queries) == []
    with CaptureQueriesContext(connection) as captured:
        org.established_on = D(2023, 2, 1)
        org.save()
    assert len(points_statements(captured.captured_queries)) == 1  # all three at once


def test_services_keep_the_state(shuicheng):
    a = EnterpriseFactory(community=shuicheng, tracked_since=D(2023, 1, 1))
    b = EnterpriseFactory(community=shuicheng, tracked_since=D(2023, 1, 1))
    org = PartyOrganization(
        name="联合党支部", formation=F.JOINT, area=shuicheng, established_on=D(2023, 2, 1)
    )
    services.organization_create(organization=org, enterprises=[a, b])
    assert at(a, D(2023, 2, 1))["coverage_state"] == "joint"
    coverage_b = org.coverages.get(enterprise=b)
    services.coverage_end(coverage=coverage_b, until=D(2023, 5, 1))
    assert at(b, D(2023, 5, 1))["coverage_state"] == "uncovered"
    standalone = PartyOrganizationFactory(area=shuicheng, established_on=D(2023, 6, 1))
    services.coverage_add(organization=standalone, enterprise=b, since=D(2023, 6, 1))
    assert at(b, D(2023, 6, 1))["coverage_state"] == "standalone"
    assert_kept()


def test_a_record_moved_to_another_enterprise_keeps_both(shuicheng):
    a, b = (EnterpriseFactory(community=shuicheng) for _ in range(2))
    covered = CoverageFactory(enterprise=a)
    report = MembershipReturnFactory(enterprise=a, reported_on=D(2023, 6, 1), formal=5)
    covered.enterprise = b
    covered.save()  # single save
    MembershipReturn.objects.filter(pk=report.pk).update(enterprise=b)  # QuerySet.update
    today = D.today()
    assert (at(a, today)["coverage_state"], at(a, today)["member_band"]) == ("uncovered", "unknown")
    assert (at(b, today)["coverage_state"], at(b, today)["formal"]) == ("standalone", 5)
    assert_kept()


def test_bulk_writes_refresh_once_for_all_their_enterprises(shuicheng):
    units = [EnterpriseFactory(community=shuicheng) for _ in range(4)]
    new = [MembershipReturn(enterprise=u, reported_on=D(2024, 6, 30), formal=3) for u in units]
    with CaptureQueriesContext(connection) as captured:
        created = MembershipReturn.objects.bulk_create(new)
    assert len(points_statements(captured.captured_queries)) == 1
    assert {at(u, D(2024, 6, 30))["member_band"] for u in units} == {"many"}
    for r in created:
        r.formal = 1
    with CaptureQueriesContext(connection) as captured:
        MembershipReturn.objects.bulk_update(created, ["formal"])
    assert len(points_statements(captured.captured_queries)) == 1
    assert {at(u, D(2024, 6, 30))["member_band"] for u in units} == {"few"}
    with CaptureQueriesContext(connection) as captured:
        MembershipReturn.objects.filter(enterprise__in=units).delete()  # QuerySet.delete
    assert len(points_statements(captured.captured_queries)) == 1
    assert {at(u, D(2024, 6, 30))["member_band"] for u in units} == {"unknown"}
    Enterprise.objects.filter(pk__in=[u.pk for u in units]).update(tracked_since=D(2024, 1, 1))
    assert {at(u, D(2023, 12, 31))["operating"] for u in units} == {False}
    assert_kept()


def test_deleting_records_and_cascades(shuicheng):
    enterprise = EnterpriseFactory(community=shuicheng, tracked_since=D(2023, 1, 1))
    MembershipReturnFactory(enterprise=enterprise, reported_on=D(2023, 6, 1), formal=2)
    LiaisonAssignmentFactory(enterprise=enterprise, start=D(2023, 3, 1))
    MassOrganizationFactory(enterprise=enterprise, established_on=D(2023, 4, 1))
    covered = [EnterpriseFactory(community=shuicheng) for _ in range(2)]
    org = organization(covered)
    org.delete()  # cascades to its coverages
    assert {at(u, D.today())["coverage_state"] for u in covered} == {"uncovered"}
    with CaptureQueriesContext(connection) as captured:
        enterprise.delete()  # cascades to its returns, liaison assignments and 工青妇
    assert len(points_statements(captured.captured_queries)) == 1
    assert not EnterpriseState.objects.filter(enterprise_id=enterprise.pk).exists()
    connection.check_constraints()  # no interval is left pointing at the deleted enterprise
    assert_kept()


def test_many_to_many_edits_of_coverage(shuicheng):
    enterprise = EnterpriseFactory(community=shuicheng)
    org = PartyOrganizationFactory(area=shuicheng, formation=F.REGIONAL)
    org.enterprises.add(enterprise, through_defaults={"since": D(2023, 1, 1)})
    assert at(enterprise, D.today())["coverage_state"] == "regional"
    org.enterprises.remove(enterprise)
    assert at(enterprise, D.today())["coverage_state"] == "uncovered"
    assert_kept()


def test_deferred_refreshes_once_at_the_end_and_after_an_error(shuicheng):
    units = [EnterpriseFactory(community=shuicheng) for _ in range(3)]
    with CaptureQueriesContext(connection) as captured, state.deferred():
        for unit in units:
            MembershipReturnFactory(enterprise=unit, formal=3)
            with state.deferred():  # nested: the outer block refreshes
                MassOrganizationFactory(enterprise=unit)
        assert points_statements(captured.captured_queries) == []
    assert len(points_statements(captured.captured_queries)) == 1
    assert {at(u, D.today())["member_band"] for u in units} == {"many"}
    with pytest.raises(ValueError), state.deferred():
        MembershipReturn.objects.filter(enterprise=units[0]).update(formal=0)
        raise ValueError  # not a database error, and nothing rolls the update back
    assert at(units[0], D.today())["member_band"] == "zero"
    assert_kept()


def test_a_failed_write_leaves_the_state_as_it_was(history):
    before = rows(history)
    with pytest.raises(ValueError), transaction.atomic():
        MembershipReturnFactory(enterprise=history, reported_on=D(2023, 8, 1), formal=0)
        assert rows(history) != before  # kept inside the transaction…
        raise ValueError
    assert rows(history) == before  # …and rolled back with it


# ---------------------------------------------------------------------------
# Forms, views and Django admin


def enterprise_form(enterprise, **changes):
    data = {
        "name": enterprise.name,
        "uscc": enterprise.uscc,
        "community": enterprise.community_id,
        "address": "",
        "industry": enterprise.industry,
        "industry_chain": "",
        "ownership": enterprise.ownership,
        "size": enterprise.size,
        "employees": "",
        "contact_name": "",
        "contact_phone": "",
        "tracked_since": enterprise.tracked_since.isoformat(),
        "status": enterprise.status,
        "status_date": "",
        "version": enterprise.version,
    }
    data.update(changes)
    return data


def test_staff_pages_keep_the_state(staff_client, history):
    response = staff_client.post(
        reverse("enterprises:edit", args=[history.pk]),
        enterprise_form(history, status="suspended", status_date="2024-03-01"),
    )
    assert response.status_code == 302
    assert at(history, D(2024, 3, 1))["operating"] is False
    response = staff_client.post(
        reverse("enterprises:return_create", args=[history.pk]),
        {
            "reported_on": "2023-12-31",
            "formal": "1",
            "probationary": "2",
            "development_targets": "0",
            "activists": "0",
            "applicants": "0",
            "employees": "",
        },
    )
    assert response.status_code == 302
    assert (
        at(history, D(2023, 12, 31))["member_band"],
        at(history, D(2023, 12, 31))["probationary"],
    ) == ("few", 2)
    report = MembershipReturn.objects.get(enterprise=history, reported_on=D(2023, 12, 31))
    staff_client.post(reverse("enterprises:return_delete", args=[report.pk]))
    assert at(history, D(2023, 12, 31))["member_band"] == "many"
    covered = history.coverages.get()
    staff_client.post(
        reverse("enterprises:coverage_end", args=[covered.pk]), {"until": "2023-10-01"}
    )
    assert at(history, D(2023, 10, 1))["coverage_state"] == "work_only"  # its trade union
    assert_kept()


def test_django_admin_keeps_the_state(admin_client, history):
    report = history.returns.get()
    url = reverse("admin:enterprises_membershipreturn_change", args=[report.pk])
    response = admin_client.post(
        url,
        {
            "enterprise": history.pk,
            "reported_on": "2023-06-01",
            "formal": "0",
            "probationary": "0",
            "development_targets": "0",
            "activists": "0",
            "applicants": "0",
            "employees": "",
        },
    )
    assert response.status_code == 302
    assert at(history, D(2023, 6, 1))["member_band"] == "zero"
    changelist = reverse("admin:enterprises_massorganization_changelist")
    response = admin_client.post(
        changelist,
        {
            "action": "delete_selected",
            "_selected_action": [m.pk for m in history.mass_organizations.all()],
            "post": "yes",
        },
    )
    assert response.status_code == 302
    assert at(history, D(2023, 2, 1))["coverage_state"] == "uncovered"
    assert_kept()


def test_the_import_refreshes_once_per_commit(staff, shuicheng):
    from ledger.importer import build_plan, commit
    from tests.ledger.conftest import code, read_bytes, row, table, xlsx_bytes

    existing = EnterpriseFactory(community=shuicheng, uscc=code(1))
    lines = [row(n, return_date="2024-06-30", formal=n) for n in range(1, 9)]
    sheet = read_bytes(xlsx_bytes(table(lines)))
    plan = build_plan(sheet, staff)
    assert not plan.has_errors, list(plan.problems())
    with CaptureQueriesContext(connection) as captured:
        commit(plan, user=staff)
    assert len(points_statements(captured.captured_queries)) == 1
    assert at(existing, D(2024, 6, 30))["formal"] == 1
    assert_kept()


# ---------------------------------------------------------------------------
# Cost of keeping


def test_keeping_a_save_costs_the_same_queries_however_long_the_history(
    shuicheng, django_assert_max_num_queries
):
    def save(enterprise):
        enterprise.contact_phone = enterprise.contact_phone + "1"
        enterprise.save()

    short = EnterpriseFactory(community=shuicheng, tracked_since=D(2020, 1, 1))
    long = EnterpriseFactory(community=shuicheng, tracked_since=D(2020, 1, 1))
    org = organization([long], formation=F.STANDALONE, established=D(2020, 2, 1))
    for month in range(1, 13):
        MembershipReturnFactory(enterprise=long, reported_on=D(2021, month, 1), formal=month)
        LiaisonAssignmentFactory(enterprise=long, start=D(2022, month, 1), end=D(2022, month, 2))
    org.dissolved_on = D(2021, 12, 31)  # the liaisons of 2022 change the state 24 times
    org.save()
    assert len(rows(long)) > 30
    # A single save: its own queries (read before, update, audit row) + refresh: lock
    # (PostgreSQL), stored intervals, the one points statement, and a write if changed.
    with django_assert_max_num_queries(3 + 4) as small:
        save(short)
    with django_assert_max_num_queries(len(small.captured_queries)):
        save(long)
    with django_assert_max_num_queries(3 + 4 + 2):  # + delete and insert of the intervals
        long.tracked_since = D(2019, 1, 1)
        long.save()
    assert rows(long)[0][0] == D(2019, 1, 1)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="runs in the PostgreSQL pass")
def test_refresh_locks_the_enterprises_first(history):
    with CaptureQueriesContext(connection) as captured:
        state.refresh([history.pk])
    assert "FOR NO KEY UPDATE" in captured.captured_queries[0]["sql"]
    assert 'FROM "enterprises_enterprise"' in captured.captured_queries[0]["sql"]


# ---------------------------------------------------------------------------
# The stored state equals coverage.py's rules


def test_points_use_coverage_py_expressions(history):
    """A guard on the one definition: the stored state at a day equals coverage.py's
    annotation, operating_on and has_mass_org_on at that day (the property test does
    this at random days)."""
    for day in (D(2023, 1, 31), D(2023, 2, 1), D(2023, 5, 31), D(2023, 6, 1), D.today()):
        annotated = Enterprise.objects.with_coverage(day).get(pk=history.pk)
        stored = at(history, day)
        assert stored["coverage_state"] == annotated.coverage_state
        assert stored["member_band"] == annotated.member_band
        assert stored["formal"] == annotated.formal
        assert (
            stored["operating"]
            == Enterprise.objects.operating_on(day).filter(pk=history.pk).exists()
        )
        union = Enterprise.objects.annotate(has=coverage.has_mass_org_on(day, "union"))
        assert stored["has_union"] == union.get(pk=history.pk).has


def test_a_community_move_outside_the_street_moves_every_interval(history, fulai):
    Enterprise.objects.filter(pk=history.pk).update(community=fulai)
    assert set(rows(history, "community_id")) == {(fulai.pk,)}
    assert EnterpriseState.objects.in_area(fulai.parent).filter(enterprise=history).count() == 4
    other = CommunityFactory(parent=fulai.parent)
    assert not EnterpriseState.objects.in_area(other).exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="runs in the PostgreSQL pass")
@pytest.mark.django_db(transaction=True)
def test_two_transactions_changing_one_enterprise_store_both_changes(shuicheng):
    """The second writer waits for the first one's lock, then reads its committed change:
    without the lock it would store a state that misses it (or collide with its rows)."""
    import threading

    from django.db import connections

    enterprise = EnterpriseFactory(community=shuicheng, tracked_since=D(2023, 1, 1))
    first_wrote, errors = threading.Event(), []

    def first():
        try:
            with transaction.atomic():
                MembershipReturnFactory(enterprise=enterprise, reported_on=D(2023, 3, 1), formal=1)
                first_wrote.set()
                second_started.wait(5)
                threading.Event().wait(0.5)  # the second writer is now blocked on our lock
        except Exception as error:  # noqa: BLE001
            errors.append(error)
        finally:
            first_wrote.set()
            connections.close_all()

    def second():
        try:
            first_wrote.wait(5)
            second_started.set()
            with transaction.atomic():
                MembershipReturnFactory(enterprise=enterprise, reported_on=D(2023, 6, 1), formal=5)
        except Exception as error:  # noqa: BLE001
            errors.append(error)
        finally:
            connections.close_all()

    second_started = threading.Event()
    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    assert errors == []
    assert rows(enterprise, "start", "member_band", "formal") == [
        (D(2023, 1, 1), "unknown", None),
        (D(2023, 3, 1), "few", 1),
        (D(2023, 6, 1), "many", 5),
    ]
    assert_kept()
