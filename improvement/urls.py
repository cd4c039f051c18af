from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from improvement.views import health, signed_out
from plans.views.accounts import LoginView, PasswordChangeView
from plans.views.setup.members import SetPasswordView

handler403 = "plans.audit.forbidden"
# Drawn from settings alone, whatever failed (improvement/views.py).
handler500 = "improvement.views.server_error"

# admin.site is improvement.admin_site.OperatorsAdminSite: operators only, and
# they sign in through the service's own page (with its lockout and logging).

urlpatterns = [
    path("health/", health, name="health"),
    path("admin/", admin.site.urls),
    path("accounts/login/", LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/signed-out/", signed_out, name="logged_out"),
    path("accounts/password/", PasswordChangeView.as_view(), name="password_change"),
    path(
        "accounts/password/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    # The link e-mailed to a new account (plans/setup/members.py): public, the link is the key.
    path(
        "accounts/set-password/<uidb64>/<token>/",
        SetPasswordView.as_view(),
        name="set_password",
    ),
    path("", include("plans.urls")),
    path("", include("reporting.urls")),
    # Returns before each board, reminders and e-mail settings (reminders/).
    path("", include("reminders.urls")),
    # The plan as a workbook: export, import, bulk progress updates (workbook/).
    path("", include("workbook.urls")),
    # Success measures: definitions, figures, uploads, scorecard downloads (measures/).
    path("", include("measures.urls")),
]
