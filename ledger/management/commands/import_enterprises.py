"""python manage.py import_enterprises PATH [--dry-run] [--user USERNAME]

The same parsing, validation and all-or-nothing commit as the import page. Prints each
error as ``row N, column X: message`` and a summary line ``created N, updated N,
unchanged N, errors N``. Exit status: 0 when imported (or a clean dry run), 1 when any
row has an error (nothing written), 2 when the file cannot be read.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from accounts.models import User
from ledger import parsing
from ledger.importer import build_plan, commit


class Command(BaseCommand):
    help = "Import enterprises and their party-building facts from an .xlsx or .csv ledger."

    def add_arguments(self, parser):
        parser.add_argument("path", help="The .xlsx or .csv file.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Check and report; write nothing."
        )
        parser.add_argument(
            "--user",
            help="Import as this user: their area is the scope, and the audit log names "
            "them. Default: the first system administrator.",
        )

    def handle(self, *args, path, dry_run=False, user=None, verbosity=1, **options):
        actor = self._user(user)
        file_path = Path(path)
        if not file_path.is_file():
            raise CommandError(f"No such file: {path}", returncode=2)
        with file_path.open("rb") as file:
            try:
                sheet = parsing.read(file, file_path.name)
            except parsing.FileProblem as problem:
                raise CommandError(problem.message, returncode=2) from None
        plan = build_plan(sheet, actor)
        for number, column, _code, message in plan.problems():
            self.stdout.write(f"row {number}, column {column}: {message}")
        if verbosity > 1:
            for row in plan.rows:
                for note in row.clean.notes:
                    column = sheet.header_for(note.key)
                    self.stdout.write(f"row {row.number}, column {column}: {note.message}")
        summary = plan.summary()
        line = "created {created}, updated {updated}, unchanged {unchanged}, errors {errors}"
        if plan.has_errors:
            self.stdout.write(line.format(**summary))
            raise CommandError(
                f"{summary['errors']} rows have errors; nothing was written.", returncode=1
            )
        if dry_run:
            self.stdout.write(line.format(**summary) + " (dry run: nothing written)")
            return

        def progress(done, total):
            if verbosity > 1:
                self.stdout.write(f"  written {done}/{total} rows")

        event = commit(plan, user=actor, progress=progress)
        self.stdout.write(line.format(**summary) + f" (audit event {event.pk})")

    def _user(self, username):
        if username:
            user = User.objects.filter(username=username).first()
            if user is None:
                raise CommandError(f"No user named {username}.", returncode=2)
        else:
            user = (
                User.objects.filter(Q(is_superuser=True) | Q(role=User.Role.ADMIN), is_active=True)
                .order_by("pk")
                .first()
            )
            if user is None:
                raise CommandError("No system administrator exists; pass --user.", returncode=2)
        if not user.can_edit:
            raise CommandError(f"{user.username} may not import: leaders only read.", returncode=2)
        return user
