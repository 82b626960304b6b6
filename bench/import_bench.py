"""Ledger import and export at scale (issues 5, 12, 14): preview, commit, export, memory.

    createdb -h 127.0.0.1 -U postgres pm_ledger
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pm_ledger .venv/bin/python manage.py migrate
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pm_ledger .venv/bin/python bench/import_bench.py
    ... bench/import_bench.py --quick     # without the 100,000-row file and the export

The database is FLUSHED first, so the script refuses any database whose name does not
contain "import" or "ledger". It generates ledgers (.xlsx, written with openpyxl):
- 10,000 rows, all new enterprises;
- 50,000 rows: the 10,000 again (half of them with a changed figure) and 40,000 new;
- 100,000 rows (IMPORT_MAX_ROWS), all new, for the memory budget of issue 14.
Each row has a community and most have an organisation, a membership return, a liaison
and 工青妇 dates, as a real ledger does. Each measured step runs in its own process, so
its peak memory (VmHWM, which a child does not inherit) is its own:
1. preview (parse + validate + plan + store) and commit of the 10,000-row file;
2. preview and commit of the 50,000-row file;
3. the floor: a plain ``bulk_create`` of the same 50,000 enterprises, without the audit
   trail and without any checks (rolled back);
4. preview and commit of the 100,000-row file (peak memory against IMPORT_BUDGET_MB);
5. export of the 50,000 enterprises as .xlsx and .csv through the export URL.

"seconds" of a commit is the confirm step as the task worker runs it: the rows are
checked again against the database (planned again, chunk by chunk) and written, in one
transaction with the audit trail; the time spent writing is shown apart. The targets of
issue 12 #4: a commit of >= 5,000 rows/s and >= 0.4 x the floor of the same run; peak
memory <= 300 MB at 50,000 rows (and, issue 14, at 100,000). Settings as in production
for memory: DEBUG off, so Django does not keep the SQL of every query.
"""

import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import machine, setup

WORK = Path(tempfile.gettempdir()) / "pm_import_bench"
STREETS = 2
COMMUNITIES = 10  # per street
PASSWORD = "bench-password-not-secret"


