"""Journeys a person makes in a real browser."""

import re

import pytest
from django.utils import timezone

from accounts.models import User
from enterprises import uscc
from enterprises.models import Enterprise
from tests.factories import EnterpriseFactory

from .conftest import login

pytestmark = pytest.mark.django_db(transaction=True)

TODAY = timezone.localdate().isoformat()


def nav_labels(page):
    return [t.strip() for t in page.locator("nav.sections a").all_inner_texts()]


@pytest.mark.parametrize(
    "persona, sees_admin",
    [("admin_user", True), ("staff", False), ("leader", False)],
)
def test_each_role_sees_only_its_menu(request, page, persona, sees_admin):
    user = request.getfixturevalue(persona)
    login(page, user.username)
    labels = " ".join(nav_labels(page))
    assert "扩面" in labels
    assert ("管理" in labels) is sees_admin
    assert user.get_role_display() in page.inner_text("header")


def dashboard_figure(page, key):
    page.goto(page.base + "/dashboard/")
    return int(page.inner_text(f"[data-figure={key}]").replace(",", ""))


def test_staff_creates_enterprise_organisation_and_return(page, staff, shuicheng):
    login(page, staff.username)
    operating_before = dashboard_figure(page, "operating")
    standalone_before = dashboard_figure(page, "standalone")
    code = uscc.make("91370211MA3E2E001")
    page.goto(page.base + "/enterprises/new/")
    page.fill("#id_name", "青岛浏览器测试机械有限公司")
    page.fill("#id_uscc", code[:17] + ("0" if code[17] != "0" else "1"))
    page.select_option("#id_community", str(shuicheng.pk))
    page.select_option("#id_industry", "C")
    page.click("button[type=submit].primary")
    assert "校验码" in page.inner_text("main")  # the wrong check character is explained
    page.fill("#id_uscc", code)
    page.click("button[type=submit].primary")
    page.wait_for_url(re.compile(r"/enterprises/\d+/$"))
    enterprise = Enterprise.objects.get(uscc=code)

    page.click(f"a[href='/enterprises/{enterprise.pk}/returns/new/']")
    page.fill("#id_formal", "3")
    page.click("button[type=submit].primary")
    assert "应建未建" in page.inner_text("main")

    page.click("text=登记党组织")
    page.select_option("#id_level", "branch")
    page.fill("#id_established_on", TODAY)
    page.click("button[type=submit].primary")
    page.wait_for_url(re.compile(r"/enterprises/organizations/\d+/$"))
    page.goto(page.base + enterprise.get_absolute_url())
    assert "单独组建" in page.inner_text("main")
    assert "应建未建" not in page.inner_text("main")
    # The dashboard counts it: one more operating enterprise, one more standalone.
    assert dashboard_figure(page, "operating") == operating_before + 1
    assert dashboard_figure(page, "standalone") == standalone_before + 1


def test_leader_changes_the_date_and_drills_down(page, leader, shuicheng):
    from datetime import timedelta

    from django.utils import timezone

    from tests.factories import CoverageFactory, PartyOrganizationFactory

    today = timezone.localdate()
    old = PartyOrganizationFactory(area=shuicheng, established_on=today - timedelta(days=800))
    new = PartyOrganizationFactory(area=shuicheng, established_on=today - timedelta(days=30))
    for org in (old, old, new):
        CoverageFactory(organization=org, enterprise__community=shuicheng)
    EnterpriseFactory(community=shuicheng)
    login(page, leader.username)
    assert dashboard_figure(page, "standalone") == 3
    last_year = (today - timedelta(days=365)).isoformat()
    page.fill("#id_dash_as_of", last_year)
    page.click("form.dash-picker button[type=submit]")
    figure = int(page.inner_text("[data-figure=standalone]"))
    assert figure == 2  # the branch formed a month ago did not exist a year ago
    page.click("a:has([data-figure=standalone])")
    page.wait_for_url(re.compile(r"/enterprises/\?"))
    assert page.locator("table.table tbody tr").count() == figure
    assert f"共 {figure} 家企业" in page.inner_text("main")


def test_import_with_a_bad_row_shows_the_cell_then_the_fixed_file_commits(
    page, staff, shuicheng, tmp_path
):
    from openpyxl import Workbook

    good, fixed = uscc.make("91370211MA3XMP001"), uscc.make("91370211MA3XMP002")
    broken = fixed[:17] + ("0" if fixed[17] != "0" else "1")

    def ledger(second_code):
        book = Workbook()
        sheet = book.active
        sheet.append(["胶南街道非公企业党建台账"])  # a title row above the header
        sheet.append(["企业名称", "统一社会信用代码", "所属社区", "行业门类"])
        sheet.append(["青岛导入一号有限公司", good, shuicheng.name, "C"])
        sheet.append(["青岛导入二号有限公司", second_code, shuicheng.name, "C"])
        path = tmp_path / f"台账-{second_code}.xlsx"
        book.save(path)
        return path

    login(page, staff.username)
    page.goto(page.base + "/ledger/import/")
    page.set_input_files("input[type=file]", str(ledger(broken)))
    page.click("button[type=submit].primary")
    main = page.inner_text("main")
    assert "第 4 行，统一社会信用代码 列" in main and "校验码" in main
    assert not Enterprise.objects.filter(uscc=good).exists()  # nothing written

    page.goto(page.base + "/ledger/import/")
    page.set_input_files("input[type=file]", str(ledger(fixed)))
    page.click("button[type=submit].primary")
    page.click("form.confirm button[type=submit]")
    page.wait_for_load_state()
    assert Enterprise.objects.filter(uscc__in=[good, fixed]).count() == 2
    assert "导入完成" in page.inner_text("main")


