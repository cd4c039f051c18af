"""The paper forms: a paper's front sheet and issuing it."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from core.forms import GovForm, PlanDateField, date_initial
from plans.models import DatePrecision, Meeting

from .papers import Classification


def not_after_meeting(day: datetime.date, meeting: Meeting) -> datetime.date:
    """A paper's as-at date: on or before its meeting (the end of the month,
    for a meeting known only to the month)."""
    if day > meeting.date:
        if meeting.date_precision == DatePrecision.DAY:
            when = f"the meeting ({meeting.date_display})"
        else:
            when = f"the end of {meeting.date_display}, the month of the meeting"
        raise ValidationError(f"The as-at date must be on or before {when}")
    return day


class FrontSheetForm(GovForm):
    """A paper's front sheet, prepared for its meeting."""

    as_at = PlanDateField(
        label="As-at date",
        not_after_today=True,
        help_text="The paper shows the plan as it stood at the end of this day. "
        "It cannot be after the meeting. For example, 1 5 2015",
    )
    title = forms.CharField(label="Report title", max_length=300)
    committee = forms.CharField(
        label="Meeting named above the title",
        max_length=200,
        help_text="For example, Ambitious Plymouth Scrutiny.",
    )
    agenda_item = forms.CharField(label="Agenda item (optional)", max_length=20, required=False)
    report_of = forms.CharField(
        label="Report of (optional)",
        max_length=200,
        required=False,
        help_text="The responsible director or officer.",
    )
    author = forms.CharField(label="Author (optional)", max_length=200, required=False)
    contact = forms.CharField(
        label="Author's contact (optional)",
        max_length=300,
        required=False,
        help_text="Telephone and e-mail: readers ask the author for the background papers.",
    )
    purpose = forms.CharField(
        label="Purpose of the report (optional)",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    recommendations = forms.CharField(
        label="Recommendations (optional)",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One a line. The paper numbers them.",
    )
    asks = forms.CharField(
        label="Decisions asked of the meeting (optional)",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One a line. Listed on the paper's first page; leave empty if the paper is "
        "for noting.",
    )
    briefing = forms.CharField(
        label="Overview briefing (optional)",
        required=False,
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="Printed before the table. Leave a blank line between paragraphs.",
    )
    background_papers = forms.CharField(
        label="Background papers (optional)",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One a line.",
    )
    classification = forms.ChoiceField(
        label="Classification",
        choices=Classification.choices,
        widget=forms.RadioSelect,
        help_text="Printed at the top and bottom of every page.",
    )

    FIELDS = [
        "as_at",
        "title",
        "committee",
        "agenda_item",
        "report_of",
        "author",
        "contact",
        "purpose",
        "recommendations",
        "asks",
        "briefing",
        "background_papers",
        "classification",
    ]

    def __init__(self, *args: Any, meeting: Meeting, **kwargs: Any) -> None:
        self.meeting = meeting
        super().__init__(*args, **kwargs)

    def clean_as_at(self) -> datetime.date:
        return not_after_meeting(self.cleaned_data["as_at"], self.meeting)

    @classmethod
    def initial_for(cls, prepared) -> dict[str, Any]:
        initial = {name: getattr(prepared, name) for name in cls.FIELDS}
        initial["as_at"] = date_initial(prepared.as_at)
        initial["version"] = prepared.version
        return initial


class PrepareAsAtForm(GovForm):
    """The as-at date of a paper for a meeting known only to the month: the
    service cannot tell which day of the month it meets, so it asks rather
    than guess (the end of the month may be after the meeting)."""

    as_at = PlanDateField(
        label="As-at date",
        not_after_today=True,
        help_text="The paper shows the plan as it stood at the end of this day: on or before "
        "the day the meeting takes place. For example, 12 6 2015",
    )

    def __init__(self, *args: Any, meeting: Meeting, **kwargs: Any) -> None:
        self.meeting = meeting
        super().__init__(*args, **kwargs)

    def clean_as_at(self) -> datetime.date:
        return not_after_meeting(self.cleaned_data["as_at"], self.meeting)
