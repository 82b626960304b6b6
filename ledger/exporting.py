"""Exports (.xlsx and .csv). (The import template and the error report are in
``workbooks.py``.)

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

import csv
import datetime as dt
import tempfile
from collections import defaultdict, namedtuple

from django.db.models import Count, Prefetch
from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

from enterprises import sheets as cols
from enterprises.models import (
    Coverage,
    LiaisonAssignment,
    MassOrganization,
    MembershipReturn,
    PartyOrganization,
)
from enterprises.sheets import CHOICE_CLASSES, MASS_KINDS, choice_labels, current_mass

from .cells import RISKY_FIRST
from .changes import scope_communities

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMATION_ORDER = {"standalone": 0, "joint": 1, "regional": 2}


# ---------------------------------------------------------------------------
# Writing rows safely


def _clean(value):
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


def xlsx_cell(sheet, value):
    """A value for a write-only sheet: risky text forced to a string cell."""
    value = _clean(value)
    if isinstance(value, str) and value.startswith(RISKY_FIRST):
        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"
        return cell
    return value


def csv_value(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dt.datetime):
        return (timezone.localtime(value) if value.tzinfo else value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value)
    return "'" + text if text.startswith(RISKY_FIRST) else text


class _Echo:
    def write(self, value):
        return value


def csv_response(headers, rows, filename):
    """Streamed CSV, UTF-8 with BOM."""
    writer = csv.writer(_Echo())

    def lines():
        yield "\ufeff" + writer.writerow(headers)
        for row in rows:
            yield writer.writerow([csv_value(v) for v in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def write_xlsx(headers, rows, title, file=None):
    """Write rows to a write-only workbook in ``file`` (a new temporary file by default)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title[:31])
    bold = Font(bold=True)
    sheet.append([_header_cell(sheet, h, bold) for h in headers])
    for row in rows:
        sheet.append([xlsx_cell(sheet, v) for v in row])
    file = file or tempfile.TemporaryFile()  # noqa: SIM115 - the response closes it
    workbook.save(file)
    file.seek(0)
    return file


def _header_cell(sheet, text, font):
    cell = WriteOnlyCell(sheet, value=_clean(str(text)))
    cell.data_type = "s"
    cell.font = font
    return cell


def xlsx_response(headers, rows, filename, title):
    file = write_xlsx(headers, rows, title)
    return FileResponse(file, as_attachment=True, filename=filename, content_type=XLSX)


def respond(fmt, headers, rows, stem, title):
    day = timezone.localdate().strftime("%Y%m%d")
    if fmt == "csv":
        return csv_response(headers, rows, f"{stem}-{day}.csv")
    return xlsx_response(headers, rows, f"{stem}-{day}.xlsx", title)


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
# Organisations, liaisons, transfers (the list pages' columns, in the interface language)


def yes_no(value):
    return _("Yes") if value else _("No")


def organization_table(queryset, day=None):
    day = day or timezone.localdate()
    headers = [
        _("Name"),
        _("Level"),
        _("Formation"),
        _("Area"),
        _("Secretary"),
        _("Units covered"),
        _("Covered enterprises"),
        _("Established"),
        _("Dissolved"),
        _("Last term change"),
        _("Next term change"),
        _("红帆支部"),
    ]
    queryset = queryset.select_related("area__parent__parent").prefetch_related(
        Prefetch(
            "coverages",
            queryset=Coverage.objects.filter(Coverage.active_q(day))
            .select_related("enterprise")
            .order_by("enterprise__name"),
            to_attr="current_coverages",
        )
    )

    def rows():
        for o in queryset.iterator(chunk_size=2000):
            yield [
                o.name,
                o.get_level_display(),
                o.get_formation_display(),
                o.area.path_names,
                o.secretary,
                len(o.current_coverages),
                "、".join(c.enterprise.name for c in o.current_coverages),
                o.established_on,
                o.dissolved_on,
                o.last_election_on,
                o.next_election_due,
                yes_no(o.red_sail),
            ]

    return headers, rows()


def liaison_table(queryset, day=None):
    day = day or timezone.localdate()
    headers = [
        _("Name"),
        _("Kind"),
        _("Work unit"),
        _("Phone"),
        _("Area"),
        _("In service"),
        _("Enterprises now"),
        _("Enterprises"),
    ]
    queryset = queryset.select_related("area__parent__parent").prefetch_related(
        Prefetch(
            "assignments",
            queryset=LiaisonAssignment.objects.filter(LiaisonAssignment.active_q(day))
            .select_related("enterprise")
            .order_by("enterprise__name"),
            to_attr="current_assignments",
        )
    )

    def rows():
        for x in queryset.iterator(chunk_size=2000):
            names = list(dict.fromkeys(a.enterprise.name for a in x.current_assignments))
            yield [
                x.name,
                x.get_kind_display(),
                x.unit,
                x.phone,
                x.area.path_names,
                yes_no(x.active),
                len(names),
                "、".join(names),
            ]

    return headers, rows()


def transfer_table(queryset):
    headers = [
        _("Member"),
        _("From"),
        _("To"),
        _("Enterprise"),
        _("Started"),
        _("Due"),
        _("Completed"),
        _("Status"),
        _("Overdue"),
        _("Handled by"),
        _("Notes"),
    ]

    def rows():
        for t in queryset.select_related("to_organization", "enterprise").iterator(chunk_size=2000):
            yield [
                t.member_name,
                t.from_unit,
                t.to_organization.name,
                t.enterprise.name if t.enterprise else "",
                t.started_on,
                t.due_on,
                t.completed_on,
                t.get_status_display(),
                yes_no(t.is_overdue),
                t.handler,
                t.notes,
            ]

    return headers, rows()
