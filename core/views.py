"""Generic scoped views. Every queryset starts from ``for_user``; writes need an editor."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.cache import cache
from django.core.paginator import Paginator
from django.http import QueryDict
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.generic import CreateView, DetailView, ListView, TemplateView, UpdateView

from accounts.permissions import EditorRequiredMixin

from . import versions
from .tables import Listing
from .versioning import VersionedEditMixin


class CachedBodyMixin:
    """A page whose body is rendered once and reused until the data it shows changes.

    The body (``body_template_name``) is cached under the language, the day,
    ``body_key()`` (everything else it depends on besides the data: the user's scope and
    rights, the parameters) and the versions of the data it shows (``body_deps()``:
    ``cache_parts`` of the matrix, default all, in the user's scope; ``core/versions.py``).
    The page around it (``template_name``: menu, badge, area switch, user, CSRF token,
    messages) is rendered per request, so keep per-request things out of the body: the
    badge and the area switch are cached on their own and never make a body cold.
    """

    body_template_name = None
    cache_parts = None  # part keys whose data the body shows; None: every part

    def dispatch(self, request, *args, **kwargs):
        # The versions of the user's scope are read before any data the body shows: a
        # change committed in between then keeps the body from being stored (``Guard``).
        if request.user.is_authenticated:
            self._guard = versions.Guard(versions.scope(request.user, self.cache_parts))
        return super().dispatch(request, *args, **kwargs)

    def body_key(self):
        raise NotImplementedError

    def body_deps(self):
        """The versions the body depends on: by default the user's whole scope."""
        return versions.scope(self.request.user, self.cache_parts)

    def body_context(self):
        raise NotImplementedError

    def page_with_body(self, **context):
        today = timezone.localdate()
        key = versions.key_of(self.body_template_name, get_language(), today, *self.body_key())
        full_key = f"body:{key}:{versions.stamp(self.body_deps())}"
        body = cache.get(full_key)
        if body is None:
            body = self._render_body()
            guard = getattr(self, "_guard", None)
            if guard is None or guard.still():
                cache.set(full_key, body, 600)
        return TemplateResponse(self.request, self.template_name, {"body": body, **context})

    def _render_body(self):
        return render_to_string(self.body_template_name, self.body_context(), self.request)


class ScopedQuerysetMixin(LoginRequiredMixin):
    def get_queryset(self):
        return self.model.objects.for_user(self.request.user)


class ScopedDetailView(ScopedQuerysetMixin, DetailView):
    pass


class RecordDetailView(ScopedDetailView):
    """A record's page from its facts (``core.tables.Column``s, as a list's columns): a
    list of facts, the buttons to edit / end / delete it for editors, and its history
    (``templates/core/record_detail.html``). ``actions`` are (label, URL name, style)
    of views that take the record's pk; ``tabs_template`` the part's tabs."""

    template_name = "core/record_detail.html"
    facts = ()
    actions = ()
    tabs_template = ""
    tab = ""

    def get_context_data(self, **kwargs):
        from audit.history import history_of

        obj = self.object
        actions = [
            (label, reverse(name, args=[obj.pk]), style)
            for label, name, style in self.actions
            if self.action_applies(name, obj)
        ]
        return super().get_context_data(
            facts=[(column.label, column.cell(obj)) for column in self.facts],
            actions=actions,
            history=history_of(obj, limit=50),
            tabs_template=self.tabs_template,
            tab=self.tab,
            **kwargs,
        )

    def action_applies(self, url_name, obj):
        """Whether an action is offered for this record (e.g. "end" only while open)."""
        return True


class ScopedListView(ScopedQuerysetMixin, ListView):
    paginate_by = 50

    def get_context_data(self, **kwargs):
        query = self.request.GET.copy()
        query.pop("page", None)
        return super().get_context_data(query=query.urlencode(), **kwargs)


class TableListView(ScopedQuerysetMixin, TemplateView):
    """A list page driven by a ``core.tables.Table``: filters, sorting, numbered pages,
    共 N 条, an empty state and export buttons (``templates/core/table_list.html``)."""

    table_class = None
    template_name = "core/table_list.html"
    page_title = ""
    tabs_template = ""
    tab = ""
    create_url_name = ""
    create_label = gettext_lazy("New")
    empty_text = ""
    no_match_text = ""

    @cached_property
    def table(self):
        return self.table_class()

    @property
    def model(self):
        return self.table_class.model

    def params(self):
        """The parameters the list understands (filters, sort, page); nothing else."""
        names = [*getattr(self.table.filterset_class, "base_filters", {}), "sort", "page"]
        params = QueryDict(mutable=True)
        for key in names:
            values = [v for v in self.request.GET.getlist(key) if v]
            if values:
                params.setlist(key, values)
        return params

    def listing(self):
        table, params = self.table, self.params()
        filterset, sorting, queryset = table.rows_for(params, self.request.user, self.request)
        page = Paginator(queryset, table.per_page).get_page(params.get("page"))
        rows = [table.card(row) for row in page.object_list]
        return Listing(table, filterset, sorting, page, params, rows)

    def get_context_data(self, **kwargs):
        listing = self.listing()
        create_url = reverse(self.create_url_name) if self.create_url_name else ""
        return super().get_context_data(
            listing=listing,
            page_obj=listing.page,
            object_list=listing.page.object_list,
            filter=listing.filterset,
            page_title=self.page_title or self.table.title,
            tabs_template=self.tabs_template,
            tab=self.tab,
            create_url=create_url,
            create_label=self.create_label,
            empty_text=self.empty_text,
            no_match_text=self.no_match_text,
            export_kind=self.table.kind,
            **kwargs,
        )


class FormPageMixin:
    """Passes the user to the form, uses the generic form page, and says what was saved."""

    template_name = "includes/record_form.html"
    page_title = ""
    success_text = _("Saved.")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            page_title=self.get_page_title(), cancel_url=self.get_cancel_url(), **kwargs
        )

    def get_page_title(self):
        return self.page_title

    def get_cancel_url(self):
        obj = getattr(self, "object", None)
        return obj.get_absolute_url() if obj is not None and obj.pk else None

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, self.success_text)
        return response


class RecordCreateView(EditorRequiredMixin, FormPageMixin, CreateView):
    pass


class RecordUpdateView(
    EditorRequiredMixin, VersionedEditMixin, FormPageMixin, ScopedQuerysetMixin, UpdateView
):
    """Edit a record of the user's area; optimistic locking is part of it (a POST without
    the version it was opened at, or with an older one, is refused: the conflict page)."""


class VersionedUpdateView(RecordUpdateView):
    """The name the first edit views used; every ``RecordUpdateView`` is versioned now."""


class ParentMixin:
    """A view under a parent record (``pk`` in the URL is the parent's, e.g. an enterprise).

    ``model`` names the parent so the URL-walking test makes the right object; the parent
    comes from ``for_user``, so a stranger gets 404.
    """

    parent_field = "enterprise"

    @cached_property
    def parent(self):
        return get_object_or_404(
            self.model.objects.for_user(self.request.user), pk=self.kwargs["pk"]
        )

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        instance = self.form_class._meta.model(**{self.parent_field: self.parent})
        return {**kwargs, "instance": instance}

    def get_cancel_url(self):
        return self.parent.get_absolute_url()

    def get_success_url(self):
        return self.parent.get_absolute_url()

    def get_context_data(self, **kwargs):
        return super().get_context_data(parent=self.parent, **kwargs)
