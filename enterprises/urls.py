from django.urls import path

from . import views

app_name = "enterprises"

urlpatterns = [
    path("", views.EnterpriseListView.as_view(), name="list"),
    path("new/", views.EnterpriseCreateView.as_view(), name="create"),
    path("<int:pk>/", views.EnterpriseDetailView.as_view(), name="detail"),
    path("<int:pk>/edit/", views.EnterpriseUpdateView.as_view(), name="edit"),
    path("<int:pk>/archive/", views.EnterpriseArchiveView.as_view(), name="archive"),
    path("<int:pk>/restore/", views.EnterpriseRestoreView.as_view(), name="restore"),
    path("<int:pk>/returns/new/", views.ReturnCreateView.as_view(), name="return_create"),
    path("returns/<int:pk>/edit/", views.ReturnUpdateView.as_view(), name="return_edit"),
    path("returns/<int:pk>/delete/", views.ReturnDeleteView.as_view(), name="return_delete"),
    path("<int:pk>/liaisons/new/", views.AssignmentCreateView.as_view(), name="assignment_create"),
    path("assignments/<int:pk>/end/", views.AssignmentEndView.as_view(), name="assignment_end"),
    path("<int:pk>/mass/new/", views.MassOrganizationCreateView.as_view(), name="massorg_create"),
    path("mass/<int:pk>/edit/", views.MassOrganizationUpdateView.as_view(), name="massorg_edit"),
    path("organizations/", views.OrganizationListView.as_view(), name="organization_list"),
    path("organizations/new/", views.OrganizationCreateView.as_view(), name="organization_create"),
    path(
        "organizations/<int:pk>/",
        views.OrganizationDetailView.as_view(),
        name="organization_detail",
    ),
    path(
        "organizations/<int:pk>/edit/",
        views.OrganizationUpdateView.as_view(),
        name="organization_edit",
    ),
    path(
        "organizations/<int:pk>/coverage/new/",
        views.CoverageAddView.as_view(),
        name="coverage_add",
    ),
    path("coverages/<int:pk>/end/", views.CoverageEndView.as_view(), name="coverage_end"),
    path("liaisons/", views.LiaisonListView.as_view(), name="liaison_list"),
    path("liaisons/new/", views.LiaisonCreateView.as_view(), name="liaison_create"),
    path("liaisons/<int:pk>/", views.LiaisonDetailView.as_view(), name="liaison_detail"),
    path("liaisons/<int:pk>/edit/", views.LiaisonUpdateView.as_view(), name="liaison_edit"),
    path("transfers/", views.TransferListView.as_view(), name="transfer_list"),
    path("transfers/new/", views.TransferCreateView.as_view(), name="transfer_create"),
    path("transfers/<int:pk>/", views.TransferDetailView.as_view(), name="transfer_detail"),
    path("transfers/<int:pk>/edit/", views.TransferUpdateView.as_view(), name="transfer_edit"),
]
