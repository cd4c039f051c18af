from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from improvement.views import health
from plans.views.accounts import LoginView, PasswordChangeView

handler403 = "plans.audit.forbidden"

admin.site.site_header = "Improvement Plan Tracker administration"
admin.site.site_title = "Improvement Plan Tracker"
# The admin signs in through the service's own page (with its lockout and logging).
admin.site.login = LoginView.as_view()

urlpatterns = [
    path("health/", health, name="health"),
    path("admin/", admin.site.urls),
    path("accounts/login/", LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", PasswordChangeView.as_view(), name="password_change"),
    path(
        "accounts/password/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("", include("plans.urls")),
    path("", include("reporting.urls")),
]
