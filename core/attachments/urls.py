from django.urls import path

from .views import AttachmentFileView, ThumbnailView

app_name = "attachments"

urlpatterns = [
    path("<int:pk>/", AttachmentFileView.as_view(), name="download"),
    path("<int:pk>/thumbnail/", ThumbnailView.as_view(), name="thumbnail"),
]
