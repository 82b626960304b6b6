from importlib import import_module

from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language

from core import registry
from core import urls as core_urls
from core.alert_views import AlertIndexView

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("dashboard/", include("matrix.dashboard.urls")),
    path("api/matrix/summary/", views.summary_api, name="api_summary"),
    path("alerts/", AlertIndexView.as_view(), name="alerts"),
    path("accounts/", include("accounts.urls")),
    path("ledger/", include("ledger.urls")),
    path("attachments/", include("core.attachments.urls")),
    path("i18n/setlang/", set_language, name="set_language"),
    path("django-admin/", admin.site.urls),
]


def part_urls(part):
    """A part's own URLs and the kit's pages for it (alerts), in the part's namespace."""
    module = import_module(f"{part.module}.urls")
    patterns = [*module.urlpatterns, *core_urls.part_patterns(part)]
    return include((patterns, part.app_label))


# Each part of the matrix (core/registry.py) is mounted at its own prefix.
urlpatterns += [path(p.url_prefix, part_urls(p)) for p in registry.parts() if p.url_prefix]
