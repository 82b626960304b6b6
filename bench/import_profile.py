"""Where the time of an import commit goes (issue 12 #4), phase by phase.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pm_ledger .venv/bin/python \
        bench/import_profile.py [ROWS | --bench-50k] [--cprofile [cumulative]]

Like bench/import_bench.py (whose data and reset it reuses, so the database is FLUSHED
and must be named like pm_ledger / pm_import): previews a ledger of ROWS new enterprises
(default 10,000), then commits it as the task worker does, timing each phase by wrapping
the functions that do it. Phases nest (``write`` holds the inserts), so the table prints
each phase's own time with what it includes, and this process's CPU time (the rest of a
phase is PostgreSQL's work, or waiting for a core on a shared machine), then the slowest
statements. ``--bench-50k``: the bench's 50,000-row file (10,000 of them already
imported, half of these changed), after committing its 10,000. ``--cprofile`` prints the
60 costliest functions of the commit as well; ``--immediate`` checks the foreign keys as
each row is written instead of at COMMIT (Django declares them DEFERRABLE INITIALLY
DEFERRED), to see what the checks cost.
"""

import cProfile
import functools
import os
import pstats
import sys
import time
from collections import defaultdict
from pathlib import Path

import import_bench as ib
from _common import setup

spent = defaultdict(float)
cpu = defaultdict(float)  # this process's CPU time: Python's share, whatever the load
calls = defaultdict(int)


def timer(owner, name, label=None, key=None):
    original = getattr(owner, name)
    label = label or name

    @functools.wraps(original)
    def wrapper(*args, **kwargs):
        tag = label
        if key is not None:
            tag = f"{label} {key(*args, **kwargs)}"
        start, start_cpu = time.perf_counter(), time.process_time()
        try:
            return original(*args, **kwargs)
        finally:
            spent[tag] += time.perf_counter() - start
            cpu[tag] += time.process_time() - start_cpu
            calls[tag] += 1

    setattr(owner, name, wrapper)


def model_of(objs, *args, **kwargs):
    objs = objs if isinstance(objs, list) else list(objs)
    return type(objs[0]).__name__ if objs else "-"


def backend_cpu(connection):
    """CPU seconds the PostgreSQL backend serving ``connection`` has used (user + system,
    from /proc: the server runs on this machine), or None."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def instrument():
    from audit import models as audit_models
    from enterprises import sheet_planner, state
    from ledger import bulk, importer

    timer(importer.Cleaner, "clean", "cells (clean)")
    timer(sheet_planner.Planner, "run", "plan (spec.plan)")
    timer(sheet_planner, "write_rows", "write (spec.write)")
    timer(bulk, "_copy", "COPY records", key=lambda model, objs, conn: model.__name__)
    timer(audit_models, "_insert_changes", "audit Change rows")
    timer(audit_models.AuditedQuerySet, "bulk_update", "bulk_update (Django's)")
    timer(bulk, "_copy_update", "COPY + UPDATE FROM", key=lambda model, *a: model.__name__)
    timer(state, "refresh", "state refresh")
    timer(state, "compute", "  state compute")
    timer(state, "stored", "  state stored")
    timer(state, "_write", "  state write")
    timer(state, "_lock", "  state lock")


def main():
    rows = int(next((a for a in sys.argv[1:] if a.isdigit()), 10_000))
    setup()
    from django.conf import settings
    from django.db import connection

    settings.DEBUG = False
    name = connection.settings_dict["NAME"]
    if not any(word in str(name) for word in ("import", "ledger")):
        sys.exit(f"Refusing to flush database {name!r}: use a database named like pm_ledger.")
    ib.WORK.mkdir(exist_ok=True)
    path = ib.WORK / f"profile-{rows}.xlsx"
    if "--bench-50k" in sys.argv:  # the bench's second file, after its first is committed
        path = ib.WORK / "ledger-50k.xlsx"
        rows = 50_000
        if not path.exists():
            ib.write_ledger(path, range(50_000), changed=lambda n: n < 10_000 and n % 2 == 0)
    elif not path.exists():
        ib.write_ledger(path, range(rows))
    ib.reset()
    from accounts.models import User
    from ledger import services

    user = User.objects.get(username="bench_admin")
    if "--bench-50k" in sys.argv:
        first = ib.WORK / "ledger-10k.xlsx"
        if not first.exists():
            ib.write_ledger(first, range(10_000))
        with open(first, "rb") as file:
            earlier = services.preview(file, first.name, user)
        services._commit(type(earlier).objects.get(pk=earlier.pk), user)
    ib.vacuum()
    with open(path, "rb") as file:
        batch = services.preview(file, Path(path).name, user)
    batch = type(batch).objects.get(pk=batch.pk)
    instrument()
    if "--immediate" in sys.argv:  # foreign keys checked row by row, not at COMMIT
        from ledger import importer

        prefer = importer.prefer_index_scans

        def immediate():
            prefer()
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")

        importer.prefer_index_scans = immediate
    profile = cProfile.Profile() if "--cprofile" in sys.argv else None
    server_before = backend_cpu(connection)
    start, start_cpu = time.perf_counter(), time.process_time()
    if profile:
        profile.enable()
    from django.db import transaction

    # The whole commit, and the transaction's commit apart.
    original_atomic_exit = transaction.Atomic.__exit__

    def timed_exit(self, *exc):
        begin, begin_cpu = time.perf_counter(), time.process_time()
        try:
            return original_atomic_exit(self, *exc)
        finally:
            if not connection.in_atomic_block:
                spent["transaction COMMIT"] += time.perf_counter() - begin
                cpu["transaction COMMIT"] += time.process_time() - begin_cpu

    transaction.Atomic.__exit__ = timed_exit
    queries = defaultdict(lambda: [0, 0.0])

    def timed_query(execute, sql, params, many, context):
        begin = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            entry = queries[" ".join(sql.split())[:110]]
            entry[0] += 1
            entry[1] += time.perf_counter() - begin

    with connection.execute_wrapper(timed_query):
        services._commit(batch, user)
    total, total_cpu = time.perf_counter() - start, time.process_time() - start_cpu
    server_after = backend_cpu(connection)
    if profile:
        profile.disable()
    with open("/proc/loadavg") as load:
        print(f"load average: {load.read().split()[0]}")
    print(
        f"commit of {rows} rows: {total:.2f} s, {rows / total:,.0f} rows/s; "
        f"this process's CPU {total_cpu:.2f} s (the rest: waiting for PostgreSQL)"
    )
    if server_before is not None and server_after is not None:
        server = server_after - server_before
        print(
            f"PostgreSQL backend's CPU {server:.2f} s; work in all "
            f"{total_cpu + server:.2f} CPU s, {rows / (total_cpu + server):,.0f} rows per CPU s"
        )
    print(f"{'phase':40} {'calls':>6} {'seconds':>8} {'share':>6} {'cpu s':>6}")
    for tag, seconds in sorted(spent.items(), key=lambda kv: -kv[1]):
        print(f"{tag:40} {calls[tag]:6d} {seconds:8.2f} {seconds / total:6.0%} {cpu[tag]:6.2f}")
    print("\nstatements (COPY excluded: psycopg's copy() bypasses the wrapper), slowest first:")
    for sql, (count, seconds) in sorted(queries.items(), key=lambda kv: -kv[1][1])[:15]:
        print(f"{seconds:7.2f} s {count:5d}x  {sql}")
    if profile:
        order = "cumulative" if "cumulative" in sys.argv else "tottime"
        pstats.Stats(profile).sort_stats(order).print_stats(60)


if __name__ == "__main__":
    main()
