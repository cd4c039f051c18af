from django.apps import AppConfig


class RemindersConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "reminders"
    verbose_name = "Returns and reminders"

    def ready(self) -> None:
        from plans import page_parts, signals

        # change_log: return settings in the plan's change log (plans/history/).
        from . import change_log, events  # noqa: F401
        from .returns import returns_due

        # Sign-off e-mails, once a submission or a review is committed.
        signals.update_submitted.connect(events.update_submitted, dispatch_uid="reminders")
        signals.update_reviewed.connect(events.update_reviewed, dispatch_uid="reminders")
        # My work: each area's return for its plan's next board, with its due date.
        page_parts.on_my_work("returns", returns_due)
