"""The lists of the "1" and their exports: one table each (core/tables.py)."""

from django.db.models import Case, Count, IntegerField, Prefetch, Value, When
from django.utils.html import format_html
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.tables import HIDE, TAG, TITLE, Column, Table

from . import filters, ledger_export
from .models import (
    Coverage,
    Enterprise,
    Liaison,
    LiaisonAssignment,
    MembershipTransfer,
    PartyOrganization,
)


def label(model, name):
    return capfirst(model._meta.get_field(name).verbose_name)


def tag(text, css=""):
    return format_html('<span class="tag {}">{}</span>', css, text)


def with_current(queryset, relation, model, day, *, count_as):
    """Each row's dated facts (``relation``) in force at ``day``: their number as
    ``count_as`` and the facts, with their enterprise, as ``current_<relation>``."""
    active = model.active_q(day, prefix=f"{relation}__")
    return queryset.annotate(
        **{count_as: Count(relation, filter=active, distinct=True)}
    ).prefetch_related(
        Prefetch(
            relation,
            queryset=model.objects.filter(model.active_q(day))
            .select_related("enterprise")
            .order_by("enterprise__name"),
            to_attr=f"current_{relation}",
        )
    )


# ---------------------------------------------------------------------------
# Party organisations


def _organization_tags(o):
    tags = []
    if o.red_sail:
        tags.append(tag(_("红帆支部"), "ok"))
    if o.dissolved_on:
        tags.append(tag(_("Dissolved")))
    if o.formation == PartyOrganization.Formation.JOINT and o.units > o.JOINT_MAX_UNITS:
        tags.append(tag(">5", "warn"))
    return format_html("{}", " ".join(str(t) for t in tags)) if tags else ""


class OrganizationTable(Table):
    kind = "organizations"
    list_url_name = "enterprises:organization_list"
    title = _("Party organisations")
    model = PartyOrganization
    filterset_class = filters.OrganizationFilter
    default_sort = "name"
    columns = [
        Column("name", _("Name"), sort=("name", "pk"), link=True, role=TITLE),
        Column(
            "tags", _("Tags"), value=lambda o: "", html=_organization_tags, role=TAG, export=False
        ),
        Column("level", _("Level"), value="get_level_display", sort=("level", "name")),
        Column(
            "formation", _("Formation"), value="get_formation_display", sort=("formation", "name")
        ),
        Column(
            "area",
            _("Area"),
            value=lambda o: o.area.path_names,
            html=lambda o: o.area.name,
            sort=("area__name", "name"),
        ),
        Column("secretary", _("Secretary"), role=HIDE),
        Column("units", _("Units covered"), num=True, sort=("units", "name")),
        Column(
            "covered",
            _("Covered enterprises"),
            show=False,
            value=lambda o: "、".join(c.enterprise.name for c in o.current_coverages),
        ),
        Column("established_on", _("Established"), sort=("established_on", "pk"), role=HIDE),
        Column("dissolved_on", _("Dissolved"), show=False),
        Column("last_election_on", _("Last term change"), show=False),
        Column("next_election_due", _("Next term change"), sort=("next_election_due", "pk")),
        Column("red_sail", _("红帆支部"), show=False),
    ]

    def prepare(self, queryset, day):
        queryset = queryset.select_related("area__parent__parent", "parent")
        return with_current(queryset, "coverages", Coverage, day, count_as="units")


# ---------------------------------------------------------------------------
# Liaisons


class LiaisonTable(Table):
    kind = "liaisons"
    list_url_name = "enterprises:liaison_list"
    title = _("Liaisons")
    model = Liaison
    filterset_class = filters.LiaisonFilter
    default_sort = "active"
    columns = [
        Column("name", _("Name"), sort=("name", "pk"), link=True, role=TITLE),
        Column(
            "service",
            _("Tags"),
            value=lambda x: "",
            role=TAG,
            export=False,
            html=lambda x: "" if x.active else tag(_("Not in service")),
        ),
        Column("kind", _("Kind"), value="get_kind_display", sort=("kind", "name")),
        Column("unit", _("Work unit")),
        Column("phone", _("Phone"), role=HIDE),
        Column(
            "area",
            _("Area"),
            value=lambda x: x.area.path_names,
            html=lambda x: x.area.name,
            sort=("area__name", "name"),
        ),
        Column("active", _("In service"), show=False, sort=("-active", "name", "pk")),
        Column(
            "enterprise_count",
            _("Enterprises now"),
            num=True,
            value=lambda x: len(_distinct_names(x)),
            sort=("enterprise_count", "name"),
        ),
        Column(
            "enterprises",
            _("Enterprises"),
            show=False,
            value=lambda x: "、".join(_distinct_names(x)),
        ),
    ]

    def prepare(self, queryset, day):
        queryset = queryset.select_related("area__parent__parent")
        return with_current(
            queryset, "assignments", LiaisonAssignment, day, count_as="enterprise_count"
        )


