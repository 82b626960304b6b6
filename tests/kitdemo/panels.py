from django.db.models import Count, Sum

from core.exports import Sheet
from core.panels import Panel, alert_rows, cached_figures

from . import alerts
from .models import Patrol


class PatrolPanel(Panel):
    key = "patrols"
    title = "Patrols"
    template = "kitdemo/_panel.html"
    definitions = (
        ("patrols active", "Patrols started on or before the date and not ended by it."),
    )

    def load(self, ctx):
        def compute():
            rows = Patrol.objects.in_area(ctx.area).aggregate(
                active=Count("pk", filter=Patrol.active_q(ctx.day)),
                hours=Sum("hours", filter=Patrol.active_q(ctx.day), default=0),
            )
            return {"active": rows["active"], "hours": rows["hours"]}

        return cached_figures(self, ctx, compute)

    def context(self, ctx, figures):
        return {**figures, "alerts": alert_rows(ctx, alerts.ALERTS)}

    def sheets(self, ctx, figures):
        sheet = Sheet("Patrols")
        sheet.add(["Figure", "Value"], bold=True)
        sheet.add(["patrols active", figures["active"]])
        sheet.add(["hours", figures["hours"]])
        return [sheet]

    def json(self, ctx, figures):
        return dict(figures)

    def numbers(self, ctx, figures):
        """(key, label, value, JSON path) of every figure the panel shows."""
        return [
            ("patrols_active", "patrols active", figures["active"], ["patrols", "active"]),
            ("patrols_hours", "hours", figures["hours"], ["patrols", "hours"]),
        ]
