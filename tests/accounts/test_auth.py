import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.lockout import locked_until
from audit.models import Event
from tests.conftest import PASSWORD

LOGIN = "/accounts/login/"


def _login(client, username, password, ip="10.0.0.1"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=ip)


def test_login_page_is_chinese_by_default(db):
    response = Client(HTTP_ACCEPT_LANGUAGE="en-US").get(LOGIN)
    assert response.status_code == 200
    assert "登录" in response.content.decode()
    assert response.headers["Content-Language"] == "zh-hans"


def test_language_switch_to_english_and_back(db):
    client = Client()
    client.post(reverse("set_language"), {"language": "en", "next": LOGIN})
    assert "Sign in" in client.get(LOGIN).content.decode()
    client.post(reverse("set_language"), {"language": "zh-hans", "next": LOGIN})
    assert "登录" in client.get(LOGIN).content.decode()


def test_successful_login_and_logout_are_recorded(staff):
    client = Client()
    response = _login(client, staff.username, PASSWORD)
    assert response.status_code == 302
    assert Event.objects.filter(kind=Event.Kind.LOGIN, actor=staff, ip="10.0.0.1").exists()
    client.post(reverse("accounts:logout"), REMOTE_ADDR="10.0.0.1")
    assert Event.objects.filter(kind=Event.Kind.LOGOUT, actor=staff).exists()


def test_wrong_password_is_recorded_and_explained(staff):
    response = _login(Client(), staff.username, "wrong-password-123")
    assert response.status_code == 200
    assert "用户名或密码错误" in response.content.decode()
    assert Event.objects.filter(kind=Event.Kind.LOGIN_FAILED, username=staff.username).count() == 1


def test_lockout_after_five_failures_for_that_user_from_that_address(staff):
    client = Client()
    for _ in range(5):
        _login(client, staff.username, "wrong-password-123")
    # Now even the right password is refused from this address, with a clear message.
    response = _login(client, staff.username, PASSWORD)
    assert response.status_code == 200
    assert "登录失败次数过多" in response.content.decode()
    assert "_auth_user_id" not in client.session
    # The same user from another address (another office) is not locked out …
    assert _login(Client(), staff.username, PASSWORD, ip="10.0.0.2").status_code == 302


def test_lockout_does_not_lock_other_users_behind_the_same_address(staff, leader):
    for _ in range(5):
        _login(Client(), staff.username, "wrong-password-123")
    assert _login(Client(), leader.username, PASSWORD).status_code == 302


def test_four_failures_do_not_lock(staff):
    for _ in range(4):
        _login(Client(), staff.username, "wrong-password-123")
    assert _login(Client(), staff.username, PASSWORD).status_code == 302


def test_lock_expires_after_fifteen_minutes(staff):
    for _ in range(5):
        _login(Client(), staff.username, "wrong-password-123")
    assert locked_until(staff.username, "10.0.0.1")
    later = timezone.now() + dt.timedelta(minutes=15, seconds=1)
    assert locked_until(staff.username, "10.0.0.1", now=later) is None
    almost = timezone.now() + dt.timedelta(minutes=14)
    assert locked_until(staff.username, "10.0.0.1", now=almost)


def test_failures_spread_over_more_than_fifteen_minutes_do_not_lock(staff):
    start = timezone.now() - dt.timedelta(minutes=20)
    for minutes in (0, 5, 10, 15, 19):
        Event.objects.create(kind=Event.Kind.LOGIN_FAILED, username=staff.username, ip="10.0.0.1")
        Event.objects.filter(pk=Event.objects.latest("pk").pk).update(
            at=start + dt.timedelta(minutes=minutes)
        )
    assert locked_until(staff.username, "10.0.0.1") is None


def test_lockout_also_guards_the_django_admin_login(staff):
    for _ in range(5):
        _login(Client(), staff.username, "wrong-password-123")
    staff.is_staff = True
    staff.save()
    response = Client().post(
        "/django-admin/login/",
        {"username": staff.username, "password": PASSWORD},
        REMOTE_ADDR="10.0.0.1",
    )
    assert response.status_code == 200  # form shown again, not a redirect into the admin
    assert Event.objects.filter(kind=Event.Kind.LOGIN_BLOCKED, username=staff.username).exists()


