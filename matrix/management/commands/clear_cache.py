from django.core.cache import caches
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Empty the cache of computed figures and rendered pages. Run it after an upgrade "
        "(cached pages were rendered by the old templates) and after restoring a backup "
        "(cached pages show the data before the restore; the version counters restart afresh)."
    )

    def handle(self, *args, **options):
        for cache in caches.all():  # the pages and, with the file cache, the counters
            cache.clear()
        self.stdout.write("Cache cleared.")
