"""Planning and committing: new / update / unchanged / error, the facts of a row, scope,
the all-or-nothing commit, the audit trail and the number of queries."""

import datetime as dt

import pytest
from django.utils import timezone

from audit.models import Change, Event
from enterprises.models import (
    Coverage,
    Enterprise,
    Liaison,
    LiaisonAssignment,
    MassOrganization,
    MembershipReturn,
    PartyOrganization,
)
from ledger import importer
from ledger.importer import build_plan, commit
from tests.factories import (
    CommunityFactory,
    CoverageFactory,
    EnterpriseFactory,
    IndustryChainFactory,
    LiaisonAssignmentFactory,
    LiaisonFactory,
    MassOrganizationFactory,
    MembershipReturnFactory,
    PartyOrganizationFactory,
    StreetFactory,
)

from .conftest import code, read_bytes, row, table, xlsx_bytes

TODAY = timezone.localdate()
MODELS = [
    Enterprise,
    PartyOrganization,
    Coverage,
    MembershipReturn,
    Liaison,
    LiaisonAssignment,
    MassOrganization,
    Change,
    Event,
]


def plan_for(user, rows, headers=None):
    return build_plan(read_bytes(xlsx_bytes(table(rows, headers))), user)


def by_number(plan):
    return {r.number: r for r in plan.rows}


def codes(plan_row):
    return {(p.key, p.code) for p in plan_row.clean.errors}


def changes(plan_row):
    return {c.key: (c.before, c.after) for c in plan_row.changes}


def counts():
    return {model.__name__: model.objects.count() for model in MODELS}


# ---------------------------------------------------------------------------
# The four outcomes


def test_new_update_unchanged_and_error(staff, shuicheng, zhushan):
    same = EnterpriseFactory(
        uscc=code(2), name="青岛导入测试2有限公司", community=shuicheng, employees=12
    )
    moved = EnterpriseFactory(uscc=code(3), name="旧名称", community=shuicheng, employees=1)
    plan = plan_for(
        staff,
        [
            row(1),
            row(2, employees=12),
            row(3, community="珠山路社区", employees=13),
            row(4, uscc="91370211MA0000004X"),
        ],
    )
    rows = by_number(plan)
    assert [r.status for r in plan.rows] == ["new", "unchanged", "update", "error"]
    assert changes(rows[4]) == {
        "name": ("旧名称", "青岛导入测试3有限公司"),
        "community": ("水城路社区", "珠山路社区"),
        "employees": ("1", "13"),
    }
    assert codes(rows[5]) == {("uscc", "uscc_check")}
    assert plan.summary() == {
        "file": "ledger.xlsx",
        "created": 1,
        "updated": 1,
        "unchanged": 1,
        "errors": 1,
    }
    assert same.pk and moved.pk


def test_a_missing_column_is_left_alone_and_an_empty_cell_clears(staff, shuicheng):
    EnterpriseFactory(
        uscc=code(1), community=shuicheng, address="老地址", contact_name="王", employees=5
    )
    headers = ["企业名称", "统一社会信用代码", "地址"]
    plan = plan_for(staff, [row(1, address=None)], headers)
    assert changes(plan.rows[0]) == {
        "name": (Enterprise.objects.get().name, "青岛导入测试1有限公司"),
        "address": ("老地址", "—"),
    }
    commit(plan, user=staff)
    e = Enterprise.objects.get()
    assert (e.address, e.contact_name, e.employees) == ("", "王", 5)


def test_the_same_uscc_twice_flags_both_rows(staff, shuicheng):
    plan = plan_for(staff, [row(1), row(2), row(3, uscc=code(1))])
    assert [r.status for r in plan.rows] == ["error", "new", "error"]
    assert codes(plan.rows[0]) == {("uscc", "duplicate_uscc")}
    assert "2、4" in plan.rows[0].clean.errors[0].message


def test_new_enterprises_need_community_and_industry(staff, shuicheng):
    plan = plan_for(staff, [row(1, community=None, industry=None)])
    assert codes(plan.rows[0]) == {("community", "required"), ("industry", "required")}


def test_a_closed_enterprise_needs_its_date(staff, shuicheng):
    plan = plan_for(staff, [row(1, status="注销"), row(2, status="注销", status_date="2024-03-01")])
    assert codes(plan.rows[0]) == {("status_date", "required")}
    assert plan.rows[1].status == "new"
    closed = plan.rows[1].enterprise  # not tracked after it closed
    assert closed.tracked_since == closed.status_date == dt.date(2024, 3, 1)
    late = plan_for(
        staff, [row(3, status="歇业", status_date="2024-03-01", tracked_since="2024-05-01")]
    )
    assert codes(late.rows[0]) == {("status_date", "before_tracked")}


