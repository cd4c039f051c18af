from django.urls import path

from .views import edits, history, pages, setup, updates

app_name = "plans"

urlpatterns = [
    path("", pages.home, name="home"),
    path("accessibility/", pages.accessibility, name="accessibility"),
    path("my-work/", pages.my_work, name="my_work"),
    path("plans/", pages.plan_list, name="plan_list"),
    path("plans/<slug:slug>/", pages.plan_overview, name="plan"),
    path("plans/<slug:slug>/changes/", history.plan_changes, name="plan_changes"),
    path("plans/<slug:slug>/sign-off/", updates.sign_off, name="sign_off"),
    # Plan set-up, for the plan's administrators (plans/views/setup.py).
    path("plans/<slug:slug>/set-up/", setup.hub, name="setup"),
    path("plans/<slug:slug>/set-up/details/", setup.details, name="setup_details"),
    path("plans/<slug:slug>/set-up/themes/", setup.themes, name="setup_themes"),
    path("plans/<slug:slug>/set-up/themes/new/", setup.theme_new, name="setup_theme_new"),
    path("plans/<slug:slug>/set-up/themes/<int:pk>/", setup.theme_edit, name="setup_theme_edit"),
    path(
        "plans/<slug:slug>/set-up/themes/<int:pk>/remove/",
        setup.theme_remove,
        name="setup_theme_remove",
    ),
    path("plans/<slug:slug>/set-up/owners/", setup.owners, name="setup_owners"),
    path("plans/<slug:slug>/set-up/owners/new/", setup.owner_new, name="setup_owner_new"),
    path("plans/<slug:slug>/set-up/owners/<int:pk>/", setup.owner_edit, name="setup_owner_edit"),
    path("plans/<slug:slug>/set-up/partners/", setup.partners, name="setup_partners"),
    path("plans/<slug:slug>/set-up/partners/new/", setup.partner_new, name="setup_partner_new"),
    path(
        "plans/<slug:slug>/set-up/partners/<int:pk>/",
        setup.partner_edit,
        name="setup_partner_edit",
    ),
    path("plans/<slug:slug>/set-up/meetings/", setup.meetings, name="setup_meetings"),
    path("plans/<slug:slug>/set-up/meetings/new/", setup.meeting_new, name="setup_meeting_new"),
    path(
        "plans/<slug:slug>/set-up/meetings/<int:pk>/",
        setup.meeting_edit,
        name="setup_meeting_edit",
    ),
    path(
        "plans/<slug:slug>/set-up/meetings/<int:pk>/cancel/",
        setup.meeting_cancel,
        name="setup_meeting_cancel",
    ),
    path(
        "plans/<slug:slug>/set-up/meetings/<int:pk>/reinstate/",
        setup.meeting_reinstate,
        name="setup_meeting_reinstate",
    ),
    path("plans/<slug:slug>/set-up/members/", setup.members, name="setup_members"),
    path("plans/<slug:slug>/set-up/members/add/", setup.member_add, name="setup_member_add"),
    path(
        "plans/<slug:slug>/set-up/members/new-account/",
        setup.member_new_account,
        name="setup_member_new_account",
    ),
    path(
        "plans/<slug:slug>/set-up/members/<int:pk>/role/",
        setup.member_role,
        name="setup_member_role",
    ),
    path(
        "plans/<slug:slug>/set-up/members/<int:pk>/remove/",
        setup.member_remove,
        name="setup_member_remove",
    ),
    path(
        "plans/<slug:slug>/set-up/members/<int:pk>/send-set-password/",
        setup.member_send_link,
        name="setup_member_send_link",
    ),
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
    path("updates/<int:pk>/submit/", updates.update_submit, name="update_submit"),
    path("updates/<int:pk>/review/", updates.update_review, name="update_review"),
    path("actions/<int:pk>/edit/", edits.action_edit, name="action_edit"),
    path("actions/<int:pk>/history/", history.action_history, name="action_history"),
    path("milestones/<int:pk>/edit/", edits.milestone_edit, name="milestone_edit"),
    path("milestones/<int:pk>/complete/", edits.milestone_complete, name="milestone_complete"),
    path(
        "milestones/<int:pk>/reforecast/", edits.milestone_reforecast, name="milestone_reforecast"
    ),
    path("milestones/<int:pk>/history/", history.milestone_history, name="milestone_history"),
    # Starting a plan, and its areas from the inspection's recommendations (issue 11).
    path("start-a-plan/", setup.start_plan, name="start_plan"),
    path(
        "plans/<slug:slug>/set-up/areas/from-recommendations/",
        setup.areas_paste,
        name="areas_from_recommendations",
    ),
]
