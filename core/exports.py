"""The one place that writes spreadsheets for users: .xlsx and .csv, formula-safe.

Every export goes through ``safe_value`` / ``xlsx_cell`` / ``csv_value``:

- control characters (``\\x00``–``\\x1f`` but tab, line feed and carriage return, and
  ``\\x7f``) are removed: Excel cannot store most of them and openpyxl refuses them;
- a text that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return could be
  read as a formula (CSV/Excel injection): in .xlsx its cell type is set to string, in
  .csv it gets a leading single quote. The importer drops that quote again, so an export
  imports back unchanged;
- dates are local dates, written as real dates in .xlsx and as 2024-05-19 in .csv;
- .csv is UTF-8 with a BOM so that Excel shows Chinese; it is streamed row by row.
- .xlsx is written in openpyxl's write-only mode to a temporary file and sent from it.

``Sheet`` / ``workbook`` write several sheets with styling (the dashboard's export).
"""

import csv
import datetime as dt
import re
import tempfile
from dataclasses import dataclass, field

from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
RISKY_FIRST = ("=", "+", "-", "@", "\t", "\r")
FORMULA_GUARD = "'"
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
BOLD = Font(bold=True)
PERCENT = "0.0%"
DATE_FORMAT = "yyyy-mm-dd"


def safe_text(text):
    """Text without control characters (tab and line breaks stay)."""
    return CONTROL_CHARACTERS.sub("", text)


def is_risky(text):
    return isinstance(text, str) and text.startswith(RISKY_FIRST)


def plain(value):
    """A value as a spreadsheet holds it: lazy translations become text, datetimes local."""
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).replace(tzinfo=None) if value.tzinfo else value
    if value is None or isinstance(value, bool | int | float | dt.date | dt.time):
        return value
    if hasattr(value, "quantize"):  # Decimal
        return value
    return safe_text(str(value))


def xlsx_cell(sheet, value, *, font=None, number_format=None, fill=None):
    """A value for a write-only sheet; risky text forced to a string cell."""
    value = plain(value)
    if font is None and number_format is None and fill is None and not is_risky(value):
        if isinstance(value, dt.date):
            number_format = DATE_FORMAT
        else:
            return value
    cell = WriteOnlyCell(sheet, value=value)
    if is_risky(value):
        cell.data_type = "s"
    if isinstance(value, dt.date) and number_format is None:
        number_format = DATE_FORMAT
    if number_format:
        cell.number_format = number_format
    if font:
        cell.font = font
    if fill:
        cell.fill = fill
    return cell


def csv_value(value):
    value = plain(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value)
    return FORMULA_GUARD + text if is_risky(text) else text


class _Echo:
    def write(self, value):
        return value


def csv_response(headers, rows, filename):
    """Streamed CSV, UTF-8 with BOM."""
    writer = csv.writer(_Echo())

    def lines():
        yield "\ufeff" + writer.writerow([csv_value(h) for h in headers])
        for row in rows:
            yield writer.writerow([csv_value(v) for v in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def sheet_title(text, used=None):
    """A valid, unique sheet title (≤ 31 characters, no []:*?/\\)."""
    name = re.sub(r"[\[\]:*?/\\]", " ", safe_text(str(text)))[:28].strip() or "Sheet"
    if used is None:
        return name
    base, n = name, 2
    while name in used:
        name = f"{base[:25]} {n}"
        n += 1
    used.add(name)
    return name


def write_xlsx(headers, rows, title, file=None):
    """Write one table to a write-only workbook in ``file`` (a new temporary file)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(sheet_title(title))
    sheet.append([xlsx_cell(sheet, str(h), font=BOLD) for h in headers])
    for row in rows:
        sheet.append([xlsx_cell(sheet, v) for v in row])
    file = file or tempfile.TemporaryFile()  # noqa: SIM115 - the response closes it
    workbook.save(file)
    file.seek(0)
    return file


def xlsx_response(file, filename):
    return FileResponse(file, as_attachment=True, filename=filename, content_type=XLSX)


def respond(fmt, headers, rows, stem, title):
    """The table as a download: ``<stem>-<yyyymmdd>.xlsx`` or ``.csv``."""
    day = timezone.localdate().strftime("%Y%m%d")
    if fmt == "csv":
        return csv_response(headers, rows, f"{stem}-{day}.csv")
    return xlsx_response(write_xlsx(headers, rows, title), f"{stem}-{day}.xlsx")


# ---------------------------------------------------------------------------
# Workbooks of several styled sheets (the dashboard)


@dataclass
class Row:
    values: list
    bold: bool = False
    percent: tuple = ()  # 1-based columns shown as percentages


@dataclass
class Sheet:
    title: str
    rows: list = field(default_factory=list)
    widths: dict = field(default_factory=dict)  # 1-based column -> width

    def add(self, values, bold=False, percent=()):
        self.rows.append(Row(list(values), bold, tuple(percent)))
        return self

    def blank(self):
        return self.add([])


def workbook(sheets, file=None):
    """Write ``Sheet``s (formula-safe, like every export) to ``file``; returns it."""
    book = Workbook(write_only=True)
    used = set()
    for sheet in sheets:
        out = book.create_sheet(sheet_title(sheet.title, used))
        for column, width in sheet.widths.items():
            out.column_dimensions[get_column_letter(column)].width = width
        for row in sheet.rows:
            out.append(
                [
                    xlsx_cell(
                        out,
                        value,
                        font=BOLD if row.bold else None,
                        number_format=PERCENT if index in row.percent else None,
                    )
                    for index, value in enumerate(row.values, start=1)
                ]
            )
    file = file or tempfile.TemporaryFile()  # noqa: SIM115 - the response closes it
    book.save(file)
    file.seek(0)
    return file


def exported_at():
    return _("Exported at"), timezone.localtime().strftime("%Y-%m-%d %H:%M")
