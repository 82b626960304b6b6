"""Writes that touch several records or enforce cross-record rules (keyword-only, atomic).

- Sites: ``site_create``, ``site_change_status`` (and ``site_name`` / ``site_review`` /
  ``site_revoke`` / ``site_reincubate``). Naming and review need an active party
  organisation covering the enterprise that day (``enterprises.coverage``'s rule).
- Topics: ``topic_create``, ``topic_transition``, ``topic_claim``,
  ``topic_record_acceptance``, ``milestone_set_progress`` (its rules in ``check_progress``
  and its fields in ``apply_progress``, which the progress sheet shares).
- Ratings: ``rubric_publish``, ``rubric_new_edition``, ``rating_result`` (the arithmetic,
  pure), ``rating_record``.
- Teaching cases: ``case_submit``, ``case_review``.

Every status or state change closes the current change row (``end`` = the new day) and
opens the next, then stores the current status on the record, in one transaction; the
record's row is locked first, so two simultaneous changes cannot both pass.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from core.versioning import save_with_version
from enterprises import coverage
from enterprises.models import Enterprise

from .models import (
    HUNDRED,
    RECOGNISED,
    Acceptance,
    AcceptanceReviewer,
    CaseReview,
    ChecklistItem,
    DemonstrationSite,
    Rating,
    RatingScore,
    RatingVetoFinding,
    Rubric,
    RubricDimension,
    RubricIndicator,
    RubricVeto,
    SiteStatus,
    SiteStatusChange,
    Topic,
    TopicState,
    TopicStateChange,
    quantize,
)


def _day(day):
    return date_format(day, "Y-m-d")


def check_day(on, *, not_before=None):
    """A change's date: given, not in the future, not before the current status began."""
    if on is None:
        raise ValidationError(_("Give the date of the change."))
    if on > timezone.localdate():
        raise ValidationError(_("The date cannot be in the future."))
    if not_before is not None and on < not_before:
        raise ValidationError(
            _("The date cannot be before the current status began (%(day)s).")
            % {"day": _day(not_before)}
        )


def organization_covers(enterprise, day):
    """An active party organisation covers ``enterprise`` at ``day`` (组织覆盖, the rule of
    ``enterprises.coverage``: the coverage link and the organisation both active)."""
    return (
        Enterprise.objects.filter(pk=enterprise.pk)
        .filter(coverage.state_q("organization", day, correlated=True))
        .exists()
    )


# ---------------------------------------------------------------------------
# Sites


@transaction.atomic
def site_create(*, site, since, reason=""):
    """Create a site in incubation (培育) from ``since``, with its six 六有 items."""
    check_day(since)
    site.full_clean()
    site.status, site.status_since, site.review_due = SiteStatus.INCUBATING, since, None
    site.save()
    SiteStatusChange.objects.create(
        site=site, status=SiteStatus.INCUBATING, start=since, reason=reason
    )
    ChecklistItem.objects.bulk_create(
        [ChecklistItem(site=site, item=item) for item in ChecklistItem.Item]
    )
    return site


@transaction.atomic
def site_change_status(*, site, to, on, reason=""):
    """Move ``site`` to status ``to`` on day ``on`` (legal transitions only)."""
    locked = DemonstrationSite.objects.select_for_update().get(pk=site.pk)
    current = site.status_changes.select_for_update().get(end__isnull=True)
    error = DemonstrationSite.transition_error(current.status, to)
    if error:
        raise ValidationError(error)
    check_day(on, not_before=current.start)
    reason = (reason or "").strip()
    if to in RECOGNISED and not organization_covers(site.enterprise, on):
        raise ValidationError(
            _(
                "No active party organisation covers %(enterprise)s on %(day)s: "
                "a site is named or reviewed only with one."
            )
            % {"enterprise": site.enterprise, "day": _day(on)}
        )
    if to == SiteStatus.REVOKED and not reason:
        raise ValidationError(_("Give the reason for revoking the site."))
    current.end = on
    current.save(update_fields=["end"])
    SiteStatusChange.objects.create(site=site, status=to, start=on, reason=reason)
    site.refresh_state()
    site.version = locked.version + 1
    site.save(update_fields=["status", "status_since", "review_due", "version", "updated_at"])
    return site


def site_name(*, site, on, reason=""):
    return site_change_status(site=site, to=SiteStatus.NAMED, on=on, reason=reason)


