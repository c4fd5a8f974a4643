from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from assessments.views import (
    LoginView,
    LogoutView,
    PasswordChangeView,
    PasswordResetConfirmView,
    PasswordResetView,
    admin_login,
)

urlpatterns = [
    path("", include("assessments.urls")),
    path("accounts/login/", LoginView.as_view(), name="login"),
    path("accounts/logout/", LogoutView.as_view(), name="logout"),
    path("accounts/password/", PasswordChangeView.as_view(), name="password_change"),
    path(
        "accounts/password/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("accounts/password/reset/", PasswordResetView.as_view(), name="password_reset"),
    path(
        "accounts/password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "accounts/password/reset/<uidb64>/<token>/",
        PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "accounts/password/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    # The admin's log-out empties the browser's cache and storage as the app's does.
    path("admin/logout/", LogoutView.as_view(next_page="admin:login")),
    # Its log-in gives the browser a device cookie as the app's does.
    path("admin/login/", admin_login),
    path("admin/", admin.site.urls),
]

handler404 = "assessments.views.not_found"
