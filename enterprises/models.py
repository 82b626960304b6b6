"""The "1": enterprises, party organisations, membership returns, liaisons, mass
organisations and membership transfers. Every fact that changes over time carries its
dates, so any figure can be recomputed as of any day (see ``coverage.py``)."""

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from areas.models import Area
from areas.scoping import ScopedQuerySet, ScopingMixin
from audit.models import AuditedModel
from core.dated import DatedMixin, DatedQuerySet, active_q, future_date_errors

from . import uscc


def add_years(day, years):
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


class Industry(models.TextChoices):
    """国民经济行业分类 (GB/T 4754-2017) sections."""

    A = "A", _("A Agriculture, forestry, animal husbandry and fishery")
    B = "B", _("B Mining")
    C = "C", _("C Manufacturing")
    D = "D", _("D Electricity, heat, gas and water production and supply")
    E = "E", _("E Construction")
    F = "F", _("F Wholesale and retail trade")
    G = "G", _("G Transport, storage and post")
    H = "H", _("H Accommodation and catering")
    I = "I", _("I Information transmission, software and IT services")  # noqa: E741
    J = "J", _("J Finance")
    K = "K", _("K Real estate")
    L = "L", _("L Leasing and business services")
    M = "M", _("M Scientific research and technical services")
    N = "N", _("N Water, environment and public facilities management")
    O = "O", _("O Resident services, repair and other services")  # noqa: E741
    P = "P", _("P Education")
    Q = "Q", _("Q Health and social work")
    R = "R", _("R Culture, sports and entertainment")
    S = "S", _("S Public administration, social security and social organisations")
    T = "T", _("T International organisations")


class IndustryChain(AuditedModel):
    """A local industry chain (产业链), e.g. 智能装备制造, 智能家电. Reference data."""

    name = models.CharField(_("name"), max_length=50, unique=True)

    class Meta:
        verbose_name = _("industry chain")
        verbose_name_plural = _("industry chains")
        ordering = ["name"]

    def __str__(self):
        return self.name


class EnterpriseQuerySet(ScopedQuerySet):
    def live(self):
        """Not archived (archived records were entered by mistake)."""
        return self.filter(archived_at__isnull=True)

    def operating_on(self, day):
        """在营 at ``day``: not archived, tracked on or before it, not closed on or before it."""
        return (
            self.live()
            .filter(tracked_since__lte=day)
            .exclude(~Q(status=Enterprise.Status.OPERATING) & Q(status_date__lte=day))
        )

    def with_coverage(self, day):
        from .coverage import annotate_coverage

        return annotate_coverage(self, day)


