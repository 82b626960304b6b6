"""Pages of the "1": enterprises, organisations, liaisons, transfers, alerts.

Every queryset starts from ``for_user`` (404 outside the area); every write view is an
editor view (403 for leaders). Each screen's reads live in ``selectors.py``.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404, QueryDict
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.generic import FormView, TemplateView

from accounts.permissions import EditorRequiredMixin
from areas.scoping import scope_key
from audit import version
from core.forms import parse_id, search_text
from core.paginator import VersionCachedPaginator
from core.views import (
    CachedBodyMixin,
    ParentMixin,
    RecordCreateView,
    RecordUpdateView,
    ScopedDetailView,
    ScopedListView,
    ScopedQuerysetMixin,
    VersionedUpdateView,
)

from . import alerts, selectors, services
from .filters import SORTS, EnterpriseFilter
from .forms import (
    ArchiveForm,
    AssignmentForm,
    CoverageAddForm,
    EndForm,
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
    template_name = "enterprises/enterprise_list.html"
    # The body (filters, count, rows, pages): the same lists are viewed again and again.
    body_template_name = "enterprises/_enterprise_list_body.html"

    def get(self, request, *args, **kwargs):
        return self.page_with_body()

    def body_key(self):
        return [scope_key(self.request.user), self.request.user.can_edit, self.params_but()]

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
        # The filtered ids and their count, cached under the data version too: a new page
        # of a list viewed before skips the filter SQL.
        user, today = self.request.user, timezone.localdate()
        key = f"ent-list:{version.key_of(scope_key(user), today, self.params_but('page'))}"
        return VersionCachedPaginator(queryset, per_page, cache_key=key, **kwargs)

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
        context.update(
            filter=self.filterset,
            # The filter form is the same on every page of a list: rendered once per version.
            filter_form=version.cached(
                "ent-list-form:"
                + version.key_of(
                    scope_key(self.request.user),
                    get_language(),
                    timezone.localdate(),
                    self.params_but("page", "sort"),
                ),
                lambda: str(self.filterset.form),
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


class EnterpriseArchiveView(EditorRequiredMixin, ScopedQuerysetMixin, FormView):
    """Archive (soft delete) a record entered by mistake, after confirmation."""

    model = Enterprise
    form_class = ArchiveForm
    template_name = "enterprises/enterprise_archive.html"

    @cached_property
    def object(self):
        return get_object_or_404(self.get_queryset().live(), pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        return super().get_context_data(object=self.object, **kwargs)

    def form_valid(self, form):
        services.enterprise_archive(enterprise=self.object, reason=form.cleaned_data["reason"])
        messages.success(
            self.request,
            _("%(name)s archived. It no longer counts anywhere; you can restore it.")
            % {"name": self.object},
        )
        return redirect("enterprises:list")


class EnterpriseRestoreView(EditorRequiredMixin, ScopedQuerysetMixin, TemplateView):
    model = Enterprise
    template_name = "enterprises/enterprise_restore.html"

    @cached_property
    def object(self):
        return get_object_or_404(
            self.get_queryset().filter(archived_at__isnull=False), pk=self.kwargs["pk"]
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(object=self.object, **kwargs)

    def post(self, request, pk):
        services.enterprise_restore(enterprise=self.object)
        messages.success(request, _("%(name)s restored.") % {"name": self.object})
        return redirect(self.object)


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


class ReturnDeleteView(EditorRequiredMixin, ScopedQuerysetMixin, TemplateView):
    model = MembershipReturn
    template_name = "enterprises/confirm_delete.html"

    @cached_property
    def object(self):
        return get_object_or_404(
            self.get_queryset().select_related("enterprise"), pk=self.kwargs["pk"]
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            object=self.object, cancel_url=self.object.enterprise.get_absolute_url(), **kwargs
        )

    def post(self, request, pk):
        enterprise = self.object.enterprise
        self.object.delete()
        messages.success(request, _("Membership return deleted."))
        return redirect(enterprise)


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


class _EndView(EditorRequiredMixin, ScopedQuerysetMixin, FormView):
    """End a dated relationship (coverage or liaison assignment) on a chosen day."""

    form_class = EndForm
    template_name = "includes/record_form.html"
    start_field = "since"
    end_field = "until"

    @cached_property
    def object(self):
        return get_object_or_404(
            self.get_queryset().filter(**{f"{self.end_field}__isnull": True}),
            pk=self.kwargs["pk"],
        )

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "start": getattr(self.object, self.start_field)}

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            page_title=self.page_title,
            parent=self.object,
            cancel_url=self.get_success_url(),
            submit_label=_("End"),
            **kwargs,
        )

    def form_valid(self, form):
        setattr(self.object, self.end_field, form.cleaned_data["until"])
        self.object.save(update_fields=[self.end_field])
        messages.success(self.request, _("Ended on %(day)s.") % {"day": form.cleaned_data["until"]})
        return redirect(self.get_success_url())


class AssignmentEndView(_EndView):
    model = LiaisonAssignment
    start_field, end_field = "start", "end"
    page_title = gettext_lazy("End liaison assignment")

    def get_success_url(self):
        return self.object.enterprise.get_absolute_url()


# ---------------------------------------------------------------------------
# Party organisations


class OrganizationListView(ScopedListView):
    model = PartyOrganization
    template_name = "enterprises/organization_list.html"

    def get_queryset(self):
        today = timezone.localdate()
        qs = selectors.organization_list(super().get_queryset(), today)
        params = self.request.GET
        q = search_text(params.get("q"))
        if q:
            qs = qs.filter(Q(name__contains=q) | Q(secretary__contains=q))
        if params.get("formation") in PartyOrganization.Formation.values:
            qs = qs.filter(formation=params["formation"])
        if params.get("level") in PartyOrganization.Level.values:
            qs = qs.filter(level=params["level"])
        if params.get("state") == "dissolved":
            qs = qs.exclude(dissolved_on__isnull=True)
        elif params.get("state") != "all":
            qs = qs.filter(dissolved_on__isnull=True)
        if params.get("red_sail") == "1":
            qs = qs.filter(red_sail=True)
        return qs

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            formations=PartyOrganization.Formation.choices,
            levels=PartyOrganization.Level.choices,
            **kwargs,
        )


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


class CoverageEndView(_EndView):
    model = Coverage
    page_title = gettext_lazy("End coverage")

    def get_success_url(self):
        return self.object.organization.get_absolute_url()


# ---------------------------------------------------------------------------
# Liaisons


class LiaisonListView(ScopedListView):
    model = Liaison
    template_name = "enterprises/liaison_list.html"

    def get_queryset(self):
        qs = selectors.liaison_list(super().get_queryset(), timezone.localdate())
        q = search_text(self.request.GET.get("q"))
        if q:
            qs = qs.filter(Q(name__contains=q) | Q(unit__contains=q) | Q(phone__contains=q))
        if self.request.GET.get("kind") in Liaison.Kind.values:
            qs = qs.filter(kind=self.request.GET["kind"])
        return qs

    def get_context_data(self, **kwargs):
        return super().get_context_data(kinds=Liaison.Kind.choices, **kwargs)


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


class TransferListView(ScopedListView):
    model = MembershipTransfer
    template_name = "enterprises/transfer_list.html"

    def get_queryset(self):
        qs = selectors.transfer_list(super().get_queryset(), timezone.localdate())
        status = self.request.GET.get("status")
        if status in MembershipTransfer.Status.values:
            qs = qs.filter(status=status)
        elif status == "overdue":
            qs = qs.overdue()
        q = search_text(self.request.GET.get("q"))
        if q:
            qs = qs.filter(member_name__contains=q)
        return qs

    def get_context_data(self, **kwargs):
        return super().get_context_data(statuses=MembershipTransfer.Status.choices, **kwargs)


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


# ---------------------------------------------------------------------------
# Alerts


class AlertIndexView(ScopedQuerysetMixin, TemplateView):
    template_name = "enterprises/alert_index.html"

    def get_context_data(self, **kwargs):
        counts = alerts.counts(self.request.user)
        rows = [(alert, counts[alert.key]) for alert in alerts.ALERTS]
        return super().get_context_data(rows=rows, **kwargs)


class AlertListView(ScopedListView):
    template_name = "enterprises/alert_list.html"

    @cached_property
    def alert(self):
        try:
            return alerts.BY_KEY[self.kwargs["key"]]
        except KeyError:
            raise Http404 from None

    def get_queryset(self):
        return selectors.alert_rows(self.alert, self.request.user)

    def get_context_data(self, **kwargs):
        return super().get_context_data(alert=self.alert, **kwargs)
