"""Cooperation (线) and co-building (面). The first model, Partner, is the counterpart
in every agreement, project, pairing and lecture; the rest land with their issue."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from areas.models import Area
from areas.scoping import ScopedQuerySet
from audit.models import AuditedModel


class Partner(AuditedModel):
    """A university, public-welfare organisation or other unit the street works with."""

    class Kind(models.TextChoices):
        UNIVERSITY = "university", _("University")
        WELFARE = "welfare", _("Public-welfare organisation")
        AUTHORITY = "authority", _("Government or public institution")
        ENTERPRISE = "enterprise", _("State-owned or central enterprise")
        OTHER = "other", _("Other")

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    area = models.ForeignKey(
        Area,
        verbose_name=_("area"),
        on_delete=models.PROTECT,
        related_name="partners",
        help_text=_("The street (or community) whose office keeps this partner."),
    )
    contact_name = models.CharField(_("contact person"), max_length=50, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=30, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_area_lookup = "area"

    class Meta:
        verbose_name = _("partner")
        verbose_name_plural = _("partners")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["area", "name"], name="partner_unique_name_in_area"),
        ]

    def __str__(self):
        return self.name
