from django.apps import AppConfig


class RemindersConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "reminders"
    verbose_name = "Returns and reminders"

    def ready(self) -> None:
        from plans import signals

        # change_log: return settings in the plan's change log (plans/history/).
        from . import change_log, events  # noqa: F401

        # Sign-off e-mails, once a submission or a review is committed.
        signals.update_submitted.connect(events.update_submitted, dispatch_uid="reminders")
        signals.update_reviewed.connect(events.update_reviewed, dispatch_uid="reminders")
