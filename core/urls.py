"""URL patterns the kit adds to every part (mounted with the part's own, in its
namespace, by matrix/urls.py)."""

from django.urls import path

from . import alert_views


def part_patterns(part):
    if not part.alerts:
        return []
    return [
        path("alerts/", alert_views.AlertIndexView.as_view(part_key=part.key), name="alert_index"),
        path(
            "alerts/<slug:key>/",
            alert_views.AlertListView.as_view(part_key=part.key),
            name="alert_list",
        ),
    ]
