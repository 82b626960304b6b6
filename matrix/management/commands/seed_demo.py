"""Load demo data. Idempotent: running it twice changes nothing the second time.

Each app may contribute a ``demo.py`` with ``seed(command, scale)``; they run in
INSTALLED_APPS order (areas → accounts → enterprises → …), so later modules find the
records earlier ones made.
"""

import importlib
import time

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import connection, transaction

from audit.context import audit_context
from core import versions


class Command(BaseCommand):
    help = "Load demo areas, users and records (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale",
            type=int,
            default=None,
            help="Generate this many enterprises in total (for benchmarks); default: demo size.",
        )

    def handle(self, *args, scale=None, **options):
        started = time.monotonic()
        self.logins = []
        for config in apps.get_app_configs():
            try:
                module = importlib.import_module(f"{config.name}.demo")
            except ModuleNotFoundError as error:
                if error.name == f"{config.name}.demo":
                    continue
                raise
            with transaction.atomic(), audit_context():
                module.seed(self, scale)
        # Synthetic bulk rows bypass the audit trail, and so the cache versions: bump them.
        versions.bump_everything()
        if connection.vendor == "postgresql":
            # After a bulk load, statistics now rather than at autovacuum's next pass (or
            # never, for a table under its 50-row threshold): plans fit the data at once.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        self.stdout.write(
            self.style.SUCCESS(f"Demo data ready in {time.monotonic() - started:.1f} s.")
        )
        if self.logins:
            self.stdout.write("\nDemo logins (username / password / role / area):")
            for username, password, role, area in self.logins:
                self.stdout.write(f"  {username:<16} {password:<18} {role:<8} {area}")

    def add_login(self, username, password, role, area):
        self.logins.append((username, password, role, area))