def site_review(*, site, on, reason=""):
    return site_change_status(site=site, to=SiteStatus.REVIEWED, on=on, reason=reason)


def site_revoke(*, site, on, reason):
    return site_change_status(site=site, to=SiteStatus.REVOKED, on=on, reason=reason)


def site_reincubate(*, site, on, reason=""):
    return site_change_status(site=site, to=SiteStatus.INCUBATING, on=on, reason=reason)


# ---------------------------------------------------------------------------
# Topics


@transaction.atomic
def topic_create(*, topic, publish=False):
    """Create a topic in 征集 from its posting date; ``publish`` posts it (发榜) the same day."""
    topic.full_clean()
    check_day(topic.posted_on)
    topic.state, topic.state_since = TopicState.COLLECTING, topic.posted_on
    topic.save()
    TopicStateChange.objects.create(topic=topic, state=TopicState.COLLECTING, start=topic.posted_on)
    if publish:
        topic_transition(topic=topic, to=TopicState.PUBLISHED, on=topic.posted_on)
    return topic


def _current_state(topic, to):
    """Lock the topic, read its current state and refuse an illegal move."""
    locked = Topic.objects.select_for_update().get(pk=topic.pk)
    current = topic.state_changes.select_for_update().get(end__isnull=True)
    error = Topic.transition_error(current.state, to)
    if error:
        raise ValidationError(error)
    return locked, current


def _move(topic, locked, current, to, on, reason="", **fields):
    check_day(on, not_before=current.start)
    current.end = on
    current.save(update_fields=["end"])
    TopicStateChange.objects.create(topic=topic, state=to, start=on, reason=reason)
    topic.state, topic.state_since = to, on
    topic.version = locked.version + 1
    for name, value in fields.items():
        setattr(topic, name, value)
    topic.save(update_fields=["state", "state_since", "version", "updated_at", *fields])
    return topic


@transaction.atomic
def topic_transition(*, topic, to, on, reason=""):
    """Publish (发榜), start work (攻坚中), put to acceptance (验收), send back to work, close
    as done (销号, after a passed acceptance) or close with the failure tolerated (容错关闭,
    with a reason). Claims go through ``topic_claim``, acceptances through
    ``topic_record_acceptance``."""
    locked, current = _current_state(topic, to)
    reason = (reason or "").strip()
    fields = {}
    if to == TopicState.CLAIMED:
        raise ValidationError(_("A claim names the branch or task team that takes the topic."))
    if to == TopicState.CLOSED:
        if not topic.acceptances.filter(passed=True).exists():
            raise ValidationError(
                _("No acceptance has passed: the topic cannot be closed as done.")
            )
        fields["closed_on"] = on
    if to == TopicState.TOLERATED:
        if not reason:
            raise ValidationError(
                _("Closing with the failure tolerated needs a reason: the due diligence shown.")
            )
        fields.update(closed_on=on, tolerance_reason=reason)
    return _move(topic, locked, current, to, on, reason, **fields)


@transaction.atomic
def topic_claim(*, topic, on, leader_name, branch=None, team=None):
    """揭榜: a branch or a task team takes the topic, led (挂帅) by ``leader_name``."""
    locked, current = _current_state(topic, TopicState.CLAIMED)
    leader_name = (leader_name or "").strip()
    if (branch is None) == (team is None):
        raise ValidationError(_("Choose the branch or the task team that claims the topic (one)."))
    if not leader_name:
        raise ValidationError(_("Name the member who leads the topic (挂帅)."))
    check_day(on, not_before=current.start)
    if branch is not None:
        if not branch.is_active_on(on):
            raise ValidationError(
                _("%(branch)s is not an active organisation on %(day)s.")
                % {"branch": branch, "day": _day(on)}
            )
        if not branch.area.contains(topic.enterprise.community):
            raise ValidationError(
                _("%(branch)s is managed outside the enterprise's community and street.")
                % {"branch": branch}
            )
    if team is not None:
        if team.enterprise_id != topic.enterprise_id:
            raise ValidationError(_("The task team belongs to another enterprise."))
        if not team.is_active_on(on):
            raise ValidationError(
                _("%(team)s is not active on %(day)s.") % {"team": team, "day": _day(on)}
            )
    return _move(
        topic,
        locked,
        current,
        TopicState.CLAIMED,
        on,
        claimed_on=on,
        claimed_branch=branch,
        claimed_team=team,
        leader_name=leader_name,
    )


