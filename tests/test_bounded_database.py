"""Bounded database work (issue 14, items 3 and 4).

- PostgreSQL: web requests run with a 30 s statement timeout, commands and the task
  worker with 10 min; a request whose statement is cancelled gets a 503 page that says
  what to do, and the statement is gone from ``pg_stat_activity``.
- SQLite (WAL, busy timeout): a read request never takes the write lock, so a dashboard
  view answers while a long write (an import) holds it; a write that cannot get the lock
  in time gets the "database busy" page, not a server error.
- Both: a write request stays all or nothing.
"""

import os
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import close_old_connections, connection, connections, transaction
from django.http import HttpResponse
from django.test import Client
from django.urls import path

from enterprises.models import Enterprise
from matrix import db as matrix_db
from matrix import urls as project_urls
from tests.factories import EnterpriseFactory

ROOT = Path(__file__).resolve().parent.parent
PROBE = "timeout-probe"

# ---------------------------------------------------------------------------
# A test-only URL configuration: the project's URLs plus two that sleep in the database.


def _sleep_view(request):
    seconds = 60
    if request.method == "POST":
        # A write before the slow statement: the 503 must leave nothing of it behind.
        Enterprise.objects.filter(pk=int(request.POST["pk"])).update(name="写了一半")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT pg_sleep(%s) /* {PROBE} */", [seconds])
    return HttpResponse("finished")


urlpatterns = [
    path("test-only/sleep/", _sleep_view),
    *project_urls.urlpatterns,
]


def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("runs in the PostgreSQL pass: statement_timeout is PostgreSQL's")


@pytest.fixture
def short_statement_timeout(transactional_db):
    """Every new connection gets a 300 ms statement timeout, set the way the settings set
    the real one (libpq ``options`` in OPTIONS), for this test."""
    _postgresql_only()
    settings_dict = connection.settings_dict
    original = settings_dict["OPTIONS"]
    connection.close()
    settings_dict["OPTIONS"] = matrix_db.postgresql_options(
        {k: v for k, v in original.items() if k != "options"}, 300
    )
    yield
    connection.close()
    settings_dict["OPTIONS"] = original


