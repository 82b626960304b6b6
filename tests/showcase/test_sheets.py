"""The progress sheet of 揭榜挂帅 topics (showcase/sheets.py): planning (update,
unchanged, every error and note), scope, the date of the figures, the audited commit,
the command, the export → import round trip, the template and the import pages."""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import load_workbook

from audit.models import Event
from ledger import parsing
from ledger.importer import ImportHasErrors, build_plan, commit
from ledger.models import ImportBatch
from showcase import selectors, services
from showcase.models import Milestone, Topic, TopicState
from showcase.sheets import COLUMNS, SHEET
from tests.factories import (
    DemonstrationSiteFactory,
    EnterpriseFactory,
    MilestoneFactory,
    PartyOrganizationFactory,
    TopicFactory,
)
from tests.ledger.conftest import csv_bytes, upload_file, xlsx_bytes

pytestmark = pytest.mark.django_db

T = TopicState
START = dt.date(2023, 1, 1)
HEADERS = [c.header for c in COLUMNS]
SHORT = ["课题名称", "节点名称", "完成百分比"]


def topic_in(state, enterprise, title, **fields):
    """A topic of ``enterprise`` in ``state``, reached by legal steps a month apart."""
    fields.setdefault("due_on", dt.date(2024, 12, 31))
    topic = TopicFactory(enterprise=enterprise, title=title, posted_on=START, **fields)
    branch = PartyOrganizationFactory(area=enterprise.community)
    day = iter(START + dt.timedelta(days=30 * n) for n in range(1, 10))
    path = {
        T.COLLECTING: [],
        T.PUBLISHED: [T.PUBLISHED],
        T.CLAIMED: [T.PUBLISHED, T.CLAIMED],
        T.IN_PROGRESS: [T.PUBLISHED, T.CLAIMED, T.IN_PROGRESS],
        T.CLOSED: [T.PUBLISHED, T.CLAIMED, T.IN_PROGRESS, T.CLOSED],
        T.TOLERATED: [T.PUBLISHED, T.CLAIMED, T.TOLERATED],
    }[state]
    for target in path:
        if target == T.CLAIMED:
            services.topic_claim(topic=topic, on=next(day), branch=branch, leader_name="郑晓斐")
        elif target == T.CLOSED:
            services.topic_record_acceptance(
                topic=topic, on=next(day), reviewers=["张专家"], measured_value="12", passed=True
            )
        else:
            services.topic_transition(topic=topic, to=target, on=next(day), reason="尽职免责")
    return topic


@pytest.fixture
def world(shuicheng, fulai):
    """海容's site in 水城路社区 (胶南街道) with topics in several states, and a topic of
    红石崖街道."""
    hairong = EnterpriseFactory(community=shuicheng, name="青岛海容商用冷链股份有限公司")
    site = DemonstrationSiteFactory(enterprise=hairong, brand_name="冷链先锋")
    w = {"site": site, "hairong": hairong}
    w["working"] = topic_in(T.IN_PROGRESS, hairong, "提升挂件空间利用率")
    w["design"] = MilestoneFactory(topic=w["working"], title="方案论证", weight=3, percent_done=20)
    w["pilot"] = MilestoneFactory(topic=w["working"], title="试点改造", weight=1, percent_done=0)
    w["claimed"] = topic_in(T.CLAIMED, hairong, "降低冷柜能耗")
    w["claimed_m"] = MilestoneFactory(topic=w["claimed"], title="能耗摸底", percent_done=0)
    w["closed"] = topic_in(T.CLOSED, hairong, "缩短交付周期")
    w["closed_m"] = MilestoneFactory(topic=w["closed"], title="流程再造", percent_done=30)
    w["tolerated"] = topic_in(T.TOLERATED, hairong, "开拓海外市场")
    w["tolerated_m"] = MilestoneFactory(topic=w["tolerated"], title="渠道建设", percent_done=10)
    w["published"] = topic_in(T.PUBLISHED, hairong, "提高焊接合格率")
    w["published_m"] = MilestoneFactory(topic=w["published"], title="工艺攻关", percent_done=0)
    other = EnterpriseFactory(community=fulai, name="青岛红石崖机械有限公司")
    w["outside"] = topic_in(T.IN_PROGRESS, other, "红石崖课题")
    w["outside_m"] = MilestoneFactory(topic=w["outside"], title="方案论证", percent_done=10)
    return w


