"""Read an uploaded sheet (.xlsx or .csv) into a header and rows of raw cell values,
for one sheet spec, within bounds.

Real sheets are messy, so this module:
- tells the format from the bytes, not the name (a password-protected .xlsx and an old
  .xls are both OLE files; a .docx is a zip without a workbook);
- reads .xlsx with its own bounded reader (``xlsx.py``: cached formula values, hidden
  rows and columns, merges), and .csv as UTF-8 (with or without BOM), UTF-16 (Excel's
  "Unicode text") or GB18030;
- in a workbook of several sheets, reads the one whose header the spec recognises best
  and says which (``notes``); hidden sheets only when no visible one has a header;
- finds the header row below title and note rows, and the date the figures describe
  when a title or note row gives it once (``asof.py``);
- copies a vertically merged cell's value down its column (merges are layout, so a
  horizontally merged cell keeps its value in the first column only);
- skips blank rows, repeated header rows and total rows (合计 / 小计, said in ``notes``),
  and rows whose only content is a 序号;
- knows which columns it reads, which it skips quietly (序号, 错误说明) and which are
  unknown (``unknown``: the import waits until the user acknowledges them).

Limits (settings, docs/SECURITY.md): the file's size and rows (``IMPORT_MAX_BYTES``,
``IMPORT_MAX_ROWS``); the unpacked size and compression ratio of each part of a
workbook (``IMPORT_MAX_UNZIPPED_BYTES``, ``IMPORT_MAX_ZIP_RATIO``); the columns read
(the spec's columns plus ``IMPORT_EXTRA_COLUMNS``); the time spent reading
(``IMPORT_PARSE_SECONDS``). Anything that stops the whole file raises ``FileProblem``
with a message for the user; then nothing is written anywhere.
"""

import bisect
import codecs
import csv
import io
import re
import time
import unicodedata
import zipfile
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.translation import gettext as _

from . import asof, headers, specs, xlsx

HEADER_SEARCH_ROWS = 30
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
TOTAL_WORDS = {"合计", "总计", "小计", "总数", "共计", "汇总", "累计"}
TEXT_EXTENSIONS = {"csv", "txt", "tsv"}
CSV_MAX_FIELDS = 2000  # delimiters on one line of a .csv: more is not a ledger


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
    kind: str = ""  # the spec's kind
    unknown: list = field(default_factory=list)  # ignored headers that are not quiet
    notes: list = field(default_factory=list)  # [code, {params}]: what reading did
    as_of: dict | None = None  # asof.SheetDate.as_dict() when the top rows give a date

    @property
    def spec(self):
        return specs.get(self.kind or None)

    def header_for(self, key):
        index = self.columns.get(key)
        if index is not None:
            return self.headers[index]
        column = self.spec.by_key.get(key)
        return column.header if column is not None else key

    def cells(self, values):
        """{key: raw value} of one row, for the recognised columns."""
        return {key: (values[i] if i < len(values) else None) for key, i in self.columns.items()}


# ---------------------------------------------------------------------------
# Limits


def max_bytes():
    return getattr(settings, "IMPORT_MAX_BYTES", 20 * 1024 * 1024)


def max_rows():
    return getattr(settings, "IMPORT_MAX_ROWS", 100_000)


def max_unzipped():
    return getattr(settings, "IMPORT_MAX_UNZIPPED_BYTES", 256 * 1024 * 1024)


def max_ratio():
    return getattr(settings, "IMPORT_MAX_ZIP_RATIO", 100)


def parse_seconds():
    return getattr(settings, "IMPORT_PARSE_SECONDS", 120)


def extra_columns():
    return getattr(settings, "IMPORT_EXTRA_COLUMNS", 30)


def max_row_number():
    """The highest row number a sheet may use: the rows allowed, as many blank rows
    again, and the title rows."""
    return 2 * max_rows() + HEADER_SEARCH_ROWS


def read_width(spec):
    """Columns read: the spec's columns plus a margin for 序号, notes and the unknown."""
    return len(spec.columns) + extra_columns()


def _limits():
    return xlsx.Limits(
        max_unzipped=max_unzipped(),
        max_ratio=max_ratio(),
        deadline=time.monotonic() + parse_seconds(),
    )


# ---------------------------------------------------------------------------
# Entry points


