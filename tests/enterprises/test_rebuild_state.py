"""``manage.py rebuild_state [--check]``, and the demo seed leaving the state correct."""

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command

from enterprises import state
from enterprises.models import Enterprise, EnterpriseState
from tests.factories import (
    CoverageFactory,
    EnterpriseFactory,
    MembershipReturnFactory,
)

pytestmark = pytest.mark.django_db

D = dt.date


def run(*args):
    out = io.StringIO()
    call_command("rebuild_state", *args, stdout=out)
    return out.getvalue()


def table():
    rows = EnterpriseState.objects.order_by("enterprise_id", "start")
    return list(rows.values_list("enterprise_id", *state.ROW_FIELDS, "pk"))


@pytest.fixture
def enterprises(shuicheng):
    a = EnterpriseFactory(community=shuicheng, name="甲公司", tracked_since=D(2023, 1, 1))
    CoverageFactory(enterprise=a, organization__established_on=D(2023, 3, 1))
    MembershipReturnFactory(enterprise=a, reported_on=D(2023, 6, 1), formal=4)
    b = EnterpriseFactory(community=shuicheng, name="乙公司", tracked_since=D(2023, 1, 1))
    return a, b


def test_check_is_clean_when_the_state_is_kept(enterprises):
    assert "matches the rules" in run("--check")


def test_check_reports_drift_exits_non_zero_and_changes_nothing(enterprises):
    a, b = enterprises
    # Writes that bypass the keeping (plain querysets, as raw SQL would).
    EnterpriseState.objects.filter(enterprise=a, start=D(2023, 6, 1)).update(formal=99)
    EnterpriseState.objects.filter(enterprise=b).delete()
    before = table()
    with pytest.raises(CommandError) as error:
        run("--check")
    assert error.value.returncode == 1
    assert "2 of 2 enterprises differs" in str(error.value)
    assert table() == before  # --check wrote nothing
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("rebuild_state", "--check", stdout=out)
    report = out.getvalue()
    assert f"Enterprise {a.pk} 甲公司:" in report
    assert "unexpected  [2023-06-01, …) operating standalone many members 99/0/0/0/0" in report
    assert "missing     [2023-06-01, …) operating standalone many members 4/0/0/0/0" in report
    assert f"Enterprise {b.pk} 乙公司:\n  missing     [2023-01-01, …) operating uncovered" in report
    run()  # leave the state as the rules say (every test ends with a drift check)


def test_rebuild_fixes_the_drift(enterprises):
    a, b = enterprises
    kept = table()
    EnterpriseState.objects.filter(enterprise=a).update(coverage_state="joint")
    EnterpriseState.objects.filter(enterprise=b).delete()
    assert "2 differed" in run()
    assert "matches the rules" in run("--check")
    assert [row[:-1] for row in table()] == [row[:-1] for row in kept]  # pk aside
    assert "0 differed, +0 / −0 intervals" in run()  # a second rebuild has nothing to do


def test_rebuild_removes_intervals_of_enterprises_that_no_longer_exist(enterprises):
    a, b = enterprises
    # An enterprise removed behind the keeping's back (raw SQL): its intervals remain.
    Enterprise._base_manager.filter(pk=b.pk)._raw_delete(Enterprise.objects.db)
    with pytest.raises(CommandError, match="differs"):
        run("--check")
    run()
    assert not EnterpriseState.objects.filter(enterprise_id=b.pk).exists()
    assert "matches the rules" in run("--check")


def test_demo_seed_leaves_the_state_correct(areas):
    """The synthetic enterprises bypass the keeping; the seed rebuilds at its end: after
    ``seed_demo --scale 2000``, and after ``seed_demo`` tops it up to the demo size."""
    call_command("seed_demo", scale=2000, stdout=io.StringIO())
    assert Enterprise.objects.count() == 2000
    assert "matches the rules" in run("--check")
    call_command("seed_demo", stdout=io.StringIO())
    assert Enterprise.objects.count() > 3000
    assert "matches the rules" in run("--check")
    assert EnterpriseState.objects.values("enterprise").distinct().count() == (
        Enterprise.objects.count()
    )
