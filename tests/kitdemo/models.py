import datetime as dt

from django.db import models
from django.urls import reverse
from django.utils import timezone

from areas.models import Area
from core.dated import DatedFact


class Patrol(DatedFact):
    """A dated record of a community: a patrol that starts, may end, and has hours."""

    title = models.CharField("title", max_length=100)
    community = models.ForeignKey(
        Area, on_delete=models.PROTECT, limit_choices_to={"level": Area.Level.COMMUNITY}
    )
    hours = models.PositiveIntegerField("hours", default=0)
    version = models.PositiveIntegerField(default=1)

    scope_area_lookup = "community"
    scope_area_is_community = True
    audit_exclude = ("version",)

    class Meta:
        ordering = ["-start", "pk"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("kitdemo:detail", args=[self.pk])

    @property
    def long_open(self):
        return self.end is None and self.start <= timezone.localdate() - dt.timedelta(days=30)
