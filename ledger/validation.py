"""One row of a sheet → cleaned values, or errors that say which cell and what is wrong.

Everything here is pure (no database): cell parsers by column kind, then the checks
between cells of one row. Resolving names against the database (communities,
organisations, liaisons) and comparing with stored records is ``importer.py``'s job.

Each error has a stable ``code`` (tests and scripts rely on it) and a translated message.
"""

import datetime as dt
import math
import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache

from django.core.exceptions import ValidationError
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from enterprises import uscc as uscc_rules
from enterprises.models import Enterprise, Industry, PartyOrganization

from . import columns as cols

EXCEL_EPOCH = dt.date(1899, 12, 30)
FORMULA_GUARD = "'"
RISKY_FIRST = ("=", "+", "-", "@", "\t", "\r")
NFKC_TEXT = {"contact_phone"}  # codes, not names: full-width digits become half-width


class CellError(Exception):
    def __init__(self, code, message):
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(slots=True)
class Problem:
    """An error or a note about one cell; ``key`` is the column (None: the whole row)."""

    key: str | None
    code: str
    message: str


@dataclass(slots=True)
class CleanRow:
    number: int
    values: dict = field(default_factory=dict)  # key → value; empty cells are left out
    errors: list = field(default_factory=list)
    notes: list = field(default_factory=list)

    def error(self, key, code, message):
        self.errors.append(Problem(key, code, message))

    def has_error(self, key):
        return any(p.key == key for p in self.errors)


# ---------------------------------------------------------------------------
# Cell parsers


def is_blank(value):
    return value is None or (isinstance(value, str) and not value.strip())


def shown(value):
    """A cell value as the user sees it, for messages."""
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return f"{value:.5E}" if abs(value) >= 1e11 else f"{value:g}"
    return str(value).strip()


def parse_text(value, column):
    if isinstance(value, bool):
        text = "是" if value else "否"
    elif isinstance(value, float) and value.is_integer():
        text = str(int(value))
    elif isinstance(value, dt.datetime | dt.date):
        text = value.strftime("%Y-%m-%d")
    else:
        text = str(value).strip()
    if text.startswith(FORMULA_GUARD) and text[1:2] and text[1] in RISKY_FIRST:
        text = text[1:]  # the guard our exports put before = + - @
    if column.key in NFKC_TEXT:
        text = unicodedata.normalize("NFKC", text).strip()
    if column.max_length and len(text) > column.max_length:
        raise CellError(
            "too_long",
            _("Too long: %(n)d characters, at most %(max)d.")
            % {"n": len(text), "max": column.max_length},
        )
    return text


_SCIENTIFIC = re.compile(r"^\d(\.\d+)?E\+?\d+$", re.IGNORECASE)


def parse_uscc(value, column):
    if isinstance(value, int | float) and not isinstance(value, bool):
        raise CellError(
            "uscc_number",
            _(
                "Excel stored this code as a number (%(value)s), which loses its last digits. "
                "Format the column as text and type the code again."
            )
            % {"value": shown(value)},
        )
    text = unicodedata.normalize("NFKC", str(value)).strip().lstrip("'")  # '9137… forced text
    if _SCIENTIFIC.match(text.replace(" ", "")):
        raise CellError(
            "uscc_scientific",
            _(
                "This code is in scientific notation (%(value)s): Excel turned it into a number "
                "and lost digits. Format the column as text and type the code again."
            )
            % {"value": text},
        )
    try:
        return uscc_rules.validate(text)
    except ValidationError as error:
        raise CellError(f"uscc_{error.code}", " ".join(error.messages)) from None


def _name_key(text):
    return unicodedata.normalize("NFKC", str(text)).replace(" ", "").strip()


def parse_name_ref(value, column):
    """A community or industry chain, resolved against the database later."""
    return _name_key(parse_text(value, column))


def parse_names(value, column):
    text = parse_text(value, column)
    names = []
    for part in re.split(r"[、,，;；/\n]+", text):
        if part.strip() and part.strip() not in names:
            names.append(part.strip())
    return names


_TRUE = {"是", "y", "yes", "true", "1", "√", "✓", "有", "t"}
_FALSE = {"否", "n", "no", "false", "0", "×", "✗", "无", "f"}


