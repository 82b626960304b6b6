"""One cell of a sheet → a clean value, or a ``CellError`` saying what is wrong.

Everything here is pure (no database). One parser per column kind (``spec.TEXT`` …);
a spec may give a column its own parser instead (``Column(parse=…)``). Each error has a
stable ``code`` (tests and scripts rely on it) and a translated message.
"""

import datetime as dt
import decimal
import math
import re
import unicodedata

from django.utils import timezone, translation
from django.utils.translation import gettext as _

EXCEL_EPOCH = dt.date(1899, 12, 30)
FORMULA_GUARD = "'"
RISKY_FIRST = ("=", "+", "-", "@", "\t", "\r")
EARLIEST = dt.date(1950, 1, 1)  # no ledger date is older; a smaller serial is a typo
_EARLIEST_SERIAL = (EARLIEST - EXCEL_EPOCH).days


class CellError(Exception):
    def __init__(self, code, message):
        super().__init__(message)
        self.code = code
        self.message = message


def is_blank(value):
    return value is None or (isinstance(value, str) and not value.strip())


def shown(value):
    """A cell value as the user sees it, for messages."""
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return f"{value:.5E}" if abs(value) >= 1e11 else f"{value:g}"
    return str(value).strip()


def name_key(text):
    """How names are compared: full width folded, spaces removed."""
    return unicodedata.normalize("NFKC", str(text)).replace(" ", "").strip()


# ---------------------------------------------------------------------------
# Text


def parse_text(value, column):
    if type(value) is str:
        text = value.strip()
        if text[:1] == FORMULA_GUARD or column.fold or column.max_length:
            return _finish_text(text, column)
        return text
    if isinstance(value, bool):
        text = "是" if value else "否"
    elif isinstance(value, float) and value.is_integer():
        text = str(int(value))
    elif isinstance(value, dt.datetime | dt.date):
        text = value.strftime("%Y-%m-%d")
    else:
        text = str(value).strip()
    return _finish_text(text, column)


def _finish_text(text, column):
    if text.startswith(FORMULA_GUARD) and text[1:2] and text[1] in RISKY_FIRST:
        text = text[1:]  # the guard our exports put before = + - @
    if column.fold:
        text = unicodedata.normalize("NFKC", text).strip()
    if column.max_length and len(text) > column.max_length:
        raise CellError(
            "too_long",
            _("Too long: %(n)d characters, at most %(max)d.")
            % {"n": len(text), "max": column.max_length},
        )
    return text


def parse_name(value, column):
    """A name resolved against the database later (a community, a chain, a reference)."""
    return name_key(parse_text(value, column))


def parse_names(value, column):
    text = parse_text(value, column)
    names = []
    for part in re.split(r"[、,，;；/\n]+", text):
        if part.strip() and part.strip() not in names:
            names.append(part.strip())
    return names


# ---------------------------------------------------------------------------
# Yes / no


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


# ---------------------------------------------------------------------------
# Numbers


def parse_count(value, column):
    """A whole number, 0 or more (people, units)."""
    if isinstance(value, bool):
        raise CellError("not_a_number", _("%(value)s is not a number.") % {"value": value})
    if isinstance(value, int | float):
        number = value
    else:
        text = unicodedata.normalize("NFKC", str(value)).strip().replace(",", "")
        text = re.sub(r"\s*[人名个家次]$", "", text)
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
    if number > 2_147_483_647:
        raise CellError("too_big", _("%(value)s is too large.") % {"value": shown(value)})
    return number


_AMOUNT = re.compile(r"^[-+]?(\d+(\.\d*)?|\.\d+)$")


