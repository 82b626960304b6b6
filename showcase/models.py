"""点上抓示范: demonstration sites (党建示范点), their 六有 checklist and star ratings
(评星定级), 揭榜挂帅 topics with milestones and acceptance, task teams (攻坚小队),
mentoring (传帮带), pioneer deeds (先锋事迹) and 红帆 teaching cases (红帆教学案例).

Dated facts use the kit's ``core.dated`` (``DatedFact``): a site's status and a topic's
state are tables of changes, each holding from its ``start`` until the next change
(``end``), so the status at any day D is ``active_on(D)``. The current status on the site
or topic is stored state kept by ``showcase.services`` in the same transaction, and
``refresh_state()`` recomputes it from the changes.

Scope: every record reaches its Area through its enterprise's community (a site, a
topic, a team, a deed …), except a teaching case, which belongs to a community directly
(``area``: the 水城路社区 case is about the community's practice, not one enterprise), and
a rating, which is of a site or of a party organisation (either path). Batches belong to
the office that names them; rubrics are the published standard, visible to everyone.
"""

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q, Sum
from django.urls import reverse
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from areas.models import Area
from areas.scoping import ScopedQuerySet, subtree_q
from audit.models import AuditedModel
from core.dated import DatedFact, DatedQuerySet, future_date_errors
from core.models import Attachment
from enterprises.models import Enterprise, PartyOrganization, add_years

HUNDRED = Decimal("100")
CENT = Decimal("0.01")

ENTERPRISE_SCOPE = {"scope_area_lookup": "enterprise__community", "scope_area_is_community": True}


def stored(instance, *fields):
    """The saved values of ``fields`` (None for a new record): what an edit changes."""
    if instance.pk is None:
        return None
    return type(instance)._base_manager.filter(pk=instance.pk).values(*fields).first()


def default_review_cycle():
    return settings.SHOWCASE_REVIEW_CYCLE_YEARS


class ReferenceQuerySet(ScopedQuerySet):
    """Published standards (rubrics): every signed-in user may read them."""

    def in_area(self, area):
        return self.all()


# ---------------------------------------------------------------------------
# Sites


class SiteBatchQuerySet(ScopedQuerySet):
    def in_area(self, area):
        """Batches named by the area, by an area below it, or by an office above it (a
        street's staff choose the district's batches too)."""
        ancestors, node = [], area
        while node.parent_id:
            node = node.parent
            ancestors.append(node.pk)
        return self.filter(subtree_q(area, "area") | Q(area_id__in=ancestors))


class SiteBatch(AuditedModel):
    """A batch of demonstration sites, e.g. 胶南街道 首批 (2024). Batches are data: each
    office names its own."""

    area = models.ForeignKey(
        Area,
        verbose_name=_("named by"),
        on_delete=models.PROTECT,
        related_name="site_batches",
        help_text=_("The street (or district) that selects this batch."),
    )
    name = models.CharField(_("batch name"), max_length=50, help_text=_("e.g. 首批, 第二批"))
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    notes = models.TextField(_("notes"), blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)

    objects = SiteBatchQuerySet.as_manager()
    scope_area_lookup = "area"
    audit_exclude = ("version",)

    class Meta:
        verbose_name = _("site batch")
        verbose_name_plural = _("site batches")
        ordering = ["year", "name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["area", "year", "name"], name="site_batch_unique_in_area"
            ),
        ]

    def __str__(self):
        return f"{self.name}（{self.year}）"

    def get_absolute_url(self):
        return reverse("showcase:site_list") + f"?batch={self.pk}"

    def clean(self):
        if self.area_id and self.area.level == Area.Level.COMMUNITY:
            raise ValidationError({"area": _("A batch is named by a street or the district.")})


class SiteLevel(models.TextChoices):
    STREET = "street", pgettext_lazy("showcase", "Street level")
    DISTRICT = "district", pgettext_lazy("showcase", "District level")
    CITY = "city", pgettext_lazy("showcase", "City level")


class SiteStatus(models.TextChoices):
    INCUBATING = "incubating", pgettext_lazy("showcase", "Incubating")
    NAMED = "named", pgettext_lazy("showcase", "Named")
    REVIEWED = "reviewed", pgettext_lazy("showcase", "Reviewed")
    REVOKED = "revoked", pgettext_lazy("showcase", "Revoked")


# Statuses in which a site counts as a demonstration site (METRICS.md: sites).
RECOGNISED = (SiteStatus.NAMED, SiteStatus.REVIEWED)


class SiteQuerySet(ScopedQuerySet):
    def recognised(self):
        """Named or reviewed now (the stored current status)."""
        return self.filter(status__in=RECOGNISED)


