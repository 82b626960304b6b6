"""Read an uploaded ledger (.xlsx or .csv) into a header and rows of raw cell values.

Real sheets are messy, so this module:
- tells the format from the bytes, not the name (a password-protected .xlsx and an old
  .xls are both OLE files; a .docx is a zip without a workbook);
- reads .xlsx with openpyxl in read-only mode, cached formula values (``data_only``);
- reads .csv as UTF-8 (with or without BOM), UTF-16 (Excel's "Unicode text") or GB18030;
- finds the header row below title and note rows, in the first sheet that has one;
- copies a vertically merged cell's value down its column (merges are layout, so a
  horizontally merged cell keeps its value in the first column only);
- skips blank rows, repeated header rows and total rows (合计), and ignores columns
  without a recognised header.

Anything that stops the whole file raises ``FileProblem`` with a message for the user;
then nothing is written anywhere.
"""

import csv
import datetime as dt
import io
import re
import zipfile
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.utils import column_index_from_string

from . import columns as cols

HEADER_SEARCH_ROWS = 30
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
TOTAL_WORDS = {"合计", "总计", "小计", "总数"}
TEXT_EXTENSIONS = {"csv", "txt", "tsv"}


class FileProblem(Exception):
    def __init__(self, code, message):
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass
class Sheet:
    file_name: str
    sheet_name: str = ""
    header_row: int = 0
    headers: list = field(default_factory=list)  # the header texts as in the file
    columns: dict = field(default_factory=dict)  # key → index into a row
    ignored: list = field(default_factory=list)  # header texts we do not read
    rows: list = field(default_factory=list)  # (row number, [values])

    def header_for(self, key):
        index = self.columns.get(key)
        return self.headers[index] if index is not None else cols.BY_KEY[key].header

    def cells(self, values):
        """{key: raw value} of one row, for the recognised columns."""
        return {key: (values[i] if i < len(values) else None) for key, i in self.columns.items()}


def max_bytes():
    return getattr(settings, "IMPORT_MAX_BYTES", 20 * 1024 * 1024)


def max_rows():
    return getattr(settings, "IMPORT_MAX_ROWS", 100_000)


def read(file, name=""):
    """Parse an uploaded file (a binary file object) into a ``Sheet``."""
    size = getattr(file, "size", None)
    if size is None:
        file.seek(0, io.SEEK_END)
        size = file.tell()
    if size > max_bytes():
        raise FileProblem(
            "too_large",
            _(
                "The file is %(size).1f MB; the limit is %(limit).0f MB. "
                "Split it into smaller files."
            )
            % {"size": size / 1024 / 1024, "limit": max_bytes() / 1024 / 1024},
        )
    if size == 0:
        raise FileProblem("empty_file", _("The file is empty."))
    file.seek(0)
    head = file.read(8)
    file.seek(0)
    if head.startswith(OLE_MAGIC):
        raise _ole_problem(file.read())
    if head.startswith(b"PK"):
        return _read_xlsx(file, name)
    data = file.read()
    if b"<table" in data[:65536].lower():  # an HTML table saved as .xls by another system
        raise _ole_problem(b"")
    if "." in name and name.rsplit(".", 1)[1].lower() not in TEXT_EXTENSIONS:
        raise _not_a_spreadsheet()
    return _read_csv(data, name)


def _ole_problem(data):
    if "EncryptionInfo".encode("utf-16-le") in data:
        return FileProblem(
            "encrypted",
            _(
                "The workbook is protected with a password, so it cannot be read. In Excel, "
                "remove the password (File → Info → Protect Workbook) and upload it again."
            ),
        )
    return FileProblem(
        "old_xls",
        _("This is an old Excel .xls file. Open it in Excel, save it as .xlsx and upload that."),
    )


def _not_a_spreadsheet():
    return FileProblem(
        "not_spreadsheet",
        _("This is not a spreadsheet we can read. Upload an Excel .xlsx file or a .csv file."),
    )


