from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView

from .forms import AdminLoginForm, LoginForm
from .passwords import PasswordChangeView

admin.site.login_form = AdminLoginForm

# GET /healthz is answered by config.health.HealthCheckMiddleware, before routing.
urlpatterns = [
    # Sign-in, sign-out and password change; resetting a password is an admin's job here.
    path("accounts/login/", auth_views.LoginView.as_view(form_class=LoginForm), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/password_change/",
        PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "accounts/password_change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    # One password change page, throttled like sign-in: the admin's own links here.
    path("admin/password_change/", RedirectView.as_view(pattern_name="password_change")),
    path("admin/", admin.site.urls),
    path("api/", include("api.urls")),
    path("account/", include("api.account_urls")),
    path("", include("teams.urls")),
    path("", include("assessments.urls")),
    path("", include("planning.urls")),
    path("", include("dashboard.urls")),
]
