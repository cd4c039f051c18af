from django.apps import AppConfig


class WorkbookConfig(AppConfig):
    """The plan as a spreadsheet: export, import with a preview, bulk progress updates."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "workbook"
    verbose_name = "Workbooks"

    def ready(self) -> None:
        # The plan's own sheets; other apps register theirs from their ready().
        from . import plan_sheets  # noqa: F401
