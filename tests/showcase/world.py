"""A hand-checked 点 data set in every community of the demo tree (used by
test_figures.py and test_panel.py through the ``data`` fixture, see conftest.py), and
``flat``: every count of the figures as {path: number}."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from showcase import services
from showcase.models import Rating, RubricIndicator, SiteLevel, TaskTeam, TopicState
from tests.factories import (
    DemonstrationSiteFactory,
    EnterpriseFactory,
    MentoringFactory,
    PartyOrganizationFactory,
    PioneerDeedFactory,
    SiteBatchFactory,
    TaskTeamFactory,
    TeachingCaseFactory,
    TopicFactory,
    published_rubric,
)

from .conftest import covered_enterprise

TODAY = timezone.localdate()
D1 = dt.date(2023, 6, 30)
D2 = dt.date(2024, 12, 31)
T = TopicState
d = dt.date


def make_site(community, batch, level, named=None, reviewed=None, revoked=None, since=None):
    site = DemonstrationSiteFactory(
        enterprise=covered_enterprise(community),
        batch=batch,
        level=level,
        since=since or d(2021, 1, 1),
    )
    if named:
        services.site_name(site=site, on=named)
    if reviewed:
        services.site_review(site=site, on=reviewed)
    if revoked:
        services.site_revoke(site=site, on=revoked, reason="党组织撤销")
    return site


def rate(rubric, site, year, percent, on, veto=False):
    items = RubricIndicator.objects.filter(dimension__rubric=rubric)
    scores = {i: (None, i.max_points * Decimal(percent) / 100) for i in items}
    return services.rating_record(
        rating=Rating(rubric=rubric, site=site, year=year),
        scores=scores,
        vetoes=[rubric.vetoes.first()] if veto else [],
        rated_on=on,
    )


def topic(enterprise, posted, due, steps=(), **fields):
    """A topic posted on ``posted`` and moved through ``steps``: (state, day, claimer)."""
    t = TopicFactory(enterprise=enterprise, posted_on=posted, due_on=due, **fields)
    for state, day, *claimer in steps:
        if state == T.CLAIMED:
            who = claimer[0]
            kind = "team" if isinstance(who, TaskTeam) else "branch"
            services.topic_claim(topic=t, on=day, leader_name="带头人", **{kind: who})
        elif state in (T.CLOSED, "failed"):
            services.topic_record_acceptance(
                topic=t, on=day, reviewers=["专家"], measured_value=1, passed=state == T.CLOSED
            )
        else:
            services.topic_transition(topic=t, to=state, on=day, reason="尽职免责")
    return t


@pytest.fixture
def data(jiaonan, hongshiya, shuicheng, zhushan, fulai):
    batch_a = SiteBatchFactory(area=jiaonan, name="首批", year=2022)
    batch_b = SiteBatchFactory(area=jiaonan, name="第二批", year=2023)
    batch_h = SiteBatchFactory(area=hongshiya, name="首批", year=2023)
    s1 = make_site(
        shuicheng, batch_a, SiteLevel.STREET, named=d(2022, 6, 1), reviewed=d(2024, 5, 1)
    )
    s2 = make_site(zhushan, batch_a, SiteLevel.DISTRICT, named=d(2022, 7, 1))
    s3 = make_site(shuicheng, batch_b, SiteLevel.STREET, since=d(2023, 1, 1))
    s4 = make_site(zhushan, batch_a, SiteLevel.STREET, named=d(2022, 8, 1), revoked=d(2024, 3, 1))
    s5 = make_site(fulai, batch_h, SiteLevel.CITY, named=d(2023, 1, 1))

    rubric = published_rubric(points=(Decimal("40"), Decimal("60")), vetoes=1)
    rate(rubric, s1, 2022, 80, d(2022, 12, 1))
    rate(rubric, s1, 2024, 95, d(2024, 12, 1))
    rate(rubric, s2, 2023, 100, d(2023, 11, 1), veto=True)
    rate(rubric, s5, 2023, 70, d(2023, 12, 1))

    b1 = PartyOrganizationFactory(area=shuicheng, name="一支部")
    b2 = PartyOrganizationFactory(area=zhushan, name="二支部")
    b5 = PartyOrganizationFactory(area=fulai, name="五支部")
    k1 = TaskTeamFactory(enterprise=s1.enterprise, branch=b1, name="一队")
    plain = EnterpriseFactory(community=zhushan)
    k2 = TaskTeamFactory(enterprise=plain, branch=b2, name="二队")
    topic(
        s1.enterprise,
        d(2023, 1, 1),
        d(2023, 6, 30),
        [
            (T.PUBLISHED, d(2023, 1, 10)),
            (T.CLAIMED, d(2023, 2, 1), b1),
            (T.IN_PROGRESS, d(2023, 3, 1)),
            (T.CLOSED, d(2023, 6, 15)),
        ],
    )
    topic(
        s1.enterprise,
        d(2023, 2, 1),
        d(2023, 5, 31),
        [
            (T.PUBLISHED, d(2023, 2, 1)),
            (T.CLAIMED, d(2023, 3, 1), k1),
            (T.IN_PROGRESS, d(2023, 4, 1)),
            (T.TOLERATED, d(2024, 1, 15)),
        ],
    )
    topic(
        s2.enterprise,
        d(2023, 3, 1),
        d(2024, 6, 30),
        [
            (T.PUBLISHED, d(2023, 3, 1)),
            (T.CLAIMED, d(2023, 4, 1), b2),
            (T.IN_PROGRESS, d(2023, 5, 1)),
        ],
    )
    topic(s2.enterprise, d(2023, 5, 1), d(2023, 12, 31))  # still collecting
    topic(
        plain,
        d(2024, 1, 1),
        d(2024, 12, 31),
        [(T.PUBLISHED, d(2024, 1, 2)), (T.CLAIMED, d(2024, 2, 1), k2)],
    )
    topic(
        s5.enterprise,
        d(2023, 1, 1),
        d(2023, 12, 31),
        [
            (T.PUBLISHED, d(2023, 1, 1)),
            (T.CLAIMED, d(2023, 2, 1), b5),
            (T.IN_PROGRESS, d(2023, 3, 1)),
            ("failed", d(2023, 11, 1)),
        ],
    )

    PioneerDeedFactory(enterprise=s1.enterprise, recorded_on=TODAY)
    PioneerDeedFactory(enterprise=s2.enterprise, recorded_on=d(TODAY.year - 1, 6, 1))
    PioneerDeedFactory(enterprise=s2.enterprise, recorded_on=d(2024, 3, 1))
    c1 = TeachingCaseFactory(area=shuicheng, recorded_on=d(2024, 1, 1))
    services.case_submit(case=c1)
    services.case_review(case=c1, on=d(2024, 2, 1), reviewer="审核人", approve=True)
    services.case_submit(case=TeachingCaseFactory(area=zhushan, recorded_on=d(2024, 1, 1)))
    c3 = TeachingCaseFactory(area=fulai, recorded_on=d(2024, 1, 1))
    services.case_submit(case=c3)
    services.case_review(case=c3, on=d(2024, 5, 1), reviewer="审核人", approve=True)

    MentoringFactory(site=s1, start=d(2023, 1, 1))
    MentoringFactory(site=s2, start=d(2022, 1, 1), end=d(2024, 1, 1))
    return {"sites": [s1, s2, s3, s4, s5], "batches": [batch_a, batch_b, batch_h]}


def flat(points):
    """Every count of the panel as {path: number}; the rate is recomputed, not summed."""
    out = {}

    def walk(prefix, value):
        if isinstance(value, dict):
            for k, v in value.items():
                walk(f"{prefix}.{k}", v)
        elif isinstance(value, list):  # by_batch
            for row in value:
                out[f"{prefix}.{row['batch']}"] = row["count"]
        elif isinstance(value, int) and not isinstance(value, bool):
            out[prefix] = value

    for key, value in points.items():
        if key != "topic_completion":
            walk(key, value)
    return out
