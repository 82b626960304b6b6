"""Pages of the "1": enterprises, organisations, liaisons, transfers, alerts.

Every queryset starts from ``for_user`` (404 outside the area); every write view is an
editor view (403 for leaders). Each screen's reads live in ``selectors.py``.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.generic import FormView

from accounts.permissions import EditorRequiredMixin
from areas.scoping import scope_key
from core import versions
from core.forms import parse_id
from core.paginator import VersionCachedPaginator
from core.record_views import (
    RecordArchiveView,
    RecordDeleteView,
    RecordEndView,
    RecordRestoreView,
)
from core.tables import Listing, Sorted
from core.views import (
    CachedBodyMixin,
    ParentMixin,
    RecordCreateView,
    RecordUpdateView,
    ScopedDetailView,
    ScopedListView,
    ScopedQuerysetMixin,
    TableListView,
    VersionedUpdateView,
)

from . import selectors, services, tables
from .filters import SORTS, EnterpriseFilter
from .forms import (
    AssignmentForm,
    CoverageAddForm,
    EnterpriseForm,
    LiaisonForm,
    MassOrganizationForm,
    MembershipReturnForm,
    OrganizationCreateForm,
    OrganizationForm,
    TransferForm,
)
from .models import (
    Coverage,
    Enterprise,
    Liaison,
    LiaisonAssignment,
    MassOrganization,
    MembershipReturn,
    MembershipTransfer,
    PartyOrganization,
)

# ---------------------------------------------------------------------------
# Enterprises


class EnterpriseListView(CachedBodyMixin, ScopedListView):
    model = Enterprise
    table = tables.EnterpriseTable()
    template_name = "enterprises/enterprise_list.html"
    # The body (filters, count, rows, pages): the same lists are viewed again and again.
    body_template_name = "enterprises/_enterprise_list_body.html"
    # Only the "1"'s data (its own part, enterprises/part.py): a save in another part
    # leaves the list cached.
    cache_parts = ("coverage",)

    def get(self, request, *args, **kwargs):
        return self.page_with_body()

    def body_key(self):
        return [scope_key(self.request.user), self.request.user.can_edit, self.params_but()]

    def body_deps(self):
        # A district user looking at one street (the area switch) depends on that street
        # only: a save in another street leaves the list cached.
        area = self.request.user.current_area
        if area is not None and self.params.get("area") == str(area.pk):
            return versions.deps(area, self.cache_parts)
        return super().body_deps()

    def body_context(self):
        self.object_list = self.get_queryset()
        return self.get_context_data()

    # What a list depends on; anything else in the URL is ignored (and so cannot make
    # new cache entries).
    list_params = (*EnterpriseFilter.base_filters, "sort", "page")

    @cached_property
    def params(self):
        """The list's parameters, normalised. The cache keys and every link in the body
        (sorting, pages) are built from these, so a cached body's links mean the same
        for whoever views it: the area is always explicit ("" for the whole scope)."""
        user, given = self.request.user, self.request.GET
        params = QueryDict(mutable=True)
        for key in self.list_params:
            values = [v for v in given.getlist(key) if v]
            if values:
                params.setlist(key, values)
        if "area" not in given:
            # District users look at the area they chose last (remembered on the user).
            area = user.current_area
            params["area"] = str(area.pk) if area and area.pk != user.area_id else ""
        else:
            params["area"] = given.get("area", "")
        return params

    def params_but(self, *left_out):
        """The parameters but ``left_out``, in a fixed order: part of the cache keys."""
        return sorted((k, v) for k, v in self.params.lists() if k not in left_out)

    def get_queryset(self):
        self.filterset = EnterpriseFilter(
            self.params, queryset=super().get_queryset(), user=self.request.user
        )
        self.sort = self.params.get("sort") if self.params.get("sort") in SORTS else "name"
        if not self.filterset.is_valid():
            return Enterprise.objects.none()
        return selectors.enterprise_list_ids(
            self.filterset.qs, self.filterset.day, SORTS[self.sort]
        )

    def get_paginator(self, queryset, per_page, **kwargs):
        # The filtered ids and their count, cached under the same versions: a new page
        # of a list viewed before skips the filter SQL.
        user, today = self.request.user, timezone.localdate()
        key = f"ent-list:{versions.key_of(scope_key(user), today, self.params_but('page'))}"
        return VersionCachedPaginator(
            queryset, per_page, cache_key=key, deps=self.body_deps(), **kwargs
        )

    def paginate_queryset(self, queryset, page_size):
        paginator, page, ids, is_paginated = super().paginate_queryset(queryset, page_size)
        page.object_list = selectors.enterprise_rows(list(ids), self.filterset.day)
        return paginator, page, page.object_list, is_paginated

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = self.params.copy()
        query.pop("page", None)
        context["query"] = query.urlencode()  # the pages' links
        query.pop("sort", None)
        table = self.table
        sort = getattr(self, "sort", "name")
        context["listing"] = Listing(
            table,
            self.filterset,
            Sorted(sort.lstrip("-"), sort.startswith("-")),
            context["page_obj"],
            self.params,
            [table.card(row) for row in context["object_list"]],
        )
        context.update(
            filter=self.filterset,
            # The filter form is the same on every page of a list: rendered once per change.
            filter_form=versions.cached(
                "ent-list-form:"
                + versions.key_of(
                    scope_key(self.request.user),
                    get_language(),
                    timezone.localdate(),
                    self.params_but("page", "sort"),
                ),
                lambda: str(self.filterset.form),
                self.body_deps(),
            ),
            as_of=self.filterset.day,
            sort=getattr(self, "sort", "name"),
            sort_query=query.urlencode(),
            today=timezone.localdate(),
        )
        return context


class EnterpriseDetailView(CachedBodyMixin, ScopedDetailView):
    model = Enterprise
    template_name = "enterprises/enterprise_detail.html"
    # The body (coverage, returns, liaisons, history …); the record is read per request,
    # which also checks the user's scope.
    body_template_name = "enterprises/_enterprise_detail_body.html"

    def get_queryset(self):
        # Archived records stay reachable (to restore them); the page says they are archived.
        return super().get_queryset().select_related("community__parent", "industry_chain")

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        return self.page_with_body(object=self.object)

    def body_key(self):
        return [self.object.pk, self.request.user.can_edit]

    def body_deps(self):
        # Every part (the body may show any part's records of the enterprise), in its street.
        return versions.deps(self.object.community)

    def body_context(self):
        return {"object": self.object, **selectors.enterprise_page(self.object)}


class EnterpriseCreateView(RecordCreateView):
    model = Enterprise
    form_class = EnterpriseForm
    page_title = gettext_lazy("New enterprise")
    success_text = gettext_lazy("Enterprise saved.")

    def get_cancel_url(self):
        return reverse("enterprises:list")


class EnterpriseUpdateView(VersionedUpdateView):
    model = Enterprise
    form_class = EnterpriseForm
    success_text = gettext_lazy("Enterprise saved.")

    def get_page_title(self):
        return _("Edit %(name)s") % {"name": self.object}


class EnterpriseArchiveView(RecordArchiveView):
    """Archive (soft delete) a record entered by mistake, after confirmation."""

    model = Enterprise
    page_title = gettext_lazy("Archive enterprise")
    success_url = reverse_lazy("enterprises:list")
    explanation = gettext_lazy(
        "Use this only for a record entered by mistake (for example twice). An enterprise "
        "that closed is not archived: edit its status and give the date instead."
    )

    def get_object_queryset(self):
        return self.get_queryset().live()

    def get_cancel_url(self):
        return self.object.get_absolute_url()

    def archive(self, record, reason):
        services.enterprise_archive(enterprise=record, reason=reason)


class EnterpriseRestoreView(RecordRestoreView):
    model = Enterprise
    page_title = gettext_lazy("Restore enterprise")

    def get_object_queryset(self):
        return self.get_queryset().filter(archived_at__isnull=False)

    def restore(self, record):
        services.enterprise_restore(enterprise=record)


# ---------------------------------------------------------------------------
# Records under an enterprise


class ReturnCreateView(ParentMixin, RecordCreateView):
    model = Enterprise
    form_class = MembershipReturnForm
    page_title = gettext_lazy("New membership return")
    success_text = gettext_lazy("Membership return saved.")


class EnterpriseChildUpdateView(RecordUpdateView):
    """Edit a record that belongs to an enterprise; cancel and save lead back to it."""

    def get_cancel_url(self):
        return self.object.enterprise.get_absolute_url()

    def get_success_url(self):
        return self.object.enterprise.get_absolute_url()


class ReturnUpdateView(EnterpriseChildUpdateView):
    model = MembershipReturn
    form_class = MembershipReturnForm
    page_title = gettext_lazy("Edit membership return")
    success_text = gettext_lazy("Membership return saved.")


class ReturnDeleteView(RecordDeleteView):
    model = MembershipReturn
    done_text = gettext_lazy("Membership return deleted.")

    def get_object_queryset(self):
        return self.get_queryset().select_related("enterprise")

    def get_success_url(self):
        return self.object.enterprise.get_absolute_url()


class AssignmentCreateView(ParentMixin, RecordCreateView):
    model = Enterprise
    form_class = AssignmentForm
    page_title = gettext_lazy("Assign a liaison")
    success_text = gettext_lazy("Liaison assigned.")


class MassOrganizationCreateView(ParentMixin, RecordCreateView):
    model = Enterprise
    form_class = MassOrganizationForm
    page_title = gettext_lazy("New mass organisation")
    success_text = gettext_lazy("Mass organisation saved.")


class MassOrganizationUpdateView(EnterpriseChildUpdateView):
    model = MassOrganization
    form_class = MassOrganizationForm
    page_title = gettext_lazy("Edit mass organisation")
    success_text = gettext_lazy("Mass organisation saved.")


class AssignmentEndView(RecordEndView):
    model = LiaisonAssignment
    page_title = gettext_lazy("End liaison assignment")

    def get_success_url(self):
        return self.object.enterprise.get_absolute_url()


# ---------------------------------------------------------------------------
# Party organisations


class OrganizationListView(TableListView):
    table_class = tables.OrganizationTable
    tabs_template, tab = "enterprises/_tabs.html", "organizations"
    create_url_name = "enterprises:organization_create"
    create_label = gettext_lazy("New party organisation")
    empty_text = gettext_lazy("No party organisation is recorded yet.")
    no_match_text = gettext_lazy("No party organisations match these filters.")


class OrganizationDetailView(ScopedDetailView):
    model = PartyOrganization
    template_name = "enterprises/organization_detail.html"

    def get_queryset(self):
        return super().get_queryset().select_related("area__parent", "parent")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(selectors.organization_page(self.object, self.request.user))
        return context


class OrganizationCreateView(RecordCreateView):
    model = PartyOrganization
    form_class = OrganizationCreateForm
    page_title = gettext_lazy("New party organisation")
    success_text = gettext_lazy("Party organisation saved.")

    def get_initial(self):
        initial = super().get_initial()
        enterprise_id = parse_id(self.request.GET.get("enterprise"))
        if enterprise_id:
            enterprise = (
                Enterprise.objects.for_user(self.request.user)
                .select_related("community")
                .filter(pk=enterprise_id)
                .first()
            )
            if enterprise:
                initial.update(
                    enterprises=[enterprise],
                    name=_("%(name)s Party Branch") % {"name": enterprise.name},
                    area=enterprise.community,
                    formation=PartyOrganization.Formation.STANDALONE,
                )
        return initial

    def get_cancel_url(self):
        return reverse("enterprises:organization_list")

    def form_valid(self, form):
        try:
            self.object = services.organization_create(
                organization=form.save(commit=False), enterprises=form.cleaned_data["enterprises"]
            )
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        messages.success(self.request, self.success_text)
        for warning in services.organization_warnings(self.object):
            messages.warning(self.request, warning.message)
        return redirect(self.object)


class OrganizationUpdateView(VersionedUpdateView):
    model = PartyOrganization
    form_class = OrganizationForm
    success_text = gettext_lazy("Party organisation saved.")

    def get_page_title(self):
        return _("Edit %(name)s") % {"name": self.object}

    def form_valid(self, form):
        response = super().form_valid(form)
        if response.status_code == 302:
            for warning in services.organization_warnings(self.object):
                messages.warning(self.request, warning.message)
        return response


class CoverageAddView(EditorRequiredMixin, ScopedQuerysetMixin, FormView):
    model = PartyOrganization
    form_class = CoverageAddForm
    template_name = "includes/record_form.html"

    @cached_property
    def organization(self):
        return get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "organization": self.organization,
            "user": self.request.user,
        }

    def get_initial(self):
        return {"since": timezone.localdate()}

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            page_title=_("Add a covered enterprise"),
            parent=self.organization,
            cancel_url=self.organization.get_absolute_url(),
            **kwargs,
        )

    def form_valid(self, form):
        try:
            services.coverage_add(
                organization=self.organization,
                enterprise=form.cleaned_data["enterprise"],
                since=form.cleaned_data["since"],
            )
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Coverage added."))
        for warning in services.organization_warnings(self.organization):
            messages.warning(self.request, warning.message)
        return redirect(self.organization)


class CoverageEndView(RecordEndView):
    model = Coverage
    page_title = gettext_lazy("End coverage")

    def get_success_url(self):
        return self.object.organization.get_absolute_url()

    def end(self, record, day):
        services.coverage_end(coverage=record, until=day)


# ---------------------------------------------------------------------------
# Liaisons


class LiaisonListView(TableListView):
    table_class = tables.LiaisonTable
    tabs_template, tab = "enterprises/_tabs.html", "liaisons"
    create_url_name = "enterprises:liaison_create"
    create_label = gettext_lazy("New liaison")
    empty_text = gettext_lazy("No liaison is recorded yet.")
    no_match_text = gettext_lazy("No liaisons match these filters.")


class LiaisonDetailView(ScopedDetailView):
    model = Liaison
    template_name = "enterprises/liaison_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(selectors.liaison_page(self.object, self.request.user))
        return context


class LiaisonCreateView(RecordCreateView):
    model = Liaison
    form_class = LiaisonForm
    page_title = gettext_lazy("New liaison")
    success_text = gettext_lazy("Liaison saved.")

    def get_cancel_url(self):
        return reverse("enterprises:liaison_list")


class LiaisonUpdateView(RecordUpdateView):
    model = Liaison
    form_class = LiaisonForm
    page_title = gettext_lazy("Edit liaison")
    success_text = gettext_lazy("Liaison saved.")


# ---------------------------------------------------------------------------
# Membership transfers


class TransferListView(TableListView):
    table_class = tables.TransferTable
    tabs_template, tab = "enterprises/_tabs.html", "transfers"
    create_url_name = "enterprises:transfer_create"
    create_label = gettext_lazy("New membership transfer")
    empty_text = gettext_lazy("No membership transfer is recorded yet.")
    no_match_text = gettext_lazy("No membership transfers match these filters.")


class TransferDetailView(ScopedDetailView):
    model = MembershipTransfer
    template_name = "enterprises/transfer_detail.html"

    def get_queryset(self):
        return super().get_queryset().select_related("to_organization", "enterprise")

    def get_context_data(self, **kwargs):
        from audit.history import history_of

        return super().get_context_data(history=history_of(self.object), **kwargs)


class TransferCreateView(RecordCreateView):
    model = MembershipTransfer
    form_class = TransferForm
    page_title = gettext_lazy("New membership transfer")
    success_text = gettext_lazy("Membership transfer saved.")

    def get_cancel_url(self):
        return reverse("enterprises:transfer_list")


class TransferUpdateView(RecordUpdateView):
    model = MembershipTransfer
    form_class = TransferForm
    page_title = gettext_lazy("Edit membership transfer")
    success_text = gettext_lazy("Membership transfer saved.")
