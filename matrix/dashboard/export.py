"""The dashboard as an .xlsx workbook: one sheet per panel and per breakdown, each with the
area, the date and the definitions; the numbers are the page's (same cached figures)."""

import io
import re

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from . import figures, panels
from .definitions import DEFINITIONS

BOLD = Font(bold=True)
PERCENT = "0.0%"


def _title(text, used):
    name = re.sub(r"[\[\]:*?/\\]", " ", str(text))[:28] or "Sheet"
    base, n = name, 2
    while name in used:
        name = f"{base[:25]} {n}"
        n += 1
    used.add(name)
    return name


def _header(ws, ctx, title):
    ws.append([str(title)])
    ws["A1"].font = Font(bold=True, size=13)
    ws.append([_("Area"), ctx.area.path_names])
    ws.append([_("As of"), ctx.day])
    ws["B3"].number_format = "yyyy-mm-dd"
    ws.append([_("Exported at"), timezone.localtime().strftime("%Y-%m-%d %H:%M")])
    ws.append([])


def _widths(ws, first=28, rest=12):
    ws.column_dimensions["A"].width = first
    for i in range(2, ws.max_column + 1):
        ws.column_dimensions[get_column_letter(i)].width = rest


def _row(ws, values, bold=False, rate_columns=()):
    ws.append(values)
    r = ws.max_row
    for col in rate_columns:
        ws.cell(row=r, column=col).number_format = PERCENT
    if bold:
        for cell in ws[r]:
            cell.font = BOLD


def _definitions(ws):
    ws.append([])
    for key in ("operating", "organization", "work", "work_only", "bands", "should_form", "rate"):
        ws.append([str(DEFINITIONS[key])])


def workbook(ctx):
    data = panels.coverage_panel(ctx)
    wb = Workbook()
    used = set()

    ws = wb.active
    ws.title = _title(_("The 1: coverage"), used)
    _header(ws, ctx, panels.PANELS[0].title)
    _row(ws, [_("Figure"), _("Count"), _("Rate"), _("Definition")], bold=True)
    _row(
        ws,
        [
            str(panels.OPERATING_LABEL),
            data["operating"]["count"],
            None,
            str(DEFINITIONS["operating"]),
        ],
    )
    for item in data["coverage"]:
        _row(
            ws,
            [str(item["label"]), item["count"], item["rate"], str(DEFINITIONS[item["key"]])],
            rate_columns=(3,),
        )
    for item in data["bands"]:
        _row(
            ws,
            [str(item["label"]), item["count"], item["rate"], str(DEFINITIONS["bands"])],
            rate_columns=(3,),
        )
    _row(
        ws,
        [
            str(panels.SHOULD_FORM_LABEL),
            data["should_form"]["count"],
            None,
            str(DEFINITIONS["should_form"]),
        ],
    )
    for item in data["members"]:
        _row(ws, [str(item["label"]), item["value"], None, str(DEFINITIONS["members"])])
    for item in data["mass"]:
        _row(ws, [str(item["label"]), item["count"], None, str(DEFINITIONS["mass"])])
    _row(
        ws,
        [
            _("Organisations formed this year"),
            data["organizations_formed"],
            None,
            str(DEFINITIONS["organizations_formed"]),
        ],
    )
    _row(
        ws,
        [
            _("Members added this year"),
            data["members_added"],
            None,
            str(DEFINITIONS["members_added"]),
        ],
    )
    for item in data["alerts"]:
        _row(ws, [str(item["label"]), item["count"], None, str(DEFINITIONS["alerts"])])
    _widths(ws)
    ws.column_dimensions["D"].width = 90

    columns = [str(c["label"]) for c in data["columns"]]
    rate_labels = [str(c["label"]) for c in data["rate_columns"]]
    first_rate = 2 + len(columns)
    rate_cols = tuple(range(first_rate, first_rate + len(rate_labels)))
    for group in data["breakdowns"]:
        ws = wb.create_sheet(_title(_("By %(dimension)s") % {"dimension": group["label"]}, used))
        _header(ws, ctx, _("By %(dimension)s") % {"dimension": group["label"]})
        _row(ws, [str(group["label"]), *columns, *rate_labels], bold=True)
        for row in group["rows"]:
            _row(
                ws,
                [
                    str(row["label"]),
                    *(c["value"] for c in row["counts"]),
                    *(r["rate"] for r in row["rates"]),
                ],
                rate_columns=rate_cols,
            )
        total = group["total"]
        _row(
            ws,
            [
                _("Total"),
                *(c["value"] for c in total["counts"]),
                *(r["rate"] for r in total["rates"]),
            ],
            bold=True,
            rate_columns=rate_cols,
        )
        _widths(ws)

    ws = wb.create_sheet(_title(_("Trend"), used))
    _header(ws, ctx, _("Trend"))
    _row(
        ws,
        [
            _("As of"),
            str(panels.OPERATING_LABEL),
            str(panels.COVERAGE_LABELS[figures.ORGANIZATION]),
            str(panels.RATE_LABELS[figures.ORGANIZATION]),
            str(panels.COVERAGE_LABELS[figures.WORK]),
            str(panels.RATE_LABELS[figures.WORK]),
            *(str(label) for label in data["band_labels"]),
        ],
        bold=True,
    )
    for row in data["trend"]["rows"]:
        _row(
            ws,
            [
                row["day"],
                row["operating"],
                row["organization"],
                row["organization_rate"],
                row["work"],
                row["work_rate"],
                *row["bands"],
            ],
            rate_columns=(4, 6),
        )
        ws.cell(row=ws.max_row, column=1).number_format = "yyyy-mm-dd"
    ws.append([])
    ws.append([str(DEFINITIONS["trend"])])
    _widths(ws, first=14, rest=16)

    ws = wb.create_sheet(_title(_("Definitions"), used))
    _header(ws, ctx, _("Definitions"))
    for key, text in DEFINITIONS.items():
        ws.append([key, str(text)])
    _widths(ws, first=22)
    ws.column_dimensions["B"].width = 110

    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
