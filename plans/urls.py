from django.urls import path

from .views import edits, history, pages, search, updates
from .views.setup import details, directory, meetings, members, start

app_name = "plans"

urlpatterns = [
    path("", pages.home, name="home"),
    path("accessibility/", pages.accessibility, name="accessibility"),
    path("my-work/", pages.my_work, name="my_work"),
    path("plans/", pages.plan_list, name="plan_list"),
    path("plans/<slug:slug>/", pages.plan_overview, name="plan"),
    path("plans/<slug:slug>/changes/", history.plan_changes, name="plan_changes"),
    path("plans/<slug:slug>/search/", search.search, name="search"),
    path("plans/<slug:slug>/sign-off/", updates.sign_off, name="sign_off"),
    # Plan set-up, for the plan's administrators (plans/views/setup/).
    path("plans/<slug:slug>/set-up/", details.Hub.as_view(), name="setup"),
    path("plans/<slug:slug>/set-up/details/", details.Details.as_view(), name="setup_details"),
    path("plans/<slug:slug>/set-up/themes/", details.Themes.as_view(), name="setup_themes"),
    path(
        "plans/<slug:slug>/set-up/themes/new/", details.ThemeNew.as_view(), name="setup_theme_new"
    ),
    path(
        "plans/<slug:slug>/set-up/themes/<int:pk>/",
        details.ThemeEdit.as_view(),
        name="setup_theme_edit",
    ),
    path(
        "plans/<slug:slug>/set-up/themes/<int:pk>/remove/",
        details.ThemeRemove.as_view(),
        name="setup_theme_remove",
    ),
    path("plans/<slug:slug>/set-up/owners/", directory.Owners.as_view(), name="setup_owners"),
    path(
        "plans/<slug:slug>/set-up/owners/new/", directory.OwnerNew.as_view(), name="setup_owner_new"
    ),
    path(
        "plans/<slug:slug>/set-up/owners/<int:pk>/",
        directory.OwnerEdit.as_view(),
        name="setup_owner_edit",
    ),
    path("plans/<slug:slug>/set-up/partners/", directory.Partners.as_view(), name="setup_partners"),
    path(
        "plans/<slug:slug>/set-up/partners/new/",
        directory.PartnerNew.as_view(),
        name="setup_partner_new",
    ),
    path(
        "plans/<slug:slug>/set-up/partners/<int:pk>/",
        directory.PartnerEdit.as_view(),
        name="setup_partner_edit",
    ),
    path("plans/<slug:slug>/set-up/meetings/", meetings.Meetings.as_view(), name="setup_meetings"),
    path(
        "plans/<slug:slug>/set-up/meetings/new/",
        meetings.MeetingNew.as_view(),
        name="setup_meeting_new",
    ),
    path(
        "plans/<slug:slug>/set-up/meetings/<int:pk>/",
        meetings.MeetingEdit.as_view(),
        name="setup_meeting_edit",
    ),
    path(
        "plans/<slug:slug>/set-up/meetings/<int:pk>/cancel/",
        meetings.MeetingCancel.as_view(),
        name="setup_meeting_cancel",
    ),
    path(
        "plans/<slug:slug>/set-up/meetings/<int:pk>/reinstate/",
        meetings.MeetingReinstate.as_view(),
        name="setup_meeting_reinstate",
    ),
    path("plans/<slug:slug>/set-up/members/", members.Members.as_view(), name="setup_members"),
    path(
        "plans/<slug:slug>/set-up/members/add/",
        members.MemberAdd.as_view(),
        name="setup_member_add",
    ),
    path(
        "plans/<slug:slug>/set-up/members/new-account/",
        members.MemberNewAccount.as_view(),
        name="setup_member_new_account",
    ),
    path(
        "plans/<slug:slug>/set-up/members/<int:pk>/role/",
        members.MemberRole.as_view(),
        name="setup_member_role",
    ),
    path(
        "plans/<slug:slug>/set-up/members/<int:pk>/remove/",
        members.MemberRemove.as_view(),
        name="setup_member_remove",
    ),
    path(
        "plans/<slug:slug>/set-up/members/<int:pk>/send-set-password/",
        members.MemberSendLink.as_view(),
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
    path("start-a-plan/", start.start_plan, name="start_plan"),
    path(
        "plans/<slug:slug>/set-up/areas/from-recommendations/",
        start.areas_paste,
        name="areas_from_recommendations",
    ),
]
