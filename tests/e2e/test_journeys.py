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


def test_staff_creates_enterprise_organisation_and_return(page, staff, shuicheng):
    login(page, staff.username)
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
    for path in ("/enterprises/", enterprise.get_absolute_url()):
        page.goto(page.base + path)
        assert _no_horizontal_scroll(page), path
    context.close()