class DemonstrationSite(AuditedModel):
    """党建示范点: one per enterprise, in a batch, with its brand (一企一特色)."""

    Status = SiteStatus
    Level = SiteLevel

    # Legal status changes. A revoked site may be incubated again.
    TRANSITIONS = {
        SiteStatus.INCUBATING: {SiteStatus.NAMED, SiteStatus.REVOKED},
        SiteStatus.NAMED: {SiteStatus.REVIEWED, SiteStatus.REVOKED},
        SiteStatus.REVIEWED: {SiteStatus.REVIEWED, SiteStatus.REVOKED},
        SiteStatus.REVOKED: {SiteStatus.INCUBATING},
    }

    enterprise = models.OneToOneField(
        Enterprise,
        verbose_name=_("enterprise"),
        on_delete=models.PROTECT,
        related_name="demonstration_site",
    )
    batch = models.ForeignKey(
        SiteBatch, verbose_name=_("batch"), on_delete=models.PROTECT, related_name="sites"
    )
    level = models.CharField(
        _("site level"), max_length=10, choices=SiteLevel.choices, default=SiteLevel.STREET
    )
    brand_name = models.CharField(_("brand name"), max_length=100)
    slogan = models.CharField(_("slogan"), max_length=200, blank=True)
    story = models.TextField(
        _("brand story"), blank=True, help_text=_("What makes this site's party work its own.")
    )
    review_cycle_years = models.PositiveSmallIntegerField(
        _("review cycle (years)"),
        default=default_review_cycle,
        validators=[MinValueValidator(1), MaxValueValidator(10)],
        help_text=_(
            "A named site is reviewed (复核) this many years after its naming or last review."
        ),
    )
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=SiteStatus.choices,
        default=SiteStatus.INCUBATING,
        editable=False,
    )
    status_since = models.DateField(_("status since"), null=True, editable=False)
    review_due = models.DateField(_("review due"), null=True, editable=False)
    version = models.PositiveIntegerField(_("version"), default=1)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    attachments = GenericRelation(Attachment)

    objects = SiteQuerySet.as_manager()
    scope_area_lookup = "enterprise__community"
    scope_area_is_community = True
    audit_exclude = ("updated_at", "version")

    class Meta:
        verbose_name = _("demonstration site")
        verbose_name_plural = _("demonstration sites")
        ordering = ["enterprise__name", "pk"]
        indexes = [models.Index(fields=["status", "review_due"], name="site_status_review")]

    def __str__(self):
        return self.brand_name or str(self.enterprise)

    def get_absolute_url(self):
        return reverse("showcase:site_detail", args=[self.pk])

    def clean(self):
        errors = {}
        if (
            self.batch_id
            and self.enterprise_id
            and not self.batch.area.contains(self.enterprise.community)
        ):
            errors["batch"] = _("This batch belongs to another area than the enterprise.")
        before = stored(self, "enterprise_id")
        if before and before["enterprise_id"] != self.enterprise_id:
            errors["enterprise"] = _("A site stays with its enterprise; revoke it instead.")
        if errors:
            raise ValidationError(errors)

    @classmethod
    def transition_error(cls, current, target):
        """The message that refuses ``current`` → ``target``, or None if it is legal."""
        if target in cls.TRANSITIONS.get(current, ()):
            return None
        S = SiteStatus
        if target == S.REVIEWED and current == S.INCUBATING:
            return gettext("The site has not been named yet: it cannot be reviewed.")
        if target == S.NAMED and current in (S.NAMED, S.REVIEWED):
            return gettext("The site is already named.")
        if current == S.REVOKED:
            return gettext("The site was revoked: incubate it again first.")
        if target == S.INCUBATING:
            return gettext("Only a revoked site can be incubated again.")
        if target == current:
            return gettext("The site is already “%(status)s”.") % {"status": S(current).label}
        return gettext("A site cannot go from “%(from)s” to “%(to)s”.") % {
            "from": S(current).label,
            "to": S(target).label,
        }

    def compute_review_due(self, status=None, last_recognised=None):
        """Latest naming or review + the cycle, while the site is named or reviewed."""
        status = status or self.status
        if status not in RECOGNISED:
            return None
        if last_recognised is None:
            change = (
                self.status_changes.filter(status__in=RECOGNISED).order_by("-start", "-pk").first()
            )
            last_recognised = change.start if change else None
        return add_years(last_recognised, self.review_cycle_years) if last_recognised else None

    def refresh_state(self):
        """Set ``status``, ``status_since`` and ``review_due`` from the status changes."""
        current = self.status_changes.filter(end__isnull=True).order_by("-start", "-pk").first()
        if current is None:
            self.status, self.status_since, self.review_due = SiteStatus.INCUBATING, None, None
            return self
        self.status, self.status_since = current.status, current.start
        self.review_due = self.compute_review_due(current.status)
        return self

    def save(self, *args, **kwargs):
        if self.pk is not None and kwargs.get("update_fields") is None:
            # The cycle may have been edited: the due date follows.
            self.review_due = self.compute_review_due()
        super().save(*args, **kwargs)

    def status_on(self, day):
        change = self.status_changes.active_on(day).first()
        return change.status if change else None

    @property
    def is_recognised(self):
        return self.status in RECOGNISED


class SiteStatusChange(DatedFact):
    """One status of a site, from the day it changed (``start``) until the next change
    (``end``, empty for the current one)."""

    site = models.ForeignKey(
        DemonstrationSite,
        verbose_name=_("demonstration site"),
        on_delete=models.CASCADE,
        related_name="status_changes",
    )
    status = models.CharField(_("status"), max_length=12, choices=SiteStatus.choices)
    start = models.DateField(_("changed on"))
    end = models.DateField(_("until"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=300, blank=True)

    objects = DatedQuerySet.as_manager()
    scope_area_lookup = "site__enterprise__community"
    scope_area_is_community = True
    # A status replaced on the day it began held for less than a day: a valid record.
    end_may_equal_start = True
    end_before_start_message = _("A status cannot end before it began.")

    class Meta:
        verbose_name = _("site status change")
        verbose_name_plural = _("site status changes")
        ordering = ["start", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["site"], condition=Q(end__isnull=True), name="site_one_current_status"
            ),
        ]
        indexes = [models.Index(fields=["site", "start"], name="site_status_site_start")]

    def __str__(self):
        return f"{self.site} {self.get_status_display()} {self.start:%Y-%m-%d}"

    def get_absolute_url(self):
        return reverse("showcase:site_detail", args=[self.site_id]) + "#status"


class ChecklistItem(AuditedModel):
    """One of the 六有 (场所, 设施, 标志, 党旗, 书报, 制度) for a site, with its evidence."""

    class Item(models.TextChoices):
        VENUE = "venue", _("Venue (场所)")
        FACILITIES = "facilities", _("Facilities (设施)")
        SIGNS = "signs", _("Signs (标志)")
        FLAG = "flag", _("Party flag (党旗)")
        READING = "reading", _("Books and papers (书报)")
        RULES = "rules", _("Rules (制度)")

    site = models.ForeignKey(
        DemonstrationSite,
        verbose_name=_("demonstration site"),
        on_delete=models.CASCADE,
        related_name="checklist",
    )
    item = models.CharField(_("item"), max_length=12, choices=Item.choices)
    met = models.BooleanField(_("met"), default=False)
    note = models.CharField(_("note"), max_length=300, blank=True)
    checked_on = models.DateField(_("checked on"), null=True, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    attachments = GenericRelation(Attachment)

    objects = ScopedQuerySet.as_manager()
    scope_area_lookup = "site__enterprise__community"
    scope_area_is_community = True
    audit_exclude = ("version",)

    class Meta:
        verbose_name = _("六有 checklist item")
        verbose_name_plural = _("六有 checklist items")
        ordering = ["site", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["site", "item"], name="checklist_one_item_per_site"),
        ]

    def __str__(self):
        return f"{self.site} {self.get_item_display()}"

    def get_absolute_url(self):
        return reverse("showcase:site_detail", args=[self.site_id]) + "#checklist"

    def clean(self):
        errors = future_date_errors(self, "checked_on")
        if self.met and not self.checked_on:
            errors["checked_on"] = _("Give the day the item was checked.")
        if errors:
            raise ValidationError(errors)


# ---------------------------------------------------------------------------
# Star rating (评星定级)


