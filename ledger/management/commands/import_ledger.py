"""python manage.py import_ledger KIND PATH [--dry-run] [--user USERNAME] [--as-of YYYY-MM-DD]
[--ignore-unknown-columns] [--sheet NAME]

The same reading, checks and all-or-nothing commit as the import page, for any sheet
kind a part registers (``--help`` lists them). Prints each error as ``row N, column X:
message`` and a summary line ``created N, updated N, unchanged N, errors N`` on stdout;
what reading found (the sheet, the date of the figures and where it came from, skipped
total rows, hidden rows, unknown columns) and the progress go to stderr. Exit status:
0 imported (or a clean dry run); 1 some rows have errors (nothing written); 2 the file,
the kind or the user is not usable; 3 the sheet has columns nobody recognises (nothing
written; pass ``--ignore-unknown-columns`` to import without them).
"""

import datetime as dt
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q
from django.utils import timezone

from accounts.models import User
from ledger import cells, parsing, services, specs
from ledger.importer import build_plan, commit


class Command(BaseCommand):
    help = "Import a ledger sheet (.xlsx or .csv) of one kind: " + "import_ledger KIND PATH."
    fixed_kind = None  # import_enterprises sets the default kind

    def add_arguments(self, parser):
        if self.fixed_kind is None:
            kinds = ", ".join(s.kind for s in specs.all_specs())
            parser.add_argument("kind", help=f"The kind of sheet: {kinds}.")
        parser.add_argument("path", help="The .xlsx or .csv file.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Check and report; write nothing."
        )
        parser.add_argument(
            "--user",
            help="Import as this user: their area is the scope, and the audit log names "
            "them. Default: the first system administrator.",
        )
        parser.add_argument(
            "--as-of",
            dest="as_of",
            help="The date of the figures (YYYY-MM-DD) when neither the rows nor the top of "
            "the sheet give it. Default: today.",
        )
        parser.add_argument(
            "--ignore-unknown-columns",
            action="store_true",
            help="Import even though some columns are not recognised (they are not imported).",
        )
        parser.add_argument("--sheet", help="The sheet of a workbook to read (by name).")

    def handle(self, *args, path, dry_run=False, user=None, verbosity=1, **options):
        kind = options.get("kind") or self.fixed_kind
        try:
            spec = specs.get(kind)
        except KeyError:
            kinds = ", ".join(s.kind for s in specs.all_specs())
            raise CommandError(
                f"No sheet kind {kind!r}; the kinds are: {kinds}.", returncode=2
            ) from None
        actor = self._user(user)
        as_of = self._as_of(options.get("as_of"))
        file_path = Path(path)
        if not file_path.is_file():
            raise CommandError(f"No such file: {path}", returncode=2)
        show = self._progress_printer(verbosity)
        with file_path.open("rb") as file:
            try:
                sheet = parsing.read(
                    file, file_path.name, spec, sheet=options.get("sheet"), progress=show("reading")
                )
            except parsing.FileProblem as problem:
                raise CommandError(problem.message, returncode=2) from None
        plan = build_plan(
            sheet,
            actor,
            as_of=as_of or timezone.localdate(),
            as_of_default=as_of is None,
            progress=show("checking"),
        )
        self._end_progress()
        self._describe(plan)
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
        if sheet.unknown and not options.get("ignore_unknown_columns"):
            self.stdout.write(line.format(**summary))
            raise CommandError(
                "Columns not recognised: "
                + "、".join(sheet.unknown)
                + ". Nothing was written: rename them as in the template, or pass "
                "--ignore-unknown-columns to import without them.",
                returncode=3,
            )
        if dry_run:
            self.stdout.write(line.format(**summary) + " (dry run: nothing written)")
            return
        event = commit(plan, user=actor, progress=show("written"))
        self._end_progress()
        self.stdout.write(line.format(**summary) + f" (audit event {event.pk})")

    def _describe(self, plan):
        sheet = plan.sheet
        where = f"sheet {sheet.sheet_name!r}, " if sheet.sheet_name else ""
        self.stderr.write(f"{where}header in row {sheet.header_row}")
        text = services.describe_as_of(plan.as_of_summary())
        if text:
            self.stderr.write(text)
        for line in services.describe_notes(sheet.notes):
            self.stderr.write(line)
        if sheet.unknown:
            self.stderr.write("Columns not recognised (not imported): " + "、".join(sheet.unknown))

    def _progress_printer(self, verbosity):
        """A progress line on stderr, rewritten in place on a terminal (and one line per
        chunk written with -v 2 otherwise)."""
        tty = self.stderr.isatty()
        self._tty_line = False

        def printer(phase):
            def progress(done, total):
                if tty and verbosity >= 1:
                    share = f" {100 * done // total}%" if total else ""
                    self.stderr.write(f"\r  {phase} {done}/{total}{share}   ", ending="")
                    self.stderr.flush()
                    self._tty_line = True
                elif verbosity > 1 and phase == "written":
                    self.stdout.write(f"  written {done}/{total} rows")

            return progress

        return printer

    def _end_progress(self):
        if getattr(self, "_tty_line", False):
            self.stderr.write("")
            self._tty_line = False

    def _as_of(self, text):
        if not text:
            return None
        try:
            day = dt.date.fromisoformat(text)
            return cells.check_day(day)
        except ValueError:
            raise CommandError(
                f"--as-of {text!r} is not a date (YYYY-MM-DD).", returncode=2
            ) from None
        except cells.CellError as error:
            raise CommandError(f"--as-of: {error.message}", returncode=2) from None

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