def _probes_running():
    """Backends (any connection) still running the probe's statement."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE state = 'active' "
            "AND query LIKE %s AND query NOT LIKE %s",
            [f"%{PROBE}%", "%pg_stat_activity%"],
        )
        return cursor.fetchone()[0]


@pytest.mark.urls(__name__)
def test_a_request_past_the_statement_timeout_gets_a_clear_page(
    short_statement_timeout, staff_client
):
    start = time.monotonic()
    response = staff_client.get("/test-only/sleep/")
    elapsed = time.monotonic() - start
    assert response.status_code == 503
    body = response.content.decode()
    assert "查询超时" in body and "缩小筛选范围" in body and "再试" in body
    assert response["Retry-After"]
    assert elapsed < 5, f"the 60 s statement was not cancelled ({elapsed:.1f} s)"
    assert _probes_running() == 0  # cancelled by the server, not left running
    # The connection stays usable for the next request.
    assert staff_client.get("/").status_code == 200


@pytest.mark.urls(__name__)
def test_a_write_request_past_the_timeout_is_rolled_back(short_statement_timeout, staff):
    enterprise = EnterpriseFactory(name="原名")
    client = Client()
    client.force_login(staff)
    response = client.post("/test-only/sleep/", {"pk": enterprise.pk})
    assert response.status_code == 503
    assert "查询超时" in response.content.decode()
    enterprise.refresh_from_db()
    assert enterprise.name == "原名"
    assert _probes_running() == 0


def test_web_requests_run_with_the_short_timeout(db):
    _postgresql_only()
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone()[0] == "30s"
    assert settings.DB_STATEMENT_TIMEOUT_MS == 30_000


def _manage_shell(code, *args):
    env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE", "DEBUG"}}
    env["DJANGO_SETTINGS_MODULE"] = "matrix.settings.base"
    # The test database (the one named in DATABASE_URL need not exist).
    env["DATABASE_URL"] = (
        env["DATABASE_URL"].rsplit("/", 1)[0] + "/" + connection.settings_dict["NAME"]
    )
    return subprocess.run(
        [sys.executable, "manage.py", *args, "shell", "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_commands_run_with_the_long_timeout(db):
    _postgresql_only()
    result = _manage_shell(
        "from django.db import connection\n"
        "c = connection.cursor(); c.execute('SHOW statement_timeout'); print(c.fetchone()[0])"
    )
    assert result.stdout.strip().splitlines()[-1] == "10min", result.stderr


def test_only_the_development_server_keeps_the_web_role():
    assert matrix_db.role_for_argv(["manage.py", "runserver"]) == matrix_db.WEB
    assert (
        matrix_db.role_for_argv(["manage.py", "import_enterprises", "x.xlsx"]) == matrix_db.COMMAND
    )
    assert matrix_db.role_for_argv(["manage.py", "db_worker"]) == matrix_db.COMMAND
    assert matrix_db.postgresql_options({"sslmode": "require", "options": "-c jit=off"}, 5) == {
        "sslmode": "require",
        "options": "-c jit=off -c statement_timeout=5",
    }
    # 0: no limit from the app (behind PgBouncer the role's setting applies).
    assert matrix_db.postgresql_options({"sslmode": "require"}, 0) == {"sslmode": "require"}


def test_statement_timeout_block_restores_the_connection_value(db):
    _postgresql_only()

    def show():
        with connection.cursor() as cursor:
            cursor.execute("SHOW statement_timeout")
            return cursor.fetchone()[0]

    before = show()
    with matrix_db.statement_timeout(settings.DB_COMMAND_STATEMENT_TIMEOUT_MS):
        assert show() == "10min"
    assert show() == before == "30s"


# ---------------------------------------------------------------------------
# A long write and the readers beside it.

HOLD_SECONDS = 4.0


@pytest.fixture
def file_database(transactional_db, tmp_path):
    """The database as production has it, for this test.

    SQLite: the test database (in memory) copied to a file in WAL mode, with every
    connection of every thread pointed at it, and a 1 s busy timeout (the production
    20 s would only make the test slow). PostgreSQL: the test database as it is.
    """
    if connection.vendor != "sqlite":
        yield
        return
    settings_dict = connection.settings_dict
    original_name, original_options = settings_dict["NAME"], settings_dict["OPTIONS"]
    file = tmp_path / "db.sqlite3"
    connection.ensure_connection()
    target = sqlite3.connect(file)
    connection.connection.backup(target)
    target.execute("PRAGMA journal_mode=WAL")
    target.close()
    in_memory, connection.connection = connection.connection, None
    settings_dict["NAME"] = str(file)
    settings_dict["OPTIONS"] = {**original_options, "timeout": 1}
    yield
    connection.close()
    settings_dict["NAME"], settings_dict["OPTIONS"] = original_name, original_options
    connection.connection = in_memory


class LongWrite(threading.Thread):
    """A write transaction that holds its locks for ``HOLD_SECONDS``, as a long import
    does: it changes every enterprise, then waits before committing."""

    def __init__(self):
        super().__init__(daemon=True)
        self.holding = threading.Event()
        self.done = threading.Event()
        self.error = None

    def run(self):
        try:
            with transaction.atomic():
                Enterprise.objects.update(employees=999)
                EnterpriseFactory.create(name="导入中的企业")
                self.holding.set()
                time.sleep(HOLD_SECONDS)
        except Exception as error:  # reported by the test
            self.error = error
        finally:
            self.done.set()
            self.holding.set()
            connections.close_all()

    def __enter__(self):
        self.start()
        assert self.holding.wait(10)
        assert self.error is None, self.error
        return self

    def __exit__(self, *exc):
        self.join(HOLD_SECONDS + 10)
        assert self.error is None, self.error
        close_old_connections()


def _timed(method, *args, **kwargs):
    start = time.monotonic()
    response = method(*args, **kwargs)
    return response, time.monotonic() - start


def test_a_dashboard_view_answers_while_a_long_write_holds_the_lock(
    file_database, staff, shuicheng, capsys
):
    for n in range(20):
        EnterpriseFactory(community=shuicheng, name=f"企业{n}")
    client = Client()
    client.force_login(staff)
    assert client.get("/dashboard/").status_code == 200  # warm: templates, session
    _, quiet = _timed(client.get, "/dashboard/")  # for comparison: no write running
    with LongWrite() as writer:
        response, elapsed = _timed(client.get, "/dashboard/")
        still_holding = not writer.done.is_set()
        list_response, list_elapsed = _timed(client.get, "/enterprises/")
    assert response.status_code == 200 and list_response.status_code == 200
    assert still_holding, "the dashboard answered only after the write had finished"
    assert elapsed < 2 and list_elapsed < 2
    # It showed the data committed before the write, not the write's own rows.
    assert "导入中的企业" not in list_response.content.decode()
    with capsys.disabled():
        print(
            f"\n[{connection.vendor}] during a {HOLD_SECONDS:.0f} s write: dashboard "
            f"{elapsed * 1000:.0f} ms (without: {quiet * 1000:.0f} ms), "
            f"enterprise list {list_elapsed * 1000:.0f} ms"
        )


def test_a_read_whose_session_renewal_is_due_does_not_wait_for_the_lock(file_database, staff):
    from django.contrib.sessions.models import Session

    from accounts.middleware import RENEWED_AT

    client = Client()
    client.force_login(staff)
    session = client.session
    session[RENEWED_AT] -= 120  # due for renewal
    session.save()
    stored = Session.objects.get(session_key=session.session_key).expire_date
    with LongWrite() as writer:
        response, elapsed = _timed(client.get, "/")
        still_holding = not writer.done.is_set()
    assert response.status_code == 200 and still_holding and elapsed < 2
    if connection.vendor == "sqlite":
        # Postponed: the write lock was taken. The next request renews it.
        assert Session.objects.get(session_key=session.session_key).expire_date == stored
    client.get("/")
    assert Session.objects.get(session_key=session.session_key).expire_date > stored


def test_a_write_that_cannot_get_the_lock_gets_the_busy_page(file_database, staff, shuicheng):
    if connection.vendor != "sqlite":
        pytest.skip("runs in the SQLite pass: PostgreSQL locks rows, not the database")
    client = Client()
    client.force_login(staff)
    with LongWrite():
        response = client.post(
            "/accounts/area/", {"area": shuicheng.pk, "next": "/"}, REMOTE_ADDR="10.0.0.9"
        )
    assert response.status_code == 503
    assert "数据库正忙" in response.content.decode()
    staff.refresh_from_db()
    assert staff.viewing_area is None


def test_a_failed_write_request_leaves_nothing_behind(staff_client, shuicheng, monkeypatch):
    """POST stays all or nothing without ATOMIC_REQUESTS: the middleware's transaction."""
    from enterprises import views
    from tests.enterprises.test_views import enterprise_data

    def fail_after_saving(self, form):
        form.save()
        raise RuntimeError("after the save")

    monkeypatch.setattr(views.EnterpriseCreateView, "form_valid", fail_after_saving)
    with pytest.raises(RuntimeError):
        staff_client.post("/enterprises/new/", enterprise_data(shuicheng, name="半途企业"))
    assert not Enterprise.objects.filter(name="半途企业").exists()
