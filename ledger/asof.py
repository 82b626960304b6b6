"""The date a sheet's figures describe, when the sheet says it once at the top.

Offices write it in a title or note row above the header, not on each row:
``填报日期：2026年12月2日``, ``统计日期 2026-06-30``, ``截至2026年6月30日``, ``截止2026.6.30``,
or only a year and month in the title (``2026年6月非公企业党建台账``, read as the last day
of that month; today if that month is not over yet). A labelled date (填报/统计/报送
日期, 截至/截止) wins over a bare date, which wins over a year and month; the highest row
wins among equals. ``find(rows)`` returns None when the rows above the header say
nothing, and the date with the row and text it came from otherwise.
"""

import calendar
import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

from django.utils import timezone

from .cells import CellError, check_day, make_date

_DATE = r"(\d{4})(?:年|[-/.])(\d{1,2})(?:月|[-/.])(\d{1,2})日?"
_MONTH = r"(\d{4})(?:年|[-/.])(\d{1,2})月?"
_LABEL = r"(?:填报|统计|报送|报表|上报|截止|数据)?(?:日期|时间)|截至到?|截止到?|统计截止|数据截止"
_LABELLED_DAY = re.compile(rf"(?:{_LABEL})[:：]?{_DATE}")
_LABELLED_MONTH = re.compile(rf"(?:{_LABEL})[:：]?{_MONTH}(?:底|末)?(?!\d)")
_BARE_DAY = re.compile(_DATE)
_TITLE_MONTH = re.compile(r"(\d{4})年(\d{1,2})月(?!\d)")


@dataclass(frozen=True)
class SheetDate:
    day: dt.date | None
    row: int  # the sheet's row number
    text: str  # the cell text it came from
    month_only: bool = False  # a year and month: the last day of the month (or today)
    problem: CellError | None = None  # a date that cannot be used (in the future …)

    def as_dict(self):
        return {
            "day": self.day.isoformat() if self.day else None,
            "row": self.row,
            "text": self.text,
            "month_only": self.month_only,
            "problem": self.problem.message if self.problem else "",
        }


def _flat(values):
    cells = [str(v) for v in values if v not in (None, "") and not isinstance(v, bool)]
    text = unicodedata.normalize("NFKC", "".join(cells))
    return re.sub(r"\s+", "", text), " ".join(str(c).strip() for c in cells)[:80]


def _day(year, month, day):
    try:
        return make_date(year, month, day, f"{year}-{month}-{day}"), None
    except CellError as error:
        return None, error


def _month_end(year, month):
    year, month = int(year), int(month)
    if not 1 <= month <= 12:
        return None
    end = dt.date(year, month, calendar.monthrange(year, month)[1])
    return min(end, timezone.localdate())


def find(rows):
    """``rows``: (row number, [values]) above the header, top first."""
    found = []  # (rank, order, SheetDate)
    for order, (number, values) in enumerate(rows):
        flat, shown = _flat(values)
        if not flat or not re.search(r"\d{4}", flat):
            continue
        for rank, pattern in ((0, _LABELLED_DAY), (2, _BARE_DAY)):
            if match := pattern.search(flat):
                day, problem = _day(*match.groups())
                found.append((rank, order, _checked(day, number, shown, False, problem)))
                break
        else:
            for rank, pattern in ((1, _LABELLED_MONTH), (3, _TITLE_MONTH)):
                if match := pattern.search(flat):
                    day = _month_end(*match.groups()[:2])
                    if day is not None:
                        found.append((rank, order, _checked(day, number, shown, True, None)))
                        break
    if not found:
        return None
    found.sort(key=lambda item: (item[0], item[1]))
    return found[0][2]


def _checked(day, number, text, month_only, problem):
    if problem is None and day is not None:
        try:
            check_day(day)
        except CellError as error:
            problem = error
    return SheetDate(day=day, row=number, text=text, month_only=month_only, problem=problem)