def peak_mb():
    """This process's peak resident memory (ru_maxrss would include the parent's)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# ---------------------------------------------------------------------------
# Data


def reset():
    from django.core.management import call_command

    from accounts.models import User
    from areas.models import Area

    call_command("flush", interactive=False, verbosity=0)
    district = Area.objects.create(name="西海岸新区", level=Area.Level.DISTRICT)
    for s in range(STREETS):
        street = Area.objects.create(name=f"测试{s}街道", level=Area.Level.STREET, parent=district)
        for c in range(COMMUNITIES):
            Area.objects.create(
                name=f"测试{s}街道{c}社区",
                level=Area.Level.COMMUNITY,
                parent=street,
                kind=Area.CommunityKind.URBAN,
            )
    User.objects.create_user("bench_admin", password=PASSWORD, role=User.Role.ADMIN, area=district)


def ledger_row(n, changed=False):
    import datetime as dt

    from enterprises import uscc

    community = f"测试{n % STREETS}街道{n // STREETS % COMMUNITIES}社区"
    row = {
        "企业名称": f"青岛基准企业{n:06d}有限公司",
        "统一社会信用代码": uscc.make(f"91370211MA{n:07d}"),
        "所属社区": community,
        "地址": f"胶南街道基准路{n}号",
        "行业门类": "C 制造业" if n % 3 else "I",
        "经济类型": "私营",
        "企业规模": ["小型", "微型", "中型"][n % 3],
        "规上企业": "是" if n % 7 == 0 else "否",
        "从业人数": 10 + n % 500 + (1 if changed else 0),
        "出资人是否党员": "否",
        "联系人": f"联系人{n % 977}",
        "联系电话": f"1380000{n:04d}"[:11],
        "纳入管理日期": dt.date(2021, 1, 1) + dt.timedelta(days=n % 900),
        "经营状态": "在营",
        "党员统计日期": "2024/6/30",
        "正式党员": n % 9,
        "预备党员": n % 2,
        "党建指导员": f"指导员{n % 40}",
    }
    if n % 5 in (0, 1):  # 40 %: a standalone branch
        row.update(
            {
                "党组织名称": f"青岛基准企业{n:06d}有限公司党支部",
                "党组织类别": "党支部",
                "组建方式": "单独组建",
                "党组织成立日期": "2022年5月1日",
                "党组织书记": f"书记{n % 311}",
            }
        )
    elif n % 5 == 2:  # 20 %: a joint branch shared by 4 nearby enterprises
        row.update(
            {
                "党组织名称": f"{community}联合党支部{n // 100}",
                "党组织类别": "党支部",
                "组建方式": "联合组建",
                "党组织成立日期": "2021-07-01",
            }
        )
    if n % 4 == 0:
        row.update({"工会成立日期": "2020-03-01", "共青团成立日期": "2021/5/4"})
    if n % 6 == 0:
        row["妇联成立日期"] = "2022.3.8"
    return row


def write_ledger(path, numbers, changed=lambda n: False):
    from openpyxl import Workbook

    from enterprises.sheets import COLUMNS

    headers = [c.header for c in COLUMNS]
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("台账")
    sheet.append(["西海岸新区非公企业党建台账（基准测试）"])
    sheet.append(headers)
    for n in numbers:
        row = ledger_row(n, changed(n))
        sheet.append([row.get(h) for h in headers])
    workbook.save(path)


# ---------------------------------------------------------------------------
# Steps (each in its own process)


def step_import(path):
    from accounts.models import User
    from audit.models import Change
    from ledger import services, specs

    user = User.objects.get(username="bench_admin")
    start = time.perf_counter()
    with open(path, "rb") as file:
        batch = services.preview(file, Path(path).name, user)
    preview = time.perf_counter() - start
    summary = dict(batch.summary)
    batch = type(batch).objects.get(pk=batch.pk)
    # The confirm as the task worker runs it (services.run_commit): plan again against
    # the database and write, chunk by chunk, in one transaction. The time spent in the
    # spec's writer is measured apart ("write"); the rest is checking.
    spec = specs.get(batch.kind)
    write, spent = spec.write, [0.0]

    def timed_write(plan, rows):
        begin = time.perf_counter()
        write(plan, rows)
        spent[0] += time.perf_counter() - begin

    spec.write = timed_write
    start = time.perf_counter()
    event, _tally = services._commit(batch, user)
    commit = time.perf_counter() - start
    spec.write = write
    return {
        "records": Change.objects.filter(event=event).count(),
        "rows": summary["total"],
        "created": summary["created"],
        "updated": summary["updated"],
        "unchanged": summary["unchanged"],
        "errors": summary["errors"],
        "preview_s": preview,
        "commit_s": commit,
        "write_s": spent[0],
        "check_s": commit - spent[0],
    }


def step_floor(count):
    from django.db import models, transaction

    from areas.models import Area
    from enterprises.models import Enterprise

    communities = {a.name: a for a in Area.objects.filter(level=Area.Level.COMMUNITY)}
    objects = []
    for n in range(100_000, 100_000 + count):
        row = ledger_row(n)
        objects.append(
            Enterprise(
                name=row["企业名称"],
                uscc=row["统一社会信用代码"],
                community=communities[row["所属社区"]],
                industry="C",
                employees=row["从业人数"],
                contact_name=row["联系人"],
                contact_phone=row["联系电话"],
                tracked_since=row["纳入管理日期"],
            )
        )
    start = time.perf_counter()
    with transaction.atomic():
        models.QuerySet(Enterprise).bulk_create(objects, batch_size=1000)  # no audit
        elapsed = time.perf_counter() - start
        transaction.set_rollback(True)
    return {"rows": count, "floor_s": elapsed}


def step_export():
    from django.test import Client

    from accounts.models import User
    from enterprises.models import Enterprise

    client = Client()
    client.force_login(User.objects.get(username="bench_admin"))
    result = {"enterprises": Enterprise.objects.count()}
    for fmt in ("xlsx", "csv"):
        start = time.perf_counter()
        response = client.get(f"/ledger/export/enterprises.{fmt}")
        size = sum(len(chunk) for chunk in response.streaming_content)
        result[f"{fmt}_s"] = time.perf_counter() - start
        result[f"{fmt}_mb"] = size / 1024 / 1024
        assert response.status_code == 200
    return result


def run_step(args):
    setup()
    from django.conf import settings

    settings.DEBUG = False  # as in production: the SQL of each query is not kept in memory
    name = args[0]
    if name == "import":
        result = step_import(args[1])
    elif name == "floor":
        result = step_floor(int(args[1]))
    else:
        result = step_export()
    result["peak_mb"] = peak_mb()
    print("RESULT " + json.dumps(result))


def vacuum():
    """What autovacuum does within a minute of a large write on a live database: fresh
    statistics, and the GIN (trigram) indexes' pending lists merged. Without it the
    enterprise lookups of the next import can take a second each on a just-flushed
    database (the planner picks a trigram index whose pending list holds every row just
    written)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    connection.close()


