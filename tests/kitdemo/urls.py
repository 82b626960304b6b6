from django.urls import path

from . import views

app_name = "kitdemo"

urlpatterns = [
    path("", views.PatrolListView.as_view(), name="list"),
    path("new/", views.PatrolCreateView.as_view(), name="create"),
    path("<int:pk>/", views.PatrolDetailView.as_view(), name="detail"),
    path("<int:pk>/edit/", views.PatrolUpdateView.as_view(), name="edit"),
    path("<int:pk>/end/", views.PatrolEndView.as_view(), name="end"),
    path("<int:pk>/delete/", views.PatrolDeleteView.as_view(), name="delete"),
]
