"""Exports (.xlsx and .csv), the import template and the error report.

- .xlsx is written with openpyxl's write-only mode (rows go to a temporary file as they
  are produced) and sent from that file; .csv is streamed row by row, UTF-8 with a BOM
  so that Excel shows Chinese.
- A text cell that starts with = + - @ (or a tab / carriage return) is written as text:
  in .xlsx its type is set to string, in .csv it gets a leading single quote. The
  importer drops that quote again, so the round trip is exact.
- Dates are local dates (``DateField`` values), written as real dates in .xlsx and as
  2024-05-19 in .csv.
- The enterprise ledger uses the import template's columns, so export → import finds
  every row unchanged.
"""

import datetime as dt
import tempfile
from collections import defaultdict, namedtuple

from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill

from core import exports
from enterprises import uscc
from enterprises.models import (
    Coverage,
    LiaisonAssignment,
    MassOrganization,
    MembershipReturn,
    PartyOrganization,
)

from . import columns as cols
from .changes import scope_communities
from .facts import MASS_KINDS, current_mass
from .validation import CHOICE_CLASSES, RISKY_FIRST, choice_labels

XLSX = exports.XLSX
ERROR_HEADER = "错误说明"
ERROR_FILL = PatternFill("solid", fgColor="FFF2C7CE")
FORMATION_ORDER = {"standalone": 0, "joint": 1, "regional": 2}


# ---------------------------------------------------------------------------
# Writing rows safely: the kit's writers (core/exports.py)

xlsx_cell = exports.xlsx_cell
csv_value = exports.csv_value
csv_response = exports.csv_response
write_xlsx = exports.write_xlsx
respond = exports.respond


def _clean(value):
    return exports.safe_text(value) if isinstance(value, str) else value


def _header_cell(sheet, text, font):
    return exports.xlsx_cell(sheet, str(text), font=font)


# ---------------------------------------------------------------------------
# The enterprise ledger (the template's columns)


def ledger_headers():
    return [c.header for c in cols.COLUMNS]


ENTERPRISE_VALUES = (
    "pk",
    "name",
    "uscc",
    "community__name",
    "community__parent__name",
    "address",
    "industry",
    "industry_chain__name",
    "ownership",
    "size",
    "above_scale",
    "employees",
    "investor_is_member",
    "contact_name",
    "contact_phone",
    "tracked_since",
    "status",
    "status_date",
)
Mass = namedtuple("Mass", "kind established_on dissolved_on pk")


def ambiguous_communities(user):
    """Community names that occur in more than one street of the user's area."""
    names = (
        scope_communities(user)
        .values("name")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .values_list("name", flat=True)
    )
    return set(names)


def ledger_rows(queryset, user, day=None):
    """The ledger row of each enterprise, as plain values: the enterprises in one query,
    their facts in four (no model instances, no per-row or per-chunk queries)."""
    day = day or timezone.localdate()
    ambiguous = ambiguous_communities(user)
    labels = {key: choice_labels(key) for key in CHOICE_CLASSES}
    orgs, returns, liaisons, mass = _facts(queryset.values("pk"), day)
    rows = queryset.order_by("name", "pk").values_list(*ENTERPRISE_VALUES)
    for values in rows.iterator(chunk_size=2000):
        pk = values[0]
        yield ledger_row(
            dict(zip(ENTERPRISE_VALUES, values, strict=True)),
            orgs.get(pk),
            returns.get(pk),
            liaisons.get(pk, ()),
            mass.get(pk, ()),
            day,
            ambiguous,
            labels,
        )


