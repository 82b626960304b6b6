"""The alert pages every registered alert gets (core/alerts.py): an index per part, an
index of all parts, and one list per alert whose columns say why each row fires."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.paginator import Paginator
from django.http import Http404, QueryDict
from django.utils.functional import cached_property
from django.views.generic import TemplateView

from . import alerts, registry
from .tables import Listing


class AlertIndexView(LoginRequiredMixin, TemplateView):
    """Every part's alerts with their open counts (``part_key``: one part only)."""

    template_name = "core/alert_index.html"
    part_key = None

    def get_context_data(self, **kwargs):
        parts = registry.parts() if self.part_key is None else [registry.part(self.part_key)]
        parts = [p for p in parts if p.alerts]
        counts = alerts.counts(self.request.user, alerts=[a for p in parts for a in p.alerts])
        groups = [(p, [(a, counts[a.key]) for a in p.alerts]) for p in parts]
        return super().get_context_data(
            groups=groups,
            total=sum(counts.values()),
            part=parts[0] if self.part_key else None,
            **kwargs,
        )


class AlertListView(LoginRequiredMixin, TemplateView):
    template_name = "core/alert_list.html"
    part_key = None
    per_page = 50

    @cached_property
    def alert(self):
        part = registry.part(self.part_key)
        alert = next((a for a in part.alerts if a.key == self.kwargs["key"]), None)
        if alert is None:
            raise Http404
        return alert

    def get_context_data(self, **kwargs):
        table = alerts.AlertTable(self.alert)
        params = QueryDict(mutable=True)
        if self.request.GET.get("page"):
            params["page"] = self.request.GET["page"]
        _filterset, sorting, rows = table.rows_for(params, self.request.user)
        page = Paginator(rows, self.per_page).get_page(params.get("page"))
        listing = Listing(
            table, None, sorting, page, params, [table.card(r) for r in page.object_list]
        )
        return super().get_context_data(
            alert=self.alert,
            part=self.alert.part,
            listing=listing,
            page_obj=page,
            object_list=page.object_list,
            **kwargs,
        )