def test_session_expires_after_thirty_idle_minutes(staff):
    client = Client()
    _login(client, staff.username, PASSWORD)
    assert client.get("/").status_code == 200
    session = client.session
    assert session.get_expiry_age() == 30 * 60
    # Simulate 31 idle minutes by moving the stored expiry into the past.
    from django.contrib.sessions.models import Session

    Session.objects.filter(session_key=session.session_key).update(
        expire_date=timezone.now() - dt.timedelta(minutes=1)
    )
    response = client.get("/")
    assert response.status_code == 302 and response.url.startswith(LOGIN)


def _age_renewal(client, seconds):
    """Pretend the session was last renewed ``seconds`` ago, expiring in one minute."""
    from django.contrib.sessions.models import Session

    from accounts.middleware import RENEWED_AT

    session = client.session
    session[RENEWED_AT] -= seconds
    session.save()
    Session.objects.filter(session_key=session.session_key).update(
        expire_date=timezone.now() + dt.timedelta(minutes=1)
    )
    return session.session_key


def test_a_request_extends_the_session_to_thirty_minutes(staff):
    from django.contrib.sessions.models import Session

    client = Client()
    _login(client, staff.username, PASSWORD)
    client.get("/")
    key = _age_renewal(client, 61)
    client.get("/")
    assert Session.objects.get(session_key=key).expire_date > timezone.now() + dt.timedelta(
        minutes=29
    )


def test_requests_within_a_minute_do_not_write_the_session(staff):
    from django.contrib.sessions.models import Session
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = Client()
    _login(client, staff.username, PASSWORD)
    client.get("/")
    key = _age_renewal(client, 30)
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/").status_code == 200
    assert not [q for q in queries if "django_session" in q["sql"] and "UPDATE" in q["sql"]]
    assert Session.objects.get(session_key=key).expire_date < timezone.now() + dt.timedelta(
        minutes=2
    )


@pytest.mark.parametrize(
    "password, message",
    [("short-pw-1", "太短"), ("123456789012345", "全都是数字"), ("password1234", "太常见")],
)
def test_password_change_enforces_policy(staff_client, password, message):
    response = staff_client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": password, "new_password2": password},
    )
    assert response.status_code == 200
    assert message in response.content.decode()


def test_password_change_works(staff, staff_client):
    new = "a-much-longer-passphrase-42"
    response = staff_client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
    )
    assert response.status_code == 302
    staff.refresh_from_db()
    assert staff.check_password(new)


def test_csrf_is_enforced_on_forms(staff):
    client = Client(enforce_csrf_checks=True)
    response = client.post(LOGIN, {"username": staff.username, "password": PASSWORD})
    assert response.status_code == 403


def test_csp_header_allows_only_own_assets(db):
    csp = Client().get(LOGIN).headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "http" not in csp


def test_behind_a_proxy_the_lockout_uses_the_forwarded_address(staff, settings):
    settings.REAL_IP_HEADER = "HTTP_X_REAL_IP"
    for _ in range(5):
        Client().post(
            LOGIN,
            {"username": staff.username, "password": "wrong-password-123"},
            REMOTE_ADDR="127.0.0.1",
            HTTP_X_REAL_IP="10.9.9.9",
        )
    # Another office reaches the same proxy (same REMOTE_ADDR) and is not locked out.
    ok = Client().post(
        LOGIN,
        {"username": staff.username, "password": PASSWORD},
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_REAL_IP="10.9.9.10",
    )
    assert ok.status_code == 302
    assert Event.objects.filter(kind=Event.Kind.LOGIN_FAILED, ip="10.9.9.9").count() == 5


def test_the_forwarded_header_is_ignored_unless_configured(staff, settings):
    settings.REAL_IP_HEADER = ""
    Client().post(
        LOGIN,
        {"username": staff.username, "password": "wrong-password-123"},
        REMOTE_ADDR="10.0.0.7",
        HTTP_X_REAL_IP="1.2.3.4",
    )
    assert Event.objects.get(kind=Event.Kind.LOGIN_FAILED).ip == "10.0.0.7"