def test_unknown_industry_chain(staff, shuicheng):
    IndustryChainFactory(name="智能家电")
    plan = plan_for(staff, [row(1, industry_chain="智能家电"), row(2, industry_chain="航天")])
    assert plan.rows[0].enterprise.industry_chain.name == "智能家电"
    assert codes(plan.rows[1]) == {("industry_chain", "unknown_chain")}


def test_an_archived_enterprise_is_unchanged_or_an_error(staff, shuicheng):
    EnterpriseFactory(
        uscc=code(1),
        name="青岛导入测试1有限公司",
        community=shuicheng,
        employees=11,
        archived_at=timezone.now(),
    )
    assert plan_for(staff, [row(1)]).rows[0].status == "unchanged"
    assert codes(plan_for(staff, [row(1, employees=99)]).rows[0]) == {("uscc", "archived")}


# ---------------------------------------------------------------------------
# Communities and scope


def test_rows_outside_the_users_area_are_errors_and_never_written(
    staff, stranger, fulai, shuicheng
):
    theirs = EnterpriseFactory(uscc=code(9), community=fulai, name="红石崖的企业")
    plan = plan_for(staff, [row(1, community="福莱社区"), row(9), row(2, community="不存在社区")])
    assert [codes(r) for r in plan.rows] == [
        {("community", "out_of_scope")},
        {("uscc", "out_of_scope")},
        {("community", "unknown_community")},
    ]
    assert "水城路社区" in plan.rows[2].clean.errors[0].message
    with pytest.raises(importer.ImportHasErrors):
        commit(plan, user=staff)
    theirs.refresh_from_db()
    assert theirs.name == "红石崖的企业"
    assert Enterprise.objects.count() == 1


def test_an_ambiguous_community_name_says_so(admin_user, jiaonan, hongshiya, shuicheng):
    CommunityFactory(name="水城路社区", parent=hongshiya)
    plan = plan_for(admin_user, [row(1), row(2, community="胶南街道/水城路社区")])
    assert codes(plan.rows[0]) == {("community", "ambiguous_community")}
    message = plan.rows[0].clean.errors[0].message
    assert "胶南街道" in message and "红石崖街道" in message
    assert plan.rows[1].status == "new" and plan.rows[1].enterprise.community == shuicheng


# ---------------------------------------------------------------------------
# The facts of a row


def test_a_new_standalone_organisation_covers_its_enterprise(staff, shuicheng):
    facts = {
        "org_name": "甲党支部",
        "org_formation": "单独组建",
        "org_established": "2023年5月",
        "org_secretary": "李明",
    }
    plan = plan_for(staff, [row(1, **facts)])
    assert plan.rows[0].status == "new"
    commit(plan, user=staff)
    org = PartyOrganization.objects.get()
    assert (org.name, org.level, org.formation, org.established_on, org.secretary) == (
        "甲党支部",
        "branch",
        "standalone",
        dt.date(2023, 5, 1),
        "李明",
    )
    assert org.area == shuicheng and org.next_election_due == dt.date(2026, 5, 1)
    coverage = Coverage.objects.get()
    assert (coverage.enterprise.uscc, coverage.since) == (code(1), dt.date(2023, 5, 1))
    assert Enterprise.objects.get().coverage_on(TODAY) == "standalone"


def test_an_existing_organisation_is_found_by_name_and_updated(staff, shuicheng):
    org = PartyOrganizationFactory(
        name="乙联合党支部", formation="joint", area=shuicheng, secretary="旧"
    )
    covered = EnterpriseFactory(
        uscc=code(1), community=shuicheng, name="青岛导入测试1有限公司", employees=11
    )
    CoverageFactory(organization=org, enterprise=covered)
    plan = plan_for(
        staff,
        [
            row(1, org_name="乙联合党支部", org_secretary="新书记"),
            row(2, org_name="乙联合党支部", org_secretary="新书记"),
        ],
    )
    assert [r.status for r in plan.rows] == ["update", "new"]
    assert changes(plan.rows[0]) == {"org_secretary": ("旧", "新书记")}
    commit(plan, user=staff)
    org.refresh_from_db()
    assert org.secretary == "新书记" and org.version == 2
    new_coverage = Coverage.objects.get(enterprise__uscc=code(2))
    assert new_coverage.organization == org and new_coverage.since == TODAY
    assert PartyOrganization.objects.count() == 1