def lines(*rows, headers=SHORT):
    return [headers, *[list(r) for r in rows]]


def plan_of(user, data, name="进度.xlsx", as_of=None):
    sheet = parsing.read(io.BytesIO(data), name, SHEET)
    return build_plan(sheet, user, as_of=as_of or dt.date.today(), as_of_default=as_of is None)


def plan_rows(user, *rows, headers=SHORT, title_rows=(), as_of=None):
    return plan_of(user, xlsx_bytes(lines(*rows, headers=headers), title_rows), as_of=as_of)


def errors(plan):
    return {(r.number, p.key, p.code) for r in plan.rows for p in r.clean.errors}


def messages(plan):
    return {p.code: p.message for r in plan.rows for p in r.clean.errors}


def fresh(obj):
    return type(obj)._base_manager.get(pk=obj.pk)


# ---------------------------------------------------------------------------
# Planning


def test_updates_unchanged_rows_and_the_roll_up(staff, world):
    before = selectors.topic_progress(fresh(world["working"]))
    assert before == Decimal("15")  # (3 × 20 + 1 × 0) ÷ 4
    plan = plan_rows(
        staff,
        ["提升挂件空间利用率", "方案论证", 80],
        ["提升挂件空间利用率", "试点改造", "0"],
        ["降低冷柜能耗", "能耗摸底", "50%"],
        ["缩短交付周期", "流程再造", 30],  # a closed topic, unchanged: no error
    )
    assert not plan.has_errors, errors(plan)
    assert [r.status for r in plan.rows] == ["update", "unchanged", "update", "unchanged"]
    change = plan.rows[0].changes[0]
    assert (change.column, change.before, change.after) == ("完成百分比", "20", "80")
    design_version = world["design"].version
    event = commit(plan, user=staff)
    design = fresh(world["design"])
    assert design.percent_done == 80 and design.version == design_version + 1
    assert design.done_on is None
    assert fresh(world["pilot"]).version == world["pilot"].version  # unchanged: not saved
    assert fresh(world["claimed_m"]).percent_done == 50
    # The topic's progress follows its milestones: (3 × 80 + 1 × 0) ÷ 4.
    assert selectors.topic_progress(fresh(world["working"])) == Decimal("60")
    assert event.kind == Event.Kind.IMPORT and event.detail["updated"] == 2
    assert design.history().filter(event=event).exists()
    again = plan_rows(staff, ["提升挂件空间利用率", "方案论证", 80])
    assert again.rows[0].status == "unchanged"


@pytest.mark.parametrize(
    ("row", "key", "code", "words"),
    [
        (["没有这个课题", "方案论证", 50], "topic", "topic_unknown", "没有这个课题"),
        (
            ["提升挂件空间利用率", "量产", 50],
            "milestone",
            "milestone_unknown",
            "方案论证、试点改造",
        ),
        (["缩短交付周期", "流程再造", 60], "percent", "topic_closed", "销号"),
        (["开拓海外市场", "渠道建设", 60], "percent", "topic_tolerated", "容错关闭"),
        (["提高焊接合格率", "工艺攻关", 10], "percent", "not_claimed", "尚未揭榜"),
        (["提升挂件空间利用率", "方案论证", 120], "percent", "percent_invalid", "0到100"),
        (["提升挂件空间利用率", "方案论证", "多半"], "percent", "percent_invalid", "多半"),
        (["提升挂件空间利用率", "方案论证", 80.5], "percent", "percent_invalid", "80.5"),
        (["提升挂件空间利用率", "方案论证", -5], "percent", "percent_invalid", "-5"),
        (["提升挂件空间利用率", "方案论证", 0.8], "percent", "percent_fraction", "百分比"),
        (["提升挂件空间利用率", "方案论证", None], "percent", "required", "必填"),
        (["", "方案论证", 50], "topic", "required", "必填"),
        (["红石崖课题", "方案论证", 50], "topic", "out_of_scope", "辖区"),
    ],
)
def test_each_error_has_its_message(staff, world, row, key, code, words):
    plan = plan_rows(staff, row)
    assert errors(plan) == {(2, key, code)}
    assert words in messages(plan)[code]
    assert plan.rows[0].status == "error" and not plan.rows[0].changes


