"""The ledger's exports use the kit's one writer (core/exports.py); these names stay for
the import template and the error report (``workbooks.py``)."""

from core.exports import XLSX, csv_response, csv_value, respond, write_xlsx, xlsx_cell

__all__ = ["XLSX", "csv_response", "csv_value", "respond", "write_xlsx", "xlsx_cell"]
