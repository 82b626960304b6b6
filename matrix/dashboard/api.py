"""The JSON summary (docs/API.md): the same figures as the page, from the same cache."""

from areas.models import Area

from . import figures


def _coverage(tally):
    return {
        key: {"count": tally.count(key), "rate": tally.rate(key)} for key in figures.COVERAGE_KEYS
    }


def _bands(tally):
    return {band: tally.bands[band] for band in figures.BANDS}


def summary(area, day, snapshot, areas):
    total = snapshot.total
    communities = sorted(
        (a for a in areas if a.level == Area.Level.COMMUNITY and area.contains(a)),
        key=lambda a: (a.parent.name, a.name),
    )
    by_community = []
    for community in communities:
        tally = snapshot.rows["community"].get(community.pk, figures.Tally())
        by_community.append(
            {
                "id": community.pk,
                "name": community.name,
                "street": community.parent.name,
                "operating": tally.operating,
                "coverage": _coverage(tally),
                "member_bands": _bands(tally),
                "should_form": tally.should_form,
            }
        )
    return {
        "as_of": day.isoformat(),
        "area": {"id": area.pk, "level": area.level, "name": area.name},
        "operating": total.operating,
        "coverage": _coverage(total),
        "members": dict(total.members),
        "member_bands": _bands(total),
        "should_form": total.should_form,
        "mass_orgs": dict(total.mass),
        "organizations_formed_this_year": snapshot.organizations_formed,
        "members_added_this_year": total.members_added,
        "by_community": by_community,
    }
