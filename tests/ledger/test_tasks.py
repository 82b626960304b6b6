"""Imports run off the request, in the task worker (django-tasks, database backend): the
request returns at once, the batch's page shows the progress and refreshes itself, and a
task that fails or is killed leaves nothing half-written and says so on its page."""

import datetime as dt
import io
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from audit.models import Event
from enterprises import sheet_planner
from enterprises.models import Enterprise
from ledger import services
from ledger.models import ImportBatch

from .conftest import row, table, upload_file, xlsx_bytes

ROOT = Path(__file__).resolve().parents[2]
DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def run_worker():
    """What ``manage.py db_worker --batch`` does, in this process (no signal handlers)."""
    Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
        excluded_queue_names=[],
    ).run()


def upload(client, data):
    return client.post(reverse("ledger:upload"), {"file": upload_file(data, "台账.xlsx")})


@pytest.mark.django_db(transaction=True)
def test_the_request_returns_at_once_and_the_worker_does_the_work(
    settings, staff_client, shuicheng
):
    settings.TASKS = DATABASE_TASKS
    response = upload(staff_client, xlsx_bytes(table([row(1), row(2)])))
    batch = ImportBatch.objects.get()
    assert response.status_code == 302 and batch.status == ImportBatch.Status.QUEUED
    assert DBTaskResult.objects.get().status == "READY"

    page = staff_client.get(batch.get_absolute_url()).content.decode()
    assert '<noscript><meta http-equiv="refresh" content="2"></noscript>' in page  # no JS
    assert 'hx-get="' in page and 'hx-trigger="every 2s"' in page  # htmx, smoother
    htmx = staff_client.get(batch.get_absolute_url(), HTTP_HX_REQUEST="true")
    assert htmx.status_code == 200 and "HX-Refresh" not in htmx

    run_worker()
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.PREVIEW and batch.summary["created"] == 2
    assert batch.upload is None  # the file is not kept once it is read
    done = staff_client.get(batch.get_absolute_url(), HTTP_HX_REQUEST="true")
    assert done["HX-Refresh"] == "true"  # the work is over: htmx reloads the whole page
    assert "refresh" not in staff_client.get(batch.get_absolute_url()).content.decode().lower()

    staff_client.post(reverse("ledger:confirm", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.COMMITTING and not Enterprise.objects.exists()
    run_worker()
    batch.refresh_from_db()
    assert batch.is_committed and Enterprise.objects.count() == 2
    assert set(DBTaskResult.objects.values_list("status", flat=True)) == {"SUCCESSFUL"}


def test_a_failed_commit_leaves_nothing_written_and_says_so(staff_client, shuicheng, monkeypatch):
    upload(staff_client, xlsx_bytes(table([row(n) for n in range(5)])))
    batch = ImportBatch.objects.get()
    original = sheet_planner.write_rows
    monkeypatch.setattr("ledger.importer.WRITE_CHUNK", 2)
    calls = []

    def fail_on_the_second_chunk(rows, plan):
        calls.append(len(rows))
        if len(calls) == 2:
            raise RuntimeError("the disk is full")
        original(rows, plan)

    monkeypatch.setattr(sheet_planner, "write_rows", fail_on_the_second_chunk)
    staff_client.post(reverse("ledger:confirm", args=[batch.pk]))
    batch.refresh_from_db()
    assert calls == [2, 2]  # a chunk had been written before the failure
    assert not Enterprise.objects.exists() and not Event.objects.filter(kind="import").exists()
    assert (batch.status, batch.notice) == (ImportBatch.Status.PREVIEW, "failed")
    page = staff_client.get(batch.get_absolute_url()).content.decode()
    assert "nothing was saved" in page.lower() or "没有保存任何内容" in page
    assert reverse("ledger:confirm", args=[batch.pk]) in page  # it may be tried again

    monkeypatch.setattr(sheet_planner, "write_rows", original)
    staff_client.post(reverse("ledger:confirm", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.is_committed and Enterprise.objects.count() == 5


def test_a_worker_that_stopped_is_reported_and_the_commit_can_be_retried(
    settings, staff_client, shuicheng
):
    upload(staff_client, xlsx_bytes(table([row(1)])))
    batch = ImportBatch.objects.get()
    # As a killed worker leaves it: committing, its heartbeat long stopped.
    stopped = timezone.now() - dt.timedelta(seconds=settings.IMPORT_STALE_SECONDS + 5)
    ImportBatch.objects.filter(pk=batch.pk).update(
        status=ImportBatch.Status.COMMITTING, job="dead", heartbeat_at=stopped
    )
    page = staff_client.get(batch.get_absolute_url()).content.decode()
    assert "stopped before it finished" in page or "中途停止" in page
    assert "refresh" not in page.lower()  # no point refreshing
    assert reverse("ledger:confirm", args=[batch.pk]) in page
    ImportBatch.objects.filter(pk=batch.pk).update(heartbeat_at=timezone.now())
    running = staff_client.get(batch.get_absolute_url()).content.decode()
    assert reverse("ledger:confirm", args=[batch.pk]) not in running  # still running
    staff_client.post(reverse("ledger:confirm", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.COMMITTING  # not stalled: not retried
    ImportBatch.objects.filter(pk=batch.pk).update(heartbeat_at=stopped)
    staff_client.post(reverse("ledger:confirm", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.is_committed and Enterprise.objects.count() == 1


def test_a_superseded_task_writes_nothing(staff, shuicheng):
    batch = services.preview(io.BytesIO(xlsx_bytes(table([row(1)]))), "a.xlsx", staff)
    batch.status, batch.job = ImportBatch.Status.COMMITTING, "the-new-one"
    batch.save()
    assert services.run_commit(batch.pk, "the-old-one") == "superseded"
    assert not Enterprise.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_killed_worker_leaves_nothing_written(settings, staff, shuicheng):
    """A real worker process, killed with SIGKILL while it writes (PostgreSQL: there a
    second process can share the test database)."""
    if connection.vendor != "postgresql":
        pytest.skip("runs in the PostgreSQL pass: the worker process needs a shared database")
    settings.TASKS = DATABASE_TASKS
    rows = [row(n) for n in range(3000)]
    batch = services.preview(io.BytesIO(xlsx_bytes(table(rows))), "a.xlsx", staff)
    services.start_commit(batch)
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "DJANGO_SETTINGS_MODULE": "matrix.settings.base",
        "IMPORT_HEARTBEAT_SECONDS": "0.1",
    }
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "db_worker", "--batch", "--no-reload", "--no-startup-delay"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            batch.refresh_from_db()
            if (batch.progress or {}).get("phase") == "writing" or batch.is_committed:
                break
            time.sleep(0.05)
        assert (batch.progress or {}).get("phase") == "writing", batch.progress
        os.kill(worker.pid, signal.SIGKILL)
    finally:
        worker.wait(timeout=30)
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.COMMITTING
    assert not Enterprise.objects.exists() and not Event.objects.filter(kind="import").exists()
    settings.IMPORT_STALE_SECONDS = 0
    ImportBatch.objects.filter(pk=batch.pk).update(
        heartbeat_at=timezone.now() - dt.timedelta(seconds=5)
    )
    batch.refresh_from_db()
    assert batch.is_stalled()
