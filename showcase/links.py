"""Drill-down links of the 点 panel: each count opens its list with exactly its rows.

The lists' filters (``showcase/filters.py``) call the drill-down querysets of
``figures.py`` with the same parameters (``area``, ``as_of`` and the figure's own), so a
count and the number of rows its link shows cannot disagree (tests/showcase/test_pages.py
follows every link of the panel).
"""

from django.urls import reverse
from django.utils.http import urlencode


def _link(name, area, day, **params):
    query = {"area": area.pk, "as_of": day.isoformat(), **params}
    return f"{reverse(name)}?{urlencode(query)}"


def sites(area, day, **params):
    """Sites: ``status`` (``recognised`` = named or reviewed), ``batch``, ``level``,
    ``stars``."""
    return _link("showcase:site_list", area, day, **params)


def topics(area, day, **params):
    """Topics posted ≤ day: ``state`` at day, ``due`` (due ≤ day), ``overdue``."""
    return _link("showcase:topic_list", area, day, **params)


def teams(area, day):
    """Task teams that claimed a topic of the area posted ≤ day."""
    return _link("showcase:team_list", area, day, engaged="1")


def branches(area, day):
    """Party organisations that claimed a topic of the area posted ≤ day."""
    return _link("showcase:branch_list", area, day)


def deeds(area, day):
    return _link("showcase:deed_list", area, day, this_year="1")


def cases(area, day):
    return _link("showcase:case_list", area, day, this_year="1")


def mentored(area, day):
    return _link("showcase:mentored_list", area, day)