# ---------------------------------------------------------------------------
# xlsx


def _read_xlsx(file, name):
    try:
        with zipfile.ZipFile(file) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, EOFError):
        raise _damaged() from None
    if "xl/workbook.xml" not in names:
        raise _not_a_spreadsheet()
    file.seek(0)
    try:
        workbook = load_workbook(file, read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds on a damaged package
        raise _damaged() from None
    empty = True
    try:
        for worksheet in workbook.worksheets:
            rows = _worksheet_rows(worksheet)
            empty = empty and not rows
            sheet = _assemble(rows, name, worksheet.title) if rows else None
            if sheet is not None:
                return sheet
    except (zipfile.BadZipFile, OSError, EOFError, KeyError, ValueError, SyntaxError):
        raise _damaged() from None
    finally:
        workbook.close()
    raise _no_header(empty=empty)


def _damaged():
    return FileProblem(
        "damaged",
        _(
            "The file looks like an Excel workbook but is damaged and cannot be read. "
            "Open it in Excel, save it again as .xlsx and upload the new file."
        ),
    )


_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\s+ref="([A-Z]+)(\d+):([A-Z]+)(\d+)"')


def _merged_ranges(worksheet):
    """Merged ranges as (min_col, min_row, max_col, max_row), 0-based columns, 1-based rows.

    openpyxl's read-only mode does not report merges; they sit after the cell data in
    the sheet's XML, so a plain scan of the stream finds them cheaply.
    """
    ranges, tail = [], b""
    with worksheet._get_source() as source:
        while chunk := source.read(1 << 20):
            data = tail + chunk
            last_end = 0
            for match in _MERGE.finditer(data):
                c1, r1, c2, r2 = match.groups()
                ranges.append(
                    (
                        column_index_from_string(c1.decode()) - 1,
                        int(r1),
                        column_index_from_string(c2.decode()) - 1,
                        int(r2),
                    )
                )
                last_end = match.end()
            tail = data[max(last_end, len(data) - 200) :]
    return ranges


def _worksheet_rows(worksheet):
    """The non-blank rows of a worksheet as (row number, [values]), merges filled."""
    worksheet.reset_dimensions()  # some writers record a wrong size; read what is there
    rows = []
    limit = max_rows() + HEADER_SEARCH_ROWS
    for number, values in enumerate(worksheet.iter_rows(values_only=True), start=1):
        if values and any(v is not None and v != "" for v in values):
            rows.append((number, [v if type(v) in _PLAIN else _plain(v) for v in values]))
            if len(rows) > limit:
                raise _too_many_rows()
    if rows:
        _fill_merges(rows, [m for m in _merged_ranges(worksheet) if m[3] > m[1]])
    return rows


_PLAIN = {str, int, float, bool, type(None)}


def _plain(value, _seen={}):  # noqa: B006 - a deliberate cache: dates repeat a lot
    """Dates and times as text, so rows survive JSON between preview and confirm."""
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            text = value.strftime("%Y-%m-%d")
        else:
            text = value.strftime("%Y-%m-%d %H:%M:%S")
    elif isinstance(value, dt.date | dt.time):
        text = value.isoformat()
    else:
        return str(value)
    if len(_seen) > 10_000:
        _seen.clear()
    return _seen.setdefault(text, text)


def _fill_merges(rows, merges):
    """A vertically merged cell: copy its value into the cells below it (same column)."""
    if not merges:
        return
    by_number = dict(rows)
    for col, top, _col2, bottom in merges:
        source = by_number.get(top)
        value = source[col] if source is not None and col < len(source) else None
        if value is None:
            continue
        for number in range(top + 1, bottom + 1):
            values = by_number.get(number)
            if values is None:
                values = [None] * (col + 1)
                rows.append((number, values))
                by_number[number] = values
            while len(values) <= col:
                values.append(None)
            if values[col] is None:
                values[col] = value
    rows.sort(key=lambda r: r[0])


def _too_many_rows():
    return FileProblem(
        "too_many_rows",
        _("The file has more than %(limit)s rows. Split it into smaller files.")
        % {"limit": f"{max_rows():,}"},
    )


# ---------------------------------------------------------------------------
# csv


def _decode(data):
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    if b"\x00" in data[:4096]:
        raise _not_a_spreadsheet()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise FileProblem(
        "encoding",
        _("The text file is neither UTF-8 nor GB18030/GBK; save it as CSV (UTF-8) in Excel."),
    )


def _read_csv(data, name):
    text = _decode(data)
    if "\x00" in text:
        raise _not_a_spreadsheet()
    sample = text[:8192]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel
    rows = []
    limit = max_rows()
    try:
        for number, values in enumerate(csv.reader(io.StringIO(text), dialect), start=1):
            if any(v.strip() for v in values):
                rows.append((number, values))
                if len(rows) > limit + HEADER_SEARCH_ROWS:
                    raise _too_many_rows()
    except csv.Error:
        raise _not_a_spreadsheet() from None
    if not rows:
        raise _no_header(empty=True)
    sheet = _assemble(rows, name, "")
    if sheet is None:
        raise _no_header(empty=False)
    return sheet


# ---------------------------------------------------------------------------
# header row and data rows


def _no_header(empty):
    if empty:
        return FileProblem("empty_sheet", _("The sheet is empty: there are no rows to import."))
    expected = "、".join(c.header for c in cols.COLUMNS)
    return FileProblem(
        "no_header",
        _(
            "No header row found in the first %(n)d rows. A header row needs at least the "
            "columns %(required)s; the columns we read are: %(expected)s. Download the "
            "template to see them."
        )
        % {
            "n": HEADER_SEARCH_ROWS,
            "required": "、".join(cols.BY_KEY[k].header for k in cols.REQUIRED_HEADERS),
            "expected": expected,
        },
    )


def _recognised(values):
    return {cols.key_for_header(v) for v in values if isinstance(v, str)} - {None}


def _assemble(rows, name, sheet_name):
    """Find the header row among the first rows; None when this sheet has none."""
    best, best_keys = None, set()
    for position, (_number, values) in enumerate(rows[:HEADER_SEARCH_ROWS]):
        keys = _recognised(values)
        if set(cols.REQUIRED_HEADERS) <= keys and len(keys) > len(best_keys):
            best, best_keys = position, keys
    if best is None:
        return None
    header_number, header_values = rows[best]
    sheet = Sheet(file_name=name, sheet_name=sheet_name, header_row=header_number)
    width = max(i + 1 for i, v in enumerate(header_values) if v not in (None, ""))
    sheet.headers = [_header_text(v) for v in header_values[:width]]
    for index, text in enumerate(sheet.headers):
        key = cols.key_for_header(text)
        if key is None:
            if text:
                sheet.ignored.append(text)
        elif key in sheet.columns:
            raise FileProblem(
                "duplicate_header",
                _("The columns %(first)s and %(second)s both mean %(header)s; keep only one.")
                % {
                    "first": sheet.headers[sheet.columns[key]],
                    "second": text,
                    "header": cols.BY_KEY[key].header,
                },
            )
        else:
            sheet.columns[key] = index
    header_key = [_header_text(v) for v in header_values[:width]]
    for number, values in rows[best + 1 :]:
        values = values[:width]
        if [_header_text(v) for v in values] == header_key or _is_total(values, sheet):
            continue
        if any(v is not None and str(v).strip() for v in values):
            sheet.rows.append((number, values))
    if len(sheet.rows) > max_rows():
        raise _too_many_rows()
    return sheet


def _header_text(value):
    return str(value).strip() if value is not None else ""


def _is_total(values, sheet):
    """A 合计 row: no USCC, and a cell that says 合计 / 总计."""
    index = sheet.columns["uscc"]
    if index < len(values) and values[index] not in (None, ""):
        return False
    return any(isinstance(v, str) and v.strip().replace(" ", "") in TOTAL_WORDS for v in values)
