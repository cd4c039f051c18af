from django.urls import path

from . import views

app_name = "reporting"

urlpatterns = [
    path("plans/<slug:slug>/dashboard/", views.dashboard, name="dashboard"),
    path("plans/<slug:slug>/papers/", views.paper_list, name="papers"),
    path("plans/<slug:slug>/papers/<slug:kind>/", views.paper_view, name="paper"),
    path(
        "plans/<slug:slug>/papers/<slug:kind>/download/<slug:fmt>/",
        views.paper_download,
        name="paper_download",
    ),
    path("plans/<slug:slug>/papers/<slug:kind>/issue/", views.paper_issue, name="paper_issue"),
    path("plans/<slug:slug>/meetings/", views.meeting_list, name="meetings"),
    path("plans/<slug:slug>/meetings/<int:pk>/", views.meeting_detail, name="meeting"),
    path("issued/<int:pk>/", views.issued_view, name="issued"),
    path("issued/<int:pk>/<slug:fmt>/", views.issued_download, name="issued_download"),
]
