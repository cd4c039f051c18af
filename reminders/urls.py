from django.urls import path

from . import views

app_name = "reminders"

urlpatterns = [
    path("plans/<slug:slug>/returns/", views.returns, name="returns"),
    path("plans/<slug:slug>/returns/remind/", views.remind, name="remind"),
    path("plans/<slug:slug>/returns/settings/", views.return_settings, name="return_settings"),
    path("accounts/e-mails/", views.email_settings, name="email_settings"),
]
