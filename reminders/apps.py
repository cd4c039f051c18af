from django.apps import AppConfig


class RemindersConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "reminders"
    verbose_name = "Returns and reminders"

    def ready(self) -> None:
        # Return settings in the plan's change log (plans/history/).
        from . import change_log  # noqa: F401