class Rubric(AuditedModel):
    """A rating standard, edited by admins: dimensions → indicators → points, veto items
    and the star thresholds. Published editions are frozen, so a rating keeps the rubric
    it was scored on; a change is a new edition (``services.rubric_new_edition``)."""

    class Subject(models.TextChoices):
        SITE = "site", pgettext_lazy("showcase", "Demonstration sites")
        ORGANIZATION = "organization", pgettext_lazy("showcase", "Party organisations")
        ANY = "any", pgettext_lazy("showcase", "Sites and organisations")

    name = models.CharField(_("rubric name"), max_length=100)
    edition = models.PositiveSmallIntegerField(_("edition"), default=1)
    subject = models.CharField(
        _("rates"), max_length=12, choices=Subject.choices, default=Subject.ANY
    )
    # Thresholds are percentages of the rubric's total points (of 100 points: points).
    five_star = models.DecimalField(
        _("5 stars from (%)"), max_digits=5, decimal_places=2, default=90
    )
    four_star = models.DecimalField(
        _("4 stars from (%)"), max_digits=5, decimal_places=2, default=80
    )
    three_star = models.DecimalField(
        _("3 stars from (%)"), max_digits=5, decimal_places=2, default=70
    )
    two_star = models.DecimalField(
        _("2 stars from (%)"), max_digits=5, decimal_places=2, default=60
    )
    one_star = models.DecimalField(_("1 star from (%)"), max_digits=5, decimal_places=2, default=50)
    published_on = models.DateField(_("published on"), null=True, blank=True, editable=False)
    notes = models.TextField(_("notes"), blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)

    objects = ReferenceQuerySet.as_manager()
    audit_exclude = ("version",)

    THRESHOLD_FIELDS = ("five_star", "four_star", "three_star", "two_star", "one_star")

    class Meta:
        verbose_name = _("rating rubric")
        verbose_name_plural = _("rating rubrics")
        ordering = ["name", "-edition"]
        constraints = [
            models.UniqueConstraint(fields=["name", "edition"], name="rubric_unique_edition"),
        ]

    def __str__(self):
        return gettext("%(name)s (edition %(edition)s)") % {
            "name": self.name,
            "edition": self.edition,
        }

    def get_absolute_url(self):
        return reverse("showcase:rubric_detail", args=[self.pk])

    @property
    def is_published(self):
        return self.published_on is not None

    def thresholds(self):
        """[(stars, minimum percent)], 5 stars first."""
        return [(5 - i, getattr(self, name)) for i, name in enumerate(self.THRESHOLD_FIELDS)]

    def stars_for(self, percent):
        """Stars (1–5) for a percentage of the total points; 0 below the 1-star line."""
        for stars, minimum in self.thresholds():
            if percent >= minimum:
                return stars
        return 0

    def total_points(self):
        total = RubricIndicator.objects.filter(dimension__rubric=self).aggregate(
            total=Sum("max_points")
        )["total"]
        return total or Decimal("0")

    def clean(self):
        errors = {}
        values = [getattr(self, name) for name in self.THRESHOLD_FIELDS]
        if any(v is None or v < 0 or v > HUNDRED for v in values):
            errors["one_star"] = _("Thresholds are percentages from 0 to 100.")
        elif any(a <= b for a, b in zip(values, values[1:], strict=False)):
            errors["five_star"] = _(
                "Each star needs a higher threshold than the one below it (5 > 4 > 3 > 2 > 1)."
            )
        if self.pk and self.is_published:
            stored = Rubric.objects.filter(pk=self.pk).values(*self.THRESHOLD_FIELDS).first()
            if stored and any(stored[n] != getattr(self, n) for n in self.THRESHOLD_FIELDS):
                errors["five_star"] = _(
                    "This edition is published and ratings use it: make a new edition to change it."
                )
        if errors:
            raise ValidationError(errors)


class RubricPartMixin:
    """Dimensions, indicators and vetoes of a published edition cannot change."""

    def _rubric(self):
        raise NotImplementedError

    def frozen_error(self):
        rubric = self._rubric()
        if rubric is not None and rubric.is_published:
            return ValidationError(
                gettext(
                    "This edition is published and ratings use it: make a new edition to change it."
                )
            )
        return None

    def clean(self):
        super().clean()
        error = self.frozen_error()
        if error:
            raise error

    def save(self, *args, **kwargs):
        error = self.frozen_error()
        if error:
            raise error
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        error = self.frozen_error()
        if error:
            raise error
        return super().delete(*args, **kwargs)


class RubricDimension(RubricPartMixin, AuditedModel):
    rubric = models.ForeignKey(
        Rubric, verbose_name=_("rubric"), on_delete=models.CASCADE, related_name="dimensions"
    )
    name = models.CharField(_("dimension"), max_length=100)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    version = models.PositiveIntegerField(_("version"), default=1)

    objects = ReferenceQuerySet.as_manager()
    audit_exclude = ("version",)

    class Meta:
        verbose_name = _("rubric dimension")
        verbose_name_plural = _("rubric dimensions")
        ordering = ["rubric", "order", "pk"]

    def __str__(self):
        return self.name

    def _rubric(self):
        return self.rubric if self.rubric_id else None


