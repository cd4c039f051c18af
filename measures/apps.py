from django.apps import AppConfig


class MeasuresConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "measures"
    verbose_name = "Success measures"

    def ready(self) -> None:
        from plans import page_parts

        # The plan workbook's Measures sheet (workbook/registry.py), measures
        # and their figures in the plan's change log (plans/history/), and
        # measures in the plan's search (plans/search/).
        from . import change_log, pages, search, workbook_sheet  # noqa: F401

        # The area page's measures; the figures an officer owes, on My work.
        page_parts.on_area_page("measures", pages.area_context)
        page_parts.on_my_work("figures due", pages.my_work_figures)
