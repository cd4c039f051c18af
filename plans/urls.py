from django.urls import path

from .views import edits, history, pages, updates

app_name = "plans"

urlpatterns = [
    path("", pages.home, name="home"),
    path("accessibility/", pages.accessibility, name="accessibility"),
    path("my-work/", pages.my_work, name="my_work"),
    path("plans/", pages.plan_list, name="plan_list"),
    path("plans/<slug:slug>/", pages.plan_overview, name="plan"),
    path("plans/<slug:slug>/changes/", history.plan_changes, name="plan_changes"),
    path("plans/<slug:slug>/sign-off/", updates.sign_off, name="sign_off"),
    path("plans/<slug:slug>/areas/<int:number>/", pages.area_detail, name="area"),
    path("plans/<slug:slug>/areas/<int:number>/edit/", edits.area_edit, name="area_edit"),
    path(
        "plans/<slug:slug>/areas/<int:number>/history/", history.area_history, name="area_history"
    ),
    path(
        "plans/<slug:slug>/areas/<int:number>/updates/new/", updates.update_new, name="update_new"
    ),
    path("plans/<slug:slug>/areas/<int:number>/actions/new/", edits.action_new, name="action_new"),
    path(
        "plans/<slug:slug>/areas/<int:number>/milestones/new/",
        edits.milestone_new,
        name="milestone_new",
    ),
    path("updates/<int:pk>/", updates.update_detail, name="update"),
    path("updates/<int:pk>/edit/", updates.update_edit, name="update_edit"),
    path("updates/<int:pk>/review/", updates.update_review, name="update_review"),
    path("actions/<int:pk>/edit/", edits.action_edit, name="action_edit"),
    path("actions/<int:pk>/history/", history.action_history, name="action_history"),
    path("milestones/<int:pk>/edit/", edits.milestone_edit, name="milestone_edit"),
    path("milestones/<int:pk>/complete/", edits.milestone_complete, name="milestone_complete"),
    path(
        "milestones/<int:pk>/reforecast/", edits.milestone_reforecast, name="milestone_reforecast"
    ),
    path("milestones/<int:pk>/history/", history.milestone_history, name="milestone_history"),
]