def _size(file):
    size = getattr(file, "size", None)
    if size is None:
        file.seek(0, io.SEEK_END)
        size = file.tell()
    return size


def sniff(file, name=""):
    """The checks that take no time: size, format, a workbook's parts (sizes, ratios).
    The upload page runs them in the request; ``read`` runs them again."""
    size = _size(file)
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
        try:
            with zipfile.ZipFile(file) as archive:
                infos = archive.infolist()
        except (zipfile.BadZipFile, OSError, EOFError, ValueError):
            raise _damaged() from None
        finally:
            file.seek(0)
        if len(infos) > xlsx.MAX_MEMBERS:
            raise _refused(xlsx.Refused("zip_members", count=len(infos)))
        if "xl/workbook.xml" not in {i.filename for i in infos}:
            raise _not_a_spreadsheet()
        for info in infos:
            if info.filename.endswith((".xml", ".rels")):
                _check_member(info)
        return "xlsx"
    sample = file.read(65536)
    file.seek(0)
    if b"<table" in sample.lower():  # an HTML table saved as .xls by another system
        raise _ole_problem(b"")
    if "." in name and name.rsplit(".", 1)[1].lower() not in TEXT_EXTENSIONS:
        raise _not_a_spreadsheet()
    if b"\x00" in sample[:4096] and not sample.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise _not_a_spreadsheet()
    return "csv"


def _check_member(info):
    if info.file_size > max_unzipped():
        raise _refused(xlsx.Refused("part_too_large", part=info.filename, size=info.file_size))
    if info.file_size > xlsx.RATIO_FROM and info.file_size > max_ratio() * max(
        info.compress_size, 1
    ):
        raise _refused(
            xlsx.Refused(
                "zip_bomb",
                part=info.filename,
                size=info.file_size,
                ratio=info.file_size // max(1, info.compress_size),
            )
        )


def read(file, name="", spec=None, *, sheet=None, progress=None):
    """Parse an uploaded file (a binary file object) into a ``Sheet`` for ``spec``
    (default: the default kind). ``sheet``: read this sheet of a workbook, by name.
    ``progress(done, total)`` is called now and then while reading."""
    spec = spec or specs.default()
    kind = sniff(file, name)
    if kind == "xlsx":
        return _read_xlsx(file, name, spec, sheet, progress)
    return _read_csv(file, name, spec)


# ---------------------------------------------------------------------------
# Messages


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


def _damaged():
    return FileProblem(
        "damaged",
        _(
            "The file looks like an Excel workbook but is damaged and cannot be read. "
            "Open it in Excel, save it again as .xlsx and upload the new file."
        ),
    )


def _too_many_rows():
    return FileProblem(
        "too_many_rows",
        _("The file has more than %(limit)s rows. Split it into smaller files.")
        % {"limit": f"{max_rows():,}"},
    )


def _mb(size):
    return f"{size / 1024 / 1024:,.0f}"


def _refused(error):
    """A FileProblem for what the bounded reader refused."""
    p = error.params
    code = error.code
    if code == "damaged":
        return _damaged()
    if code == "not_workbook":
        return _not_a_spreadsheet()
    if code == "zip_members":
        message = _(
            "The file holds %(count)s parts, far more than a workbook has; it is not a "
            "spreadsheet we can read."
        ) % {"count": f"{p['count']:,}"}
    elif code == "part_too_large":
        message = _(
            "Unpacked, a part of this workbook (%(part)s) would take %(size)s MB, over the "
            "limit of %(limit)s MB. Split the sheet into smaller files."
        ) % {"part": p["part"], "size": _mb(p["size"]), "limit": _mb(max_unzipped())}
    elif code == "zip_bomb":
        message = _(
            "A part of this file (%(part)s) unpacks to %(ratio)s times its packed size, far "
            "more than any spreadsheet does, so the file was refused. If it really is a "
            "spreadsheet, open it in Excel, save it again as .xlsx and upload the new file."
        ) % {"part": p["part"], "ratio": f"{p['ratio']:,}"}
    elif code == "dtd":
        message = _(
            "The workbook holds XML declarations (a DTD) that spreadsheets do not use, so "
            "it was refused. Open it in Excel, save it again as .xlsx and upload the new file."
        )
    elif code == "row_number":
        message = _(
            "Row %(row)s of the sheet has content: a sheet may use at most %(limit)s rows. "
            "Delete what lies below your data (select the rows, then delete them) and "
            "upload again."
        ) % {"row": f"{p['row']:,}", "limit": f"{max_row_number():,}"}
    elif code == "too_many_merges":
        message = _(
            "The sheet has more than %(count)s merged cell ranges. Unmerge the cells "
            "(select all, then 合并后居中 → 取消单元格合并) and upload again."
        ) % {"count": f"{p['count']:,}"}
    elif code == "too_slow":
        message = _(
            "Reading the file took longer than the limit of %(seconds)s seconds, so it was "
            "stopped. Split it into smaller files."
        ) % {"seconds": parse_seconds()}
    else:
        return _damaged()
    return FileProblem(code, message)


