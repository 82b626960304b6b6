"""The workbooks the import writes for every sheet spec: the template (the canonical
headers, example rows and a 填写说明 sheet listing every column's variants) and the error
report (the rows as uploaded, a column saying what is wrong, the wrong cells shaded).

Both go through the exports' safe writers (``exporting.xlsx_cell``): text that starts
like a formula is written as text, and characters a workbook cannot hold (control
characters such as \\x01, which a .csv may contain) are dropped — so the report of any
file the preview accepted can be written.
"""

import tempfile

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill

from .cells import RISKY_FIRST
from .exporting import xlsx_cell
from .headers import ERROR_HEADER

ERROR_FILL = PatternFill("solid", fgColor="FFF2C7CE")
MAX_CELL = 32_000  # Excel holds at most 32,767 characters in a cell


def clean_text(value):
    """A value a workbook can hold."""
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
        if len(value) > MAX_CELL:
            value = value[:MAX_CELL] + "…"
    return value


# ---------------------------------------------------------------------------
# The template


def template_workbook(spec, user):
    """The canonical headers, the spec's example rows and a sheet of notes."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = (spec.label or spec.kind)[:31]
    sheet.append([c.header for c in spec.columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    for example in spec.examples(user):
        sheet.append([example.get(c.key) for c in spec.columns])
    for index, column in enumerate(spec.columns, start=1):
        letter = sheet.cell(row=1, column=index).column_letter
        sheet.column_dimensions[letter].width = max(10, len(column.header) * 2 + 2)
        if column.as_text:  # typed codes stay text: Excel must not round them
            sheet.column_dimensions[letter].number_format = "@"
            for cell in sheet[letter][1:]:
                cell.number_format = "@"
    if len(spec.columns) > 2:
        sheet.freeze_panes = "C2"
    notes = workbook.create_sheet("填写说明")
    notes.append([_("Column"), _("What to enter"), _("Also recognised as")])
    for cell in notes[1]:
        cell.font = Font(bold=True)
    for column in spec.columns:
        notes.append([column.header, str(column.note), "、".join(column.variants)])
    for line in template_notes(spec):
        notes.append([line])
    notes.column_dimensions["A"].width = 18
    notes.column_dimensions["B"].width = 80
    notes.column_dimensions["C"].width = 50
    return workbook


def template_notes(spec):
    lines = [
        "",
        _("Delete the two example rows before importing your own data."),
        _("Dates: 2024-05-19, 2024/5/19, 2024.5.19, 2024年5月19日; 2024年5月 means the 1st."),
        _("Yes/no columns: 是 or 否. Counts: whole numbers, 0 or more."),
        _(
            "Headers may also be written with 时间 for 日期, 建立 or 组建 for 成立, with units "
            "in brackets (（人）) or numbered (1. …); a 序号 column is skipped. Any other "
            "column is listed before the import and is not imported."
        ),
    ]
    if spec.as_of_column:
        lines.append(
            _(
                "The date of the figures (%(column)s) may instead be written once above the "
                "header: 填报日期：2026年6月30日, 截至2026年6月30日, or a year and month in the "
                "title (the last day of that month)."
            )
            % {"column": spec.by_key[spec.as_of_column].header}
        )
    return lines + [str(line) for line in spec.template_notes()]


# ---------------------------------------------------------------------------
# The error report


def error_report(sheet, problems):
    """The uploaded rows as read, plus a column saying what is wrong; bad cells shaded.

    ``problems``: {row number: [(column key or None, message), …]}.
    """
    workbook = Workbook(write_only=True)
    out = workbook.create_sheet("错误报告")
    bold = Font(bold=True)
    out.append([_header_cell(out, h, bold) for h in [*sheet.headers, ERROR_HEADER]])
    width = len(sheet.headers)
    for number, values in sheet.rows:
        values = list(values[:width]) + [None] * (width - len(values))
        row_problems = problems.get(number, [])
        bad = {sheet.columns[k] for k, _m in row_problems if k in sheet.columns}
        cells = []
        for index, value in enumerate(values):
            value = clean_text(value)
            cell = xlsx_cell(out, value)
            if index in bad:
                cell = WriteOnlyCell(out, value=value)
                if isinstance(value, str) and value.startswith(RISKY_FIRST):
                    cell.data_type = "s"
                cell.fill = ERROR_FILL
            cells.append(cell)
        text = clean_text("\n".join(_problem_text(sheet, k, m) for k, m in row_problems))
        cells.append(xlsx_cell(out, text) if text else None)
        out.append(cells)
    file = tempfile.TemporaryFile()  # noqa: SIM115 - the response closes it
    workbook.save(file)
    file.seek(0)
    return file


def _header_cell(sheet, text, font):
    cell = WriteOnlyCell(sheet, value=clean_text(str(text)))
    cell.data_type = "s"
    cell.font = font
    return cell


def _problem_text(sheet, key, message):
    if key is None:
        return message
    return f"{sheet.header_for(key)}: {message}"