class Enterprise(AuditedModel):
    class Ownership(models.TextChoices):
        PRIVATE = "private", _("Private")
        HMT = "hmt", _("Hong Kong, Macao or Taiwan")
        FOREIGN = "foreign", _("Foreign")
        OTHER = "other", _("Other")

    class Size(models.TextChoices):
        LARGE = "large", _("Large")
        MEDIUM = "medium", _("Medium")
        SMALL = "small", _("Small")
        MICRO = "micro", _("Micro")

    class Status(models.TextChoices):
        OPERATING = "operating", _("Operating")
        SUSPENDED = "suspended", _("Suspended")
        DEREGISTERED = "deregistered", _("Deregistered")
        MOVED_OUT = "moved_out", _("Moved out")

    name = models.CharField(_("enterprise name"), max_length=200)
    uscc = models.CharField(
        _("unified social credit code"),
        max_length=18,
        unique=True,
        help_text=_("18 characters, GB 32100-2015; full-width characters and spaces are fixed."),
    )
    community = models.ForeignKey(
        Area,
        verbose_name=_("community"),
        on_delete=models.PROTECT,
        related_name="enterprises",
        limit_choices_to={"level": Area.Level.COMMUNITY},
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    industry = models.CharField(_("industry"), max_length=1, choices=Industry.choices)
    industry_chain = models.ForeignKey(
        IndustryChain,
        verbose_name=_("industry chain"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="enterprises",
    )
    ownership = models.CharField(
        _("ownership"), max_length=10, choices=Ownership.choices, default=Ownership.PRIVATE
    )
    size = models.CharField(
        _("size class"), max_length=10, choices=Size.choices, default=Size.SMALL
    )
    above_scale = models.BooleanField(
        _("above designated size"), default=False, help_text=_("规模以上企业 (规上).")
    )
    employees = models.PositiveIntegerField(_("employees"), null=True, blank=True)
    investor_is_member = models.BooleanField(_("investor is a party member"), default=False)
    contact_name = models.CharField(_("contact person"), max_length=50, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=30, blank=True)
    tracked_since = models.DateField(
        _("tracked since"),
        default=timezone.localdate,
        help_text=_("The day the street started tracking this enterprise (纳入管理)."),
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.OPERATING
    )
    status_date = models.DateField(
        _("status date"),
        null=True,
        blank=True,
        help_text=_("For 歇业 / 注销 / 迁出: the day it happened."),
    )
    archived_at = models.DateTimeField(_("archived at"), null=True, blank=True)
    archive_reason = models.CharField(_("archive reason"), max_length=200, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = EnterpriseQuerySet.as_manager()
    scope_area_lookup = "community"
    scope_area_is_community = True
    audit_exclude = ("updated_at", "version")

    class Meta:
        verbose_name = _("enterprise")
        verbose_name_plural = _("enterprises")
        ordering = ["name", "pk"]
        indexes = [
            models.Index(fields=["community", "name"], name="ent_community_name"),
            models.Index(fields=["name", "id"], name="ent_name_id"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="operating") | Q(status_date__isnull=False),
                name="enterprise_closed_has_date",
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("enterprises:detail", args=[self.pk])

    def clean_fields(self, exclude=None):
        # Normalise before the 18-character limit is checked, so that a code typed with
        # spaces or dashes is fixed rather than rejected as too long.
        if self.uscc:
            self.uscc = uscc.normalize(self.uscc)
        super().clean_fields(exclude=exclude)

    def clean(self):
        errors = {}
        if self.uscc:
            try:
                self.uscc = uscc.validate(self.uscc)
            except ValidationError as error:
                errors["uscc"] = error.messages
        if self.status != self.Status.OPERATING and not self.status_date:
            errors["status_date"] = _("Give the date of the status change.")
        if self.status == self.Status.OPERATING:
            self.status_date = None
        if self.status_date and self.tracked_since and self.status_date < self.tracked_since:
            errors["status_date"] = _("The status date cannot be before the tracked-since date.")
        today = timezone.localdate()
        if self.status_date and self.status_date > today:
            errors["status_date"] = _("The status date cannot be in the future.")
        if self.community_id and self.community.level != Area.Level.COMMUNITY:
            errors["community"] = _("Choose a community, not a street or district.")
        if errors:
            raise ValidationError(errors)

    @property
    def is_archived(self):
        return self.archived_at is not None

    def is_operating_on(self, day):
        if self.archived_at or self.tracked_since > day:
            return False
        return self.status == self.Status.OPERATING or self.status_date > day

    def coverage_on(self, day=None):
        """This enterprise's coverage state at ``day`` (same code as the list and dashboard)."""
        day = day or timezone.localdate()
        return Enterprise.objects.filter(pk=self.pk).with_coverage(day).get().coverage_state

    def members_on(self, day=None):
        day = day or timezone.localdate()
        return self.returns.filter(reported_on__lte=day).order_by("-reported_on").first()


class PartyOrganization(DatedMixin, AuditedModel):
    class Level(models.TextChoices):
        COMMITTEE = "committee", _("Party committee")
        GENERAL_BRANCH = "general_branch", _("General branch")
        BRANCH = "branch", _("Branch")

    class Formation(models.TextChoices):
        STANDALONE = "standalone", _("Standalone")
        JOINT = "joint", _("Joint")
        REGIONAL = "regional", _("Regional or attached")

    TERM_YEARS = {Level.COMMITTEE: 5, Level.GENERAL_BRANCH: 3, Level.BRANCH: 3}
    # Published rules: formal members → level; a joint branch covers at most 5 units.
    LEVEL_BY_MEMBERS = [(100, Level.COMMITTEE), (50, Level.GENERAL_BRANCH), (3, Level.BRANCH)]
    JOINT_MAX_UNITS = 5

    name = models.CharField(_("organisation name"), max_length=200)
    level = models.CharField(_("level"), max_length=16, choices=Level.choices, default=Level.BRANCH)
    formation = models.CharField(_("formation"), max_length=12, choices=Formation.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        help_text=_("For a branch under an enterprise party committee or general branch."),
    )
    area = models.ForeignKey(
        Area,
        verbose_name=_("area"),
        on_delete=models.PROTECT,
        related_name="party_organizations",
        help_text=_("The street or community that manages this organisation."),
    )
    enterprises = models.ManyToManyField(
        Enterprise,
        through="Coverage",
        verbose_name=_("covered enterprises"),
        related_name="party_organizations",
    )
    secretary = models.CharField(_("secretary"), max_length=50, blank=True)
    established_on = models.DateField(_("established on"))
    dissolved_on = models.DateField(_("dissolved on"), null=True, blank=True)
    last_election_on = models.DateField(
        _("last term change"),
        null=True,
        blank=True,
        help_text=_("Date of the last 换届 election; empty if none since establishment."),
    )
    next_election_due = models.DateField(_("next term change due"), editable=False, null=True)
    red_sail = models.BooleanField(_("红帆支部"), default=False)
    notes = models.TextField(_("notes"), blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)

    objects = DatedQuerySet.as_manager()
    scope_area_lookup = "area"
    audit_exclude = ("version",)
    dated_fields = ("established_on", "dissolved_on")
    end_may_equal_start = True
    end_before_start_message = _("Dissolution cannot be before establishment.")

    class Meta:
        verbose_name = _("party organisation")
        verbose_name_plural = _("party organisations")
        ordering = ["name", "pk"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("enterprises:organization_detail", args=[self.pk])

    @property
    def term_years(self):
        return self.TERM_YEARS[self.level]

    def compute_next_election_due(self):
        start = self.last_election_on or self.established_on
        return add_years(start, self.term_years) if start else None

    def save(self, *args, **kwargs):
        self.next_election_due = self.compute_next_election_due()
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "next_election_due"}
        super().save(*args, **kwargs)

    def clean(self):
        errors = self.dated_errors()
        if (
            self.last_election_on
            and self.established_on
            and (self.last_election_on < self.established_on)
        ):
            errors["last_election_on"] = _("The last term change cannot be before establishment.")
        errors.update(future_date_errors(self, "last_election_on"))
        if self.parent_id and self.parent_id == self.pk:
            errors["parent"] = _("An organisation cannot be its own parent.")
        if errors:
            raise ValidationError(errors)

    def active_coverages(self, day=None):
        day = day or timezone.localdate()
        return self.coverages.filter(Coverage.active_q(day))

    @classmethod
    def level_for_members(cls, formal):
        for threshold, level in cls.LEVEL_BY_MEMBERS:
            if formal >= threshold:
                return level
        return None


class Coverage(DatedMixin, AuditedModel):
    """An organisation covers an enterprise from ``since`` until (not including) ``until``."""

    organization = models.ForeignKey(
        PartyOrganization,
        verbose_name=_("party organisation"),
        on_delete=models.CASCADE,
        related_name="coverages",
    )
    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("enterprise"), on_delete=models.PROTECT, related_name="coverages"
    )
    since = models.DateField(_("covered since"))
    until = models.DateField(_("covered until"), null=True, blank=True)

    objects = DatedQuerySet.as_manager()
    scope_area_lookup = "enterprise__community"
    scope_area_is_community = True
    dated_fields = ("since", "until")

    class Meta:
        verbose_name = _("coverage")
        verbose_name_plural = _("coverages")
        ordering = ["since", "pk"]
        indexes = [models.Index(fields=["enterprise", "since"], name="coverage_enterprise_since")]

    def __str__(self):
        return f"{self.organization} → {self.enterprise}"


class MembershipReturn(AuditedModel):
    """党员情况: dated counts for one enterprise. Counts only, no personal files."""

    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("enterprise"), on_delete=models.CASCADE, related_name="returns"
    )
    reported_on = models.DateField(_("as of"), help_text=_("The day these figures describe."))
    formal = models.PositiveIntegerField(_("formal members"), default=0)
    probationary = models.PositiveIntegerField(_("probationary members"), default=0)
    development_targets = models.PositiveIntegerField(_("development targets"), default=0)
    activists = models.PositiveIntegerField(_("activists"), default=0)
    applicants = models.PositiveIntegerField(_("applicants"), default=0)
    employees = models.PositiveIntegerField(_("employees"), null=True, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)

    objects = ScopedQuerySet.as_manager()
    scope_area_lookup = "enterprise__community"
    scope_area_is_community = True
    audit_exclude = ("version",)

    class Meta:
        verbose_name = _("membership return")
        verbose_name_plural = _("membership returns")
        ordering = ["-reported_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise", "reported_on"], name="return_one_per_enterprise_day"
            ),
        ]
        indexes = [models.Index(fields=["enterprise", "-reported_on"], name="return_latest")]

    def __str__(self):
        return f"{self.enterprise} {self.reported_on:%Y-%m-%d}"

    def clean(self):
        errors = future_date_errors(self, "reported_on")
        if errors:
            raise ValidationError(errors)

    @property
    def band(self):
        from .coverage import band_for

        return band_for(self.formal)


