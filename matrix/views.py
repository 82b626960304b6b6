"""The home page, the dashboard (看板), its .xlsx export and the JSON summary.

The dashboard shows every registered panel (core/panels.py); these views only resolve the
area and date (``selection``), have each panel load its figures and render them.
"""

from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from django.views.generic import View

from areas.scoping import scope_key
from core import exports, versions
from core.views import CachedBodyMixin

from .dashboard import api, export, service
from .dashboard.selection import OutOfScope, quick_picks, select


@login_required
def home(request):
    return render(request, "home.html", {"area": request.user.current_area})


class DashboardMixin(LoginRequiredMixin):
    def selection(self):
        try:
            return select(self.request)
        except OutOfScope:
            raise Http404(_("This area is not in your scope.")) from None

    def panel_context(self, sel):
        sort = self.request.GET.get("sort", "name")
        return service.context(self.request.user, sel, sort=_safe_sort(sort))


def _safe_sort(sort):
    """A sort of the breakdown tables: a column key, optionally descending (the panel
    checks it against its columns)."""
    key = sort.lstrip("-")
    return sort if key.replace("_", "").isalnum() and len(sort) <= 40 else "name"


class DashboardView(CachedBodyMixin, DashboardMixin, View):
    template_name = "matrix/dashboard.html"
    # The body (picker, panels, definitions), like the figures under it: same data
    # version, same page.
    body_template_name = "matrix/_dashboard_body.html"

    def get(self, request):
        self.sel = sel = self.selection()
        query = urlencode({"area": sel.area.pk, "as_of": sel.day.isoformat()})
        return self.page_with_body(export_url=reverse("dashboard:export") + "?" + query)

    def body_key(self):
        sel, request = self.sel, self.request
        return [
            scope_key(request.user),
            request.user.area_id,  # admins share a scope; alert links depend on their area
            sel.area.pk,
            sel.day,
            sel.errors,
            request.GET.get("sort", ""),
        ]

    def body_deps(self):
        # Every part's figures for the area shown (a district leader's view of one street
        # stays cached while another street changes).
        return versions.deps(self.sel.area)

    def body_context(self):
        sel = self.sel
        ctx = self.panel_context(sel)
        base = {"area": sel.area.pk}
        picks = [
            {
                "key": key,
                "day": day,
                "url": "?" + urlencode({**base, "as_of": day.isoformat()}),
                "current": day == sel.day,
            }
            for key, day in quick_picks(_today())
        ]
        loaded = service.load(ctx)
        return {
            "selection": sel,
            "area": sel.area,
            "as_of": sel.day,
            "today": _today(),
            "picks": picks,
            "panels": [
                {"panel": panel, "data": panel.context(ctx, figures)} for panel, figures in loaded
            ],
            "definitions": [item for panel, _f in loaded for item in panel.definitions],
            "sort": ctx.sort,
            "sort_query": urlencode({"area": sel.area.pk, "as_of": sel.day.isoformat()}),
        }


class DashboardExportView(DashboardMixin, View):
    def get(self, request):
        sel = self.selection()
        ctx = self.panel_context(sel)
        filename = f"dashboard-{sel.area.pk}-{sel.day.isoformat()}.xlsx"
        with export.workbook(ctx, service.load(ctx)) as file:  # small: sent in one piece
            response = HttpResponse(file.read(), content_type=exports.XLSX)
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response


@require_GET
def summary_api(request):
    """GET /api/matrix/summary/?as_of=YYYY-MM-DD&area=<id> (docs/API.md)."""
    if not request.user.is_authenticated:
        return JsonResponse({"error": _("Sign in first.")}, status=403)
    try:
        sel = select(request)
    except OutOfScope as exc:
        return JsonResponse(
            {"error": _("Area “%(area)s” is not in your scope.") % {"area": exc.args[0]}},
            status=400,
        )
    if sel.errors:
        return JsonResponse({"error": " ".join(sel.errors)}, status=400)
    ctx = service.context(request.user, sel, with_alerts=False, with_trend=False)
    response = JsonResponse(
        api.summary(ctx, service.load(ctx)), json_dumps_params={"ensure_ascii": False}
    )
    response["Cache-Control"] = "private, no-store"
    return response


def _today():
    from django.utils import timezone

    return timezone.localdate()