def test_one_new_joint_organisation_shared_by_several_rows(staff, shuicheng, zhushan):
    facts = {
        "org_name": "丙联合党支部",
        "org_formation": "联合组建",
        "org_established": "2022-01-01",
    }
    plan = plan_for(staff, [row(1, **facts), row(2, community="珠山路社区", **facts)])
    commit(plan, user=staff)
    org = PartyOrganization.objects.get()
    assert org.area.name == "胶南街道"  # the street holding both communities
    assert org.coverages.count() == 2


def test_organisation_rules(staff, shuicheng):
    taken = PartyOrganizationFactory(name="丁党支部", area=shuicheng)
    CoverageFactory(organization=taken, enterprise=EnterpriseFactory(community=shuicheng))
    PartyOrganizationFactory(name="同名党支部", area=shuicheng)
    PartyOrganizationFactory(name="同名党支部", area=shuicheng)
    plan = plan_for(
        staff,
        [
            row(1, org_name="丁党支部"),
            row(2, org_name="同名党支部"),
            row(3, org_name="新党支部"),
            row(4, org_name="戊党支部", org_formation="联合组建", org_established="2022-01-01"),
            row(5, org_name="戊党支部", org_formation="联合组建", org_established="2022-02-01"),
        ],
    )
    rows = by_number(plan)
    assert codes(rows[2]) == {("org_name", "standalone_shared")}
    assert codes(rows[3]) == {("org_name", "ambiguous_organization")}
    assert codes(rows[4]) == {("org_formation", "required"), ("org_established", "required")}
    assert codes(rows[5]) == codes(rows[6]) == {("org_established", "org_conflict")}


def test_membership_returns_are_created_or_updated(staff, shuicheng):
    e = EnterpriseFactory(
        uscc=code(1), community=shuicheng, name="青岛导入测试1有限公司", employees=11
    )
    MembershipReturnFactory(
        enterprise=e, reported_on=dt.date(2024, 6, 30), formal=2, probationary=1
    )
    plan = plan_for(
        staff,
        [
            row(1, return_date="2024/6/30", formal=3),
            row(2, return_date="2024/6/30", formal=1, applicants=2),
            row(3, return_date="2024/6/30", probationary=1),
        ],
    )
    assert changes(plan.rows[0]) == {"formal": ("2", "3")}
    assert codes(plan.rows[2]) == {("formal", "required")}
    plan.rows.pop()
    commit(plan, user=staff)
    first = MembershipReturn.objects.get(enterprise=e)
    assert (first.formal, first.probationary) == (3, 1)
    second = MembershipReturn.objects.get(enterprise__uscc=code(2))
    assert (second.formal, second.applicants, second.probationary) == (1, 2, 0)


def test_liaisons_are_matched_by_name_or_created_in_the_street(
    staff, jiaonan, shuicheng, hongshiya
):
    known = LiaisonFactory(name="张华", area=jiaonan)
    LiaisonFactory(name="李四", area=hongshiya)  # another street: not a match
    LiaisonFactory(name="双名", area=jiaonan)
    LiaisonFactory(name="双名", area=shuicheng)
    plan = plan_for(
        staff, [row(1, liaison="张华、李四"), row(2, liaison="李四"), row(3, liaison="双名")]
    )
    assert codes(plan.rows[2]) == {("liaison", "ambiguous_liaison")}
    plan.rows.pop()
    commit(plan, user=staff)
    new = Liaison.objects.get(name="李四", area=jiaonan)
    assert new.kind == Liaison.Kind.COMMISSIONER
    assert set(
        LiaisonAssignment.objects.values_list("enterprise__uscc", "liaison_id", "start")
    ) == {(code(1), known.pk, TODAY), (code(1), new.pk, TODAY), (code(2), new.pk, TODAY)}
    again = plan_for(staff, [row(1, liaison="张华、李四")])
    assert again.rows[0].status == "unchanged"


def test_mass_organisations_are_created_or_updated(staff, shuicheng):
    e = EnterpriseFactory(
        uscc=code(1), community=shuicheng, name="青岛导入测试1有限公司", employees=11
    )
    union = MassOrganizationFactory(enterprise=e, kind="union", established_on=dt.date(2020, 1, 1))
    plan = plan_for(staff, [row(1, union="2021-01-01", women="2022年3月8日")])
    assert changes(plan.rows[0]) == {
        "union": ("2020-01-01", "2021-01-01"),
        "women": ("—", "2022-03-08"),
    }
    commit(plan, user=staff)
    union.refresh_from_db()
    assert union.established_on == dt.date(2021, 1, 1)
    assert MassOrganization.objects.get(kind="women").established_on == dt.date(2022, 3, 8)


