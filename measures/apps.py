from django.apps import AppConfig


class MeasuresConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "measures"
    verbose_name = "Success measures"

    def ready(self) -> None:
        # The plan workbook's Measures sheet (workbook/registry.py), and
        # measures and their figures in the plan's change log (plans/history/).
        from . import change_log, workbook_sheet  # noqa: F401
