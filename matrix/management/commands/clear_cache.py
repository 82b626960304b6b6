from django.core.cache import cache
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Empty the cache of computed figures and rendered pages. Run it after an upgrade "
        "(cached pages were rendered by the old templates) and after restoring a backup "
        "(the restored data version may equal one the cache already holds)."
    )

    def handle(self, *args, **options):
        cache.clear()
        self.stdout.write("Cache cleared.")