def test_the_messages_are_chinese_and_name_the_cell(staff, world):
    plan = plan_rows(staff, ["缩短交付周期", "流程再造", 60], ["提升挂件空间利用率", "量产", 5])
    assert messages(plan)["topic_closed"] == "课题已关闭，不能再更新进度（已销号）。"
    assert messages(plan)["milestone_unknown"].startswith("课题“提升挂件空间利用率”没有名为“量产”")
    problems = list(plan.problems())
    assert problems[0][:3] == (2, "完成百分比", "topic_closed")


def test_a_milestone_given_twice_is_an_error_on_both_rows(staff, world):
    plan = plan_rows(
        staff, ["提升挂件空间利用率", "方案论证", 50], ["提升挂件空间利用率", " 方案论证 ", 60]
    )
    assert errors(plan) == {(2, "milestone", "duplicate_key"), (3, "milestone", "duplicate_key")}


def test_nothing_is_written_when_a_row_has_an_error(staff, world):
    plan = plan_rows(staff, ["提升挂件空间利用率", "方案论证", 80], ["没有这个课题", "x", 1])
    assert plan.has_errors
    with pytest.raises(ImportHasErrors):
        commit(plan, user=staff)
    assert fresh(world["design"]).percent_done == 20


def test_ids_match_and_guard_against_a_row_next_to_the_wrong_number(staff, world):
    working, design = world["working"], world["design"]
    headers = ["课题编号", "课题名称", "节点编号", "节点名称", "完成百分比"]
    good = [working.pk, "提升挂件空间利用率", design.pk, "方案论证", 40]
    plan = plan_rows(staff, good, headers=headers)
    assert plan.rows[0].status == "update" and plan.rows[0].record.pk == design.pk
    cases = {
        "topic_id_unknown": [999_999, "提升挂件空间利用率", design.pk, "方案论证", 40],
        "topic_id_mismatch": [world["claimed"].pk, "提升挂件空间利用率", design.pk, "方案论证", 40],
        "milestone_id_unknown": [
            working.pk,
            "提升挂件空间利用率",
            world["claimed_m"].pk,
            "方案论证",
            4,
        ],
        "milestone_id_mismatch": [
            working.pk,
            "提升挂件空间利用率",
            world["pilot"].pk,
            "方案论证",
            4,
        ],
    }
    for code, row in cases.items():
        plan = plan_rows(staff, row, headers=headers)
        assert {e[2] for e in errors(plan)} == {code}, code


def test_the_same_title_twice_needs_the_enterprise(staff, world, shuicheng):
    other = EnterpriseFactory(community=shuicheng, name="青岛海之冠食品有限公司")
    twin = topic_in(T.IN_PROGRESS, other, "提升挂件空间利用率")
    twin_m = MilestoneFactory(topic=twin, title="方案论证", percent_done=5)
    plan = plan_rows(staff, ["提升挂件空间利用率", "方案论证", 50])
    assert errors(plan) == {(2, "topic", "topic_ambiguous")}
    assert "冷链先锋" in messages(plan)["topic_ambiguous"]
    headers = ["企业名称", *SHORT]
    plan = plan_rows(
        staff,
        ["青岛海之冠食品有限公司", "提升挂件空间利用率", "方案论证", 50],
        ["冷链先锋", "提升挂件空间利用率", "方案论证", 70],  # the site's brand names it too
        headers=headers,
    )
    assert not plan.has_errors, errors(plan)
    assert [r.record.pk for r in plan.rows] == [twin_m.pk, world["design"].pk]
    plan = plan_rows(
        staff,
        ["青岛海之冠食品有限公司", "降低冷柜能耗", "能耗摸底", 50],
        headers=headers,
    )
    assert errors(plan) == {(2, "enterprise", "enterprise_mismatch")}