def spawn(*args):
    out = subprocess.run(
        [sys.executable, __file__, "--step", *args], capture_output=True, text=True, check=False
    )
    for line in out.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[7:])
    sys.exit(f"step {args} failed:\n{out.stdout}\n{out.stderr}")


def main(quick=False):
    setup()
    from django.conf import settings
    from django.db import connection

    name = connection.settings_dict["NAME"]
    if not any(word in str(name) for word in ("import", "ledger")):
        sys.exit(f"Refusing to flush database {name!r}: use a database named like pm_ledger.")
    print(f"machine: {machine()}")
    print(f"database: {connection.vendor} {name}")
    with open("/proc/loadavg") as load:
        print(f"load average before: {load.read().split()[0]}")
    connection.close()
    WORK.mkdir(exist_ok=True)
    small, large, full = (WORK / f"ledger-{n}.xlsx" for n in ("10k", "50k", "100k"))
    start = time.perf_counter()
    if not small.exists():
        write_ledger(small, range(10_000))
    if not large.exists():
        write_ledger(large, range(50_000), changed=lambda n: n < 10_000 and n % 2 == 0)
    if not quick and not full.exists():
        write_ledger(full, range(200_000, 300_000))
    print(f"generated the files in {time.perf_counter() - start:.1f} s (kept in {WORK})")
    reset()
    connection.close()

    print(f"\n{'step':34} {'rows':>7} {'seconds':>8} {'rows/s':>8} {'peak MB':>8}")

    def line(label, rows, seconds, peak):
        print(f"{label:34} {rows:7d} {seconds:8.2f} {rows / seconds:8.0f} {peak:8.0f}")

    def detail(r):
        print(
            f"{'':34} of which write {r['write_s']:.2f} s, check (and the transaction's"
            f" commit) {r['check_s']:.2f} s"
        )
        print(f"{'':34} created {r['created']}, updated {r['updated']}, unchanged {r['unchanged']}")
        print(f"{'':34} records written {r['records']} (each with its audit row)")

    results = {}
    vacuum()
    r = results["10k"] = spawn("import", str(small))
    line("10k preview (parse+plan+store)", r["rows"], r["preview_s"], r["peak_mb"])
    line("10k commit (check+write)", r["rows"], r["commit_s"], r["peak_mb"])
    detail(r)
    vacuum()
    r = results["50k"] = spawn("import", str(large))
    line("50k preview (parse+plan+store)", r["rows"], r["preview_s"], r["peak_mb"])
    line("50k commit (check+write)", r["rows"], r["commit_s"], r["peak_mb"])
    line("50k preview + commit", r["rows"], r["preview_s"] + r["commit_s"], r["peak_mb"])
    detail(r)
    vacuum()
    f = spawn("floor", "50000")
    line("floor: plain bulk_create, 50k", f["rows"], f["floor_s"], f["peak_mb"])
    floor = f["rows"] / f["floor_s"]
    if not quick:
        vacuum()
        r = results["100k"] = spawn("import", str(full))
        line("100k preview (parse+plan+store)", r["rows"], r["preview_s"], r["peak_mb"])
        line("100k commit (check+write)", r["rows"], r["commit_s"], r["peak_mb"])
        detail(r)
        e = spawn("export")
        line("export enterprises .xlsx", e["enterprises"], e["xlsx_s"], e["peak_mb"])
        line("export enterprises .csv", e["enterprises"], e["csv_s"], e["peak_mb"])
        print(f"{'':34} xlsx {e['xlsx_mb']:.1f} MB, csv {e['csv_mb']:.1f} MB")
    print("\ntargets (issue 12 #4, issue 14):")
    for key in ("10k", "50k"):
        rate = results[key]["rows"] / results[key]["commit_s"]
        print(
            f"  {key} commit {rate:,.0f} rows/s (target >= 5,000): "
            f"{'met' if rate >= 5000 else 'NOT met'}; {rate / floor:.2f} x the floor "
            f"{floor:,.0f} rows/s (target >= 0.4): {'met' if rate / floor >= 0.4 else 'NOT met'}"
        )
    budget = settings.IMPORT_BUDGET_MB
    for key in results:
        peak = results[key]["peak_mb"]
        verdict = "met" if peak <= budget else "NOT met"
        print(f"  {key} peak {peak:.0f} MB (budget {budget} MB): {verdict}")
    with open("/proc/loadavg") as load:
        print(f"load average after: {load.read().split()[0]}")


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--step":
        run_step(sys.argv[2:])
    else:
        main(quick="--quick" in sys.argv)
