"""python manage.py import_enterprises PATH [options]: ``import_ledger`` for the default
sheet kind, the enterprise ledger (kept for scripts written before there were kinds)."""

from ledger import specs

from .import_ledger import Command as LedgerCommand


class Command(LedgerCommand):
    help = "Import enterprises and their party-building facts from an .xlsx or .csv ledger."

    @property
    def fixed_kind(self):
        return specs.default().kind
