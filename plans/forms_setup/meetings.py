"""The meetings the plan is reported to."""

from __future__ import annotations

from typing import Any

from crispy_forms_gds.layout import Field, Size
from django import forms

from core.forms import PlanDateField, date_initial, reason_field, text_field
from plans.models import DatePrecision, Meeting

from .common import SetUpForm


class MeetingForm(SetUpForm):
    kind = forms.ChoiceField(
        label="Kind of meeting",
        choices=Meeting.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select the kind of meeting",
            "invalid_choice": "Select the kind of meeting",
        },
    )
    title = text_field(
        "Title",
        300,
        "Enter the meeting's title",
        help_text="As it appears on papers. For example, Improvement Board",
    )
    date = PlanDateField(label="Date", help_text="For example, 11 3 2015")
    date_precision = forms.ChoiceField(
        label="Is the date a day or a whole month?",
        choices=[
            (DatePrecision.DAY, "A day"),
            (DatePrecision.MONTH, "A month (the day is not known yet)"),
        ],
        widget=forms.RadioSelect,
        initial=DatePrecision.DAY,
        error_messages={"required": "Select day or month", "invalid_choice": "Select day or month"},
    )
    reason = reason_field("Reason for the change (optional)")

    def shown(self) -> list:
        radios = {
            name: Field.radios(name, legend_size=Size.SMALL) for name in ("kind", "date_precision")
        }
        return [radios.get(name, name) for name in super().shown()]

    @staticmethod
    def initial_for(meeting: Meeting) -> dict[str, Any]:
        return {
            "kind": meeting.kind,
            "title": meeting.title,
            "date": date_initial(meeting.date),
            "date_precision": meeting.date_precision,
            "version": meeting.version,
        }
