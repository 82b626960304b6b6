from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Case, F, Q, Value, When
from django.utils.translation import gettext_lazy as _

from audit.models import AuditedModel, AuditedQuerySet


class AreaQuerySet(AuditedQuerySet):
    def within(self, area):
        """The area itself and every area below it."""
        return self.filter(Q(pk=area.pk) | Q(parent=area) | Q(district=area))

    def for_user(self, user):
        if not getattr(user, "is_authenticated", False):
            return self.none()
        if user.is_system_admin:
            return self.all()
        if user.area_id is None:
            return self.none()
        return self.within(user.area)

    def streets(self):
        return self.filter(level=Area.Level.STREET)

    def communities(self):
        return self.filter(level=Area.Level.COMMUNITY)

    def in_tree_order(self):
        """新区 → 街道 → that street's 社区 (siblings by name): sorted by the path of names."""
        level = Area.Level
        return (
            self.select_related("parent__parent")
            .alias(
                _district=Case(
                    When(level=level.DISTRICT, then=F("name")),
                    When(level=level.STREET, then=F("parent__name")),
                    default=F("parent__parent__name"),
                ),
                _street=Case(
                    When(level=level.DISTRICT, then=Value("")),
                    When(level=level.STREET, then=F("name")),
                    default=F("parent__name"),
                ),
                _community=Case(When(level=level.COMMUNITY, then=F("name")), default=Value("")),
            )
            .order_by("_district", "_street", "_community", "pk")
        )


class Area(AuditedModel):
    """A district, a street under it, or a community under a street."""

    class Level(models.TextChoices):
        DISTRICT = "district", _("District")
        STREET = "street", _("Street")
        COMMUNITY = "community", _("Community")

    class CommunityKind(models.TextChoices):
        URBAN = "urban", _("Urban community")
        COOPERATIVE = "cooperative", _("Economic cooperative")
        RURAL = "rural", _("Rural community")

    PARENT_LEVEL = {Level.STREET: Level.DISTRICT, Level.COMMUNITY: Level.STREET}

    name = models.CharField(_("name"), max_length=100)
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent area"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    kind = models.CharField(
        _("community kind"),
        max_length=12,
        choices=CommunityKind.choices,
        blank=True,
        help_text=_("Only for communities."),
    )
    code = models.CharField(_("code"), max_length=20, blank=True)
    # The district above a street or a community (empty for a district), kept by save():
    # "the communities of a district" is then one condition on one table, which
    # PostgreSQL estimates from its statistics. Through two levels of ``parent`` it
    # estimated 2 of a district's 43 communities and planned every district-wide count
    # as 50,000 index probes (400 ms instead of 60 ms on the 50k seed).
    district = models.ForeignKey(
        "self",
        verbose_name=_("district"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = AreaQuerySet.as_manager()

    class Meta:
        verbose_name = _("area")
        verbose_name_plural = _("areas")
        ordering = ["level", "name"]
        constraints = [
            models.UniqueConstraint(fields=["parent", "name"], name="area_unique_name_in_parent"),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        expected = self.PARENT_LEVEL.get(self.level)
        if expected is None and self.parent_id:
            raise ValidationError({"parent": _("A district has no parent area.")})
        if expected is not None and (self.parent is None or self.parent.level != expected):
            raise ValidationError(
                {
                    "parent": _("The parent of a %(level)s must be a %(parent)s.")
                    % {"level": self.get_level_display(), "parent": self.Level(expected).label}
                }
            )
        if self.level == self.Level.COMMUNITY and not self.kind:
            raise ValidationError({"kind": _("Choose the kind of community.")})
        if self.level != self.Level.COMMUNITY and self.kind:
            raise ValidationError({"kind": _("Only communities have a kind.")})

    def save(self, *args, **kwargs):
        self.district_id = self._district_above()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "district"}
        super().save(*args, **kwargs)
        if self.level == self.Level.STREET:  # a street moved: its communities move with it
            Area.objects.filter(parent=self).exclude(district_id=self.district_id).update(
                district_id=self.district_id
            )

    def _district_above(self):
        if self.parent_id is None:
            return None
        if self.level == self.Level.STREET:
            return self.parent_id
        return self.parent.parent_id

    def contains(self, other):
        """True if ``other`` is this area or lies below it."""
        node = other
        while node is not None:
            if node.pk == self.pk:
                return True
            node = node.parent
        return False

    @property
    def street(self):
        if self.level == self.Level.STREET:
            return self
        if self.level == self.Level.COMMUNITY:
            return self.parent
        return None

    @property
    def path_names(self):
        names, node = [], self
        while node is not None:
            names.append(node.name)
            node = node.parent
        return " / ".join(reversed(names))
