"""The home page, the dashboard (看板), its .xlsx export and the JSON summary.

The dashboard's figures live in ``matrix.dashboard``; these views only resolve the area
and date (``selection``), load the cached figures (``service``) and render them.
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
from core.views import CachedBodyMixin

from .dashboard import api, panels, service
from .dashboard.definitions import DEFINITIONS
from .dashboard.selection import OutOfScope, quick_picks, select


@login_required
def home(request):
    return render(request, "home.html", {"area": request.user.current_area})


class DashboardMixin(LoginRequiredMixin):
    with_trend = True
    with_alerts = True

    def selection(self):
        try:
            return select(self.request)
        except OutOfScope:
            raise Http404(_("This area is not in your scope.")) from None

    def panel_context(self, sel):
        figures = service.load(
            self.request.user,
            sel.area,
            sel.day,
            with_trend=self.with_trend,
            with_alerts=self.with_alerts,
        )
        sort = self.request.GET.get("sort", "name")
        sort = sort if sort.lstrip("-") in panels.SORT_KEYS else "name"
        return panels.Context(self.request.user, sel.area, sel.day, sel.areas, figures, sort)


class DashboardView(CachedBodyMixin, DashboardMixin, View):
    template_name = "matrix/dashboard.html"
    # The body (picker, panels, definitions), like the figures under it (service.load):
    # same data version, same page.
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
        query = {"area": sel.area.pk, "as_of": sel.day.isoformat()}
        return {
            "selection": sel,
            "area": sel.area,
            "as_of": sel.day,
            "today": _today(),
            "picks": picks,
            "panels": [{"panel": panel, "data": panel.build(ctx)} for panel in panels.PANELS],
            "definitions": DEFINITIONS,
            "sort": ctx.sort,
            "sort_query": urlencode(query),
        }


class DashboardExportView(DashboardMixin, View):
    def get(self, request):
        sel = self.selection()
        ctx = self.panel_context(sel)
        from .dashboard.export import workbook

        response = HttpResponse(
            workbook(ctx),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        filename = f"dashboard-{sel.area.pk}-{sel.day.isoformat()}.xlsx"
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
    figures = service.load(request.user, sel.area, sel.day, with_trend=False, with_alerts=False)
    response = JsonResponse(
        api.summary(sel.area, sel.day, figures.snapshot, sel.areas),
        json_dumps_params={"ensure_ascii": False},
    )
    response["Cache-Control"] = "private, no-store"
    return response


def _today():
    from django.utils import timezone

    return timezone.localdate()
