from django.apps import AppConfig


class RemindersConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "reminders"
    verbose_name = "Returns and reminders"

    def ready(self) -> None:
        # My work: each area's return for its plan's next board, with its due date.
        from plans import page_parts

        from .returns import returns_due

        page_parts.on_my_work("returns", returns_due)