def _no_header(spec, empty):
    if empty:
        return FileProblem("empty_sheet", _("The sheet is empty: there are no rows to import."))
    expected = "、".join(c.header for c in spec.columns)
    return FileProblem(
        "no_header",
        _(
            "No header row found in the first %(n)d rows. A header row needs at least the "
            "columns %(required)s; the columns we read are: %(expected)s. Download the "
            "template to see them."
        )
        % {
            "n": HEADER_SEARCH_ROWS,
            "required": "、".join(spec.by_key[k].header for k in spec.header_keys),
            "expected": expected,
        },
    )


# ---------------------------------------------------------------------------
# xlsx


def _read_xlsx(file, name, spec, wanted, progress):
    width = read_width(spec)
    try:
        book = xlsx.Workbook(file, _limits())
    except xlsx.Refused as error:
        raise _refused(error) from None
    try:
        return _choose_sheet(book, name, spec, wanted, width, progress)
    except xlsx.Refused as error:
        raise _refused(error) from None
    finally:
        book.close()


def _choose_sheet(book, name, spec, wanted, width, progress):
    sheets = book.sheets
    if not sheets:
        raise _damaged()
    if wanted:
        chosen = [s for s in sheets if s.name == wanted]
        if not chosen:
            raise FileProblem(
                "no_such_sheet",
                _("The workbook has no sheet named %(name)s; its sheets are: %(sheets)s.")
                % {"name": wanted, "sheets": "、".join(s.name for s in sheets)},
            )
        candidates, scores = chosen, {}
    elif len(sheets) == 1:
        candidates, scores = sheets, {}
    else:
        # A quick look at the top of each sheet (no merges yet) ranks them.
        scores = {}
        for info in sheets:
            top = book.read_sheet(
                info, width=width, max_row_number=max_row_number(), max_rows=HEADER_SEARCH_ROWS
            )
            scores[info.name] = _score(top.rows, spec)
        ranked = sorted(sheets, key=lambda s: (-scores[s.name], s.hidden, sheets.index(s)))
        visible_hit = any(scores[s.name] and not s.hidden for s in sheets)
        candidates = [
            s for s in ranked if scores[s.name] and (not s.hidden or not visible_hit)
        ] or [s for s in ranked if not s.hidden] + [s for s in ranked if s.hidden]
    empty = True
    for info in candidates:
        data = book.read_sheet(
            info,
            width=width,
            max_row_number=max_row_number(),
            max_rows=max_rows() + HEADER_SEARCH_ROWS,
            progress=progress,
        )
        if not data.complete:
            raise _too_many_rows()
        empty = empty and not data.rows
        if not data.rows:
            continue
        filled = _fill_merges(data.rows, data.merges)
        sheet = _assemble(data.rows, name, info.name, spec, data, filled)
        if sheet is None:
            continue
        if len(sheets) > 1:
            others = [s.name for s in sheets if s is not info]
            also = [s.name for s in sheets if s is not info and scores.get(s.name)]
            sheet.notes.insert(
                0,
                ["sheet_chosen", {"sheet": info.name, "others": others, "also_ledgers": also}],
            )
        if info.hidden:
            sheet.notes.append(["hidden_sheet", {"sheet": info.name}])
        return sheet
    raise _no_header(spec, empty=empty)