def _distinct_names(liaison):
    return list(dict.fromkeys(a.enterprise.name for a in liaison.current_assignments))


# ---------------------------------------------------------------------------
# Membership transfers


def _transfer_status(t):
    if t.is_overdue:
        return tag(_("Overdue"), "bad")
    return t.get_status_display()


class TransferTable(Table):
    kind = "transfers"
    list_url_name = "enterprises:transfer_list"
    title = _("Membership transfers")
    model = MembershipTransfer
    filterset_class = filters.TransferFilter
    default_sort = "urgency"
    columns = [
        Column("member_name", _("Member"), sort=("member_name", "pk"), link=True, role=TITLE),
        Column(
            "status",
            _("Status"),
            value="get_status_display",
            html=_transfer_status,
            role=TAG,
            sort=("status", "-started_on"),
        ),
        Column("from_unit", pgettext_lazy("transfer", "Transferring from"), role=HIDE),
        Column(
            "to_organization",
            pgettext_lazy("transfer", "Transferring to"),
            value="to_organization.name",
            sort=("to_organization__name", "pk"),
        ),
        Column(
            "enterprise",
            _("Enterprise"),
            show=False,
            value=lambda t: t.enterprise.name if t.enterprise else "",
        ),
        Column("started_on", _("Started"), sort=("started_on", "pk")),
        Column("due_on", _("Due")),
        Column("completed_on", _("Completed"), show=False),
        Column("overdue", _("Overdue"), value="is_overdue", show=False),
        Column("handler", _("Handled by"), role=HIDE),
        Column("notes", _("Notes"), show=False),
        # Not a column of its own: the default order, overdue first, then in progress.
        Column(
            "urgency", _("Urgency"), show=False, export=False, sort=("rank", "-started_on", "pk")
        ),
    ]

    def prepare(self, queryset, day):
        overdue = MembershipTransfer.objects.overdue(day).values("pk")
        return queryset.select_related("to_organization", "enterprise").annotate(
            rank=Case(
                When(pk__in=overdue, then=Value(0)),
                When(status=MembershipTransfer.Status.IN_PROGRESS, then=Value(1)),
                default=Value(2),
                output_field=IntegerField(),
            )
        )


# ---------------------------------------------------------------------------
# Enterprises: the list page keeps its own cached view (views.EnterpriseListView) with
# these filters and sorts; the export is the ledger itself (the import template's
# columns), so that export → import finds every row unchanged.


def _coverage_tag(e):
    from .templatetags.enterprise_tags import state_tag

    return state_tag(e.coverage_state)


def _formal(e):
    return _("No return") if e.formal is None else e.formal


def _status(e):
    if e.archived_at:
        return tag(_("Archived"), "bad")
    if e.status != Enterprise.Status.OPERATING:
        return tag(f"{e.get_status_display()} {e.status_date:%Y-%m-%d}")
    return e.get_status_display()


class EnterpriseTable(Table):
    kind = "enterprises"
    list_url_name = "enterprises:list"
    title = _("Enterprises")
    export_title = "企业台账"
    model = Enterprise
    filterset_class = filters.EnterpriseFilter
    default_sort = "name"
    # The list page's columns; its rows come annotated from selectors.enterprise_rows.
    columns = [
        Column("name", _("Name"), sort=filters.SORTS["name"], link=True, role=TITLE),
        Column(
            "uscc",
            _("USCC"),
            sort=filters.SORTS["uscc"],
            role=HIDE,
            html=lambda e: format_html("<code>{}</code>", e.uscc),
        ),
        Column(
            "community", _("Community"), value="community.name", sort=filters.SORTS["community"]
        ),
        Column("coverage", _("Coverage"), value="coverage_state", html=_coverage_tag, role=TAG),
        Column(
            "formal", _("Formal members"), value=_formal, num=True, sort=filters.SORTS["formal"]
        ),
        Column("has_liaison", _("Liaison"), role=HIDE),
        Column("employees", _("Employees"), num=True, sort=filters.SORTS["employees"], role=HIDE),
        Column("status", _("Status"), value="get_status_display", html=_status, role=TAG),
    ]

    def filterset(self, params, user, request=None):
        # District users look at the area they chose last, as on the list page.
        if "area" not in params:
            area = user.current_area
            if area is not None and area.pk != getattr(user, "area_id", None):
                params = params.copy()
                params["area"] = str(area.pk)
        return super().filterset(params, user, request)

    def order(self, queryset, sorting):
        return queryset  # the ledger is in name order (ledger_rows)

    def export_headers(self):
        return ledger_export.ledger_headers()

    def export_rows(self, queryset, user=None):
        return ledger_export.ledger_rows(queryset, user)

    @property
    def export_name(self):
        return self.export_title


TABLES = (EnterpriseTable(), OrganizationTable(), LiaisonTable(), TransferTable())