def parse_amount(value, column):
    """Money: a decimal with at most two places (¥, 元 and thousands separators allowed).
    Negative amounts are errors unless the column allows them (``Column(signed=True)``)."""
    if isinstance(value, bool):
        raise CellError("not_a_number", _("%(value)s is not a number.") % {"value": value})
    if isinstance(value, float):
        if not math.isfinite(value):
            raise CellError("not_a_number", _("%(value)s is not a number.") % {"value": value})
        text = repr(value)
    else:
        text = unicodedata.normalize("NFKC", str(value)).strip()
        text = re.sub(r"^[¥￥]|元$", "", text).replace(",", "").strip()
    if not _AMOUNT.match(text):
        raise CellError("not_a_number", _("%(value)s is not a number.") % {"value": shown(value)})
    amount = decimal.Decimal(text)
    if amount != amount.quantize(decimal.Decimal("0.01"), rounding=decimal.ROUND_HALF_UP):
        raise CellError(
            "too_precise",
            _("%(value)s has more than two decimal places.") % {"value": shown(value)},
        )
    if amount < 0 and not column.signed:
        raise CellError(
            "negative", _("%(value)s is negative; it cannot be.") % {"value": shown(value)}
        )
    if abs(amount) >= 10**12:
        raise CellError("too_big", _("%(value)s is too large.") % {"value": shown(value)})
    return amount.quantize(decimal.Decimal("0.01"))


# ---------------------------------------------------------------------------
# Dates


_DAY = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:\s+[\d:.]+)?$")
_MONTH = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")


def _not_a_date(value):
    return CellError(
        "not_a_date",
        _("%(value)s is not a date. Write it as 2024-05-19, 2024/5/19, 2024.5.19 or 2024年5月19日.")
        % {"value": shown(value)},
    )


def make_date(year, month, day, value):
    try:
        return dt.date(int(year), int(month), int(day))
    except ValueError:
        raise CellError(
            "bad_date", _("%(value)s is not a real calendar date.") % {"value": shown(value)}
        ) from None


def _from_serial(number, value):
    if 19000101 <= number <= 29991231:  # 20240519 typed as a number
        return make_date(number // 10000, number // 100 % 100, number % 100, value)
    if not _EARLIEST_SERIAL <= number < 2958466:  # e.g. 2024: a year, not a date
        raise _not_a_date(value)
    return EXCEL_EPOCH + dt.timedelta(days=int(number))


def parse_date(value, column=None, notes=None):
    """Returns a date; ``notes`` collects how a partial date was read."""
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        day = value.date()
    elif isinstance(value, dt.date):
        day = value
    elif isinstance(value, int | float) and not isinstance(value, bool):
        if isinstance(value, float) and not math.isfinite(value):
            raise _not_a_date(value)
        day = _from_serial(int(value), value)
    elif isinstance(value, bool):
        raise _not_a_date(value)
    else:
        text = unicodedata.normalize("NFKC", str(value)).strip()
        if (match := _DAY.match(text)) or (match := _COMPACT.match(text)):
            day = make_date(*match.groups(), value)
        elif match := _MONTH.match(text):
            day = make_date(*match.groups(), 1, value)
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
    check_day(day)
    return day


def check_day(day):
    """A date from a sheet is neither in the future nor before EARLIEST."""
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


def choice_key(text):
    return re.sub(r"[\s/、]", "", unicodedata.normalize("NFKC", str(text))).lower()


def choice_lookup(column):
    """{normalised word: value} for a choice column (cached on the column)."""
    cached = column.__dict__.get("_lookup")
    if cached is not None:
        return cached
    lookup = {}
    for language in ("zh-hans", "en"):
        with translation.override(language):
            for value, label in column.choices.choices:
                label = str(label)
                lookup[choice_key(label)] = value
                code, _space, rest = label.partition(" ")
                if rest and code == value:  # "C 制造业" → also "制造业"
                    lookup.setdefault(choice_key(rest), value)
    for value in column.choices.values:
        lookup[choice_key(value)] = value
    for value, words in dict(column.words).items():
        for word in words:
            lookup[choice_key(word)] = value
    object.__setattr__(column, "_lookup", lookup)
    return lookup


def choice_labels(column):
    """{value: label} as written to ledger files (Chinese: the file format is Chinese)."""
    cached = column.__dict__.get("_labels")
    if cached is None:
        with translation.override("zh-hans"):
            cached = {value: str(label) for value, label in column.choices.choices}
        object.__setattr__(column, "_labels", cached)
    return cached


def parse_choice(value, column):
    text = parse_text(value, column)
    found = choice_lookup(column).get(choice_key(text))
    if found is None:
        labels = choice_labels(column)
        raise CellError(
            "bad_choice",
            _("%(value)s is not one of: %(choices)s.")
            % {"value": text, "choices": " / ".join(labels[v] for v in column.choices.values)},
        )
    return found