def _score(rows, spec):
    """How well the best header row among ``rows`` matches: 0 for no header."""
    best = 0
    required = set(spec.header_keys)
    for _number, values in rows[:HEADER_SEARCH_ROWS]:
        keys = spec.lookup.keys(values)
        if required <= keys:
            best = max(best, len(keys))
    return best


def _fill_merges(rows, merges):
    """A vertically merged cell: copy its value into the cells below it (same column),
    in rows that exist; returns the (row number, column) cells filled."""
    filled = set()
    if not merges:
        return filled
    by_number = dict(rows)
    numbers = sorted(by_number)
    for col, top, _col2, bottom in merges:
        source = by_number.get(top)
        value = source[col] if source is not None and col < len(source) else None
        if value is None:
            continue
        start = bisect.bisect_right(numbers, top)
        end = bisect.bisect_right(numbers, bottom)
        for number in numbers[start:end]:
            values = by_number[number]
            while len(values) <= col:
                values.append(None)
            if values[col] is None:
                values[col] = value
                filled.add((number, col))
    return filled


# ---------------------------------------------------------------------------
# csv


def _encoding(file):
    """The text file's encoding, checked over the whole file in chunks (nothing kept)."""
    file.seek(0)
    head = file.read(4096)
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        candidates = ["utf-16"]
    elif b"\x00" in head:
        raise _not_a_spreadsheet()
    else:
        candidates = ["utf-8-sig", "gb18030"]
    for encoding in candidates:
        decoder = codecs.getincrementaldecoder(encoding)()
        file.seek(0)
        try:
            while chunk := file.read(1 << 20):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        file.seek(0)
        return encoding
    if candidates == ["utf-16"]:
        raise _not_a_spreadsheet()
    raise FileProblem(
        "encoding",
        _("The text file is neither UTF-8 nor GB18030/GBK; save it as CSV (UTF-8) in Excel."),
    )


def _lines(text_file, delimiter, deadline):
    """The lines of the file, one at a time, each checked before the csv reader sees it:
    no NUL, not thousands of columns, not more lines than a sheet may have."""
    for number, line in enumerate(text_file, start=1):
        if number > max_row_number() * 2:
            raise _too_many_rows()
        if line.count(delimiter) > CSV_MAX_FIELDS:
            raise FileProblem(
                "too_wide",
                _("A line of the file has more than %(n)s columns; this is not a ledger.")
                % {"n": f"{CSV_MAX_FIELDS:,}"},
            )
        if "\x00" in line:
            raise _not_a_spreadsheet()
        if not number % 5000 and time.monotonic() > deadline:
            raise _refused(xlsx.Refused("too_slow"))
        yield line


def _read_csv(file, name, spec):
    encoding = _encoding(file)
    text_file = io.TextIOWrapper(file, encoding=encoding, newline="")
    try:
        sample = text_file.read(8192)
        text_file.seek(0)
        try:
            dialect = csv.Sniffer().sniff(sample, delimiters=",\t;")
        except csv.Error:
            dialect = csv.excel
        return _csv_rows(text_file, name, spec, dialect)
    finally:
        text_file.detach()


def _csv_rows(text_file, name, spec, dialect):
    delimiter = getattr(dialect, "delimiter", ",")
    deadline = time.monotonic() + parse_seconds()
    width = read_width(spec)
    rows = []
    limit = max_rows() + HEADER_SEARCH_ROWS
    wide = xlsx.SheetData()
    try:
        lines = _lines(text_file, delimiter, deadline)
        interned = {}  # the same texts recur thousands of times: one object each
        for number, values in enumerate(csv.reader(lines, dialect), start=1):
            if any(v.strip() for v in values):
                if len(interned) < xlsx.MAX_INTERNED:
                    values = [interned.setdefault(v, v) for v in values]
                if len(values) > width:
                    if any(v.strip() for v in values[width:]):
                        wide.wide_rows.add(number)
                    values = values[:width]
                rows.append((number, values))
                if len(rows) > limit:
                    raise _too_many_rows()
                if not len(rows) % 5000 and time.monotonic() > deadline:
                    raise _refused(xlsx.Refused("too_slow"))
    except csv.Error:
        raise _not_a_spreadsheet() from None
    if not rows:
        raise _no_header(spec, empty=True)
    sheet = _assemble(rows, name, "", spec, wide, set())
    if sheet is None:
        raise _no_header(spec, empty=False)
    return sheet


