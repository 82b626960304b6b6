import datetime as dt

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from audit.models import Change, Event


class Command(BaseCommand):
    help = "Delete audit entries older than --days (never fewer than AUDIT_MIN_RETENTION_DAYS)."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, required=True)

    def handle(self, *args, days, **options):
        if days < settings.AUDIT_MIN_RETENTION_DAYS:
            raise CommandError(
                f"Audit entries are kept at least {settings.AUDIT_MIN_RETENTION_DAYS} days; "
                f"--days {days} is too short."
            )
        cutoff = timezone.now() - dt.timedelta(days=days)
        changes, _ = Change.objects.filter(at__lt=cutoff).delete()
        events, _ = Event.objects.filter(at__lt=cutoff).delete()
        self.stdout.write(f"Deleted {changes} changes and {events} events older than {days} days.")
