from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import IssuedPaper


@admin.register(IssuedPaper)
class IssuedPaperAdmin(SimpleHistoryAdmin):
    """Read-only: issued papers are frozen."""

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
