"""Compute and cache every dashboard panel for the district and every street (and, with
--communities, every community), as of today, so the first leader to open it does not
wait for the 24-month trend. Run after deploying and nightly (see docs/DEPLOY.md).

Cached figures are keyed on the versions of what they show (core/versions.py), so
warming never makes anything stale.
"""

import time

from django.core.management.base import BaseCommand
from django.utils import timezone

from accounts.models import User
from areas.models import Area
from matrix.dashboard import service
from matrix.dashboard.selection import Selection


class Command(BaseCommand):
    help = "Precompute the dashboard figures (today) for the district and its streets."

    def add_arguments(self, parser):
        parser.add_argument("--communities", action="store_true", help="Communities too.")

    def handle(self, *args, communities=False, **options):
        admin = User.objects.filter(role=User.Role.ADMIN, is_active=True).order_by("pk").first()
        admin = admin or User.objects.filter(is_superuser=True, is_active=True).first()
        if admin is None:
            self.stderr.write("No active system administrator: nothing to warm.")
            return
        levels = [Area.Level.DISTRICT, Area.Level.STREET]
        if communities:
            levels.append(Area.Level.COMMUNITY)
        today = timezone.localdate()
        areas = list(Area.objects.select_related("parent__parent"))
        for area in Area.objects.filter(level__in=levels).order_by("level", "name"):
            started = time.monotonic()
            service.load(service.context(admin, Selection(area, today, areas)))
            self.stdout.write(f"{area.path_names}: {time.monotonic() - started:.1f} s")
