"""Star rating (评星定级): rubric editions, score bounds, the arithmetic in Decimal, veto,
thresholds, and the history of stars going up and down."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from showcase import selectors, services
from showcase.models import Rating, Rubric, RubricIndicator
from tests.factories import (
    DemonstrationSiteFactory,
    PartyOrganizationFactory,
    RubricDimensionFactory,
    RubricFactory,
    RubricIndicatorFactory,
    RubricVetoFactory,
    published_rubric,
)

pytestmark = pytest.mark.django_db

D = Decimal


def indicators(rubric):
    return list(RubricIndicator.objects.filter(dimension__rubric=rubric).order_by("pk"))


def rate(rubric, site, year, reviewer, self_scores=None, vetoes=(), on=None):
    rating = Rating(rubric=rubric, site=site, year=year)
    items = indicators(rubric)
    self_scores = self_scores or [None] * len(items)
    scores = {i: (s, r) for i, s, r in zip(items, self_scores, reviewer, strict=True)}
    return services.rating_record(
        rating=rating, scores=scores, vetoes=vetoes, rated_on=on or dt.date(year, 12, 1)
    )


@pytest.fixture
def rubric():
    """100 points: indicators of 30, 30, 25 and 15; two veto items; 90/80/70/60/50."""
    return published_rubric(points=(D("30"), D("30"), D("25"), D("15")), vetoes=2)


@pytest.fixture
def site(shuicheng):
    return DemonstrationSiteFactory()


@pytest.mark.parametrize(
    "scores, total, stars",
    [
        (["30", "30", "25", "15"], "100.00", 5),
        (["27", "27", "22.5", "13.5"], "90.00", 5),  # exactly on the line: 5 stars
        (["27", "27", "22.5", "13.49"], "89.99", 4),
        (["24", "24", "20", "12"], "80.00", 4),
        (["21", "21", "17.5", "10.5"], "70.00", 3),
        (["18", "18", "15", "9"], "60.00", 2),
        (["15", "15", "12.5", "7.5"], "50.00", 1),
        (["15", "15", "12.5", "7.49"], "49.99", 0),  # below the 1-star line: no star
        (["0", "0", "0", "0"], "0.00", 0),
    ],
)
def test_stars_from_the_thresholds(rubric, site, scores, total, stars):
    rating = rate(rubric, site, 2024, scores)
    assert rating.total == D(total) and rating.percent == D(total)
    assert rating.stars == stars and rating.status == Rating.Status.FINAL
    assert not rating.vetoed and rating.result_note


def test_decimal_arithmetic_has_no_float_error(shuicheng):
    rubric = published_rubric(points=(D("0.1"), D("0.2"), D("99.7")), vetoes=0)
    rating = rate(rubric, DemonstrationSiteFactory(), 2024, ["0.1", "0.2", "89.7"])
    assert rating.total == D("90.00") and rating.stars == 5  # 0.1 + 0.2 is 0.3 here


def test_percent_of_a_rubric_that_is_not_100_points(shuicheng):
    rubric = published_rubric(points=(D("120"), D("80")), vetoes=0)
    rating = rate(rubric, DemonstrationSiteFactory(), 2024, ["100", "62"])
    assert rating.total == D("162.00") and rating.percent == D("81.00") and rating.stars == 4


def test_thresholds_are_configurable(shuicheng):
    rubric = published_rubric(
        points=(D("100"),),
        vetoes=0,
        five_star=D("85"),
        four_star=D("75"),
        three_star=D("65"),
        two_star=D("55"),
        one_star=D("45"),
    )
    assert rate(rubric, DemonstrationSiteFactory(), 2024, ["86"]).stars == 5
    assert rate(rubric, DemonstrationSiteFactory(), 2024, ["46"]).stars == 1


def test_a_veto_means_no_star_and_says_why(rubric, site):
    veto = rubric.vetoes.first()
    rating = rate(rubric, site, 2024, ["30", "30", "25", "15"], vetoes={veto: "发生重大安全事故"})
    assert rating.total == D("100.00") and rating.stars == 0 and rating.vetoed
    assert veto.description in rating.result_note
    assert rating.veto_findings.get().note == "发生重大安全事故"


def test_self_scores_are_kept_beside_reviewer_scores(rubric, site):
    rating = rate(
        rubric, site, 2024, ["20", "20", "20", "10"], self_scores=["30", "28", "25", "15"]
    )
    assert rating.self_total == D("98.00") and rating.total == D("70.00")
    assert rating.stars == 3  # the reviewers' points decide


def test_scores_are_bounded_by_the_indicator(rubric, site):
    items = indicators(rubric)
    for bad in ("30.01", "-1"):
        with pytest.raises(ValidationError) as info:
            services.rating_record(
                rating=Rating(rubric=rubric, site=site, year=2024),
                scores={items[0]: (None, bad), **dict.fromkeys(items[1:], (None, "1"))},
                rated_on=dt.date(2024, 12, 1),
            )
        assert items[0].name in info.value.messages[0]
    with pytest.raises(ValidationError):  # a self-score too
        services.rating_record(
            rating=Rating(rubric=rubric, site=site, year=2024),
            scores={items[0]: ("31", "1"), **dict.fromkeys(items[1:], (None, "1"))},
            rated_on=dt.date(2024, 12, 1),
        )
    assert not Rating.objects.exists()


def test_a_decided_rating_scores_every_indicator(rubric, site):
    items = indicators(rubric)
    with pytest.raises(ValidationError) as info:
        services.rating_record(
            rating=Rating(rubric=rubric, site=site, year=2024),
            scores={items[0]: (None, "10")},
            rated_on=dt.date(2024, 12, 1),
        )
    assert items[1].name in info.value.messages[0]
    draft = services.rating_record(
        rating=Rating(rubric=rubric, site=site, year=2024),
        scores={items[0]: ("25", "10")},
        final=False,
    )
    assert draft.status == Rating.Status.DRAFT and draft.stars is None
    assert draft.self_total == D("25.00")
    final = services.rating_record(
        rating=draft,
        scores={items[1]: (None, "20"), items[2]: (None, "20"), items[3]: (None, "10")},
        rated_on=dt.date(2024, 12, 1),
    )
    assert final.total == D("60.00") and final.stars == 2 and final.scores.count() == 4


def test_only_a_published_rubric_rates_and_it_is_then_frozen(site):
    draft = RubricFactory()
    indicator = RubricIndicatorFactory(dimension=RubricDimensionFactory(rubric=draft))
    with pytest.raises(ValidationError):
        services.rating_record(
            rating=Rating(rubric=draft, site=site, year=2024), scores={indicator: (None, "5")}
        )
    services.rubric_publish(rubric=draft)
    indicator.max_points = D("20")
    with pytest.raises(ValidationError):
        indicator.save()
    with pytest.raises(ValidationError):
        RubricIndicatorFactory(dimension=indicator.dimension)
    with pytest.raises(ValidationError):
        RubricVetoFactory(rubric=draft)
    with pytest.raises(ValidationError):
        indicator.delete()
    draft.five_star = D("95")
    with pytest.raises(ValidationError):
        draft.full_clean()


def test_a_new_edition_keeps_old_ratings_on_their_rubric(rubric, site):
    old = rate(rubric, site, 2022, ["30", "30", "25", "15"])
    edition = services.rubric_new_edition(rubric=rubric)
    assert edition.edition == 2 and not edition.is_published
    assert [i.max_points for i in indicators(edition)] == [i.max_points for i in indicators(rubric)]
    assert edition.vetoes.count() == 2
    changed = indicators(edition)[0]
    changed.max_points = D("40")
    changed.save()  # a draft edition can change
    services.rubric_publish(rubric=edition)
    new = rate(edition, site, 2024, ["40", "30", "25", "15"])
    old.refresh_from_db()
    assert old.rubric == rubric and old.stars == 5 and old.total == D("100.00")
    assert new.rubric == edition and new.percent == D("100.00")
    assert rubric.total_points() == D("100") and edition.total_points() == D("110")


def test_thresholds_must_descend():
    rubric = Rubric(name="x", four_star=D("95"))
    with pytest.raises(ValidationError) as info:
        rubric.full_clean()
    assert "five_star" in info.value.message_dict


def test_a_rating_is_of_a_site_or_an_organisation(rubric, site, shuicheng):
    organization = PartyOrganizationFactory(area=shuicheng)
    with pytest.raises(ValidationError):
        Rating(rubric=rubric, site=site, organization=organization, year=2024).full_clean()
    with pytest.raises(ValidationError):
        Rating(rubric=rubric, year=2024).full_clean()
    rated = rate_organization(rubric, organization)
    assert rated.stars == 4 and rated.subject == organization
    with pytest.raises(IntegrityError), transaction.atomic():
        Rating.objects.create(rubric=rubric, site=site, organization=organization, year=2025)


def rate_organization(rubric, organization):
    items = indicators(rubric)
    return services.rating_record(
        rating=Rating(rubric=rubric, organization=organization, year=2024),
        scores={i: (None, i.max_points * D("0.8")) for i in items},
        rated_on=dt.date(2024, 12, 1),
    )


def test_a_rubric_for_sites_does_not_rate_organisations(shuicheng):
    rubric = published_rubric(subject=Rubric.Subject.SITE)
    organization = PartyOrganizationFactory(area=shuicheng)
    with pytest.raises(ValidationError) as info:
        Rating(rubric=rubric, organization=organization, year=2024).full_clean()
    assert "rubric" in info.value.message_dict


def test_one_rating_per_site_and_year(rubric, site):
    rate(rubric, site, 2024, ["30", "30", "25", "15"])
    with pytest.raises(ValidationError):
        Rating(rubric=rubric, site=site, year=2024).full_clean()


def test_stars_go_up_and_down_and_the_history_shows_it(rubric, site):
    rate(rubric, site, 2018, ["21", "21", "17.5", "10.5"])  # 3
    rate(rubric, site, 2020, ["27", "27", "22.5", "13.5"])  # 5
    rate(rubric, site, 2022, ["24", "24", "20", "12"])  # 4
    rate(rubric, site, 2024, ["24", "24", "20", "12"])  # 4
    rate(rubric, site, 2025, ["30", "30", "25", "15"], vetoes=[rubric.vetoes.first()])  # 0
    history = selectors.star_history(site=site)
    assert [(h.stars, h.change, h.delta) for h in history] == [
        (3, "first", None),
        (5, "up", 2),
        (4, "down", -1),
        (4, "same", 0),
        (0, "down", -4),
    ]
    assert [h.rating.year for h in history] == [2018, 2020, 2022, 2024, 2025]


def test_a_scored_rating_keeps_its_rubric(rubric, site):
    rating = rate(rubric, site, 2024, ["30", "30", "25", "15"])
    rating.rubric = published_rubric()
    with pytest.raises(ValidationError) as info:
        rating.full_clean()
    assert "rubric" in info.value.message_dict
