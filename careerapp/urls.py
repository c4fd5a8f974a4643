from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from assessments.views import LoginView

urlpatterns = [
    path("", include("assessments.urls")),
    path("accounts/login/", LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "accounts/password/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("admin/", admin.site.urls),
]

handler404 = "assessments.views.not_found"
