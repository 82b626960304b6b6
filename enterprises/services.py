"""Writes that touch several records or enforce cross-record rules. Views stay thin."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core.versioning import StaleEdit, save_with_version  # noqa: F401  (re-exported)

from .coverage import annotate_members
from .models import Coverage, Enterprise, PartyOrganization


@transaction.atomic
def enterprise_archive(*, enterprise, reason):
    if enterprise.archived_at:
        return enterprise
    enterprise.archived_at = timezone.now()
    enterprise.archive_reason = reason
    enterprise.version += 1
    enterprise.save(update_fields=["archived_at", "archive_reason", "version", "updated_at"])
    return enterprise


@transaction.atomic
def enterprise_restore(*, enterprise):
    enterprise.archived_at = None
    enterprise.archive_reason = ""
    enterprise.version += 1
    enterprise.save(update_fields=["archived_at", "archive_reason", "version", "updated_at"])
    return enterprise


def overlapping(coverages, since, until):
    """Coverages whose period overlaps [since, until)."""
    q = Q(until__isnull=True) | Q(until__gt=since)
    if until:
        q &= Q(since__lt=until)
    return coverages.filter(q)


def check_coverage_rules(*, organization, enterprise, since, until=None, exclude_pk=None):
    """Blocking rules for adding a coverage: raise ValidationError with a clear message."""
    others = organization.coverages.exclude(pk=exclude_pk)
    if overlapping(others.filter(enterprise=enterprise), since, until).exists():
        raise ValidationError(
            _("%(enterprise)s is already covered by this organisation in that period.")
            % {"enterprise": enterprise}
        )
    standalone = organization.formation == PartyOrganization.Formation.STANDALONE
    if standalone and overlapping(others.exclude(enterprise=enterprise), since, until).exists():
        raise ValidationError(
            _(
                "A standalone organisation covers exactly one enterprise. "
                "Use a joint organisation to cover several."
            )
        )
    if since < organization.established_on:
        raise ValidationError(
            _("Coverage cannot start before the organisation was established (%(day)s).")
            % {"day": organization.established_on}
        )


@transaction.atomic
def coverage_add(*, organization, enterprise, since, until=None):
    check_coverage_rules(organization=organization, enterprise=enterprise, since=since, until=until)
    return Coverage.objects.create(
        organization=organization, enterprise=enterprise, since=since, until=until
    )


@transaction.atomic
def coverage_end(*, coverage, until):
    if until <= coverage.since:
        raise ValidationError(
            _("The end must be after the start (%(day)s).") % {"day": coverage.since}
        )
    coverage.until = until
    coverage.save(update_fields=["until"])
    return coverage


@transaction.atomic
def organization_create(*, organization, enterprises, since=None):
    """Create an organisation and its coverages (from ``since``, default: established)."""
    organization.full_clean()
    organization.save()
    since = since or organization.established_on
    for enterprise in enterprises:
        coverage_add(organization=organization, enterprise=enterprise, since=since)
    return organization


@dataclass
class RuleWarning:
    message: str


def organization_warnings(organization, day=None):
    """Published rules that warn but do not block (level vs members, joint size)."""
    day = day or timezone.localdate()
    warnings = []
    enterprise_ids = list(
        organization.active_coverages(day).values_list("enterprise_id", flat=True)
    )
    if organization.formation == PartyOrganization.Formation.JOINT and (
        len(enterprise_ids) > PartyOrganization.JOINT_MAX_UNITS
    ):
        warnings.append(
            RuleWarning(
                _("A joint branch should cover no more than %(max)d units; this one covers %(n)d.")
                % {"max": PartyOrganization.JOINT_MAX_UNITS, "n": len(enterprise_ids)}
            )
        )
    formal = total_formal(enterprise_ids, day)
    if formal is not None:
        fitting = PartyOrganization.level_for_members(formal)
        if fitting is not None and fitting != organization.level:
            warnings.append(
                RuleWarning(
                    _(
                        "With %(n)d formal members the rules call for a %(fitting)s, "
                        "not a %(level)s (3–49: branch; 50–99: general branch; 100+: committee)."
                    )
                    % {
                        "n": formal,
                        "fitting": PartyOrganization.Level(fitting).label,
                        "level": organization.get_level_display(),
                    }
                )
            )
        elif fitting is None and organization.formation == PartyOrganization.Formation.STANDALONE:
            warnings.append(
                RuleWarning(
                    _(
                        "Only %(n)d formal members: a standalone organisation needs at least 3; "
                        "consider a joint branch."
                    )
                    % {"n": formal}
                )
            )
    return warnings


def total_formal(enterprise_ids, day):
    """Sum of formal members over enterprises (latest return ≤ day); None if none reported."""
    if not enterprise_ids:
        return None
    rows = annotate_members(Enterprise.objects.filter(pk__in=enterprise_ids), day, ["formal"])
    values = [r.formal for r in rows.only("pk") if r.formal is not None]
    return sum(values) if values else None
