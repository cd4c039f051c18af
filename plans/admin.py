from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    Action,
    ImprovementArea,
    Meeting,
    Milestone,
    Organisation,
    Owner,
    Plan,
    ProgressUpdate,
    Theme,
)


@admin.register(Organisation)
class OrganisationAdmin(SimpleHistoryAdmin):
    list_display = ["name", "short_name", "kind"]
    search_fields = ["name", "short_name"]


@admin.register(Owner)
class OwnerAdmin(SimpleHistoryAdmin):
    list_display = ["job_title", "organisation", "user"]
    list_select_related = ["organisation", "user"]
    search_fields = ["job_title"]


@admin.register(Plan)
class PlanAdmin(SimpleHistoryAdmin):
    list_display = ["title", "organisation", "inspection_end", "sent_to_inspectorate"]
    list_select_related = ["organisation"]
    prepopulated_fields = {"slug": ["title"]}


@admin.register(Theme)
class ThemeAdmin(SimpleHistoryAdmin):
    list_display = ["name", "plan", "order"]
    list_select_related = ["plan"]


class ActionInline(admin.TabularInline):
    model = Action
    extra = 0
    fields = ["reference", "title", "owner", "due_date", "status"]


@admin.register(ImprovementArea)
class ImprovementAreaAdmin(SimpleHistoryAdmin):
    list_display = ["number", "recommendation", "theme", "lead", "plan"]
    list_display_links = ["number", "recommendation"]
    list_select_related = ["theme", "lead__organisation", "plan"]
    list_filter = ["plan", "theme"]
    inlines = [ActionInline]


@admin.register(Action)
class ActionAdmin(SimpleHistoryAdmin):
    list_display = ["reference", "title", "area", "owner", "due_date", "status"]
    list_select_related = ["area", "owner__organisation"]
    list_filter = ["status"]
    filter_horizontal = ["partners"]


@admin.register(Milestone)
class MilestoneAdmin(SimpleHistoryAdmin):
    list_display = ["title", "area", "due_date", "due_precision", "forecast_date", "status"]
    list_select_related = ["area"]
    list_filter = ["status"]


@admin.register(ProgressUpdate)
class ProgressUpdateAdmin(SimpleHistoryAdmin):
    list_display = ["area", "as_at", "rag", "state", "author", "approved_by"]
    list_select_related = ["area", "author", "approved_by"]
    list_filter = ["state", "rag"]

    # An approved update is what the board saw: it is never edited or deleted,
    # here any more than in the service (papers as at past dates rely on it).
    def has_change_permission(self, request, obj=None) -> bool:
        if obj is not None and obj.state == ProgressUpdate.State.APPROVED:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        if obj is not None and obj.state == ProgressUpdate.State.APPROVED:
            return False
        return super().has_delete_permission(request, obj)


@admin.register(Meeting)
class MeetingAdmin(SimpleHistoryAdmin):
    list_display = ["title", "kind", "date", "plan"]
    list_select_related = ["plan"]
    list_filter = ["kind"]
