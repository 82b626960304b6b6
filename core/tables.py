"""Tables: one definition drives a list page and its .xlsx/.csv export.

A ``Table`` names its model, its columns, its filterset and its sort orders. The list
page (``core.views.TableListView`` and the ``core/_list.html`` partial) and the export
(``ledger:export`` with the table's ``kind``) both call ``Table.rows_for``: the same scope,
the same filters, the same order. A column says how to read its value from a row, how to
show it (a link, a tag, a number) and its role on a phone card (``title``, ``tag``,
``fact`` or ``hide``); ``export=False`` or ``show=False`` keep it out of one of the two.

A part registers the tables it exports in its ``PART`` (``core/registry.py``).
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.http import QueryDict
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext as _

TITLE, TAG, FACT, HIDE = "title", "tag", "fact", "hide"


def _read(row, path):
    value = row
    for name in path.split("."):
        if value is None:
            return None
        value = getattr(value, name)
        if callable(value) and not hasattr(value, "all"):
            value = value()
    return value


@dataclass(frozen=True)
class Column:
    key: str
    label: Any
    value: str | Callable | None = None  # attribute path ("area.name") or f(row); default key
    html: Callable | None = None  # f(row) -> safe HTML for the cell (default: the value shown)
    sort: tuple = ()  # order_by() when sorted on it; () = not sortable
    num: bool = False
    link: bool = False  # the cell links to the row's page (get_absolute_url)
    role: str = FACT  # on a phone card
    export: bool = True
    show: bool = True

    def read(self, row):
        """The value as exported: dates as dates, numbers as numbers, choices as labels."""
        if callable(self.value):
            return self.value(row)
        return _read(row, self.value or self.key)

    def text(self, row):
        return shown(self.read(row))

    def cell(self, row):
        content = self.html(row) if self.html else self.text(row)
        if self.link and hasattr(row, "get_absolute_url"):
            content = format_html('<a href="{}">{}</a>', row.get_absolute_url(), content)
        return content


def shown(value):
    """A value as a list page shows it."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return date_format(value, "Y-m-d")
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


@dataclass
class Sorted:
    """The sort a list is shown in, and the links that change it."""

    key: str
    descending: bool

    @property
    def param(self):
        return f"-{self.key}" if self.descending else self.key


class Table:
    kind = ""  # the export's name (``/ledger/export/<kind>.xlsx``); "" = not exported
    title = ""
    model = None
    columns: list = []
    filterset_class = None
    default_sort = ""  # a column key, "-" for descending
    per_page = 50
    list_url_name = ""  # the list page (for the export's "filters kept" links)

    # -- querying -------------------------------------------------------------

    def base_queryset(self, user):
        """Every row this user may see (the scope)."""
        return self.model.objects.for_user(user)

    def prepare(self, queryset, day):
        """What the columns read (select_related, annotations), for a page and the export."""
        return queryset

    def filterset(self, params, user, request=None):
        if self.filterset_class is None:
            return None
        return self.filterset_class(
            params, queryset=self.base_queryset(user), user=user, request=request
        )

    def sorting(self, params):
        wanted = (params.get("sort") or self.default_sort or "").strip()
        key = wanted.lstrip("-")
        if key not in self.sortable:
            wanted = self.default_sort
            key = wanted.lstrip("-")
        return Sorted(key, wanted.startswith("-"))

    @property
    def sortable(self):
        return {c.key: c for c in self.columns if c.sort}

    def order(self, queryset, sorting):
        column = self.sortable.get(sorting.key)
        if column is None:
            return queryset
        fields = column.sort
        if sorting.descending:
            fields = [f[1:] if f.startswith("-") else f"-{f}" for f in fields]
        return queryset.order_by(*fields)

    def rows_for(self, params, user, request=None, day=None):
        """(filterset, sorting, queryset): the rows of the list, filtered and ordered."""
        day = day or timezone.localdate()
        filterset = self.filterset(params, user, request)
        if filterset is None:
            queryset = self.base_queryset(user)
        elif filterset.is_valid():
            queryset = filterset.qs
        else:
            queryset = self.model.objects.none()
        sorting = self.sorting(params)
        return filterset, sorting, self.order(self.prepare(queryset, day), sorting)

    # -- showing ----------------------------------------------------------------

    @property
    def shown_columns(self):
        return [c for c in self.columns if c.show]

    def card(self, row):
        """A row of the list: its cells, and for a phone card its tags and its facts."""
        cells, tags, facts = [], [], []
        for column in self.shown_columns:
            content = column.cell(row)
            cells.append((column, content))
            if column.role == TAG:
                tags.append(content)
            elif column.role == FACT:
                facts.append(
                    f"{column.label} {column.text(row)}" if column.num else column.text(row)
                )
        return ListRow(row, cells, tags, facts)

    # -- exporting --------------------------------------------------------------

    @property
    def export_columns(self):
        return [c for c in self.columns if c.export]

    def export_headers(self):
        return [str(c.label) for c in self.export_columns]

    def export_rows(self, queryset, user=None):
        columns = self.export_columns
        for row in queryset.iterator(chunk_size=2000):
            yield [column.read(row) for column in columns]

    @property
    def export_name(self):
        return str(self.title)


@dataclass
class ListRow:
    object: Any
    cells: list
    tags: list
    facts: list


@dataclass
class Listing:
    """Everything the list partial shows: the rows of the page and how to move around."""

    table: Table
    filterset: Any
    sorting: Sorted
    page: Any
    params: QueryDict
    rows: list = field(default_factory=list)

    @property
    def count(self):
        return self.page.paginator.count

    def query(self, *left_out, **changes):
        params = self.params.copy()
        for key in left_out:
            params.pop(key, None)
        for key, value in changes.items():
            params[key] = value
        return params.urlencode()

    @property
    def headers(self):
        """(column, sort link or None, "ascending"/"descending"/None) for each column."""
        result = []
        for column in self.table.shown_columns:
            if not column.sort:
                result.append((column, None, None))
                continue
            current = self.sorting.key == column.key
            descending = current and not self.sorting.descending
            link = "?" + self.query("page", sort=("-" if descending else "") + column.key)
            state = None
            if current:
                state = "descending" if self.sorting.descending else "ascending"
            result.append((column, link, state))
        return result

    def _page_link(self, number):
        return "?" + self.query(page=number)

    @property
    def previous_link(self):
        return (
            self._page_link(self.page.previous_page_number()) if self.page.has_previous() else None
        )

    @property
    def next_link(self):
        return self._page_link(self.page.next_page_number()) if self.page.has_next() else None

    @property
    def page_links(self):
        """(number or None for an ellipsis, link, current?) for numbered pagination."""
        page = self.page
        links = []
        for number in page.paginator.get_elided_page_range(page.number, on_each_side=2):
            if number == page.paginator.ELLIPSIS:
                links.append((None, None, False))
            else:
                links.append((number, self._page_link(number), number == page.number))
        return links

    @property
    def active_filters(self):
        return self.filterset.active() if self.filterset is not None else []

    @property
    def filtered(self):
        return bool(self.active_filters)

    def export_query(self):
        return self.query("page")