def test_a_hand_written_sheet_with_header_variants_and_loose_titles(staff, world):
    headers = ["序号", "揭榜挂帅课题", "里程碑", "完成进度（%）"]
    plan = plan_rows(
        staff,
        [1, "提升挂件空间利用率 ", "方案 论证", "８０％"],
        [2, "降低冷柜能耗", "能耗摸底", "35"],
        headers=headers,
        title_rows=[["海容课题进度表"]],
    )
    assert not plan.has_errors, errors(plan)
    assert plan.summary()["updated"] == 2
    assert plan.sheet.unknown == []


def test_a_lower_percent_is_a_correction_with_a_note(staff, world):
    plan = plan_rows(staff, ["提升挂件空间利用率", "方案论证", 10])
    row = plan.rows[0]
    assert row.status == "update"
    assert [n.code for n in row.clean.notes] == ["percent_down"]
    assert "20%" in row.clean.notes[0].message


def test_state_and_weight_are_for_reference_and_a_difference_is_noted(staff, world):
    headers = ["课题名称", "课题状态", "节点名称", "权重", "完成百分比"]
    plan = plan_rows(
        staff,
        ["提升挂件空间利用率", "攻坚中", "方案论证", 3, 20],
        ["提升挂件空间利用率", "已销号", "试点改造", 5, 0],
        headers=headers,
    )
    first, second = plan.rows
    assert first.status == second.status == "unchanged"
    assert first.clean.notes == []
    assert {n.key for n in second.clean.notes} == {"state", "weight"}
    assert fresh(world["pilot"]).weight == 1


# ---------------------------------------------------------------------------
# The date of the figures: a milestone at 100 is done on it


def test_done_on_the_date_at_the_top_of_the_sheet(staff, world):
    plan = plan_rows(
        staff,
        ["提升挂件空间利用率", "方案论证", 100],
        title_rows=[["海容课题进度"], ["填报日期：2024年6月30日"]],
    )
    assert plan.as_of_summary()["from"] == "sheet"
    commit(plan, user=staff)
    assert fresh(world["design"]).done_on == dt.date(2024, 6, 30)


def test_done_on_the_rows_own_date_or_the_one_asked_for(staff, world):
    headers = [*SHORT, "进度日期"]
    plan = plan_rows(
        staff,
        ["提升挂件空间利用率", "方案论证", 100, "2024/5/19"],
        ["降低冷柜能耗", "能耗摸底", 100, None],
        headers=headers,
        as_of=dt.date(2024, 7, 1),
    )
    commit(plan, user=staff)
    assert fresh(world["design"]).done_on == dt.date(2024, 5, 19)
    assert fresh(world["claimed_m"]).done_on == dt.date(2024, 7, 1)
    plan = plan_rows(staff, ["提升挂件空间利用率", "试点改造", 100], as_of=dt.date(2024, 8, 2))
    commit(plan, user=staff)
    assert fresh(world["pilot"]).done_on == dt.date(2024, 8, 2)
    future = plan_rows(staff, ["降低冷柜能耗", "能耗摸底", 90, "2999-01-01"], headers=headers)
    assert errors(future) == {(2, "as_of", "future_date")}


# ---------------------------------------------------------------------------
# Scope