# ---------------------------------------------------------------------------
# header row and data rows


def _total_word(value):
    if not isinstance(value, str):
        return False
    text = unicodedata.normalize("NFKC", value)
    text = re.sub(r"[\s:：()（）\[\]【】]", "", text)
    return text in TOTAL_WORDS or (text[:2] in TOTAL_WORDS and len(text) <= 6)


def _assemble(rows, name, sheet_name, spec, data, filled):
    """Find the header row among the first rows; None when this sheet has none."""
    best, best_keys = None, set()
    required = set(spec.header_keys)
    for position, (_number, values) in enumerate(rows[:HEADER_SEARCH_ROWS]):
        keys = spec.lookup.keys(values)
        if required <= keys and len(keys) > len(best_keys):
            best, best_keys = position, keys
    if best is None:
        return None
    header_number, header_values = rows[best]
    if header_number in data.wide_rows:
        raise FileProblem(
            "too_wide",
            _(
                "The header row has more than %(n)d columns; only the first %(n)d can be read. "
                "Delete the columns you do not need and upload again."
            )
            % {"n": read_width(spec)},
        )
    sheet = Sheet(file_name=name, sheet_name=sheet_name, header_row=header_number, kind=spec.kind)
    width = max(i + 1 for i, v in enumerate(header_values) if v not in (None, ""))
    sheet.headers = [headers.header_text(v) for v in header_values[:width]]
    quiet = set()
    for index, text in enumerate(sheet.headers):
        key = spec.lookup.key(text)
        if key is None:
            if text:
                sheet.ignored.append(text)
                if headers.is_quiet(text):
                    quiet.add(index)
                else:
                    sheet.unknown.append(text)
        elif key in sheet.columns:
            raise FileProblem(
                "duplicate_header",
                _("The columns %(first)s and %(second)s both mean %(header)s; keep only one.")
                % {
                    "first": sheet.headers[sheet.columns[key]],
                    "second": text,
                    "header": spec.by_key[key].header,
                },
            )
        else:
            sheet.columns[key] = index
    if spec.as_of_column:
        found = asof.find(rows[:best])
        if found is not None:
            sheet.as_of = found.as_dict()
    key_indexes = [sheet.columns[k] for k in spec.key if k in sheet.columns]
    header_key = sheet.headers
    totals, hidden, beyond = [], [], []
    hidden_rows = data.hidden_rows
    probe = next(i for i, text in enumerate(header_key) if text)  # a cell a header has
    for position in range(best + 1, len(rows)):
        number, values = rows[position]
        rows[position] = None  # one copy of the rows at a time
        if len(values) > width:
            if number in data.wide_rows or any(v not in (None, "") for v in values[width:]):
                beyond.append(number)
            values = values[:width]
        elif number in data.wide_rows:
            beyond.append(number)
        if (
            probe < len(values)
            and isinstance(values[probe], str)
            and values[probe].strip() == header_key[probe]
            and [headers.header_text(v) for v in values] == header_key
        ):
            continue  # the header again
        if not any(
            v is not None and str(v).strip() and i not in quiet and (number, i) not in filled
            for i, v in enumerate(values)
        ):
            continue  # blank, or only a 序号 (or a value merged down into it)
        keyless = not any(values[i] not in (None, "") for i in key_indexes if i < len(values))
        if keyless and any(_total_word(v) for v in values):
            totals.append(number)
            continue
        sheet.rows.append((number, values))
        if number in hidden_rows:
            hidden.append(number)
    if len(sheet.rows) > max_rows():
        raise _too_many_rows()
    if totals:
        sheet.notes.append(["total_rows", {"rows": totals}])
    if hidden:
        sheet.notes.append(["hidden_rows", {"rows": hidden[:20], "count": len(hidden)}])
    hidden_columns = [
        sheet.headers[i] or _column_letter(i) for i in sorted(data.hidden_columns) if i < width
    ]
    if hidden_columns:
        sheet.notes.append(["hidden_columns", {"columns": hidden_columns}])
    if beyond:
        sheet.notes.append(
            [
                "wide_cells",
                {"rows": beyond[:10], "count": len(beyond), "last": _column_letter(width - 1)},
            ]
        )
    return sheet


def _column_letter(index):
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters
