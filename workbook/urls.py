from django.urls import path

from . import views

app_name = "workbook"

urlpatterns = [
    path("plans/<slug:slug>/workbook/", views.hub, name="hub"),
    path("plans/<slug:slug>/workbook/plan.xlsx", views.export_plan, name="export"),
    path("plans/<slug:slug>/workbook/csv/<slug:sheet>/", views.export_csv, name="export_csv"),
    path("plans/<slug:slug>/workbook/import/", views.import_plan, name="import"),
    path("plans/<slug:slug>/workbook/progress.xlsx", views.export_progress, name="progress"),
    path(
        "plans/<slug:slug>/workbook/progress/import/",
        views.import_progress,
        name="progress_import",
    ),
    path("plans/<slug:slug>/workbook/imports/<str:pk>/", views.preview, name="preview"),
    path("plans/<slug:slug>/workbook/imports/<str:pk>/cancel/", views.cancel, name="cancel"),
]
