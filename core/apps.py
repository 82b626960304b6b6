from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """The kit every part of the matrix plugs into (docs/ARCHITECTURE.md). An app so that
    it can own the models every part shares (attachments) and its templates."""

    name = "core"
    verbose_name = _("Shared building blocks")

    def ready(self):
        from audit import hooks

        from . import versions

        # Every audited write bumps the cache versions of what it touched (on commit).
        hooks.recorded.connect(versions._on_recorded, dispatch_uid="core.versions")
