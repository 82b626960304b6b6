"""Issue 13's "done means", as a new user tries it in a real browser: a staff member of
胶南街道 names a demonstration site, posts three 揭榜挂帅 topics, has a branch and a task
team claim them, updates the progress from a phone (375 × 667) and records acceptance on
one; the dashboard's 点 panel shows 1 closed and 2 in progress and drills down to them;
a 红石崖街道 user gets a 404 on all of it. Every page is checked with axe (conftest)."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from showcase.models import DemonstrationSite, TaskTeam, Topic
from tests.factories import (
    CoverageFactory,
    EnterpriseFactory,
    PartyOrganizationFactory,
    SiteBatchFactory,
)

from .conftest import accessibility_problems, login, watch_accessibility

pytestmark = pytest.mark.django_db(transaction=True)

TODAY = timezone.localdate()
DUE = (TODAY + dt.timedelta(days=120)).isoformat()
TITLES = ["提升挂件空间利用率", "冷链车载柜轻量化", "装配线换型时间压缩"]


def submit(page):
    page.click("main button[type=submit].primary")
    page.wait_for_load_state()


def no_sideways_scroll(page):
    return page.evaluate(
        "() => document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )


def test_a_staff_members_demonstration_site_week(
    page, browser, live_server, staff, stranger, jiaonan, shuicheng
):
    enterprise = EnterpriseFactory(community=shuicheng, name="青岛海容商用冷链股份有限公司")
    branch = PartyOrganizationFactory(
        area=shuicheng, name="海容商用冷链第一党支部", established_on=TODAY - dt.timedelta(days=900)
    )
    CoverageFactory(enterprise=enterprise, organization=branch, since=branch.established_on)
    batch = SiteBatchFactory(area=jiaonan, name="首批", year=TODAY.year)

    login(page, staff.username)
    # 1. A new site, in incubation, then named.
    page.goto(page.base + "/showcase/sites/new/")
    page.fill("#id_enterprise", enterprise.name)
    page.select_option("#id_batch", str(batch.pk))
    page.fill("#id_brand_name", "红色冷链·先锋领航")
    page.fill("#id_slogan", "党建红链 冷链先锋")
    submit(page)
    page.wait_for_url(re.compile(r"/showcase/sites/\d+/$"))
    site = DemonstrationSite.objects.get(enterprise=enterprise)
    assert "培育" in page.inner_text("main")
    page.click(f"a[href='/showcase/sites/{site.pk}/name/']")
    page.fill("#id_reason", "经街道党工委研究，命名为首批党建示范点")
    submit(page)
    page.wait_for_url(re.compile(rf"/showcase/sites/{site.pk}/$"))
    assert "示范点已命名" in page.inner_text("main")

    # 2. A task team of the enterprise, from the site's page.
    page.click("a:has-text('新建攻坚小队')")
    page.fill("#id_name", "冷链攻坚小队")
    page.select_option("#id_branch", str(branch.pk))
    page.fill("#id_leader_name", "郑晓斐")
    page.fill("#id_members", "6")
    page.fill("#id_start", (TODAY - dt.timedelta(days=10)).isoformat())
    submit(page)
    team = TaskTeam.objects.get(name="冷链攻坚小队")

    # 3. Three topics, posted (发榜) from the site.
    for title in TITLES:
        page.goto(page.base + f"/showcase/topics/new/?site={site.pk}")
        page.fill("#id_title", title)
        page.fill("#id_problem", "现有工序效率偏低")
        page.fill("#id_target_value", "15")
        page.fill("#id_target_unit", "%")
        page.fill("#id_due_on", DUE)
        page.check("#id_publish")
        submit(page)
        page.wait_for_url(re.compile(r"/showcase/topics/\d+/$"))
    topics = [Topic.objects.get(title=t) for t in TITLES]
    assert all(t.state == "published" for t in topics)

    # 4. The branch claims the first, the team the other two; work starts; a milestone each.
    for topic, claimer in zip(topics, ["branch", "team", "team"], strict=True):
        page.goto(page.base + topic.get_absolute_url())
        page.click(f"a[href='/showcase/topics/{topic.pk}/claim/']")
        page.select_option(f"#id_{claimer}", str(branch.pk if claimer == "branch" else team.pk))
        page.fill("#id_leader_name", "郑晓斐")
        submit(page)
        assert "课题已揭榜" in page.inner_text("main")
        page.click(f"a[href='/showcase/topics/{topic.pk}/start/']")
        submit(page)
        page.click(f"a[href='/showcase/topics/{topic.pk}/milestones/new/']")
        page.fill("#id_title", "试点实施")
        page.fill("#id_weight", "3")
        submit(page)
    page.goto(page.base + f"/showcase/sites/{site.pk}/board/")
    assert page.locator("section[aria-labelledby=col-in_progress] article").count() == 3

    # 5. From a phone: progress of each topic's milestone, JavaScript not needed.
    phone = browser.new_context(viewport={"width": 375, "height": 667}, locale="zh-CN")
    checked, visited = watch_accessibility(phone)
    mobile = phone.new_page()
    mobile.base = page.base
    login(mobile, staff.username)
    for topic, percent in zip(topics, ["100", "60", "40"], strict=True):
        mobile.goto(mobile.base + topic.get_absolute_url())
        assert no_sideways_scroll(mobile)
        mobile.click(f"a[href='/showcase/topics/{topic.pk}/progress/']")
        assert no_sideways_scroll(mobile)
        field = mobile.locator("input[name$='-percent_done']").first
        box = field.bounding_box()
        assert box and box["x"] + box["width"] <= 375 and box["y"] < 667  # on the first screen
        field.fill(percent)
        mobile.click("form.sc-progress button[type=submit]")
        mobile.wait_for_load_state()
        assert f"已完成 {percent}%" in mobile.inner_text("main")
    mobile.goto(mobile.base + f"/showcase/sites/{site.pk}/board/")
    assert no_sideways_scroll(mobile)
    mobile.goto(mobile.base + "/showcase/topics/")
    assert no_sideways_scroll(mobile)
    assert mobile.locator("table.list-table thead").first.is_hidden()  # cards
    problems = accessibility_problems(phone, checked, visited)
    phone.close()
    assert not problems, problems

    # 6. Acceptance of the first topic: passed, closed as done (销号).
    first = topics[0]
    page.goto(page.base + first.get_absolute_url())
    assert "100.0%" in page.inner_text("main")
    page.click(f"a[href='/showcase/topics/{first.pk}/accept/']")
    page.fill("#id_reviewers", "张晓明，胶南街道党工委\n李建华，山东科技大学")
    page.fill("#id_measured_value", "18")
    page.check("#id_passed_0")
    submit(page)
    assert "验收已登记" in page.inner_text("main")
    first.refresh_from_db()
    assert first.state == "closed"

    # 7. The dashboard's 点 panel: 1 closed, 2 in progress, each drilling down to them.
    page.goto(page.base + f"/dashboard/?area={jiaonan.pk}")
    assert page.inner_text("[data-figure=points_topics_closed]") == "1"
    assert page.inner_text("[data-figure=points_topics_in_progress]") == "2"
    assert page.inner_text("[data-figure=points_sites]") == "1"
    page.click("a[data-figure=points_topics_closed]")
    page.wait_for_url(re.compile(r"/showcase/topics/\?"))
    assert page.locator("table.list-table tbody tr").count() == 1
    assert TITLES[0] in page.inner_text("main") and "共 1 条" in page.inner_text("main")
    page.go_back()
    page.click("a[data-figure=points_topics_in_progress]")
    page.wait_for_url(re.compile(r"state=in_progress"))
    assert page.locator("table.list-table tbody tr").count() == 2
    assert TITLES[1] in page.inner_text("main") and TITLES[2] in page.inner_text("main")

    # 8. A 红石崖街道 user: 404 on every page of it, and none of it in the lists.
    other = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    strange = other.new_page()
    strange.base = page.base
    login(strange, stranger.username)
    milestone = first.milestones.get()
    for path in [
        site.get_absolute_url(),
        f"/showcase/sites/{site.pk}/edit/",
        f"/showcase/sites/{site.pk}/board/",
        f"/showcase/sites/{site.pk}/name/",
        team.get_absolute_url(),
        *(t.get_absolute_url() for t in topics),
        f"/showcase/topics/{topics[1].pk}/progress/",
        f"/showcase/topics/{topics[1].pk}/accept/",
        f"/showcase/milestones/{milestone.pk}/edit/",
    ]:
        assert strange.goto(strange.base + path).status == 404, path
    strange.goto(strange.base + "/showcase/topics/")
    assert not any(t in strange.inner_text("main") for t in TITLES)
    assert strange.goto(strange.base + f"/dashboard/?area={jiaonan.pk}").status == 404
    other.close()
    assert live_server.url == page.base