def _facts(enterprises, day):
    """Organisation, latest return, liaisons and mass organisations of the enterprises."""
    orgs, returns, liaisons, mass = {}, {}, defaultdict(list), defaultdict(list)
    coverages = (
        Coverage.objects.filter(enterprise__in=enterprises)
        .filter(Coverage.active_q(day))
        .filter(PartyOrganization.active_q(day, prefix="organization__"))
        .values_list(
            "enterprise_id",
            "organization__formation",
            "since",
            "pk",
            "organization__name",
            "organization__level",
            "organization__established_on",
            "organization__secretary",
        )
    )
    for row in sorted(coverages, key=lambda r: (FORMATION_ORDER.get(r[1], 9), r[2], r[3])):
        orgs.setdefault(row[0], row)
    latest = (
        MembershipReturn.objects.filter(enterprise__in=enterprises, reported_on__lte=day)
        .order_by("enterprise_id", "-reported_on")
        .values_list("enterprise_id", "reported_on", *cols.COUNT_KEYS)
    )
    for row in latest.iterator(chunk_size=5000):
        returns.setdefault(row[0], row)
    assignments = (
        LiaisonAssignment.objects.filter(enterprise__in=enterprises)
        .filter(LiaisonAssignment.active_q(day))
        .order_by("start", "pk")
        .values_list("enterprise_id", "liaison__name")
    )
    for enterprise_id, name in assignments.iterator(chunk_size=5000):
        if name not in liaisons[enterprise_id]:
            liaisons[enterprise_id].append(name)
    for enterprise_id, *rest in (
        MassOrganization.objects.filter(enterprise__in=enterprises)
        .values_list("enterprise_id", "kind", "established_on", "dissolved_on", "pk")
        .iterator(chunk_size=5000)
    ):
        mass[enterprise_id].append(Mass(*rest))
    return orgs, returns, liaisons, mass


def ledger_row(e, org, latest, liaisons, mass, day, ambiguous, labels):
    community = e["community__name"]
    if community in ambiguous:
        community = f"{e['community__parent__name']}/{community}"
    values = {
        "name": e["name"],
        "uscc": e["uscc"],
        "community": community,
        "address": e["address"],
        "industry": labels["industry"].get(e["industry"]),
        "industry_chain": e["industry_chain__name"],
        "ownership": labels["ownership"].get(e["ownership"]),
        "size": labels["size"].get(e["size"]),
        "above_scale": "是" if e["above_scale"] else "否",
        "employees": e["employees"],
        "investor_is_member": "是" if e["investor_is_member"] else "否",
        "contact_name": e["contact_name"],
        "contact_phone": e["contact_phone"],
        "tracked_since": e["tracked_since"],
        "status": labels["status"].get(e["status"]),
        "status_date": e["status_date"],
        "liaison": "、".join(liaisons),
    }
    if org is not None:
        values.update(
            org_name=org[4],
            org_level=labels["org_level"].get(org[5]),
            org_formation=labels["org_formation"].get(org[1]),
            org_established=org[6],
            org_secretary=org[7],
        )
    if latest is not None:
        values["return_date"] = latest[1]
        values.update(zip(cols.COUNT_KEYS, latest[2:], strict=True))
    for key, kind in MASS_KINDS.items():
        current = current_mass(mass, kind, day)
        values[key] = current.established_on if current else None
    # An empty cell rather than "": the same on re-import, and smaller files.
    return [values.get(c.key) if values.get(c.key) != "" else None for c in cols.COLUMNS]


# ---------------------------------------------------------------------------
# The import template and the error report


