"""Return settings in the plan's change log (plans/history/registry.py):
when updates are due before meetings, in the meetings' own names.
Registered from RemindersConfig.ready."""

from __future__ import annotations

from django.db import models

from plans.history.registry import Source, register
from plans.models import Meeting

from .models import ReturnSettings


def _display(f: models.Field, row, value, lookups) -> str | None:
    if f.name == "trigger_kinds":
        # "improvement_board,scrutiny_panel" as the meetings' names.
        labels = dict(Meeting.Kind.choices)
        return ", ".join(str(labels.get(k, k)) for k in value.split(",") if k)
    if f.name == "reminder_offsets":
        return ", ".join(n.strip() for n in value.split(",") if n.strip())
    return None


register(
    Source(
        "return_settings",
        "Return settings",
        ReturnSettings,
        order=110,
        plan_field="plan_id",
        # Not linked: the returns page is the plan administrators' alone.
        subject=lambda row, context: ("Return settings (when updates are due before meetings)", ""),
        labels={
            "working_days_before": "Updates due (working days before the meeting)",
            "trigger_kinds": "Meetings that need a return",
            "reminder_offsets": "Reminders (working days before the due date)",
        },
        display=_display,
    )
)
