from django.contrib.auth import views as auth_views
from django.urls import path

from mps.accounts import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", views.account_settings, name="settings"),
    path("tokens/new/", views.create_token, name="create_token"),
    path("tokens/<int:apitoken_id>/revoke/", views.revoke_token, name="revoke_token"),
    path("users/new/", views.create_user, name="create_user"),
]