# ---------------------------------------------------------------------------
# Commit: audit and all-or-nothing


def full_row(n, **values):
    return row(
        n,
        org_name=f"导入{n}党支部",
        org_formation="单独组建",
        org_established="2022-01-01",
        return_date="2024-06-30",
        formal=3,
        liaison="张华",
        union="2021-05-01",
        **values,
    )


def test_an_import_is_one_event_and_every_record_has_its_history(staff, shuicheng):
    existing = EnterpriseFactory(uscc=code(1), community=shuicheng, employees=1)
    plan = plan_for(staff, [full_row(1), full_row(2)])
    event = commit(plan, user=staff, ip="10.0.0.8")
    assert Event.objects.filter(kind=Event.Kind.IMPORT).get() == event
    assert (event.actor, event.username, event.ip) == (staff, "jn_staff", "10.0.0.8")
    assert event.detail == {
        "file": "ledger.xlsx",
        "created": 1,
        "updated": 1,
        "unchanged": 0,
        "errors": 0,
    }
    for model in MODELS[:7]:
        for obj in model.objects.all():
            entries = obj.history()
            assert entries.filter(event=event, actor=staff).exists(), (model, obj)
    update = existing.history().get(event=event)
    assert update.action == "update" and update.changes["employees"] == [1, 11]
    assert Change.objects.exclude(event=event).filter(actor=staff).count() == 0


def test_a_failure_half_way_leaves_the_database_exactly_as_before(staff, shuicheng, monkeypatch):
    existing = EnterpriseFactory(uscc=code(1), community=shuicheng, employees=1, name="原名")
    before = counts()
    plan = plan_for(staff, [full_row(n) for n in range(1, 9)])
    monkeypatch.setattr(importer, "WRITE_CHUNK", 2)
    written = []

    def fail_half_way(done, total):
        written.append(done)
        if done >= total // 2:
            raise RuntimeError("the disk is full")

    with pytest.raises(RuntimeError):
        commit(plan, user=staff, progress=fail_half_way)
    assert written == [2, 4]  # rows really were written before the failure
    assert counts() == before
    existing.refresh_from_db()
    assert (existing.name, existing.employees, existing.version) == ("原名", 1, 1)


def test_a_plan_with_errors_cannot_be_committed(staff, shuicheng):
    plan = plan_for(staff, [row(1), row(2, uscc="bad")])
    before = counts()
    with pytest.raises(importer.ImportHasErrors):
        commit(plan, user=staff)
    assert counts() == before


# ---------------------------------------------------------------------------
# No per-row queries


@pytest.mark.parametrize("size", [4, 40])
def test_preview_and_commit_take_a_fixed_number_of_queries(
    size, staff, shuicheng, django_assert_max_num_queries
):
    for n in range(0, size, 2):  # half the rows update existing records
        e = EnterpriseFactory(uscc=code(n), community=shuicheng)
        MembershipReturnFactory(enterprise=e, reported_on=dt.date(2024, 6, 30), formal=1)
        MassOrganizationFactory(enterprise=e)
    LiaisonFactory(name="张华", area=shuicheng.parent)
    sheet = read_bytes(xlsx_bytes(table([full_row(n) for n in range(size)])))
    with django_assert_max_num_queries(12):
        plan = build_plan(sheet, staff)
    assert plan.count("new") == size // 2 and plan.count("update") == size // 2
    with django_assert_max_num_queries(40):
        commit(plan, user=staff)
    assert Coverage.objects.count() == size


def test_a_commit_works_across_write_chunks(staff, shuicheng, monkeypatch):
    monkeypatch.setattr(importer, "WRITE_CHUNK", 3)
    joint = {"org_name": "联合党支部", "org_formation": "联合组建", "org_established": "2022-01-01"}
    plan = plan_for(staff, [row(n, liaison="张华", **joint) for n in range(7)])
    commit(plan, user=staff)
    assert PartyOrganization.objects.get().coverages.count() == 7
    assert Liaison.objects.get().assignments.count() == 7


def test_other_streets_of_the_district_are_untouched(staff, shuicheng, district):
    elsewhere = StreetFactory(name="隐珠街道", parent=district)
    EnterpriseFactory(uscc=code(50), community=CommunityFactory(parent=elsewhere))
    plan = plan_for(staff, [row(50)])
    assert codes(plan.rows[0]) == {("uscc", "out_of_scope")}
    assert LiaisonAssignmentFactory  # factories stay importable for other tests
