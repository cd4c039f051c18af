from django.contrib import admin

from plans.admin import TrackedAdmin

from .models import IssuedPaper


@admin.register(IssuedPaper)
class IssuedPaperAdmin(TrackedAdmin):
    """Read-only: an issued paper is what the meeting was sent, frozen
    (IssuedPaper.save() refuses any change). Its history is read-only too, as
    every record's is (TrackedAdmin)."""

    # Its version numbers the paper's issues; it is not an edit lock.
    versioned = False
    list_display = ["title", "meeting", "version", "as_at", "issued_by", "issued_at"]
    list_select_related = ["meeting", "issued_by"]
    exclude = ["html", "docx", "pdf", "xlsx", "csv"]

    def get_queryset(self, request):
        return super().get_queryset(request).for_listing()

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def has_add_permission(self, request) -> bool:
        return False
