from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language

from core import registry

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("dashboard/", include("matrix.dashboard.urls")),
    path("api/matrix/summary/", views.summary_api, name="api_summary"),
    path("accounts/", include("accounts.urls")),
    path("ledger/", include("ledger.urls")),
    path("attachments/", include("core.attachments.urls")),
    path("i18n/setlang/", set_language, name="set_language"),
    path("django-admin/", admin.site.urls),
]

# Each part of the matrix (core/registry.py) is mounted at its own prefix.
urlpatterns += [
    path(part.url_prefix, include(f"{part.app_label}.urls"))
    for part in registry.parts()
    if part.url_prefix
]
