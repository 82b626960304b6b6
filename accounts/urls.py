from django.urls import path

from . import audit_views, views

app_name = "accounts"

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("area/", views.ViewingAreaView.as_view(), name="viewing_area"),
    path("users/", views.UserListView.as_view(), name="user_list"),
    path("users/new/", views.UserCreateView.as_view(), name="user_create"),
    path("users/<int:pk>/", views.UserUpdateView.as_view(), name="user_edit"),
    path("users/<int:pk>/deactivate/", views.UserDeactivateView.as_view(), name="user_deactivate"),
    path("users/<int:pk>/password/", views.UserPasswordResetView.as_view(), name="user_password"),
    path("audit/", audit_views.ChangeListView.as_view(), name="audit_changes"),
    path("audit/events/", audit_views.EventListView.as_view(), name="audit_events"),
]
