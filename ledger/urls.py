from django.db import transaction
from django.urls import path

from . import views

app_name = "ledger"

# The URLs without a kind are the default sheet's (the enterprise ledger). The batch's
# page only reads, outside a transaction (see ImportPreviewView).
upload = views.ImportUploadView.as_view()
template = views.TemplateView.as_view()

urlpatterns = [
    path("import/", upload, name="upload"),
    path(
        "import/<int:pk>/",
        transaction.non_atomic_requests(views.ImportPreviewView.as_view()),
        name="preview",
    ),
    path("import/<int:pk>/confirm/", views.ImportConfirmView.as_view(), name="confirm"),
    path("import/<int:pk>/errors.xlsx", views.ErrorReportView.as_view(), name="errors"),
    path("import/<slug:kind>/", upload, name="upload"),
    path("template.xlsx", template, name="template"),
    path("template/<slug:kind>.xlsx", template, name="template"),
    path("export/<slug:kind>.<slug:fmt>", views.ExportView.as_view(), name="export"),
]
