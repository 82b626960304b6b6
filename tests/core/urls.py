"""The project's URLs plus one record page's upload view, as a part would mount it."""

from django.urls import path

from core.attachments.views import AttachmentUploadView
from enterprises.models import Enterprise
from matrix.urls import urlpatterns as project_urlpatterns


class EnterpriseAttachmentUpload(AttachmentUploadView):
    model = Enterprise


urlpatterns = [
    *project_urlpatterns,
    path("test/enterprises/<int:pk>/attachments/", EnterpriseAttachmentUpload.as_view(), name="up"),
]
