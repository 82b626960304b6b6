"""The dashboard's figures read the stored state (enterprises/state.py); they equal the
rules of coverage.py evaluated over the dated records (``figures.enterprise_rows`` and
``figures.state_band_counts``, the rules' own querysets), for every area and day."""

import datetime as dt

import pytest

from areas.models import Area
from enterprises.dashboard import figures

from .conftest import PAST, TODAY


def from_rules(area, day):
    """The snapshot's figures folded in Python from the rules' per-enterprise rows."""
    total, by_dim = figures.Tally(), {dim: {} for dim in figures.DIMENSIONS}
    for row in figures.enterprise_rows(area, day):
        sums = [row[f"m_{name}"] for name in figures.MEMBER_FIELDS]
        mass = [1 if row[f"x_{kind}"] else 0 for kind in figures.MASS_KINDS]
        args = (row["state"], row["band"], 1, sums, row["m_prev"], mass)
        total.add(*args)
        for dim in figures.DIMENSIONS:
            by_dim[dim].setdefault(row[f"d_{dim}"], figures.Tally()).add(*args)
    return total, by_dim


def trend_from_rules(area, day):
    tally = figures.Tally()
    for row in figures.state_band_counts(area, day):
        tally.add(row["state"], row["band"], row["n"])
    return tally


@pytest.mark.parametrize("day", [TODAY, PAST, dt.date(TODAY.year - 1, 6, 30)])
def test_the_snapshot_equals_the_rules(dataset, day):
    for area in Area.objects.all():
        snap, _ = figures.compute(area, day)
        total, by_dim = from_rules(area, day)
        assert snap.total == total, area
        for dim in figures.DIMENSIONS:
            assert snap.rows[dim] == by_dim[dim], (area, dim)
        assert snap.total.operating > 0 or area.level == Area.Level.COMMUNITY


@pytest.mark.parametrize("consecutive", [True, False], ids=["month-ends", "any-days"])
def test_the_trend_equals_the_rules(dataset, district, jiaonan, consecutive):
    points = figures.trend_days(TODAY)[:-1]
    if not consecutive:  # any sorted days: the CASE form instead of month arithmetic
        points = [points[0], PAST - dt.timedelta(days=3), PAST, TODAY - dt.timedelta(days=1)]
    for area in (district, jiaonan):
        snap, computed = figures.compute(area, TODAY, trend=points)
        assert list(computed) == [*sorted(points), TODAY]
        for point in points:
            assert computed[point] == trend_from_rules(area, point), point
        assert computed[TODAY] is snap.total


def test_figures_of_a_past_day_with_its_trend(dataset, district):
    day = dt.date(TODAY.year - 1, 6, 30)
    points = figures.trend_days(day)[:-1]
    _, computed = figures.compute(district, day, snapshot=False, trend=points)
    for point in (points[0], points[11], points[-1]):
        assert computed[point] == trend_from_rules(district, point)
