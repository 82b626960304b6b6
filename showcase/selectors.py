"""Reads that screens share: progress roll-ups, a site's topic board, star history.

Progress (current, not dated: milestones hold their latest percent):
- a topic's progress is the weighted mean of its milestones' percent done
  (Σ weight × percent ÷ Σ weight); a topic closed as done (销号) is 100; a topic without
  milestones is 0;
- a site's, a street's or any set's progress is the mean of its topics' progress over the
  topics under way or done (揭榜, 攻坚中, 验收, 销号): collected or published topics have
  not started, and a tolerated failure (容错关闭) has no result to count. The mean is
  recomputed from the topics, never averaged from averages, so a street's value is its
  topics' mean, not the mean of its sites'.
Arithmetic in Decimal; one query per set.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import F, Sum

from .models import TOPIC_UNDER_WAY, Rating, Topic, TopicState

HUNDRED = Decimal("100")
TENTH = Decimal("0.1")


def progress_value(state, weight, weighted):
    """A topic's progress (Decimal 0–100) from its state and its milestones' sums."""
    if state == TopicState.CLOSED:
        return HUNDRED
    if not weight:
        return Decimal("0")
    return (Decimal(weighted or 0) / Decimal(weight)).quantize(TENTH)


def with_milestone_sums(qs):
    """Topics with ``milestone_weight`` (Σ weight) and ``milestone_weighted``
    (Σ weight × percent): a list page computes each row's progress from them."""
    return qs.annotate(
        milestone_weight=Sum("milestones__weight"),
        milestone_weighted=Sum(F("milestones__weight") * F("milestones__percent_done")),
    )


def topic_progress(topic):
    if getattr(topic, "milestone_weight", None) is not None or hasattr(topic, "milestone_weighted"):
        return progress_value(topic.state, topic.milestone_weight, topic.milestone_weighted)
    sums = topic.milestones.aggregate(
        total_weight=Sum("weight"), total_weighted=Sum(F("weight") * F("percent_done"))
    )
    return progress_value(topic.state, sums["total_weight"], sums["total_weighted"])


@dataclass(frozen=True)
class Progress:
    topics: int  # topics under way or done, the ones averaged
    total: Decimal  # Σ of their progress (so parents add up)
    percent: Decimal | None  # mean progress, None without such topics


def progress_of(topics):
    """The roll-up over a set of topics (a site's, a street's …)."""
    rows = (
        with_milestone_sums(topics.filter(state__in=TOPIC_UNDER_WAY))
        .values("pk", "state", "milestone_weight", "milestone_weighted")
        .order_by()
    )
    values = [
        progress_value(r["state"], r["milestone_weight"], r["milestone_weighted"]) for r in rows
    ]
    total = sum(values, Decimal("0"))
    percent = (total / len(values)).quantize(TENTH) if values else None
    return Progress(len(values), total, percent)


def site_progress(site):
    return progress_of(site.topics.all())


def area_progress(area):
    return progress_of(Topic.objects.in_area(area))


def topic_board(site):
    """A site's topics in columns by state (征集 … 容错关闭), each with its progress.
    One query."""
    columns = {state: [] for state in TopicState}
    topics = with_milestone_sums(site.topics.all()).select_related("claimed_branch", "claimed_team")
    for topic in topics.order_by("due_on", "pk"):
        topic.progress = topic_progress(topic)
        columns[TopicState(topic.state)].append(topic)
    return columns


@dataclass(frozen=True)
class HistoryRow:
    rating: Rating
    stars: int
    previous: int | None
    change: str  # "first", "up", "down", "same"

    @property
    def delta(self):
        return None if self.previous is None else self.stars - self.previous


def star_history(*, site=None, organization=None):
    """The decided ratings of a site or an organisation, oldest first, each marked up /
    down / same against the one before."""
    ratings = Rating.objects.final().filter(rated_on__isnull=False)
    ratings = (
        ratings.filter(site=site) if site is not None else ratings.filter(organization=organization)
    )
    rows, previous = [], None
    for rating in ratings.select_related("rubric").order_by("rated_on", "pk"):
        if previous is None:
            change = "first"
        elif rating.stars > previous:
            change = "up"
        elif rating.stars < previous:
            change = "down"
        else:
            change = "same"
        rows.append(HistoryRow(rating, rating.stars, previous, change))
        previous = rating.stars
    return rows
