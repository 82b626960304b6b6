"""The invariants of METRICS.md on the generated data set, straight from the computation."""

import datetime as dt

import pytest

from areas.models import Area
from enterprises import alerts, coverage
from enterprises.dashboard import figures
from enterprises.models import Enterprise
from tests.factories import CommunityFactory

from .conftest import PAST, TODAY, area_rows


def snapshot(area, day):
    snap, _ = figures.compute(area, day)
    return snap


@pytest.mark.parametrize("day", [TODAY, PAST])
def test_partition_adds_up_to_operating(dataset, day):
    for area in Area.objects.all():
        total = snapshot(area, day).total
        assert sum(total.states.values()) == total.operating
        assert sum(total.bands.values()) == total.operating
        assert total.count("organization") == sum(
            total.states[s] for s in coverage.ORGANIZATION_STATES
        )
        assert total.count("work") == total.count("organization") + total.states["work_only"]
        assert total.count("work") + total.states["uncovered"] == total.operating


def test_the_data_set_has_every_state_and_band(dataset, district):
    total = snapshot(district, TODAY).total
    assert all(total.states[s] > 0 for s in coverage.STATES)
    assert all(total.bands[b] > 0 for b in coverage.BANDS)
    assert total.should_form > 0 and all(total.mass.values())


@pytest.mark.parametrize("day", [TODAY, PAST])
def test_parent_equals_sum_of_children(dataset, district, day):
    district_tally = snapshot(district, day).total
    streets = Area.objects.filter(parent=district)
    streets_sum = figures.Tally()
    for street in streets:
        street_tally = snapshot(street, day).total
        communities_sum = figures.Tally()
        for community in street.children.all():
            communities_sum.merge(snapshot(community, day).total)
        assert area_rows(street_tally) == area_rows(communities_sum)
        streets_sum.merge(street_tally)
    assert area_rows(district_tally) == area_rows(streets_sum)
    # The breakdown rows of one computation add up to its total too.
    snap = snapshot(district, day)
    for dim in figures.DIMENSIONS:
        rows_sum = figures.Tally()
        for tally in snap.rows[dim].values():
            rows_sum.merge(tally)
        assert area_rows(rows_sum) == area_rows(snap.total), dim


@pytest.mark.parametrize("day", [TODAY, PAST])
def test_figures_match_the_coverage_module_enterprise_by_enterprise(dataset, district, day):
    """The single-statement computation agrees with coverage.annotate_coverage (the list's)."""
    rows = list(
        coverage.annotate_coverage(Enterprise.objects.operating_on(day).in_area(district), day)
    )
    total = snapshot(district, day).total
    assert total.operating == len(rows)
    for state in coverage.STATES:
        assert total.states[state] == sum(r.coverage_state == state for r in rows)
    for band in coverage.BANDS:
        assert total.bands[band] == sum(r.member_band == band for r in rows)
    for name in coverage.MEMBER_FIELDS:
        assert total.members[name] == sum(getattr(r, name) or 0 for r in rows)
    assert (
        total.should_form == alerts.should_form(Enterprise.objects.in_area(district), day).count()
    )


def test_dated_changes_show_between_past_and_today(dataset, district):
    past, today = snapshot(district, PAST).total, snapshot(district, TODAY).total
    # Per community: +1 tracked today, −1 closed today.
    assert today.operating == past.operating
    assert today.states["standalone"] == past.states["standalone"]  # +1 formed, −1 closed
    assert today.states["joint"] == past.states["joint"] - 3  # one coverage ended per community
    assert today.bands["many"] == past.bands["many"] + 3  # 2 → 4 members in each community
    assert snapshot(district, TODAY).organizations_formed == 3
    assert snapshot(district, PAST).organizations_formed == 0


def test_members_added_this_year(dataset, district):
    total = snapshot(district, TODAY).total
    # Per community: +2 (5→7), +2 (2→4), +3 (6 vs 3), +2 (new enterprise, none before).
    assert total.members_added == 3 * (2 + 2 + 3 + 2)
    assert total.members_added == total.members["formal"] - total.formal_year_start


def test_rates_are_null_without_operating_enterprises(areas, jiaonan):
    empty = CommunityFactory(name="空社区", parent=jiaonan)
    total = snapshot(empty, TODAY).total
    assert total.operating == 0
    assert all(total.rate(key) is None for key in figures.COVERAGE_KEYS)


def test_trend_points_are_the_figures_at_each_month_end(dataset, district):
    points = figures.trend_days(TODAY)
    assert len(points) == 24 and points[-1] == TODAY
    assert all(a < b for a, b in zip(points, points[1:], strict=False))
    assert all((p + dt.timedelta(days=1)).day == 1 for p in points[:-1])
    sample = [points[0], points[-2]]
    _, computed = figures.compute(district, TODAY, snapshot=False, trend=sample)
    for point in sample:
        assert area_rows(computed[point])["states"] == snapshot(district, point).total.states
        assert computed[point].bands == snapshot(district, point).total.bands


def test_month_end_arithmetic():
    assert figures.month_end(2024, 2) == dt.date(2024, 2, 29)
    assert figures.month_end(2025, 12) == dt.date(2025, 12, 31)
    assert figures.trend_days(dt.date(2025, 3, 15))[:2] == [
        dt.date(2023, 4, 30),
        dt.date(2023, 5, 31),
    ]