def _reviewer_rows(reviewers):
    rows = []
    for reviewer in reviewers or ():
        name, unit = (reviewer, "") if isinstance(reviewer, str) else reviewer
        name, unit = (name or "").strip(), (unit or "").strip()
        if name:
            rows.append((name, unit))
    return rows


def _decimal(value, message):
    try:
        return Decimal(str(value)) if value is not None and str(value).strip() else None
    except InvalidOperation as error:
        raise ValidationError(message) from error


@transaction.atomic
def topic_record_acceptance(*, topic, on, reviewers, measured_value, passed, opinion=""):
    """验收: reviewers record the measured result against the target. A topic under way
    (攻坚中) moves to 验收; a passed acceptance closes it as done (销号) the same day, a
    failed one leaves it under acceptance (to go back to work or be tolerated)."""
    locked = Topic.objects.select_for_update().get(pk=topic.pk)
    current = topic.state_changes.select_for_update().get(end__isnull=True)
    if current.state != TopicState.ACCEPTING:  # under acceptance already: another round
        error = Topic.transition_error(current.state, TopicState.ACCEPTING)
        if error:
            raise ValidationError(error)
    rows = _reviewer_rows(reviewers)
    if not rows:
        raise ValidationError(_("An acceptance is recorded by at least one reviewer."))
    value = _decimal(measured_value, _("The measured result must be a number."))
    if value is None:
        raise ValidationError(_("Give the measured result."))
    check_day(on, not_before=current.start)
    acceptance = Acceptance(
        topic=topic, accepted_on=on, measured_value=value, passed=passed, opinion=opinion
    )
    acceptance.full_clean()
    acceptance.save()
    AcceptanceReviewer.objects.bulk_create(
        [AcceptanceReviewer(acceptance=acceptance, name=n, unit=u) for n, u in rows]
    )
    if current.state == TopicState.IN_PROGRESS:
        _move(topic, locked, current, TopicState.ACCEPTING, on)
        locked.version = topic.version
        current = topic.state_changes.get(end__isnull=True)
    if passed:
        _move(topic, locked, current, TopicState.CLOSED, on, closed_on=on)
    return acceptance


def check_progress(topic, percent_done):
    """Refuse a percent done that cannot be recorded on a milestone of ``topic`` now
    (a ``ValidationError`` with a code): the rules of the phone update and of the
    progress sheet (``showcase/sheets.py``), kept here once. Returns the percent as an int.
    """
    if topic.state == TopicState.CLOSED:
        raise ValidationError(
            _("The topic is closed (销号): its progress can no longer change."),
            code="topic_closed",
        )
    if topic.state == TopicState.TOLERATED:
        raise ValidationError(
            _(
                "The topic was closed with its failure tolerated (容错关闭): its progress "
                "can no longer change."
            ),
            code="topic_tolerated",
        )
    try:
        percent_done = int(percent_done)
    except (TypeError, ValueError) as error:
        raise ValidationError(_("Percent done is from 0 to 100."), code="percent_range") from error
    if not 0 <= percent_done <= 100:
        raise ValidationError(_("Percent done is from 0 to 100."), code="percent_range")
    if percent_done and topic.state in (TopicState.COLLECTING, TopicState.PUBLISHED):
        raise ValidationError(
            _("Not claimed yet: there is no progress to record."), code="not_claimed"
        )
    return percent_done


def apply_progress(milestone, percent_done, on):
    """Set a milestone's percent done (checked by ``check_progress``) as of day ``on``: a
    finished milestone (100) is done on that day, any other has no completion date."""
    milestone.percent_done = percent_done
    milestone.done_on = on if percent_done == 100 else None


@transaction.atomic
def milestone_set_progress(*, milestone, percent_done, on=None, version=None):
    """Update a milestone's percent done (a phone update, a row of the progress sheet).
    ``version`` is the one the form was opened at (optimistic locking: a newer edit is
    not overwritten); code that holds the record it just read leaves it out. A finished
    milestone (100) is done on ``on`` (default today)."""
    percent_done = check_progress(milestone.topic, percent_done)
    on = on or timezone.localdate()
    check_day(on)
    apply_progress(milestone, percent_done, on)
    milestone.full_clean()
    return save_with_version(milestone, milestone.version if version is None else version)


# ---------------------------------------------------------------------------
# Ratings


