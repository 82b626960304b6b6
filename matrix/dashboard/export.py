"""The dashboard as an .xlsx workbook: each panel's sheets, each headed by the area, the
date and the export time, then one sheet of definitions. The numbers are the page's
(the same figures), written formula-safe like every export (core/exports.py)."""

from django.utils.translation import gettext as _

from core import exports


def header(ctx, title):
    label, at = exports.exported_at()
    sheet = exports.Sheet(title)
    sheet.add([title], bold=True)
    sheet.add([_("Area"), ctx.area.path_names])
    sheet.add([_("As of"), ctx.day])
    sheet.add([label, at])
    sheet.blank()
    return sheet


def workbook(ctx, loaded):
    """``loaded``: [(panel, figures)] as ``service.load`` returns them."""
    sheets = []
    for panel, figures in loaded:
        for part in panel.sheets(ctx, figures):
            sheet = header(ctx, part.title)
            sheet.rows.extend(part.rows)
            sheet.widths = part.widths
            sheets.append(sheet)
    definitions = header(ctx, _("Definitions"))
    for panel, _figures in loaded:
        for label, text in panel.definitions:
            definitions.add([str(label), str(text)])
    definitions.widths = {1: 28, 2: 110}
    sheets.append(definitions)
    return exports.workbook(sheets)