def test_leader_finds_no_edit_buttons_and_a_forced_edit_is_refused(page, leader, shuicheng):
    enterprise = EnterpriseFactory(community=shuicheng)
    login(page, leader.username)
    page.goto(page.base + enterprise.get_absolute_url())
    assert enterprise.name in page.inner_text("h1")
    assert page.locator(f"a[href$='/enterprises/{enterprise.pk}/edit/']").count() == 0
    assert page.locator("a.button.primary").count() == 0
    response = page.goto(page.base + f"/enterprises/{enterprise.pk}/edit/")
    assert response.status == 403
    assert "无权操作" in page.inner_text("main")


def test_admin_creates_a_staff_user_who_can_then_sign_in(page, browser, admin_user, jiaonan):
    login(page, admin_user.username)
    page.goto(page.base + "/accounts/users/new/")
    page.fill("#id_username", "e2e_staff")
    page.fill("#id_full_name", "新同事")
    page.select_option("#id_role", "staff")
    page.select_option("#id_area", str(jiaonan.pk))
    page.fill("#id_password1", "a-fresh-passphrase-2026")
    page.fill("#id_password2", "a-fresh-passphrase-2026")
    page.click("button[type=submit].primary")
    page.wait_for_url(re.compile(r"/accounts/users/$"))
    assert User.objects.filter(username="e2e_staff", role="staff").exists()
    page.click("header button:has-text('退出登录')")
    login(page, "e2e_staff", "a-fresh-passphrase-2026")
    assert "新同事" in page.inner_text("header")


def test_language_switch_to_english_and_back(page, staff):
    login(page, staff.username)
    page.click("form.lang button[value=en]")
    assert "Sign out" in page.inner_text("header")
    page.click("form.lang button[value=zh-hans]")
    assert "退出登录" in page.inner_text("header")


def test_lockout_after_five_bad_passwords(page, staff):
    for _ in range(5):
        login(page, staff.username, "wrong-password-000")
        assert "用户名或密码错误" in page.inner_text("main")
    login(page, staff.username)  # the right password is now refused
    assert "登录失败次数过多" in page.inner_text("main")
    assert "/accounts/login/" in page.url


def _no_horizontal_scroll(page):
    return page.evaluate(
        "() => document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )


def test_phone_sized_viewport_is_usable(browser, live_server, staff, shuicheng):
    context = browser.new_context(viewport={"width": 375, "height": 667}, locale="zh-CN")
    page = context.new_page()
    page.base = live_server.url
    enterprise = EnterpriseFactory(community=shuicheng, name="青岛手机端测试有限公司")
    page.goto(page.base + "/accounts/login/")
    assert _no_horizontal_scroll(page)
    login(page, staff.username)
    for path in ("/enterprises/", enterprise.get_absolute_url(), "/dashboard/"):
        page.goto(page.base + path)
        assert _no_horizontal_scroll(page), path
    context.close()


def test_phone_lists_are_cards_with_folded_filters(browser, live_server, staff, shuicheng):
    """At 375 × 667 every list shows card rows, its filters fold behind one button that
    says which are set, and the first result is on the first screen."""
    from tests.factories import MembershipTransferFactory, PartyOrganizationFactory

    for i in range(3):
        EnterpriseFactory(community=shuicheng, name=f"青岛卡片{i}有限公司")
    org = PartyOrganizationFactory(area=shuicheng, name="卡片党支部")
    MembershipTransferFactory(to_organization=org, member_name="卡片党员")
    context = browser.new_context(viewport={"width": 375, "height": 667}, locale="zh-CN")
    page = context.new_page()
    page.base = live_server.url
    login(page, staff.username)
    for path in (
        "/enterprises/?industry=C",
        "/enterprises/organizations/",
        "/enterprises/transfers/",
        "/enterprises/alerts/stale_return/",
        "/alerts/",
    ):
        page.goto(page.base + path)
        assert _no_horizontal_scroll(page), path
        first = page.locator("table.list-table tbody tr").first
        box = first.bounding_box()
        assert box and box["y"] + 40 < 667, f"{path}: first result below the first screen"
        assert page.locator("table.list-table thead").first.is_hidden(), path  # cards
        form = page.locator("form.fold-body")
        if form.count():
            assert form.is_hidden(), f"{path}: filters are folded"
    page.goto(page.base + "/enterprises/?industry=C")
    button = page.locator("label.fold-button")
    assert "行业" in button.inner_text()  # the summary names the active filter
    button.click()
    assert page.locator("form.fold-body").is_visible()
    context.close()