def test_a_hongshiya_user_cannot_update_jiaonan_topics(stranger, world):
    working, design = world["working"], world["design"]
    plan = plan_rows(stranger, ["提升挂件空间利用率", "方案论证", 90])
    assert errors(plan) == {(2, "topic", "out_of_scope")}
    headers = ["课题编号", "课题名称", "节点名称", "完成百分比"]
    plan = plan_rows(stranger, [working.pk, "提升挂件空间利用率", "方案论证", 90], headers=headers)
    assert errors(plan) == {(2, "topic_id", "out_of_scope")}
    # … and updates its own street's topic.
    plan = plan_rows(stranger, ["红石崖课题", "方案论证", 90])
    assert plan.rows[0].status == "update"
    commit(plan, user=stranger)
    assert fresh(world["outside_m"]).percent_done == 90
    assert fresh(design).percent_done == 20


def test_the_stranger_gets_no_other_streets_topics_in_the_export(stranger_client, world):
    response = stranger_client.get(
        reverse("showcase:topic_progress_export", kwargs={"fmt": "xlsx"})
    )
    rows = workbook_rows(response)
    assert [r[2] for r in rows[1:]] == ["红石崖课题"]


# ---------------------------------------------------------------------------
# The command


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("import_ledger", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_the_command_imports_the_kind(staff, world, tmp_path):
    path = tmp_path / "进度.xlsx"
    path.write_bytes(
        xlsx_bytes(lines(["提升挂件空间利用率", "方案论证", 70], ["降低冷柜能耗", "能耗摸底", 20]))
    )
    out, _err = run("topic_progress", str(path), "--user", staff.username, "--dry-run")
    assert "created 0, updated 2, unchanged 0, errors 0 (dry run" in out
    assert fresh(world["design"]).percent_done == 20
    out, err = run("topic_progress", str(path), "--user", staff.username, "--as-of", "2024-06-30")
    assert out.startswith("created 0, updated 2, unchanged 0, errors 0 (audit event")
    assert fresh(world["design"]).percent_done == 70
    out, _err = run("topic_progress", str(path), "--user", staff.username)
    assert out.startswith("created 0, updated 0, unchanged 2, errors 0")


def test_the_command_reports_errors_and_writes_nothing(staff, world, tmp_path):
    path = tmp_path / "进度.csv"
    path.write_bytes(
        csv_bytes(lines(["提升挂件空间利用率", "方案论证", 70], ["缩短交付周期", "流程再造", 90]))
    )
    out = io.StringIO()
    with pytest.raises(CommandError) as info:
        call_command(
            "import_ledger",
            "topic_progress",
            str(path),
            "--user",
            staff.username,
            stdout=out,
            stderr=io.StringIO(),
        )
    assert info.value.returncode == 1
    assert "row 3, column 完成百分比: 课题已关闭，不能再更新进度（已销号）" in out.getvalue()
    assert fresh(world["design"]).percent_done == 20


# ---------------------------------------------------------------------------
# The export and the round trip


def workbook_rows(response):
    content = b"".join(response.streaming_content)
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    return [list(r) for r in sheet.iter_rows(values_only=True)]


def test_the_export_is_the_sheet(staff_client, world):
    url = reverse("showcase:topic_progress_export", kwargs={"fmt": "xlsx"})
    rows = workbook_rows(staff_client.get(url, {"site": world["site"].pk}))
    assert rows[0] == HEADERS
    working = world["working"]
    assert [working.pk, "冷链先锋", "提升挂件空间利用率", "攻坚中"] == rows[1][:4]
    by_milestone = {r[5]: r for r in rows[1:] if r[0] == working.pk}
    assert by_milestone["方案论证"][4:8] == [world["design"].pk, "方案论证", 3, 20]
    milestones = Milestone.objects.filter(topic__enterprise=world["hairong"]).count()
    assert len(rows) - 1 == milestones
    filtered = workbook_rows(staff_client.get(url, {"site": world["site"].pk, "q": "冷柜"}))
    assert [r[2] for r in filtered[1:]] == ["降低冷柜能耗"]
    assert staff_client.get(url.replace(".xlsx", ".pdf")).status_code == 404


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_export_edit_percents_import_gives_updates_only(staff_client, staff, world, fmt):
    url = reverse("showcase:topic_progress_export", kwargs={"fmt": fmt})
    response = staff_client.get(url, {"site": world["site"].pk})
    data = b"".join(response.streaming_content)
    name = f"课题进度.{fmt}"
    plan = plan_of(staff, data, name)
    assert plan.summary() | {"file": ""} == {
        "file": "",
        "created": 0,
        "updated": 0,
        "unchanged": 6,
        "errors": 0,
    }
    assert all(not r.clean.notes for r in plan.rows)
    percent = HEADERS.index("完成百分比")
    if fmt == "csv":
        rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    else:
        rows = workbook_rows(staff_client.get(url, {"site": world["site"].pk}))
    assert rows[0] == HEADERS
    for row in rows[1:]:
        if row[5] in ("方案论证", "能耗摸底"):
            row[percent] = {"方案论证": 65, "能耗摸底": 30}[row[5]]
    edited = csv_bytes(rows) if fmt == "csv" else xlsx_bytes(rows)
    plan = plan_of(staff, edited, name)
    assert plan.summary()["updated"] == 2 and plan.summary()["errors"] == 0, errors(plan)
    assert plan.summary()["created"] == 0
    commit(plan, user=staff)
    assert fresh(world["design"]).percent_done == 65
    assert fresh(world["claimed_m"]).percent_done == 30


# ---------------------------------------------------------------------------
# The pages: template, upload, preview, confirm, links


def test_the_template_lists_the_variants_and_its_examples_import(staff_client, staff, world):
    response = staff_client.get(reverse("ledger:template", kwargs={"kind": "topic_progress"}))
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert book.sheetnames == ["课题进度", "填写说明"]
    lines_ = [list(r) for r in book["课题进度"].iter_rows(values_only=True)]
    assert lines_[0] == HEADERS and len(lines_) == 3
    notes = {r[0]: r for r in book["填写说明"].iter_rows(values_only=True) if r[0]}
    assert "完成进度" in notes["完成百分比"][2] and "里程碑" in notes["节点名称"][2]
    assert "填报日期" in notes["进度日期"][2]
    plan = plan_of(staff, xlsx_bytes(lines_))
    assert not plan.has_errors and plan.summary()["unchanged"] == 2, errors(plan)


def test_the_template_without_topics_has_illustrative_rows(staff_client):
    response = staff_client.get(reverse("ledger:template", kwargs={"kind": "topic_progress"}))
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(book["课题进度"].iter_rows(values_only=True))
    assert rows[1][2] == "提升挂件空间利用率"


def test_upload_preview_and_commit_through_the_web(staff_client, staff, world):
    upload_url = reverse("ledger:upload", kwargs={"kind": "topic_progress"})
    page = staff_client.get(upload_url)
    assert page.status_code == 200 and "批量更新课题进度" in page.content.decode()
    data = xlsx_bytes(
        lines(
            ["提升挂件空间利用率", "方案论证", 90],
            ["提升挂件空间利用率", "试点改造", 0],
            ["缩短交付周期", "流程再造", 95],
        )
    )
    response = staff_client.post(upload_url, {"file": upload_file(data, "进度.xlsx")})
    batch = ImportBatch.objects.order_by("-pk").first()
    assert response.status_code == 302 and batch.summary["kind"] == "topic_progress"
    assert batch.summary["errors"] == 1 and batch.summary["updated"] == 1
    text = staff_client.get(batch.get_absolute_url()).content.decode()
    assert "已销号" in text and 'data-code="topic_closed"' in text
    assert reverse("ledger:confirm", args=[batch.pk]) not in text
    staff_client.post(reverse("ledger:confirm", args=[batch.pk]))
    assert fresh(world["design"]).percent_done == 20  # refused: nothing written

    data = xlsx_bytes(
        lines(["提升挂件空间利用率", "方案论证", 90], ["降低冷柜能耗", "能耗摸底", 15])
    )
    staff_client.post(upload_url, {"file": upload_file(data, "进度.xlsx")})
    batch = ImportBatch.objects.order_by("-pk").first()
    text = staff_client.get(batch.get_absolute_url()).content.decode()
    assert batch.summary["updated"] == 2 and "提升挂件空间利用率" in text and "90" in text
    assert reverse("ledger:confirm", args=[batch.pk]) in text
    response = staff_client.post(reverse("ledger:confirm", args=[batch.pk]))
    assert response.status_code == 302
    batch.refresh_from_db()
    assert batch.is_committed and batch.event.kind == Event.Kind.IMPORT
    design = fresh(world["design"])
    assert design.percent_done == 90 and design.history().filter(event=batch.event).exists()
    page = staff_client.get(batch.get_absolute_url()).content.decode()
    assert "查看课题列表" in page  # the result links the topic list


def test_the_kind_is_listed_for_editors_and_linked_from_the_topic_pages(
    staff_client, leader_client, world
):
    upload_url = reverse("ledger:upload", kwargs={"kind": "topic_progress"})
    enterprises_page = staff_client.get(reverse("ledger:upload")).content.decode()
    assert upload_url in enterprises_page
    topics_page = staff_client.get(reverse("showcase:topic_list"), {"q": "冷柜"}).content.decode()
    assert upload_url in topics_page
    export_url = reverse("showcase:topic_progress_export", kwargs={"fmt": "xlsx"})
    assert f"{export_url}?q=%E5%86%B7%E6%9F%9C" in topics_page  # the list's filters kept
    site_page = staff_client.get(world["site"].get_absolute_url()).content.decode()
    assert upload_url in site_page and f"{export_url}?site={world['site'].pk}" in site_page
    # Leaders read: the export, not the import.
    assert leader_client.get(upload_url).status_code == 403
    leader_page = leader_client.get(reverse("showcase:topic_list")).content.decode()
    assert export_url in leader_page and upload_url not in leader_page
    assert leader_client.get(export_url).status_code == 200


def test_a_stale_milestone_makes_the_commit_write_nothing(staff_client, staff, world):
    """Edited on a phone between the preview and the confirm: the commit plans again and
    finds another plan, so nothing is written (the percent from the phone stays)."""
    upload_url = reverse("ledger:upload", kwargs={"kind": "topic_progress"})
    data = xlsx_bytes(
        lines(["提升挂件空间利用率", "方案论证", 90], ["降低冷柜能耗", "能耗摸底", 15])
    )
    staff_client.post(upload_url, {"file": upload_file(data, "进度.xlsx")})
    batch = ImportBatch.objects.order_by("-pk").first()
    services.milestone_set_progress(milestone=fresh(world["design"]), percent_done=40)
    staff_client.post(reverse("ledger:confirm", args=[batch.pk]))
    batch.refresh_from_db()
    assert not batch.is_committed
    assert fresh(world["design"]).percent_done == 40
    assert fresh(world["claimed_m"]).percent_done == 0


@pytest.mark.parametrize("distinct", [3, 30])
def test_many_milestones_are_written_with_their_history_and_versions(staff, world, distinct):
    """Few distinct percents are written one UPDATE per value, many by one bulk update:
    the same rows, history and versions either way."""
    from showcase.sheets import GROUPED_UPDATES

    assert (distinct > GROUPED_UPDATES) == (distinct == 30)
    topic = world["working"]
    steps = [MilestoneFactory(topic=topic, title=f"步骤{n}", percent_done=0) for n in range(30)]
    wanted = {m.pk: 100 if n % distinct == 0 else 1 + n % distinct for n, m in enumerate(steps)}
    plan = plan_rows(
        staff, *[[topic.title, m.title, wanted[m.pk]] for m in steps], as_of=dt.date(2024, 3, 1)
    )
    assert plan.summary()["updated"] == 30
    event = commit(plan, user=staff)
    for m in steps:
        stored = fresh(m)
        assert stored.percent_done == wanted[m.pk] and stored.version == m.version + 1
        assert stored.done_on == (dt.date(2024, 3, 1) if wanted[m.pk] == 100 else None)
        change = stored.history().get(event=event)
        assert change.changes["percent_done"] == [0, wanted[m.pk]], change.changes


def test_a_milestone_saved_after_planning_makes_the_write_refuse(staff, world):
    """The commit's writer locks the milestones and compares their versions with the
    planned ones (as a phone form's version is checked): all or nothing."""
    from ledger.importer import PlanChanged

    plan = plan_rows(
        staff, ["降低冷柜能耗", "能耗摸底", 15], ["提升挂件空间利用率", "方案论证", 90]
    )
    services.milestone_set_progress(milestone=fresh(world["design"]), percent_done=40)
    events = Event.objects.count()
    with pytest.raises(PlanChanged):
        commit(plan, user=staff)
    assert fresh(world["design"]).percent_done == 40
    assert fresh(world["claimed_m"]).percent_done == 0
    assert Event.objects.count() == events


# ---------------------------------------------------------------------------
# The demo: 海容 updates several of its 19 topics from one sheet


def test_hairong_updates_several_topics_from_one_sheet(django_db_blocker):
    from accounts.models import User

    call_command("seed_demo", stdout=io.StringIO())
    user = User.objects.get(username="jiaonan_staff")
    hairong = Topic.objects.filter(enterprise__name__startswith="青岛海容").first().enterprise
    topics = Topic.objects.filter(enterprise=hairong)
    assert topics.count() == 19
    from django.test import Client

    client = Client()
    client.force_login(user)
    url = reverse("showcase:topic_progress_export", kwargs={"fmt": "xlsx"})
    rows = workbook_rows(client.get(url, {"q": ""}))
    percent = HEADERS.index("完成百分比")
    ours = [r for r in rows[1:] if r[0] in set(topics.values_list("pk", flat=True))]
    assert {r[0] for r in ours} <= set(topics.values_list("pk", flat=True))
    open_ids = set(topics.filter(state__in=[T.CLAIMED, T.IN_PROGRESS]).values_list("pk", flat=True))
    changed = 0
    for row in ours:
        if row[0] in open_ids and row[percent] < 100 and changed < 8:
            row[percent] = min(100, row[percent] + 5)
            changed += 1
    assert changed >= 5
    plan = plan_of(user, xlsx_bytes([rows[0], *ours]))
    summary = plan.summary()
    assert summary["errors"] == 0, errors(plan)
    assert summary["updated"] == changed and summary["created"] == 0
    assert summary["unchanged"] == len(ours) - changed
    before = {t.pk: selectors.topic_progress(t) for t in topics}
    commit(plan, user=user)
    after = {t.pk: selectors.topic_progress(t) for t in topics}
    moved = {pk for pk in before if after[pk] != before[pk]}
    assert moved and moved <= open_ids


# ---------------------------------------------------------------------------
# Queries: planning and the export read in a fixed number of statements


def _queries(action):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        action()
    return len(captured.captured_queries)


def test_planning_and_the_export_do_not_query_per_row(staff, staff_client, world):
    def topics(n, start):
        made = []
        for i in range(n):
            topic = topic_in(T.IN_PROGRESS, world["hairong"], f"批量课题{start + i}")
            for name in ("调研", "实施"):
                MilestoneFactory(topic=topic, title=name, percent_done=10)
            made.append(topic)
        return made

    few, more = topics(2, 0), topics(8, 100)

    def plan_of_topics(chosen):
        rows = [[t.title, name, 50] for t in chosen for name in ("调研", "实施")]
        data = xlsx_bytes(lines(*rows))
        return lambda: plan_of(staff, data)

    assert _queries(plan_of_topics(few)) == _queries(plan_of_topics(few + more))
    url = reverse("showcase:topic_progress_export", kwargs={"fmt": "csv"})

    def export(query):
        return lambda: b"".join(staff_client.get(url, {"q": query}).streaming_content)

    assert _queries(export("批量课题0")) == _queries(export("批量课题"))