class RubricIndicator(RubricPartMixin, AuditedModel):
    dimension = models.ForeignKey(
        RubricDimension,
        verbose_name=_("dimension"),
        on_delete=models.CASCADE,
        related_name="indicators",
    )
    name = models.CharField(_("indicator"), max_length=200)
    max_points = models.DecimalField(
        _("points"),
        max_digits=6,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    guidance = models.TextField(_("how it is scored"), blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    version = models.PositiveIntegerField(_("version"), default=1)

    objects = ReferenceQuerySet.as_manager()
    audit_exclude = ("version",)

    class Meta:
        verbose_name = _("rubric indicator")
        verbose_name_plural = _("rubric indicators")
        ordering = ["dimension__rubric", "dimension__order", "dimension", "order", "pk"]

    def __str__(self):
        return self.name

    def _rubric(self):
        return self.dimension.rubric if self.dimension_id else None


class RubricVeto(RubricPartMixin, AuditedModel):
    """一票否决: a finding that sets the result to no star."""

    rubric = models.ForeignKey(
        Rubric, verbose_name=_("rubric"), on_delete=models.CASCADE, related_name="vetoes"
    )
    description = models.CharField(_("veto item"), max_length=200)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    version = models.PositiveIntegerField(_("version"), default=1)

    objects = ReferenceQuerySet.as_manager()
    audit_exclude = ("version",)

    class Meta:
        verbose_name = _("veto item")
        verbose_name_plural = _("veto items")
        ordering = ["rubric", "order", "pk"]

    def __str__(self):
        return self.description

    def _rubric(self):
        return self.rubric if self.rubric_id else None


def rating_scope_q(area, prefix=""):
    """A rating is of a site (its enterprise's community) or of an organisation (its area)."""
    return subtree_q(
        area, f"{prefix}site__enterprise__community", target_is_community=True
    ) | subtree_q(area, f"{prefix}organization__area")


class RatingQuerySet(ScopedQuerySet):
    def in_area(self, area):
        return self.filter(rating_scope_q(area))

    def final(self):
        return self.filter(status=Rating.Status.FINAL)


class RatingPartQuerySet(ScopedQuerySet):
    def in_area(self, area):
        return self.filter(rating_scope_q(area, prefix="rating__"))


class Rating(AuditedModel):
    """One rating of a site or a party organisation for a year: self-scores and reviewer
    scores per indicator, vetoes found, and the result (stars 0–5, and why)."""

    class Status(models.TextChoices):
        DRAFT = "draft", pgettext_lazy("showcase", "Being scored")
        FINAL = "final", pgettext_lazy("showcase", "Decided")

    rubric = models.ForeignKey(
        Rubric, verbose_name=_("rubric"), on_delete=models.PROTECT, related_name="ratings"
    )
    site = models.ForeignKey(
        DemonstrationSite,
        verbose_name=_("demonstration site"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ratings",
    )
    organization = models.ForeignKey(
        PartyOrganization,
        verbose_name=_("party organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="star_ratings",
    )
    year = models.PositiveSmallIntegerField(
        _("rating year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.DRAFT, editable=False
    )
    rated_on = models.DateField(
        _("decided on"), null=True, blank=True, help_text=_("The day the result was decided.")
    )
    reviewers = models.CharField(_("reviewers"), max_length=200, blank=True)
    self_total = models.DecimalField(
        _("self-assessed points"), max_digits=7, decimal_places=2, null=True, editable=False
    )
    total = models.DecimalField(
        _("reviewed points"), max_digits=7, decimal_places=2, null=True, editable=False
    )
    percent = models.DecimalField(
        _("percent of the total"), max_digits=5, decimal_places=2, null=True, editable=False
    )
    stars = models.PositiveSmallIntegerField(_("stars"), null=True, editable=False)
    vetoed = models.BooleanField(_("vetoed"), default=False, editable=False)
    result_note = models.CharField(_("result"), max_length=500, blank=True, editable=False)
    version = models.PositiveIntegerField(_("version"), default=1)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    attachments = GenericRelation(Attachment)

    objects = RatingQuerySet.as_manager()
    audit_exclude = ("version",)

    class Meta:
        verbose_name = _("star rating")
        verbose_name_plural = _("star ratings")
        ordering = ["-rated_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(site__isnull=False) & Q(organization__isnull=True))
                | (Q(site__isnull=True) & Q(organization__isnull=False)),
                name="rating_site_xor_organization",
            ),
            models.UniqueConstraint(
                fields=["site", "year"],
                condition=Q(site__isnull=False),
                name="rating_one_per_site_year",
            ),
            models.UniqueConstraint(
                fields=["organization", "year"],
                condition=Q(organization__isnull=False),
                name="rating_one_per_organization_year",
            ),
            models.CheckConstraint(
                condition=Q(stars__isnull=True) | Q(stars__lte=5), name="rating_stars_0_to_5"
            ),
        ]
        indexes = [models.Index(fields=["site", "status", "rated_on"], name="rating_site_latest")]

    def __str__(self):
        return f"{self.subject} {self.year}"

    def get_absolute_url(self):
        return reverse("showcase:rating_detail", args=[self.pk])

    @property
    def subject(self):
        return self.site if self.site_id else self.organization

    def clean(self):
        errors = future_date_errors(self, "rated_on")
        if bool(self.site_id) == bool(self.organization_id):
            errors["site"] = _("Rate either a demonstration site or a party organisation.")
        if self.rubric_id:
            subject = self.rubric.subject
            if self.site_id and subject == Rubric.Subject.ORGANIZATION:
                errors["rubric"] = _("This rubric rates party organisations, not sites.")
            if self.organization_id and subject == Rubric.Subject.SITE:
                errors["rubric"] = _("This rubric rates demonstration sites, not organisations.")
        if self.rated_on and self.year and self.rated_on < dt.date(self.year, 1, 1):
            errors["rated_on"] = _("The result cannot be decided before its rating year begins.")
        before = stored(self, "rubric_id")
        if before and before["rubric_id"] != self.rubric_id and self.scores.exists():
            errors["rubric"] = _("The rating has scores on its rubric: the rubric cannot change.")
        if errors:
            raise ValidationError(errors)


class RatingScore(AuditedModel):
    rating = models.ForeignKey(
        Rating, verbose_name=_("star rating"), on_delete=models.CASCADE, related_name="scores"
    )
    indicator = models.ForeignKey(
        RubricIndicator, verbose_name=_("indicator"), on_delete=models.PROTECT, related_name="+"
    )
    self_score = models.DecimalField(
        _("self-assessed"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    reviewer_score = models.DecimalField(
        _("reviewed"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)

    objects = RatingPartQuerySet.as_manager()
    audit_exclude = ("version",)

    class Meta:
        verbose_name = _("rating score")
        verbose_name_plural = _("rating scores")
        ordering = ["rating", "indicator__dimension__order", "indicator__order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["rating", "indicator"], name="rating_score_one_per_indicator"
            ),
        ]

    def __str__(self):
        return f"{self.rating} {self.indicator}"

    def score_errors(self):
        """{field: message} for scores outside 0 … the indicator's points."""
        errors = {}
        maximum = self.indicator.max_points
        for name in ("self_score", "reviewer_score"):
            value = getattr(self, name)
            if value is not None and (value < 0 or value > maximum):
                errors[name] = gettext(
                    "“%(indicator)s” is scored from 0 to %(max)s points, not %(value)s."
                ) % {"indicator": self.indicator.name, "max": maximum, "value": value}
        return errors

    def clean(self):
        errors = self.score_errors() if self.indicator_id else {}
        if (
            self.indicator_id
            and self.rating_id
            and self.indicator.dimension.rubric_id != self.rating.rubric_id
        ):
            errors["indicator"] = gettext("This indicator is not in the rating's rubric.")
        if errors:
            raise ValidationError(errors)


class RatingVetoFinding(AuditedModel):
    rating = models.ForeignKey(
        Rating,
        verbose_name=_("star rating"),
        on_delete=models.CASCADE,
        related_name="veto_findings",
    )
    veto = models.ForeignKey(
        RubricVeto, verbose_name=_("veto item"), on_delete=models.PROTECT, related_name="+"
    )
    note = models.CharField(_("what was found"), max_length=300, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)

    objects = RatingPartQuerySet.as_manager()
    audit_exclude = ("version",)

    class Meta:
        verbose_name = _("veto found")
        verbose_name_plural = _("vetoes found")
        ordering = ["rating", "veto__order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["rating", "veto"], name="rating_veto_once"),
        ]

    def __str__(self):
        return f"{self.rating} {self.veto}"


def quantize(value):
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


# ---------------------------------------------------------------------------
# 揭榜挂帅


class TaskTeam(DatedFact):
    """攻坚小队: a team of an enterprise under a branch, from formation (``start``) until
    disbanded (``end``)."""

    enterprise = models.ForeignKey(
        Enterprise,
        verbose_name=_("enterprise"),
        on_delete=models.PROTECT,
        related_name="task_teams",
    )
    branch = models.ForeignKey(
        PartyOrganization,
        verbose_name=_("branch"),
        on_delete=models.PROTECT,
        related_name="task_teams",
    )
    name = models.CharField(_("team name"), max_length=100)
    leader_name = models.CharField(_("team leader"), max_length=50)
    members = models.PositiveSmallIntegerField(
        _("number of members"), default=3, validators=[MinValueValidator(1)]
    )
    start = models.DateField(_("formed on"))
    end = models.DateField(_("disbanded on"), null=True, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)

    scope_area_lookup = "enterprise__community"
    scope_area_is_community = True
    audit_exclude = ("version",)

    class Meta:
        verbose_name = _("task team")
        verbose_name_plural = _("task teams")
        ordering = ["enterprise", "name", "pk"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("showcase:team_detail", args=[self.pk])

    def clean(self):
        errors = self.dated_errors()
        if self.branch_id and self.start and self.branch.established_on > self.start:
            errors["start"] = _("The branch was not yet established when the team was formed.")
        if errors:
            raise ValidationError(errors)


class TopicState(models.TextChoices):
    COLLECTING = "collecting", pgettext_lazy("showcase", "Collecting")
    PUBLISHED = "published", pgettext_lazy("showcase", "Published")
    CLAIMED = "claimed", pgettext_lazy("showcase", "Claimed")
    IN_PROGRESS = "in_progress", pgettext_lazy("showcase", "In progress")
    ACCEPTING = "accepting", pgettext_lazy("showcase", "Under acceptance")
    CLOSED = "closed", pgettext_lazy("showcase", "Closed as done")
    TOLERATED = "tolerated", pgettext_lazy("showcase", "Closed, failure tolerated")


TOPIC_ENDED = (TopicState.CLOSED, TopicState.TOLERATED)
# Topics under way or done: the ones whose progress rolls up to the site and the street.
TOPIC_UNDER_WAY = (
    TopicState.CLAIMED,
    TopicState.IN_PROGRESS,
    TopicState.ACCEPTING,
    TopicState.CLOSED,
)


class TopicQuerySet(ScopedQuerySet):
    def open(self):
        return self.exclude(state__in=TOPIC_ENDED)


class Topic(AuditedModel):
    """揭榜挂帅课题: a problem posted by a site (or an enterprise), claimed (揭榜) by a
    branch or a task team and led (挂帅) by a named member, with a measurable target."""

    State = TopicState

    class Direction(models.TextChoices):
        AT_LEAST = "at_least", pgettext_lazy("showcase", "at least")
        AT_MOST = "at_most", pgettext_lazy("showcase", "at most")

    TRANSITIONS = {
        TopicState.COLLECTING: {TopicState.PUBLISHED},
        TopicState.PUBLISHED: {TopicState.CLAIMED},
        TopicState.CLAIMED: {TopicState.IN_PROGRESS, TopicState.TOLERATED},
        TopicState.IN_PROGRESS: {TopicState.ACCEPTING, TopicState.TOLERATED},
        # An acceptance that fails sends the topic back to work (返工).
        TopicState.ACCEPTING: {TopicState.CLOSED, TopicState.IN_PROGRESS, TopicState.TOLERATED},
        TopicState.CLOSED: set(),
        TopicState.TOLERATED: set(),
    }

    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("enterprise"), on_delete=models.PROTECT, related_name="topics"
    )
    site = models.ForeignKey(
        DemonstrationSite,
        verbose_name=_("demonstration site"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="topics",
        help_text=_("The owner: the site, or (when empty) the enterprise itself."),
    )
    title = models.CharField(_("topic"), max_length=200)
    problem = models.TextField(_("problem"))
    expected_result = models.TextField(_("expected result"), blank=True)
    target_value = models.DecimalField(_("target"), max_digits=14, decimal_places=2)
    target_unit = models.CharField(_("unit"), max_length=20, help_text=_("e.g. %, 万元, 天"))
    target_direction = models.CharField(
        _("the result should be"),
        max_length=8,
        choices=Direction.choices,
        default=Direction.AT_LEAST,
    )
    posted_on = models.DateField(
        _("posted on"), help_text=_("The day the topic was put forward (征集 begins).")
    )
    due_on = models.DateField(_("due on"))
    state = models.CharField(
        _("state"),
        max_length=12,
        choices=TopicState.choices,
        default=TopicState.COLLECTING,
        editable=False,
    )
    state_since = models.DateField(_("state since"), null=True, editable=False)
    claimed_on = models.DateField(_("claimed on"), null=True, editable=False)
    claimed_branch = models.ForeignKey(
        PartyOrganization,
        verbose_name=_("claimed by branch"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="claimed_topics",
    )
    claimed_team = models.ForeignKey(
        TaskTeam,
        verbose_name=_("claimed by task team"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="topics",
    )
    leader_name = models.CharField(
        _("led by"), max_length=50, blank=True, editable=False, help_text=_("挂帅")
    )
    closed_on = models.DateField(_("closed on"), null=True, editable=False)
    tolerance_reason = models.TextField(
        _("why the failure is tolerated"), blank=True, editable=False
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    attachments = GenericRelation(Attachment)

    objects = TopicQuerySet.as_manager()
    scope_area_lookup = "enterprise__community"
    scope_area_is_community = True
    audit_exclude = ("updated_at", "version")

    class Meta:
        verbose_name = _("揭榜挂帅 topic")
        verbose_name_plural = _("揭榜挂帅 topics")
        ordering = ["due_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(claimed_branch__isnull=True) | Q(claimed_team__isnull=True),
                name="topic_one_claimer",
            ),
        ]
        indexes = [
            models.Index(fields=["enterprise", "state"], name="topic_enterprise_state"),
            models.Index(fields=["site", "state"], name="topic_site_state"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("showcase:topic_detail", args=[self.pk])

    @property
    def owner(self):
        return self.site or self.enterprise

    @property
    def claimer(self):
        return self.claimed_branch or self.claimed_team

    @property
    def is_ended(self):
        return self.state in TOPIC_ENDED

    def clean(self):
        errors = future_date_errors(self, "posted_on")
        if self.site_id and not self.enterprise_id:
            self.enterprise = self.site.enterprise
        if self.enterprise_id and not self.site_id:
            site = DemonstrationSite.objects.filter(enterprise_id=self.enterprise_id).first()
            if site is not None:
                self.site = site
        if self.site_id and self.enterprise_id and self.site.enterprise_id != self.enterprise_id:
            errors["site"] = _("The site is another enterprise's.")
        if self.posted_on and self.due_on and self.due_on < self.posted_on:
            errors["due_on"] = _("The due date cannot be before the posting date.")
        before = stored(self, "enterprise_id", "posted_on")
        if before and before["enterprise_id"] != self.enterprise_id:
            errors["enterprise"] = _("A topic stays with its enterprise.")
        if before and before["posted_on"] != self.posted_on and self.state_changes.count() > 1:
            errors["posted_on"] = _(
                "The topic has moved on from collecting: its posting date cannot change."
            )
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        before = stored(self, "posted_on") if kwargs.get("update_fields") is None else None
        super().save(*args, **kwargs)
        if before and before["posted_on"] != self.posted_on:
            # Still collecting (clean() refuses otherwise): collecting begins on the new day.
            self.state_changes.filter(state=TopicState.COLLECTING).update(start=self.posted_on)
            self.state_since = self.posted_on
            super().save(update_fields=["state_since"])

    @classmethod
    def transition_error(cls, current, target):
        """The message that refuses ``current`` → ``target``, or None if it is legal."""
        if target in cls.TRANSITIONS.get(current, ()):
            return None
        S = TopicState
        not_claimed = current in (S.COLLECTING, S.PUBLISHED)
        if current == S.CLOSED:
            return gettext("The topic is closed (销号): its state cannot change.")
        if current == S.TOLERATED:
            return gettext("The topic was closed with its failure tolerated: it cannot change.")
        if target == S.COLLECTING:
            return gettext("A topic cannot go back to collecting.")
        if target == S.PUBLISHED:
            return gettext("The topic is already published.")
        if target == S.CLAIMED:
            if current == S.COLLECTING:
                return gettext("Not published yet: it cannot be claimed.")
            return gettext("The topic is already claimed.")
        if target == S.IN_PROGRESS and not_claimed:
            return gettext("Not claimed yet: work cannot start.")
        if target == S.ACCEPTING:
            if not_claimed:
                return gettext("Not claimed yet: it cannot be accepted.")
            if current == S.CLAIMED:
                return gettext("Work has not started yet: it cannot be accepted.")
        if target == S.CLOSED:
            return gettext("Not accepted yet: it cannot be closed as done.")
        if target == S.TOLERATED and not_claimed:
            return gettext("Not claimed yet: there is no failure to tolerate.")
        return gettext("A topic cannot go from “%(from)s” to “%(to)s”.") % {
            "from": S(current).label,
            "to": S(target).label,
        }

    def refresh_state(self):
        current = self.state_changes.filter(end__isnull=True).order_by("-start", "-pk").first()
        if current is None:
            self.state, self.state_since = TopicState.COLLECTING, None
        else:
            self.state, self.state_since = current.state, current.start
        return self

    def state_on(self, day):
        change = self.state_changes.active_on(day).first()
        return change.state if change else None

    def met_target(self, value):
        if value is None:
            return None
        if self.target_direction == self.Direction.AT_MOST:
            return value <= self.target_value
        return value >= self.target_value


class TopicStateChange(DatedFact):
    """One state of a topic, from the day it changed until the next change."""

    topic = models.ForeignKey(
        Topic, verbose_name=_("topic"), on_delete=models.CASCADE, related_name="state_changes"
    )
    state = models.CharField(_("state"), max_length=12, choices=TopicState.choices)
    start = models.DateField(_("changed on"))
    end = models.DateField(_("until"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=500, blank=True)

    objects = DatedQuerySet.as_manager()
    scope_area_lookup = "topic__enterprise__community"
    scope_area_is_community = True
    end_may_equal_start = True
    end_before_start_message = _("A state cannot end before it began.")

    class Meta:
        verbose_name = _("topic state change")
        verbose_name_plural = _("topic state changes")
        ordering = ["start", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["topic"], condition=Q(end__isnull=True), name="topic_one_current_state"
            ),
        ]
        indexes = [models.Index(fields=["topic", "start"], name="topic_state_topic_start")]

    def __str__(self):
        return f"{self.topic} {self.get_state_display()} {self.start:%Y-%m-%d}"

    def get_absolute_url(self):
        return reverse("showcase:topic_detail", args=[self.topic_id]) + "#states"


class Milestone(AuditedModel):
    """A step of a topic: its weight in the topic's progress and how far it is done."""

    topic = models.ForeignKey(
        Topic, verbose_name=_("topic"), on_delete=models.CASCADE, related_name="milestones"
    )
    title = models.CharField(_("milestone"), max_length=200)
    weight = models.PositiveSmallIntegerField(
        _("weight"), default=1, validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    percent_done = models.PositiveSmallIntegerField(
        _("percent done"), default=0, validators=[MaxValueValidator(100)]
    )
    due_on = models.DateField(_("due on"), null=True, blank=True)
    done_on = models.DateField(_("done on"), null=True, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    version = models.PositiveIntegerField(_("version"), default=1)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope_area_lookup = "topic__enterprise__community"
    scope_area_is_community = True
    audit_exclude = ("updated_at", "version")

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["topic", "order", "pk"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("showcase:topic_detail", args=[self.topic_id]) + "#milestones"

    def clean(self):
        errors = future_date_errors(self, "done_on")
        if self.percent_done is not None and self.percent_done > 100:
            errors["percent_done"] = _("Percent done is from 0 to 100.")
        if self.done_on and self.percent_done != 100:
            errors["done_on"] = _("Only a finished milestone (100 percent) has a completion date.")
        before = stored(self, "percent_done") or {"percent_done": 0}
        if self.topic_id and before["percent_done"] != self.percent_done:
            if self.topic.is_ended:
                errors["percent_done"] = _(
                    "The topic is closed: its progress can no longer change."
                )
            elif self.topic.state in (TopicState.COLLECTING, TopicState.PUBLISHED):
                errors["percent_done"] = _("Not claimed yet: there is no progress to record.")
        if errors:
            raise ValidationError(errors)


class Acceptance(AuditedModel):
    """验收: reviewers measure the result against the topic's target."""

    topic = models.ForeignKey(
        Topic, verbose_name=_("topic"), on_delete=models.CASCADE, related_name="acceptances"
    )
    accepted_on = models.DateField(_("accepted on"))
    measured_value = models.DecimalField(_("measured result"), max_digits=14, decimal_places=2)
    passed = models.BooleanField(_("passed"))
    opinion = models.TextField(_("opinion"), blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    attachments = GenericRelation(Attachment)

    objects = ScopedQuerySet.as_manager()
    scope_area_lookup = "topic__enterprise__community"
    scope_area_is_community = True
    audit_exclude = ("version",)

    class Meta:
        verbose_name = _("acceptance")
        verbose_name_plural = _("acceptances")
        ordering = ["topic", "accepted_on", "pk"]

    def __str__(self):
        return f"{self.topic} {self.accepted_on:%Y-%m-%d}"

    def get_absolute_url(self):
        return reverse("showcase:topic_detail", args=[self.topic_id]) + "#acceptance"

    @property
    def met_target(self):
        return self.topic.met_target(self.measured_value)

    def clean(self):
        errors = future_date_errors(self, "accepted_on")
        if errors:
            raise ValidationError(errors)


class AcceptanceReviewer(AuditedModel):
    acceptance = models.ForeignKey(
        Acceptance, verbose_name=_("acceptance"), on_delete=models.CASCADE, related_name="reviewers"
    )
    name = models.CharField(_("reviewer"), max_length=50)
    unit = models.CharField(_("unit"), max_length=100, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)

    objects = ScopedQuerySet.as_manager()
    scope_area_lookup = "acceptance__topic__enterprise__community"
    scope_area_is_community = True
    audit_exclude = ("version",)

    class Meta:
        verbose_name = _("acceptance reviewer")
        verbose_name_plural = _("acceptance reviewers")
        ordering = ["acceptance", "pk"]

    def __str__(self):
        return self.name


# ---------------------------------------------------------------------------
# 传帮带


class Mentoring(DatedFact):
    """A site mentors another enterprise (传帮带) from ``start`` until ``end``."""

    site = models.ForeignKey(
        DemonstrationSite,
        verbose_name=_("mentoring site"),
        on_delete=models.PROTECT,
        related_name="mentorings",
    )
    mentee = models.ForeignKey(
        Enterprise,
        verbose_name=_("mentored enterprise"),
        on_delete=models.PROTECT,
        related_name="mentored_by",
    )
    content = models.TextField(_("what is passed on"))
    version = models.PositiveIntegerField(_("version"), default=1)

    scope_area_lookup = "site__enterprise__community"
    scope_area_is_community = True
    audit_exclude = ("version",)

    class Meta:
        verbose_name = _("mentoring")
        verbose_name_plural = _("mentorings")
        ordering = ["-start", "pk"]

    def __str__(self):
        return f"{self.site} → {self.mentee}"

    def get_absolute_url(self):
        return reverse("showcase:mentoring_detail", args=[self.pk])

    def clean(self):
        errors = self.dated_errors()
        if self.site_id and self.mentee_id and self.site.enterprise_id == self.mentee_id:
            errors["mentee"] = _("A site cannot mentor its own enterprise.")
        if errors:
            raise ValidationError(errors)


class MentoringNote(AuditedModel):
    mentoring = models.ForeignKey(
        Mentoring, verbose_name=_("mentoring"), on_delete=models.CASCADE, related_name="notes"
    )
    noted_on = models.DateField(_("date"))
    text = models.TextField(_("note"))
    version = models.PositiveIntegerField(_("version"), default=1)

    objects = ScopedQuerySet.as_manager()
    scope_area_lookup = "mentoring__site__enterprise__community"
    scope_area_is_community = True
    audit_exclude = ("version",)

    class Meta:
        verbose_name = _("mentoring note")
        verbose_name_plural = _("mentoring notes")
        ordering = ["mentoring", "-noted_on", "-pk"]

    def __str__(self):
        return f"{self.mentoring} {self.noted_on:%Y-%m-%d}"

    def get_absolute_url(self):
        return reverse("showcase:mentoring_detail", args=[self.mentoring_id]) + "#notes"

    def clean(self):
        errors = future_date_errors(self, "noted_on")
        if self.mentoring_id and self.noted_on and self.noted_on < self.mentoring.start:
            errors["noted_on"] = _("The note cannot be before the mentoring began.")
        if errors:
            raise ValidationError(errors)


# ---------------------------------------------------------------------------
# 先锋事迹 and 红帆教学案例


class PracticeRecord(AuditedModel):
    """What a deed and a teaching case both record: the structured story."""

    title = models.CharField(_("title"), max_length=200)
    background = models.TextField(_("background"))
    measures = models.TextField(_("measures"))
    results = models.TextField(_("measured results"))
    method = models.TextField(_("reusable method"), blank=True)
    recorded_on = models.DateField(_("recorded on"))
    version = models.PositiveIntegerField(_("version"), default=1)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    attachments = GenericRelation(Attachment)

    audit_exclude = ("version",)

    class Meta:
        abstract = True

    def __str__(self):
        return self.title

    def link_errors(self, enterprise_id):
        """The topic and site it came from must be the enterprise's (when it has one)."""
        errors = {}
        if self.topic_id:
            if self.site_id is None and self.topic.site_id:
                self.site = self.topic.site
            if enterprise_id and self.topic.enterprise_id != enterprise_id:
                errors["topic"] = _("This topic is another enterprise's.")
        if self.site_id and enterprise_id and self.site.enterprise_id != enterprise_id:
            errors["site"] = _("This site is another enterprise's.")
        if self.topic_id and self.site_id and self.topic.site_id not in (None, self.site_id):
            errors["topic"] = _("This topic belongs to another site.")
        return errors


class PioneerDeed(PracticeRecord):
    """先锋事迹: what a pioneer member did, e.g. 郑晓斐 at 青岛世纪海佳机械."""

    enterprise = models.ForeignKey(
        Enterprise,
        verbose_name=_("enterprise"),
        on_delete=models.PROTECT,
        related_name="pioneer_deeds",
    )
    person_name = models.CharField(_("member"), max_length=50)
    branch = models.ForeignKey(
        PartyOrganization,
        verbose_name=_("branch"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="pioneer_deeds",
    )
    site = models.ForeignKey(
        DemonstrationSite,
        verbose_name=_("from site"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="pioneer_deeds",
    )
    topic = models.ForeignKey(
        Topic,
        verbose_name=_("from topic"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="pioneer_deeds",
    )

    objects = ScopedQuerySet.as_manager()
    scope_area_lookup = "enterprise__community"
    scope_area_is_community = True

    class Meta:
        verbose_name = _("pioneer deed")
        verbose_name_plural = _("pioneer deeds")
        ordering = ["-recorded_on", "pk"]

    def __str__(self):
        return f"{self.person_name}：{self.title}"

    def get_absolute_url(self):
        return reverse("showcase:deed_detail", args=[self.pk])

    def clean(self):
        errors = future_date_errors(self, "recorded_on")
        errors.update(self.link_errors(self.enterprise_id))
        if errors:
            raise ValidationError(errors)


class CaseReview(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("showcase", "Draft")
    SUBMITTED = "submitted", pgettext_lazy("showcase", "Awaiting review")
    REVIEWED = "reviewed", pgettext_lazy("showcase", "Reviewed")
    RETURNED = "returned", pgettext_lazy("showcase", "Returned for changes")


class TeachingCase(PracticeRecord):
    """红帆教学案例: a practice written up for others to learn from. It belongs to a
    community (``area``): a case can be about a community's own practice (水城路社区's),
    and when it is about one enterprise, ``area`` is that enterprise's community. Only
    reviewed cases count on the dashboard."""

    Review = CaseReview

    area = models.ForeignKey(
        Area,
        verbose_name=_("community"),
        on_delete=models.PROTECT,
        related_name="teaching_cases",
        blank=True,  # filled from the enterprise when the case is about one
        limit_choices_to={"level": Area.Level.COMMUNITY},
        help_text=_("Where the practice comes from; for one enterprise, its community."),
    )
    enterprise = models.ForeignKey(
        Enterprise,
        verbose_name=_("enterprise"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="teaching_cases",
    )
    site = models.ForeignKey(
        DemonstrationSite,
        verbose_name=_("from site"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="teaching_cases",
    )
    topic = models.ForeignKey(
        Topic,
        verbose_name=_("from topic"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="teaching_cases",
    )
    deed = models.ForeignKey(
        PioneerDeed,
        verbose_name=_("from deed"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="teaching_cases",
    )
    review_state = models.CharField(
        _("review"),
        max_length=10,
        choices=CaseReview.choices,
        default=CaseReview.DRAFT,
        editable=False,
    )
    reviewed_on = models.DateField(_("reviewed on"), null=True, editable=False)
    reviewed_by = models.CharField(_("reviewed by"), max_length=50, blank=True, editable=False)
    review_opinion = models.TextField(_("review opinion"), blank=True, editable=False)

    objects = ScopedQuerySet.as_manager()
    scope_area_lookup = "area"
    scope_area_is_community = True

    class Meta:
        verbose_name = _("teaching case")
        verbose_name_plural = _("teaching cases")
        ordering = ["-recorded_on", "pk"]
        indexes = [models.Index(fields=["review_state", "reviewed_on"], name="case_reviewed")]

    def get_absolute_url(self):
        return reverse("showcase:case_detail", args=[self.pk])

    def clean(self):
        errors = future_date_errors(self, "recorded_on")
        if self.enterprise_id:
            if not self.area_id:
                self.area = self.enterprise.community
            elif self.area_id != self.enterprise.community_id:
                errors["area"] = _("The case is about an enterprise of another community.")
        if not self.area_id:
            errors["area"] = _("Choose the community the case comes from.")
        elif self.area.level != Area.Level.COMMUNITY:
            errors["area"] = _("Choose a community, not a street or district.")
        if self.deed_id and self.enterprise_id and self.deed.enterprise_id != self.enterprise_id:
            errors["deed"] = _("This deed is another enterprise's.")
        errors.update(self.link_errors(self.enterprise_id))
        if errors:
            raise ValidationError(errors)


class Recognition(AuditedModel):
    """A dated recognition, e.g. an invitation to the city's 灯塔领读 sharing session."""

    name = models.CharField(_("recognition"), max_length=200)
    granted_by = models.CharField(_("granted by"), max_length=100, blank=True)
    granted_on = models.DateField(_("date"))
    note = models.CharField(_("note"), max_length=300, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)

    audit_exclude = ("version",)

    class Meta:
        abstract = True
        ordering = ["-granted_on", "pk"]

    def __str__(self):
        return f"{self.name} {self.granted_on:%Y-%m-%d}"

    def clean(self):
        errors = future_date_errors(self, "granted_on")
        if errors:
            raise ValidationError(errors)


class DeedRecognition(Recognition):
    deed = models.ForeignKey(
        PioneerDeed,
        verbose_name=_("pioneer deed"),
        on_delete=models.CASCADE,
        related_name="recognitions",
    )

    objects = ScopedQuerySet.as_manager()
    scope_area_lookup = "deed__enterprise__community"
    scope_area_is_community = True

    def get_absolute_url(self):
        return reverse("showcase:deed_detail", args=[self.deed_id]) + "#recognitions"

    class Meta(Recognition.Meta):
        verbose_name = _("deed recognition")
        verbose_name_plural = _("deed recognitions")


class CaseRecognition(Recognition):
    case = models.ForeignKey(
        TeachingCase,
        verbose_name=_("teaching case"),
        on_delete=models.CASCADE,
        related_name="recognitions",
    )

    objects = ScopedQuerySet.as_manager()
    scope_area_lookup = "case__area"
    scope_area_is_community = True

    def get_absolute_url(self):
        return reverse("showcase:case_detail", args=[self.case_id]) + "#recognitions"

    class Meta(Recognition.Meta):
        verbose_name = _("case recognition")
        verbose_name_plural = _("case recognitions")