def parse_bool(value, column):
    if isinstance(value, bool):
        return value
    text = unicodedata.normalize("NFKC", shown(value)).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise CellError("bad_bool", _("%(value)s is not 是 or 否.") % {"value": shown(value)})


def parse_count(value, column):
    if isinstance(value, bool):
        raise CellError("not_a_number", _("%(value)s is not a number.") % {"value": value})
    if isinstance(value, int | float):
        number = value
    else:
        text = unicodedata.normalize("NFKC", str(value)).strip().replace(",", "")
        text = re.sub(r"\s*[人名个]$", "", text)
        try:
            number = float(text) if re.search(r"[.eE]", text) else int(text)
        except ValueError:
            raise CellError(
                "not_a_number", _("%(value)s is not a number.") % {"value": shown(value)}
            ) from None
    if isinstance(number, float):
        if not math.isfinite(number) or not number.is_integer():
            raise CellError(
                "not_whole", _("%(value)s is not a whole number.") % {"value": shown(value)}
            )
        number = int(number)
    if number < 0:
        raise CellError(
            "negative", _("%(value)s is negative; it cannot be.") % {"value": shown(value)}
        )
    return number


_DAY = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:\s+[\d:.]+)?$")
_MONTH = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")


def _not_a_date(value):
    return CellError(
        "not_a_date",
        _("%(value)s is not a date. Write it as 2024-05-19, 2024/5/19, 2024.5.19 or 2024年5月19日.")
        % {"value": shown(value)},
    )


def _make_date(year, month, day, value):
    try:
        return dt.date(int(year), int(month), int(day))
    except ValueError:
        raise CellError(
            "bad_date", _("%(value)s is not a real calendar date.") % {"value": shown(value)}
        ) from None


EARLIEST = dt.date(1950, 1, 1)  # no ledger date is older; a smaller serial is a typo
_EARLIEST_SERIAL = (EARLIEST - EXCEL_EPOCH).days