class Liaison(AuditedModel):
    """党建专员 / 党建指导员: a person the street assigns to enterprises."""

    class Kind(models.TextChoices):
        COMMISSIONER = "commissioner", _("Party-building commissioner (党建专员)")
        INSTRUCTOR = "instructor", _("Party-building instructor (党建指导员)")

    name = models.CharField(_("name"), max_length=50)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    unit = models.CharField(_("work unit"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    area = models.ForeignKey(
        Area, verbose_name=_("area"), on_delete=models.PROTECT, related_name="liaisons"
    )
    active = models.BooleanField(_("in service"), default=True)
    version = models.PositiveIntegerField(_("version"), default=1)

    objects = ScopedQuerySet.as_manager()
    scope_area_lookup = "area"
    audit_exclude = ("version",)

    class Meta:
        verbose_name = _("liaison")
        verbose_name_plural = _("liaisons")
        ordering = ["name", "pk"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("enterprises:liaison_detail", args=[self.pk])


class LiaisonAssignment(DatedMixin, AuditedModel):
    liaison = models.ForeignKey(
        Liaison, verbose_name=_("liaison"), on_delete=models.PROTECT, related_name="assignments"
    )
    enterprise = models.ForeignKey(
        Enterprise,
        verbose_name=_("enterprise"),
        on_delete=models.CASCADE,
        related_name="liaison_assignments",
    )
    start = models.DateField(_("start"))
    end = models.DateField(_("end"), null=True, blank=True)

    objects = DatedQuerySet.as_manager()
    scope_area_lookup = "enterprise__community"
    scope_area_is_community = True

    class Meta:
        verbose_name = _("liaison assignment")
        verbose_name_plural = _("liaison assignments")
        ordering = ["-start", "pk"]
        indexes = [models.Index(fields=["enterprise", "start"], name="assignment_enterprise")]

    def __str__(self):
        return f"{self.liaison} → {self.enterprise}"


class MassOrganization(DatedMixin, AuditedModel):
    """工会 / 共青团 / 妇联 in an enterprise."""

    class Kind(models.TextChoices):
        UNION = "union", _("Trade union")
        YOUTH_LEAGUE = "youth_league", _("Youth league")
        WOMEN = "women", _("Women's federation")

    KIND_LABELS = dict(Kind.choices)  # lazy labels: translated when shown

    enterprise = models.ForeignKey(
        Enterprise,
        verbose_name=_("enterprise"),
        on_delete=models.CASCADE,
        related_name="mass_organizations",
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    established_on = models.DateField(_("established on"))
    dissolved_on = models.DateField(_("dissolved on"), null=True, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)

    objects = DatedQuerySet.as_manager()
    scope_area_lookup = "enterprise__community"
    scope_area_is_community = True
    audit_exclude = ("version",)
    dated_fields = ("established_on", "dissolved_on")
    end_may_equal_start = True
    end_before_start_message = _("Dissolution cannot be before establishment.")

    class Meta:
        verbose_name = _("mass organisation")
        verbose_name_plural = _("mass organisations")
        ordering = ["kind", "established_on"]
        indexes = [models.Index(fields=["enterprise", "kind"], name="massorg_enterprise_kind")]

    def __str__(self):
        # As get_kind_display(), without rebuilding the choices on every call: imports
        # name thousands of these in the audit trail.
        label = self.KIND_LABELS.get(self.kind, self.kind)
        return f"{self.enterprise} {label}"


class TransferQuerySet(ScopedQuerySet):
    def overdue(self, today=None):
        today = today or timezone.localdate()
        limit = today - dt.timedelta(days=settings.TRANSFER_OVERDUE_DAYS)
        return self.filter(status=MembershipTransfer.Status.IN_PROGRESS, started_on__lt=limit)


class MembershipTransfer(AuditedModel):
    """组织关系转接 handled end to end (全程代办) for one member."""

    class Status(models.TextChoices):
        IN_PROGRESS = "in_progress", _("In progress")
        COMPLETED = "completed", _("Completed")
        CANCELLED = "cancelled", _("Cancelled")

    member_name = models.CharField(_("member name"), max_length=50)
    from_unit = models.CharField(
        _("transferring from"), max_length=200, help_text=_("The party organisation it comes from.")
    )
    to_organization = models.ForeignKey(
        PartyOrganization,
        verbose_name=_("transferring to"),
        on_delete=models.PROTECT,
        related_name="incoming_transfers",
    )
    enterprise = models.ForeignKey(
        Enterprise,
        verbose_name=_("enterprise"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="transfers",
        help_text=_("Where the member works, if known."),
    )
    started_on = models.DateField(_("started on"), default=timezone.localdate)
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    handler = models.CharField(_("handled by"), max_length=50, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.IN_PROGRESS
    )
    notes = models.TextField(_("notes"), blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)

    objects = TransferQuerySet.as_manager()
    scope_area_lookup = "to_organization__area"
    audit_exclude = ("version",)

    class Meta:
        verbose_name = _("membership transfer")
        verbose_name_plural = _("membership transfers")
        ordering = ["-started_on", "pk"]

    def __str__(self):
        return f"{self.member_name} → {self.to_organization}"

    def get_absolute_url(self):
        return reverse("enterprises:transfer_detail", args=[self.pk])

    def clean(self):
        errors = future_date_errors(self, "started_on")
        if self.status == self.Status.COMPLETED and not self.completed_on:
            errors["completed_on"] = _("Give the completion date.")
        if self.completed_on:
            if self.started_on and self.completed_on < self.started_on:
                errors["completed_on"] = _("Completion cannot be before the start.")
            errors.update(future_date_errors(self, "completed_on"))
            if self.status == self.Status.IN_PROGRESS:
                errors["status"] = _("A transfer with a completion date is completed.")
        if errors:
            raise ValidationError(errors)

    @property
    def due_on(self):
        return self.started_on + dt.timedelta(days=settings.TRANSFER_OVERDUE_DAYS)

    @property
    def is_overdue(self):
        return self.status == self.Status.IN_PROGRESS and timezone.localdate() > self.due_on


# ---------------------------------------------------------------------------
# Stored state of the "1" (derived data: kept by ``state.py``, never edited)


class StateQuerySet(ScopingMixin, models.QuerySet):
    """Not audited: these rows are derived from audited records, never entered."""

    def on(self, day):
        """The interval of each enterprise that holds at ``day`` (at most one each)."""
        return self.filter(active_q(day, "start", "end"))

    def operating_on(self, day):
        return self.on(day).filter(operating=True)


class EnterpriseState(models.Model):
    """One interval [start, end) of an enterprise's state, as ``state.py`` computes it
    from the rules of ``coverage.py``: operating or not, coverage state, member band, the
    figures of the latest membership return and the 工青妇 flags. ``end`` NULL: open.

    Per enterprise the intervals do not overlap, follow each other without gaps from
    its first event date on, and two neighbours always differ (equal neighbours are
    merged). Before its first interval an enterprise is not operating, uncovered and of
    unknown band (no fact exists yet). Read the docstring of ``state.py`` before relying
    on these rows; never write them except through it.

    The enterprise's community and dimensions are copied onto every row (see
    ``state.py``, "Why the dimensions are copied"), so "state at D grouped by community /
    industry / size / ownership / 规上" reads this table alone.
    """

    enterprise = models.ForeignKey(
        Enterprise,
        on_delete=models.DO_NOTHING,  # state.py deletes them (after the enterprise's cascade)
        related_name="states",
        editable=False,
        db_index=False,  # the unique (enterprise, start) serves it
    )
    start = models.DateField(_("start"))
    end = models.DateField(_("end"), null=True, blank=True)
    # year × 12 + month − 1 of start / end (state.month_index): trend points by arithmetic
    start_month = models.PositiveIntegerField()
    end_month = models.PositiveIntegerField(null=True)
    operating = models.BooleanField(_("operating"))
    coverage_state = models.CharField(_("coverage state"), max_length=12)
    member_band = models.CharField(_("member band"), max_length=8)
    formal = models.PositiveIntegerField(_("formal members"), null=True)
    probationary = models.PositiveIntegerField(_("probationary members"), null=True)
    development_targets = models.PositiveIntegerField(_("development targets"), null=True)
    activists = models.PositiveIntegerField(_("activists"), null=True)
    applicants = models.PositiveIntegerField(_("applicants"), null=True)
    has_union = models.BooleanField(_("trade union"))
    has_youth_league = models.BooleanField(_("youth league"))
    has_women = models.BooleanField(_("women's federation"))
    # Copied from the enterprise (its current values, on every interval).
    community = models.ForeignKey(
        Area, verbose_name=_("community"), on_delete=models.DO_NOTHING, related_name="+"
    )
    industry = models.CharField(_("industry"), max_length=1)
    size = models.CharField(_("size class"), max_length=10)
    ownership = models.CharField(_("ownership"), max_length=10)
    above_scale = models.BooleanField(_("above designated size"))

    objects = StateQuerySet.as_manager()
    scope_area_lookup = "community"
    scope_area_is_community = True

    class Meta:
        verbose_name = _("enterprise state")
        verbose_name_plural = _("enterprise states")
        ordering = ["enterprise", "start"]
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "start"], name="state_enterprise_start"),
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gt=models.F("start")),
                name="state_end_after_start",
            ),
        ]

    def __str__(self):
        return f"{self.enterprise_id} [{self.start}, {self.end or '…'}) {self.coverage_state}"


class EventDay(models.Model):
    """NOT a table: the name under which ``state.py`` binds, in a common table
    expression, the (enterprise, day) pairs at which the state may change
    (``coverage.event_days``), so that ``coverage.py``'s own expressions can be evaluated
    at each pair. Its primary key is the enterprise, so the rules' ``OuterRef("pk")``
    correlates on it. Never query it outside ``state.py``."""

    enterprise = models.OneToOneField(
        Enterprise, primary_key=True, on_delete=models.DO_NOTHING, related_name="+"
    )
    day = models.DateField()

    class Meta:
        managed = False
        db_table = "enterprises_state_eventday"

    def __str__(self):
        return f"{self.enterprise_id} {self.day}"