@transaction.atomic
def rubric_publish(*, rubric, on=None):
    """Freeze an edition so ratings can use it."""
    if rubric.is_published:
        return rubric
    if not RubricIndicator.objects.filter(dimension__rubric=rubric).exists():
        raise ValidationError(_("The rubric has no indicators yet."))
    rubric.full_clean()
    rubric.published_on = on or timezone.localdate()
    rubric.version += 1
    rubric.save(update_fields=["published_on", "version"])
    return rubric


@transaction.atomic
def rubric_new_edition(*, rubric):
    """A draft copy of ``rubric`` (dimensions, indicators, vetoes, thresholds) as the next
    edition of the same name, for admins to change."""
    last = Rubric.objects.filter(name=rubric.name).aggregate(n=Max("edition"))["n"] or 0
    copy = Rubric.objects.create(
        name=rubric.name,
        edition=last + 1,
        subject=rubric.subject,
        notes=rubric.notes,
        **{name: getattr(rubric, name) for name in Rubric.THRESHOLD_FIELDS},
    )
    for dimension in rubric.dimensions.prefetch_related("indicators"):
        new = RubricDimension.objects.create(
            rubric=copy, name=dimension.name, order=dimension.order
        )
        RubricIndicator.objects.bulk_create(
            [
                RubricIndicator(
                    dimension=new,
                    name=i.name,
                    max_points=i.max_points,
                    guidance=i.guidance,
                    order=i.order,
                )
                for i in dimension.indicators.all()
            ]
        )
    RubricVeto.objects.bulk_create(
        [
            RubricVeto(rubric=copy, description=v.description, order=v.order)
            for v in rubric.vetoes.all()
        ]
    )
    return copy


@dataclass(frozen=True)
class RatingResult:
    total: Decimal
    percent: Decimal
    stars: int
    vetoed: bool
    note: str


def rating_result(rubric, reviewer_scores, vetoes=()):
    """The result of a rating (pure arithmetic, in Decimal): total of the reviewer scores,
    its percentage of the rubric's points, the stars from the rubric's thresholds; any
    veto found means no star (0), and the note says why."""
    maximum = rubric.total_points()
    if maximum <= 0:
        raise ValidationError(_("The rubric has no indicators yet."))
    total = quantize(sum((Decimal(s) for s in reviewer_scores if s is not None), Decimal("0")))
    percent = quantize(total / maximum * HUNDRED)
    vetoes = list(vetoes)
    if vetoes:
        items = "；".join(str(v) for v in vetoes)
        return RatingResult(
            total, percent, 0, True, _("Vetoed (一票否决): %(items)s. No star.") % {"items": items}
        )
    stars = rubric.stars_for(percent)
    if stars == 0:
        note = _(
            "%(percent)s %% of the points, below the 1-star threshold (%(minimum)s %%): no star."
        ) % {"percent": percent, "minimum": rubric.one_star}
    else:
        note = _("%(percent)s %% of the points: %(stars)s stars.") % {
            "percent": percent,
            "stars": stars,
        }
    return RatingResult(total, percent, stars, False, note)


def _score_pair(value):
    if isinstance(value, Mapping):
        return value.get("self"), value.get("reviewer")
    if isinstance(value, tuple | list):
        return value[0], value[1]
    return None, value


