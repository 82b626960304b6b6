"""A bounded reader of .xlsx workbooks (Office Open XML spreadsheets).

openpyxl reads what a file claims: it pads every row to the widest cell (one cell in
column ZZZ makes every row 18,278 cells long), yields every missing row up to the
highest row number (a row numbered 500,000,000 takes minutes), and holds the shared
strings in memory whatever their size. A small hostile file then takes gigabytes and
minutes (issue 14). This reader parses the parts itself with expat, streaming, and
refuses or ignores everything beyond the limits *before* doing any work for it:

- every zip member it reads is checked first: its declared size and its compression
  ratio (a zip member inflates to its declared size at most: ``zipfile`` stops there
  and checks the CRC);
- cells beyond ``width`` columns are skipped as they are parsed (nothing is padded);
- rows are never invented: a gap between row numbers costs nothing, and a row number
  above ``max_row_number`` stops the file;
- merged ranges are clipped to the columns and rows actually read;
- DTDs and entity declarations are refused (no entity expansion, no external entities);
- a deadline is checked as the bytes come in.

Values come out as plain JSON types (str, int, float, bool, None); dates as
``YYYY-MM-DD`` (or ``YYYY-MM-DD HH:MM:SS``), so rows survive JSON between preview and
confirm. Formulas give their cached values (what Excel shows).
"""

import contextlib
import datetime as dt
import posixpath
import re
import time
import zipfile
from dataclasses import dataclass, field
from xml.parsers import expat

from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format
from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900, from_excel

CHUNK = 1 << 20
MAX_MEMBERS = 10_000
MAX_INTERNED = 200_000  # distinct texts shared while reading a sheet
RATIO_FROM = 1 << 20  # members smaller than this may compress as well as they like
# Builtin number formats that are dates, including the East Asian ones (27–36, 50–58),
# which Chinese Excel uses for 2024年5月19日 and 2024年5月.
DATE_FORMAT_IDS = {*range(14, 23), *range(27, 37), *range(45, 48), *range(50, 59)}
_CELL_REF = re.compile(r"([A-Z]{1,3})(\d+)$")
_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")
_NUMBER = re.compile(r"^[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$")


class Refused(Exception):
    """The workbook breaks a limit or is malformed; ``code`` says which."""

    def __init__(self, code, **params):
        super().__init__(code)
        self.code = code
        self.params = params


@dataclass
class Limits:
    max_unzipped: int  # bytes, any one member
    max_ratio: int  # uncompressed : compressed, for members over RATIO_FROM
    deadline: float  # time.monotonic() value


@dataclass
class SheetInfo:
    name: str
    path: str
    hidden: bool = False


@dataclass
class SheetData:
    rows: list = field(default_factory=list)  # (row number, [values]) of non-blank rows
    hidden_rows: set = field(default_factory=set)
    hidden_columns: set = field(default_factory=set)  # 0-based
    merges: list = field(default_factory=list)  # (min col, min row, max col, max row)
    wide_rows: set = field(default_factory=set)  # rows with cells beyond the width
    complete: bool = True  # False when stopped after ``max_rows`` rows on purpose


def column_index(letters, _cache={}):  # noqa: B006 - a deliberate cache
    """A → 0, Z → 25, AA → 26."""
    index = _cache.get(letters)
    if index is None:
        index = 0
        for char in letters:
            index = index * 26 + ord(char) - 64
        index -= 1
        if len(_cache) < 20_000:
            _cache[letters] = index
    return index


def _refuse_dtd(*_args):
    raise Refused("dtd")


def _parser():
    parser = expat.ParserCreate()
    parser.StartDoctypeDeclHandler = _refuse_dtd
    parser.EntityDeclHandler = _refuse_dtd
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.buffer_text = True
    parser.buffer_size = 1 << 16
    return parser


def _local(name):
    return name.rpartition(":")[2]


def _unescape(text):
    """Excel writes control characters as _x000D_ (ST_Xstring)."""
    if "_x" not in text:
        return text
    return _ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)


