from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Q
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from areas.models import Area
from areas.scoping import ScopedQuerySet
from audit.models import AuditedModel


class UserQuerySet(ScopedQuerySet):
    pass


class ScopedUserManager(UserManager.from_queryset(UserQuerySet)):
    pass


class User(AuditedModel, AbstractUser):
    """A street-office user: one role and one area scope (district, street or community)."""

    class Role(models.TextChoices):
        ADMIN = "admin", _("System administrator")
        STAFF = "staff", _("Staff")
        LEADER = "leader", _("Leader")

    full_name = models.CharField(_("full name"), max_length=50, blank=True)
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.STAFF)
    area = models.ForeignKey(
        Area,
        verbose_name=_("area scope"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
        help_text=_("The user sees and edits records in this area and the areas below it."),
    )
    viewing_area = models.ForeignKey(
        Area,
        verbose_name=_("area being viewed"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Remembered choice of a narrower area inside the scope."),
    )
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)

    objects = ScopedUserManager()

    scope_area_lookup = "area"
    audit_exclude = ("password", "last_login", "viewing_area", "version")

    class Meta(AbstractUser.Meta):
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["username"]

    def __str__(self):
        return self.full_name or self.username

    def save(self, *args, **kwargs):
        # System administrators manage reference data (areas, industry chains) in the
        # Django admin, so they are staff; everyone else is staff only as a superuser.
        self.is_staff = self.role == self.Role.ADMIN or self.is_superuser
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "is_staff"}
        super().save(*args, **kwargs)

    def has_perm(self, perm, obj=None):
        return (self.is_active and self.role == self.Role.ADMIN) or super().has_perm(perm, obj)

    def has_module_perms(self, app_label):
        return (self.is_active and self.role == self.Role.ADMIN) or super().has_module_perms(
            app_label
        )

    @property
    def is_system_admin(self):
        return self.is_superuser or self.role == self.Role.ADMIN

    @property
    def can_edit(self):
        """Admins and staff write; leaders only read."""
        return self.is_active and (self.is_system_admin or self.role == self.Role.STAFF)

    @cached_property
    def scope_areas(self):
        """Every area in the user's scope (``Area.objects.for_user``), parents loaded, in
        tree order: one query per request, shared by the area switch and the dashboard's
        area picker (and ``current_area`` when it comes after)."""
        areas = Area.objects.all()
        if not self.is_system_admin:
            if not self.is_authenticated or self.area_id is None:
                return []
            # By id, without loading ``self.area`` first (``for_user`` would).
            pk = self.area_id
            areas = areas.filter(Q(pk=pk) | Q(parent_id=pk) | Q(district_id=pk))
        return list(areas.in_tree_order())

    @cached_property
    def current_area(self):
        """The area the user is looking at: a remembered narrower area, else the scope.

        One query, with parents loaded, so templates can print ``path_names`` for free.
        Admins without an area look at the first district.
        """
        if "scope_areas" in self.__dict__:  # already loaded this request: no query
            loaded = {a.pk: a for a in self.scope_areas}
            scope = loaded.get(self.area_id)
            districts = [a for a in self.scope_areas if a.level == Area.Level.DISTRICT]
            if scope or (self.is_system_admin and districts):
                viewing = loaded.get(self.viewing_area_id)  # in the list: in the scope
                if scope:
                    self.area = scope
                return viewing or scope or min(districts, key=lambda a: a.pk)
        ids = [pk for pk in (self.viewing_area_id, self.area_id) if pk]
        loaded = Area.objects.select_related("parent__parent").in_bulk(ids)
        viewing, scope = loaded.get(self.viewing_area_id), loaded.get(self.area_id)
        if scope:
            self.area = scope  # reuse the loaded row (with parents) for user.area too
        if viewing and (self.is_system_admin or (scope and scope.contains(viewing))):
            return viewing
        if scope:
            return scope
        return (
            Area.objects.select_related("parent__parent")
            .filter(level=Area.Level.DISTRICT)
            .order_by("pk")
            .first()
        )