@transaction.atomic
def rating_record(*, rating, scores, vetoes=(), rated_on=None, final=True):
    """Record a rating's scores and vetoes and, when ``final``, its result.

    ``scores``: {indicator (or its id): (self score, reviewer score)}; ``vetoes``: veto
    items found ({veto: what was found} or an iterable of vetoes). Scores are bounded by
    each indicator's points; a final rating needs a reviewer score for every indicator.
    """
    rubric = rating.rubric
    if not rubric.is_published:
        raise ValidationError(_("The rubric is not published yet: publish it before rating."))
    if final:
        rating.rated_on = rated_on or rating.rated_on
        if rating.rated_on is None:
            raise ValidationError(_("Give the day the result was decided."))
    rating.full_clean()
    indicators = {
        i.pk: i for i in RubricIndicator.objects.filter(dimension__rubric=rubric).order_by("pk")
    }
    values, errors = {}, []
    for key, value in scores.items():
        indicator_id = getattr(key, "pk", key)
        if indicator_id not in indicators:
            errors.append(_("An indicator is not in this rubric."))
            continue
        self_raw, reviewer_raw = _score_pair(value)
        score = RatingScore(
            indicator=indicators[indicator_id],
            self_score=_decimal(self_raw, _("Scores must be numbers.")),
            reviewer_score=_decimal(reviewer_raw, _("Scores must be numbers.")),
        )
        errors.extend(score.score_errors().values())
        values[indicator_id] = score
    if isinstance(vetoes, Mapping):
        found = {getattr(v, "pk", v): note for v, note in vetoes.items()}
    else:
        found = {getattr(v, "pk", v): "" for v in vetoes}
    veto_items = {v.pk: v for v in RubricVeto.objects.filter(rubric=rubric, pk__in=found)}
    if len(veto_items) != len(found):
        errors.append(_("A veto item is not in this rubric."))
    existing = {s.indicator_id: s for s in rating.scores.all()} if rating.pk else {}
    if final:
        merged = {**existing, **values}
        missing = [
            i.name
            for pk, i in indicators.items()
            if pk not in merged or merged[pk].reviewer_score is None
        ]
        if missing:
            errors.append(
                _("Score every indicator before deciding: %(missing)s.")
                % {"missing": "、".join(missing)}
            )
    if errors:
        raise ValidationError(errors)

    if rating.pk is None:
        rating.save()
    new, changed = [], []
    for indicator_id, score in values.items():
        row = existing.get(indicator_id)
        if row is None:
            score.rating = rating
            new.append(score)
        elif (row.self_score, row.reviewer_score) != (score.self_score, score.reviewer_score):
            row.self_score, row.reviewer_score = score.self_score, score.reviewer_score
            changed.append(row)
    RatingScore.objects.bulk_create(new)
    if changed:
        RatingScore.objects.bulk_update(changed, ["self_score", "reviewer_score"])
    rating.veto_findings.exclude(veto_id__in=found).delete()
    kept = set(rating.veto_findings.values_list("veto_id", flat=True))
    RatingVetoFinding.objects.bulk_create(
        [
            RatingVetoFinding(rating=rating, veto=veto_items[pk], note=note or "")
            for pk, note in found.items()
            if pk not in kept
        ]
    )

    all_scores = list(rating.scores.all())
    self_scores = [s.self_score for s in all_scores if s.self_score is not None]
    rating.self_total = quantize(sum(self_scores, Decimal("0"))) if self_scores else None
    if final:
        result = rating_result(rubric, [s.reviewer_score for s in all_scores], veto_items.values())
        rating.total, rating.percent, rating.stars = result.total, result.percent, result.stars
        rating.vetoed, rating.result_note = result.vetoed, result.note
        rating.status = Rating.Status.FINAL
    else:
        rating.status = Rating.Status.DRAFT
        rating.total = rating.percent = rating.stars = None
        rating.vetoed, rating.result_note = bool(veto_items), ""
    locked = Rating.objects.select_for_update().get(pk=rating.pk)
    rating.version = locked.version + 1
    rating.save()
    return rating


# ---------------------------------------------------------------------------
# Teaching cases


@transaction.atomic
def case_submit(*, case):
    if case.review_state not in (CaseReview.DRAFT, CaseReview.RETURNED):
        raise ValidationError(_("Only a draft or a returned case can be submitted for review."))
    case.review_state = CaseReview.SUBMITTED
    case.version += 1
    case.save(update_fields=["review_state", "version"])
    return case


@transaction.atomic
def case_review(*, case, on, reviewer, approve, opinion=""):
    """Approve (reviewed: it counts on the dashboard from ``on``) or return a submitted
    case with what to change."""
    if case.review_state != CaseReview.SUBMITTED:
        raise ValidationError(_("Only a case submitted for review can be reviewed."))
    check_day(on)
    if on < case.recorded_on:
        raise ValidationError(_("A case cannot be reviewed before it was recorded."))
    reviewer = (reviewer or "").strip()
    opinion = (opinion or "").strip()
    if not reviewer:
        raise ValidationError(_("Name the reviewer."))
    if not approve and not opinion:
        raise ValidationError(_("Say what should change before the case is returned."))
    case.review_state = CaseReview.REVIEWED if approve else CaseReview.RETURNED
    case.reviewed_on = on if approve else None
    case.reviewed_by, case.review_opinion = reviewer, opinion
    case.version += 1
    case.save(
        update_fields=["review_state", "reviewed_on", "reviewed_by", "review_opinion", "version"]
    )
    return case
