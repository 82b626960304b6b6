"""python manage.py import_enterprises PATH [--dry-run] [--user USERNAME]"""

import io

import pytest
from django.core.management import CommandError, call_command

from audit.models import Event
from enterprises.models import Enterprise

from .conftest import bad_check, code, csv_bytes, row, table, xlsx_bytes


def run(*args):
    out = io.StringIO()
    call_command("import_enterprises", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


@pytest.fixture
def good_file(tmp_path):
    path = tmp_path / "台账.xlsx"
    path.write_bytes(xlsx_bytes(table([row(1), row(2)])))
    return path


def test_imports_and_prints_the_summary(staff, shuicheng, good_file):
    output = run(str(good_file), "--user", staff.username)
    assert output.startswith("created 2, updated 0, unchanged 0, errors 0")
    assert Enterprise.objects.count() == 2
    event = Event.objects.get(kind=Event.Kind.IMPORT)
    assert event.actor == staff and event.detail["file"] == "台账.xlsx"
    again = run(str(good_file), "--user", staff.username)
    assert again.startswith("created 0, updated 0, unchanged 2, errors 0")


def test_dry_run_writes_nothing(staff, shuicheng, good_file):
    output = run(str(good_file), "--user", staff.username, "--dry-run")
    assert "created 2, updated 0, unchanged 0, errors 0" in output and "dry run" in output
    assert not Enterprise.objects.exists()
    assert not Event.objects.filter(kind=Event.Kind.IMPORT).exists()


def test_errors_are_listed_by_row_and_column_and_nothing_is_written(staff, shuicheng, tmp_path):
    path = tmp_path / "台账.csv"
    path.write_bytes(
        csv_bytes(
            table(
                [
                    row(1),
                    row(2, uscc=bad_check(code(2))),
                    row(3, formal=-1, return_date="2024-01-01"),
                ]
            )
        )
    )
    out = io.StringIO()
    with pytest.raises(CommandError) as info:
        call_command("import_enterprises", str(path), "--user", staff.username, stdout=out)
    assert info.value.returncode == 1
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("row 3, column 统一社会信用代码: ")
    assert lines[1].startswith("row 4, column 正式党员: ")
    assert lines[-1] == "created 1, updated 0, unchanged 0, errors 2"
    assert not Enterprise.objects.exists()


def test_the_default_user_is_an_administrator(admin_user, shuicheng, good_file):
    run(str(good_file))
    assert Event.objects.get(kind=Event.Kind.IMPORT).actor == admin_user


def test_a_leader_may_not_import(leader, shuicheng, good_file):
    with pytest.raises(CommandError) as info:
        run(str(good_file), "--user", leader.username)
    assert info.value.returncode == 2
    assert not Enterprise.objects.exists()


def test_an_unreadable_file(staff, tmp_path):
    path = tmp_path / "notes.txt"
    path.write_bytes(b"\x00\x01\x02 binary")
    with pytest.raises(CommandError) as info:
        run(str(path), "--user", staff.username)
    assert info.value.returncode == 2
    with pytest.raises(CommandError):
        run(str(tmp_path / "missing.xlsx"), "--user", staff.username)


class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_a_progress_line_on_a_terminal(staff, shuicheng, good_file):
    err = Terminal()
    call_command(
        "import_ledger",
        "enterprises",
        str(good_file),
        "--user",
        staff.username,
        stdout=io.StringIO(),
        stderr=err,
    )
    text = err.getvalue()
    assert "\r  checking 2/2 100%" in text and "\r  written 2/2 100%" in text
