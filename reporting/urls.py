from django.urls import path

from . import dashboard, views

app_name = "reporting"

# A meeting's paper, prepared then issued: /plans/<slug>/meetings/<pk>/papers/<kind>/…
PREPARED = "plans/<slug:slug>/meetings/<int:pk>/papers/<slug:kind>/"

urlpatterns = [
    path("plans/<slug:slug>/dashboard/", dashboard.dashboard, name="dashboard"),
    path(
        "plans/<slug:slug>/dashboard/<slug:section>/",
        dashboard.dashboard,
        name="dashboard_section",
    ),
    path("plans/<slug:slug>/papers/", views.paper_list, name="papers"),
    path("plans/<slug:slug>/papers/<slug:kind>/", views.paper_view, name="paper"),
    path(
        "plans/<slug:slug>/papers/<slug:kind>/download/<slug:fmt>/",
        views.paper_download,
        name="paper_download",
    ),
    path("plans/<slug:slug>/meetings/", views.meeting_list, name="meetings"),
    path("plans/<slug:slug>/meetings/<int:pk>/", views.meeting_detail, name="meeting"),
    path(PREPARED + "prepare/", views.paper_prepare, name="prepare"),
    path(PREPARED, views.prepared_view, name="prepared"),
    path(PREPARED + "front-sheet/", views.front_sheet_edit, name="front_sheet"),
    path(PREPARED + "preview/<slug:fmt>/", views.prepared_download, name="prepared_download"),
    path(PREPARED + "issue/", views.prepared_issue, name="prepared_issue"),
    path("issued/<int:pk>/", views.issued_view, name="issued"),
    path("issued/<int:pk>/<slug:fmt>/", views.issued_download, name="issued_download"),
]