def _from_serial(number, value):
    if 19000101 <= number <= 29991231:  # 20240519 typed as a number
        return _make_date(number // 10000, number // 100 % 100, number % 100, value)
    if not _EARLIEST_SERIAL <= number < 2958466:  # e.g. 2024: a year, not a date
        raise _not_a_date(value)
    return EXCEL_EPOCH + dt.timedelta(days=int(number))


def parse_date(value, column, notes=None):
    """Returns a date; ``notes`` collects how a partial date was read."""
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        day = value.date()
    elif isinstance(value, dt.date):
        day = value
    elif isinstance(value, int | float) and not isinstance(value, bool):
        day = _from_serial(int(value), value)
    else:
        text = unicodedata.normalize("NFKC", str(value)).strip()
        if (match := _DAY.match(text)) or (match := _COMPACT.match(text)):
            day = _make_date(*match.groups(), value)
        elif match := _MONTH.match(text):
            day = _make_date(*match.groups(), 1, value)
            if notes is not None:
                notes.append(
                    CellError(
                        "month_only",
                        _(
                            "Only a month was given (%(value)s): read as %(day)s, "
                            "the first day of that month."
                        )
                        % {"value": text, "day": day.isoformat()},
                    )
                )
        elif text.isdigit() and len(text) <= 5:  # an Excel serial stored as text
            day = _from_serial(int(text), value)
        else:
            raise _not_a_date(value)
    if day > timezone.localdate():
        raise CellError("future_date", _("%(day)s is in the future.") % {"day": day.isoformat()})
    if day < EARLIEST:
        raise CellError(
            "too_early",
            _("%(day)s is before %(earliest)s; check the year.")
            % {"day": day.isoformat(), "earliest": EARLIEST.isoformat()},
        )
    return day


# ---------------------------------------------------------------------------
# Choices: codes, labels in both languages, and the words ledgers use


_EXTRA_CHOICES = {
    "ownership": {
        "private": ["民营", "私营企业", "民营企业", "个体", "私人"],
        "hmt": ["港澳台商投资", "港澳台资", "港澳台投资"],
        "foreign": ["外商投资", "外商独资", "中外合资", "外资企业"],
        "other": ["其它"],
    },
    "size": {
        "large": ["大", "大型企业"],
        "medium": ["中", "中型企业"],
        "small": ["小", "小型企业"],
        "micro": ["微", "微型企业"],
    },
    "status": {
        "operating": ["存续", "开业", "正常", "正常经营", "营业"],
        "suspended": ["停业"],
        "deregistered": ["吊销"],
    },
    "org_level": {"general_branch": ["总支"], "branch": ["支部", "联合党支部"]},
    "org_formation": {
        "standalone": ["单建", "单独"],
        "joint": ["联建", "联合"],
        "regional": ["区域", "挂靠", "区域组建", "挂靠组建", "区域挂靠"],
    },
}

CHOICE_CLASSES = {
    "industry": Industry,
    "ownership": Enterprise.Ownership,
    "size": Enterprise.Size,
    "status": Enterprise.Status,
    "org_level": PartyOrganization.Level,
    "org_formation": PartyOrganization.Formation,
}


def _choice_key(text):
    return re.sub(r"[\s/、]", "", unicodedata.normalize("NFKC", str(text))).lower()


@cache
def choice_lookup(key):
    """{normalised word: value} for a choice column, built once per process."""
    lookup = {}
    choices = CHOICE_CLASSES[key]
    for language in ("zh-hans", "en"):
        with translation.override(language):
            for value, label in choices.choices:
                label = str(label)
                lookup[_choice_key(label)] = value
                if key == "industry":  # "C 制造业" → also "制造业"
                    lookup[_choice_key(label.split(" ", 1)[-1])] = value
    for value in choices.values:
        lookup[_choice_key(value)] = value
    for value, words in _EXTRA_CHOICES.get(key, {}).items():
        for word in words:
            lookup[_choice_key(word)] = value
    return lookup


@cache
def choice_labels(key):
    """{value: label} as written to ledger files (Chinese: the file format is Chinese)."""
    with translation.override("zh-hans"):
        return {value: str(label) for value, label in CHOICE_CLASSES[key].choices}


def choice_label(key, value):
    return choice_labels(key)[value]


def parse_choice(value, column):
    text = parse_text(value, column)
    found = choice_lookup(column.key).get(_choice_key(text))
    if found is None:
        labels = [choice_label(column.key, v) for v in CHOICE_CLASSES[column.key].values]
        raise CellError(
            "bad_choice",
            _("%(value)s is not one of: %(choices)s.")
            % {"value": text, "choices": " / ".join(labels)},
        )
    return found


PARSERS = {
    cols.TEXT: parse_text,
    cols.USCC: parse_uscc,
    cols.COMMUNITY: parse_name_ref,
    cols.CHAIN: parse_name_ref,
    cols.NAMES: parse_names,
    cols.CHOICE: parse_choice,
    cols.BOOL: parse_bool,
    cols.COUNT: parse_count,
}


# ---------------------------------------------------------------------------
# A row


def clean_row(number, cells):
    """``cells``: {key: raw value} for the columns the sheet has."""
    row = CleanRow(number)
    for key, raw in cells.items():
        if is_blank(raw):
            continue  # an empty cell: ``values.get(key)`` is None
        column = cols.BY_KEY[key]
        try:
            if column.kind == cols.DATE:
                notes = []
                row.values[key] = parse_date(raw, column, notes)
                row.notes.extend(Problem(key, n.code, n.message) for n in notes)
            else:
                row.values[key] = PARSERS[column.kind](raw, column)
        except CellError as error:
            row.error(key, error.code, error.message)
    if not row.has_error("uscc") and row.values.get("uscc") is None:
        row.error("uscc", "required", _("The cell is empty, but this column is required."))
    if not row.has_error("name") and not row.values.get("name") and "name" in cells:
        row.error("name", "required", _("The cell is empty, but this column is required."))
    _check_facts(row, cells)
    return row


def _check_facts(row, cells):
    """Cells that only make sense together: an organisation needs its name, counts a date."""
    values = row.values
    if not values.get("org_name") and not row.has_error("org_name"):
        filled = [k for k in cols.ORG_KEYS[1:] if values.get(k) is not None]
        if filled:
            row.error(
                "org_name",
                "org_name_missing",
                _("The organisation's %(column)s is filled in, but its name is empty.")
                % {"column": cols.BY_KEY[filled[0]].header},
            )
    counts = [k for k in cols.COUNT_KEYS if values.get(k) is not None]
    if counts and values.get("return_date") is None and not row.has_error("return_date"):
        row.error(
            "return_date",
            "return_date_missing",
            _("Member counts are filled in, but the date they describe is empty."),
        )
