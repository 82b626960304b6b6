from django.urls import path

from . import views

app_name = "ledger"

urlpatterns = [
    path("import/", views.ImportUploadView.as_view(), name="upload"),
    path("import/<int:pk>/", views.ImportPreviewView.as_view(), name="preview"),
    path("import/<int:pk>/confirm/", views.ImportConfirmView.as_view(), name="confirm"),
    path("import/<int:pk>/errors.xlsx", views.ErrorReportView.as_view(), name="errors"),
    path("template.xlsx", views.TemplateView.as_view(), name="template"),
    path("export/<slug:kind>.<slug:fmt>", views.ExportView.as_view(), name="export"),
]