def template_workbook(user):
    """The canonical headers, two example rows and a sheet of notes."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "企业台账"
    sheet.append(ledger_headers())
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    for row in example_rows(user):
        sheet.append(row)
    for index, column in enumerate(cols.COLUMNS, start=1):
        letter = sheet.cell(row=1, column=index).column_letter
        sheet.column_dimensions[letter].width = max(10, len(column.header) * 2 + 2)
        if column.kind == cols.USCC:  # typed codes stay text: Excel must not round them
            sheet.column_dimensions[letter].number_format = "@"
            for cell in sheet[letter][1:]:
                cell.number_format = "@"
    sheet.freeze_panes = "C2"
    notes = workbook.create_sheet("填写说明")
    notes.append([_("Column"), _("What to enter"), _("Also recognised as")])
    for cell in notes[1]:
        cell.font = Font(bold=True)
    for column in cols.COLUMNS:
        notes.append([column.header, str(column.note), "、".join(column.synonyms)])
    for line in template_notes():
        notes.append([line])
    notes.column_dimensions["A"].width = 18
    notes.column_dimensions["B"].width = 80
    notes.column_dimensions["C"].width = 50
    return workbook


def template_notes():
    return [
        "",
        _("Delete the two example rows before importing your own data."),
        _("Dates: 2024-05-19, 2024/5/19, 2024.5.19, 2024年5月19日; 2024年5月 means the 1st."),
        _("Yes/no columns: 是 or 否. Counts: whole numbers, 0 or more."),
        _(
            "An empty cell clears an optional enterprise field; a missing column leaves that "
            "field unchanged. Organisations, returns, liaisons and 工青妇 are never deleted."
        ),
    ]


def example_rows(user):
    community = scope_communities(user).order_by("pk").first()
    community_name = community.name if community else "水城路社区"
    first = {
        "name": "青岛海晟智能装备有限公司",
        "uscc": uscc.make("91370211MA3EXA001"),
        "community": community_name,
        "address": "胶南街道珠山路88号",
        "industry": "C 制造业",
        "ownership": "私营",
        "size": "小型",
        "above_scale": "是",
        "employees": 120,
        "investor_is_member": "否",
        "contact_name": "王经理",
        "contact_phone": "13800000001",
        "tracked_since": dt.date(2022, 3, 1),
        "status": "在营",
        "org_name": "青岛海晟智能装备有限公司党支部",
        "org_level": "党支部",
        "org_formation": "单独组建",
        "org_established": dt.date(2023, 5, 19),
        "org_secretary": "李明",
        "return_date": dt.date(2024, 6, 30),
        "formal": 5,
        "probationary": 1,
        "development_targets": 1,
        "activists": 2,
        "applicants": 3,
        "liaison": "张华",
        "union": dt.date(2022, 7, 1),
    }
    second = {
        "name": "青岛蓝湾电子商务有限公司",
        "uscc": uscc.make("91370211MA3EXB002"),
        "community": community_name,
        "address": "胶南街道水城路6号",
        "industry": "I 信息传输、软件和信息技术服务业",
        "ownership": "私营",
        "size": "微型",
        "above_scale": "否",
        "employees": 18,
        "investor_is_member": "是",
        "contact_name": "赵女士",
        "contact_phone": "0532-86000000",
        "status": "在营",
        "return_date": dt.date(2024, 6, 30),
        "formal": 1,
        "probationary": 0,
        "liaison": "张华",
    }
    return [[row.get(c.key) for c in cols.COLUMNS] for row in (first, second)]


def error_report(sheet, problems):
    """The uploaded rows as read, plus a column saying what is wrong; bad cells shaded.

    ``problems``: {row number: [(column key or None, message), …]}.
    """
    workbook = Workbook(write_only=True)
    out = workbook.create_sheet("错误报告")
    bold = Font(bold=True)
    out.append([_header_cell(out, h, bold) for h in [*sheet.headers, ERROR_HEADER]])
    for number, values in sheet.rows:
        values = list(values) + [None] * (len(sheet.headers) - len(values))
        row_problems = problems.get(number, [])
        bad = {sheet.columns[k] for k, _m in row_problems if k in sheet.columns}
        cells = []
        for index, value in enumerate(values):
            cell = xlsx_cell(out, value)
            if index in bad:
                cell = WriteOnlyCell(out, value=_clean(value))
                if isinstance(value, str) and value.startswith(RISKY_FIRST):
                    cell.data_type = "s"
                cell.fill = ERROR_FILL
            cells.append(cell)
        cells.append("\n".join(_problem_text(sheet, k, m) for k, m in row_problems) or None)
        out.append(cells)
    file = tempfile.TemporaryFile()  # noqa: SIM115 - the response closes it
    workbook.save(file)
    file.seek(0)
    return file


def _problem_text(sheet, key, message):
    if key is None:
        return message
    return f"{sheet.header_for(key)}: {message}"