class Workbook:
    def __init__(self, file, limits):
        self.limits = limits
        try:
            self.zip = zipfile.ZipFile(file)
            infos = self.zip.infolist()
        except (zipfile.BadZipFile, OSError, EOFError, ValueError):
            raise Refused("damaged") from None
        if len(infos) > MAX_MEMBERS:
            raise Refused("zip_members", count=len(infos))
        self.members = {i.filename: i for i in infos}
        if "xl/workbook.xml" not in self.members:
            raise Refused("not_workbook")
        self.date1904 = False
        self.sheets = self._read_workbook()
        self.date_styles = self._read_styles()
        self._shared = None

    # -- members ----------------------------------------------------------------

    def _open(self, name):
        info = self.members.get(name)
        if info is None:
            raise Refused("damaged")
        if info.file_size > self.limits.max_unzipped:
            raise Refused("part_too_large", part=name, size=info.file_size)
        if info.file_size > RATIO_FROM and info.file_size > self.limits.max_ratio * max(
            info.compress_size, 1
        ):
            raise Refused(
                "zip_bomb",
                part=name,
                size=info.file_size,
                ratio=info.file_size // max(1, info.compress_size),
            )
        try:
            return self.zip.open(info)
        except (zipfile.BadZipFile, NotImplementedError, RuntimeError, OSError, ValueError):
            raise Refused("damaged") from None

    def _parse(self, name, parser):
        """Feed a member to an expat parser in chunks, within the deadline."""
        source = self._open(name)
        try:
            while chunk := source.read(CHUNK):
                if time.monotonic() > self.limits.deadline:
                    raise Refused("too_slow")
                parser.Parse(chunk, False)
            parser.Parse(b"", True)
        except expat.ExpatError:
            raise Refused("damaged") from None
        except (zipfile.BadZipFile, OSError, EOFError, ValueError):
            raise Refused("damaged") from None
        finally:
            source.close()

    def close(self):
        self.zip.close()

    # -- workbook, relationships, styles, shared strings --------------------------

    def _read_workbook(self):
        sheets, rels = [], {}

        def rel_start(name, attrs):
            if _local(name) == "Relationship":
                rels[attrs.get("Id")] = (attrs.get("Target", ""), attrs.get("Type", ""))

        if "xl/_rels/workbook.xml.rels" in self.members:
            parser = _parser()
            parser.StartElementHandler = rel_start
            self._parse("xl/_rels/workbook.xml.rels", parser)
        self.rels = rels

        def start(name, attrs):
            local = _local(name)
            if local == "sheet":
                rid = next((v for k, v in attrs.items() if _local(k) == "id"), None)
                target = rels.get(rid, ("", ""))[0]
                if target:
                    path = (
                        target.lstrip("/")
                        if target.startswith("/")
                        else posixpath.normpath(posixpath.join("xl", target))
                    )
                    sheets.append(
                        SheetInfo(
                            name=attrs.get("name", ""),
                            path=path,
                            hidden=attrs.get("state", "visible") != "visible",
                        )
                    )
            elif local == "workbookPr":
                self.date1904 = attrs.get("date1904", "") in ("1", "true")

        parser = _parser()
        parser.StartElementHandler = start
        self._parse("xl/workbook.xml", parser)
        return [s for s in sheets if s.path in self.members]

    def _part(self, kind):
        for target, rel_type in self.rels.values():
            if rel_type.endswith("/" + kind):
                path = (
                    target.lstrip("/")
                    if target.startswith("/")
                    else posixpath.normpath(posixpath.join("xl", target))
                )
                if path in self.members:
                    return path
        default = {"styles": "xl/styles.xml", "sharedStrings": "xl/sharedStrings.xml"}[kind]
        return default if default in self.members else None

    def _read_styles(self):
        path = self._part("styles")
        if path is None:
            return set()
        custom, xfs = {}, []
        state = {"in_xfs": False}

        def start(name, attrs):
            local = _local(name)
            if local == "numFmt":
                with contextlib.suppress(ValueError):
                    custom[int(attrs.get("numFmtId", "-1"))] = attrs.get("formatCode", "")
            elif local == "cellXfs":
                state["in_xfs"] = True
            elif local == "xf" and state["in_xfs"]:
                try:
                    xfs.append(int(attrs.get("numFmtId", "0")))
                except ValueError:
                    xfs.append(0)

        def end(name):
            if _local(name) == "cellXfs":
                state["in_xfs"] = False

        parser = _parser()
        parser.StartElementHandler = start
        parser.EndElementHandler = end
        self._parse(path, parser)
        dates = set()
        for index, fmt_id in enumerate(xfs):
            code = custom.get(fmt_id, BUILTIN_FORMATS.get(fmt_id))
            if fmt_id in DATE_FORMAT_IDS or (code and is_date_format(code)):
                dates.add(str(index))
        return dates

    def shared_strings(self):
        if self._shared is None:
            self._shared = self._read_shared()
        return self._shared

    def _read_shared(self):
        path = self._part("sharedStrings")
        strings = []
        if path is None:
            return strings
        state = {"item": None, "text": False, "phonetic": 0}

        def start(name, attrs):
            local = _local(name)
            if local == "si":
                state["item"] = []
            elif local == "t" and state["item"] is not None and not state["phonetic"]:
                state["text"] = True
            elif local == "rPh":
                state["phonetic"] += 1

        def end(name):
            local = _local(name)
            if local == "t":
                state["text"] = False
            elif local == "rPh":
                state["phonetic"] -= 1
            elif local == "si":
                strings.append(_unescape("".join(state["item"])))
                state["item"] = None

        def chars(data):
            if state["text"]:
                state["item"].append(data)

        parser = _parser()
        parser.StartElementHandler = start
        parser.EndElementHandler = end
        parser.CharacterDataHandler = chars
        self._parse(path, parser)
        return strings

    # -- a worksheet ----------------------------------------------------------------

    def read_sheet(self, info, *, width, max_row_number, max_rows, progress=None):
        """The non-blank rows of a sheet (at most ``max_rows``; more sets ``complete``
        False), cells beyond ``width`` skipped, hidden rows and columns, merges."""
        data = SheetData()
        rows = data.rows
        shared = None
        # The same texts (a community, a choice, a date) recur thousands of times in a
        # large sheet: one object each (shared strings are shared already).
        interned = {}
        dates = self.date_styles
        epoch = CALENDAR_MAC_1904 if self.date1904 else CALENDAR_WINDOWS_1900
        names = {}
        state = {
            "values": None,
            "number": 0,
            "col": -1,
            "type": None,
            "style": None,
            "text": None,
            "in_is": False,
            "phonetic": 0,
            "wide": False,
            "in_cols": False,
            "skip": False,
            "hidden": False,
            "collect_t": False,
            "stop": False,
        }
        max_merges = max_rows

        def tag(name, local):
            names[name] = local
            return local

        def start(name, attrs):
            local = names.get(name) or tag(name, _local(name))
            if local == "c":
                ref = attrs.get("r")
                if ref:
                    match = _CELL_REF.match(ref)
                    col = column_index(match.group(1)) if match else state["col"] + 1
                else:
                    col = state["col"] + 1
                state["col"] = col
                if col >= width:
                    state["skip"] = True
                    state["wide"] = True
                    return
                state["skip"] = False
                state["type"] = attrs.get("t")
                state["style"] = attrs.get("s")
                state["text"] = None
            elif local == "v":
                if not state["skip"]:
                    state["text"] = []
            elif local == "t":
                if state["in_is"] and not state["phonetic"] and not state["skip"]:
                    if state["text"] is None:
                        state["text"] = []
                    state["collect_t"] = True
            elif local == "is":
                state["in_is"] = True
            elif local == "rPh":
                state["phonetic"] += 1
            elif local == "row":
                r = attrs.get("r")
                try:
                    number = int(r) if r else state["number"] + 1
                except ValueError:
                    raise Refused("damaged") from None
                if number > max_row_number:
                    raise Refused("row_number", row=number)
                state["number"] = number
                state["values"] = []
                state["col"] = -1
                state["wide"] = False
                state["hidden"] = attrs.get("hidden") in ("1", "true")
            elif local == "col" and state["in_cols"]:
                if attrs.get("hidden") in ("1", "true"):
                    try:
                        low, high = int(attrs.get("min", "0")), int(attrs.get("max", "0"))
                    except ValueError:
                        return
                    for index in range(max(low, 1) - 1, min(high, width)):
                        data.hidden_columns.add(index)
            elif local == "cols":
                state["in_cols"] = True
            elif local == "mergeCell":
                ref = attrs.get("ref", "")
                if ":" in ref:
                    first, _sep, last = ref.partition(":")
                    a, b = _CELL_REF.match(first), _CELL_REF.match(last)
                    if a and b:
                        c1, c2 = column_index(a.group(1)), column_index(b.group(1))
                        r1, r2 = int(a.group(2)), int(b.group(2))
                        if c1 < width and r2 > r1:  # vertical: clipped to what was read
                            if len(data.merges) >= max_merges:
                                raise Refused("too_many_merges", count=len(data.merges))
                            data.merges.append(
                                (c1, r1, min(c2, width - 1), min(r2, max_row_number))
                            )

        def end(name):
            local = names.get(name) or tag(name, _local(name))
            if local == "c":
                if state["skip"]:
                    state["skip"] = False
                    return
                text = state["text"]
                state["text"] = None
                value = (
                    None if text is None else _value("".join(text), state["type"], state["style"])
                )
                values = state["values"]
                if value is not None and value != "" and values is not None:
                    col = state["col"]
                    if len(values) < col:
                        values.extend([None] * (col - len(values)))
                    if len(values) == col:
                        values.append(value)
                    else:
                        values[col] = value
            elif local == "t":
                state["collect_t"] = False
            elif local == "is":
                state["in_is"] = False
            elif local == "rPh":
                state["phonetic"] -= 1
            elif local == "row":
                values = state["values"]
                if values:
                    rows.append((state["number"], values))
                    if state["hidden"]:
                        data.hidden_rows.add(state["number"])
                    if len(rows) > max_rows:
                        data.complete = False
                        state["stop"] = True
                if state["wide"]:
                    data.wide_rows.add(state["number"])
                state["values"] = None
            elif local == "cols":
                state["in_cols"] = False

        def chars(text):
            bucket = state["text"]
            if bucket is not None and (not state["in_is"] or state["collect_t"]):
                bucket.append(text)

        def _value(text, kind, style):
            nonlocal shared
            if kind == "s":
                if shared is None:
                    shared = self.shared_strings()
                try:
                    return shared[int(text)]
                except (ValueError, IndexError):
                    raise Refused("damaged") from None
            if kind in ("inlineStr", "str"):
                text = _unescape(text)
                return interned.setdefault(text, text) if len(interned) < MAX_INTERNED else text
            if kind == "b":
                return text.strip() in ("1", "true")
            if kind == "e":
                return text
            if kind == "d":
                return (
                    text[:10]
                    if "T00:00:00" in text or len(text) == 10
                    else text.replace("T", " ")[:19]
                )
            text = text.strip()
            if not _NUMBER.match(text):
                return text or None
            try:
                number = int(text)
            except ValueError:
                number = float(text)
            if style is not None and style in dates:
                day = _excel_date(number, epoch)
                return interned.setdefault(day, day) if type(day) is str else day
            return number

        parser = _parser()
        parser.StartElementHandler = start
        parser.EndElementHandler = end
        parser.CharacterDataHandler = chars
        size = self.members[info.path].file_size
        source = self._open(info.path)
        done = 0
        last = time.monotonic()
        try:
            while chunk := source.read(CHUNK):
                now = time.monotonic()
                if now > self.limits.deadline:
                    raise Refused("too_slow")
                parser.Parse(chunk, False)
                done += len(chunk)
                if state["stop"]:
                    break
                if progress is not None and now - last > 0.5:
                    progress(done, size)
                    last = now
            else:
                parser.Parse(b"", True)
        except expat.ExpatError:
            raise Refused("damaged") from None
        except (zipfile.BadZipFile, OSError, EOFError):
            raise Refused("damaged") from None
        finally:
            source.close()
        return data


def _excel_date(number, epoch):
    try:
        value = from_excel(number, epoch=epoch)
    except (ValueError, OverflowError, TypeError):
        return number
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.strftime("%Y-%m-%d")
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.time | dt.date):
        return value.isoformat()
    return number
