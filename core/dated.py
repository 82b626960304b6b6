"""Dated facts: a fact that holds from a start date until (not including) an end date.

"Active at D" (METRICS.md) means started on or before D and not ended on or before D. Every
such decision goes through this module (or ``enterprises/coverage.py``, which builds on it):

- ``Model.active_q(day, prefix="")``: the rule as a ``Q``, also across a relation
  (``Coverage.active_q(day, prefix="coverages__")``);
- ``Model.objects.active_on(day)``: the rule as a queryset filter;
- ``instance.is_active_on(day)``: the same rule on one record in memory.

``DatedMixin`` gives that to a model whose date fields have their own names (an
organisation is ``established_on`` / ``dissolved_on``); ``DatedFact`` is the abstract model
that new dated records use, with fields ``start`` and ``end``. Both validate that the end is
after the start and that neither lies in the future.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from areas.scoping import ScopedQuerySet
from audit.models import AuditedModel


def active_q(day, start_field, end_field, prefix=""):
    """Q: started on or before ``day`` and not ended on or before it."""
    return Q(**{f"{prefix}{start_field}__lte": day}) & (
        Q(**{f"{prefix}{end_field}__isnull": True}) | Q(**{f"{prefix}{end_field}__gt": day})
    )


def holds_on(start, end, day):
    """The same rule on plain values (a record read with ``values()``)."""
    return start is not None and start <= day and (end is None or end > day)


def future_date_errors(instance, *names):
    """{field: message} for each of these date fields that lies after today."""
    today = timezone.localdate()
    return {
        name: _("This date cannot be in the future.")
        for name in names
        if getattr(instance, name) and getattr(instance, name) > today
    }


class DatedQuerySet(ScopedQuerySet):
    def active_on(self, day):
        return self.filter(self.model.active_q(day))


class DatedMixin:
    """Behaviour of a dated fact; the model declares its two date fields' names."""

    dated_fields = ("start", "end")
    # An organisation dissolved on the day it was set up is a record of a fact; a liaison
    # assignment ending the day it starts never held, so it is refused.
    end_may_equal_start = False
    end_before_start_message = _("The end must be after the start.")

    @classmethod
    def active_q(cls, day, prefix=""):
        start, end = cls.dated_fields
        return active_q(day, start, end, prefix)

    @property
    def dated_start(self):
        return getattr(self, self.dated_fields[0])

    @property
    def dated_end(self):
        return getattr(self, self.dated_fields[1])

    def is_active_on(self, day):
        return holds_on(self.dated_start, self.dated_end, day)

    def dated_errors(self):
        """{field: message}: the end after the start, no date in the future."""
        start_name, end_name = self.dated_fields
        start, end = self.dated_start, self.dated_end
        errors = future_date_errors(self, start_name, end_name)
        if start and end and (end < start or (end == start and not self.end_may_equal_start)):
            errors.setdefault(end_name, self.end_before_start_message)
        return errors

    def clean(self):
        super().clean()
        errors = self.dated_errors()
        if errors:
            raise ValidationError(errors)


class DatedFact(DatedMixin, AuditedModel):
    """Abstract base of a new dated record: ``start`` and an optional ``end``."""

    start = models.DateField(_("start"))
    end = models.DateField(_("end"), null=True, blank=True)

    objects = DatedQuerySet.as_manager()

    class Meta:
        abstract = True
