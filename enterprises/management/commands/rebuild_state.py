"""``manage.py rebuild_state [--check]``: the stored state of the "1" (enterprises/state.py).

Without ``--check``: recompute every enterprise's intervals from the rules and store what
differs (one transaction per chunk of enterprises). With ``--check``: recompute, report
every enterprise whose stored intervals differ (which intervals are missing, which are
unexpected) and exit with status 1; nothing is written.
"""

import time

from django.core.management.base import BaseCommand, CommandError

from enterprises import coverage, state
from enterprises.models import Enterprise

SHOWN = 20  # enterprises listed in a drift report


def describe(row):
    values = dict(zip(state.ROW_FIELDS, row, strict=True))
    members = "/".join("–" if values[n] is None else str(values[n]) for n in coverage.MEMBER_FIELDS)
    mass = "".join(k[0].upper() if values[f"has_{k}"] else "-" for k in state.MASS_KINDS)
    return (
        f"[{values['start']}, {values['end'] or '…'}) "
        f"{'operating' if values['operating'] else 'not operating'} "
        f"{values['coverage_state']} {values['member_band']} members {members} mass {mass} "
        f"community {values['community_id']} {values['industry']} {values['size']} "
        f"{values['ownership']} above_scale={values['above_scale']}"
    )


class Command(BaseCommand):
    help = (
        "Rebuild the stored state of every enterprise from the rules; with --check, "
        "report drift and exit non-zero without changing anything."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--check",
            action="store_true",
            help="Recompute and compare only; exit with status 1 if anything differs.",
        )

    def handle(self, *args, check=False, **options):
        started = time.monotonic()
        report = state.rebuild(check=check)
        seconds = time.monotonic() - started
        if not check:
            self.stdout.write(
                f"Rebuilt the state of {report.enterprises:,} enterprises: "
                f"{len(report.drifts):,} differed, +{report.inserted:,} / "
                f"−{report.deleted:,} intervals ({seconds:.1f} s)."
            )
            return
        if not report.drifts:
            self.stdout.write(
                f"The stored state of {report.enterprises:,} enterprises matches the rules "
                f"({seconds:.1f} s)."
            )
            return
        names = dict(
            Enterprise._base_manager.filter(
                pk__in=[d.enterprise_id for d in report.drifts[:SHOWN]]
            ).values_list("pk", "name")
        )
        for drift in report.drifts[:SHOWN]:
            name = names.get(drift.enterprise_id, "(no such enterprise)")
            self.stdout.write(f"Enterprise {drift.enterprise_id} {name}:")
            for row in drift.missing:
                self.stdout.write(f"  missing     {describe(row)}")
            for row in drift.unexpected:
                self.stdout.write(f"  unexpected  {describe(row)}")
        if len(report.drifts) > SHOWN:
            self.stdout.write(f"… and {len(report.drifts) - SHOWN:,} more enterprises.")
        raise CommandError(
            f"The stored state of {len(report.drifts):,} of {report.enterprises:,} "
            "enterprises differs from the rules; run manage.py rebuild_state.",
            returncode=1,
        )
