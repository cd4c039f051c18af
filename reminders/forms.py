"""The returns pages' forms: a plan's return settings, a person's e-mail
choices, and the "Remind now" buttons."""

from __future__ import annotations

from typing import Any

from crispy_forms_gds.layout import Field, Layout, Size
from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError

from core.forms import GovForm, reason_field
from core.numbers import WholeNumberField
from plans.models import Meeting

from .models import MAX_OFFSET, MAX_WORKING_DAYS, EmailPreferences, ReturnSettings, parse_numbers

YES_NO = [("yes", "Yes"), ("no", "No")]


class PlainGovForm(GovForm):
    """A GovForm for records that keep no version."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["version"]
        self.helper.layout = self.build_layout()


class ReturnSettingsForm(PlainGovForm):
    working_days_before = WholeNumberField(
        column=(ReturnSettings, "working_days_before"),
        label="How many working days before the meeting are updates due?",
        help_text=(
            "Working days leave out weekends and bank holidays in England and Wales. "
            "The default is 10."
        ),
        min_value=1,
        max_value=MAX_WORKING_DAYS,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "govuk-input--width-3"}),
        error_messages={
            "required": "Enter how many working days before the meeting updates are due",
            "invalid": "Enter a whole number of working days, like 10",
            "min_value": "Enter a number of working days from 1 to 60",
            "max_value": "Enter a number of working days from 1 to 60",
        },
    )
    trigger_kinds = forms.MultipleChoiceField(
        label="Which meetings need a return?",
        help_text="Select all that apply.",
        choices=Meeting.Kind.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Select at least one kind of meeting",
            "invalid_choice": "Select kinds of meeting from the list",
        },
    )
    reminder_offsets = forms.CharField(
        label="When are owners reminded?",
        help_text=(
            "Working days before the due date, separated by commas. For example, 5, 1. "
            "Owners are also reminded on the working day after a missed due date."
        ),
        max_length=50,
        widget=forms.TextInput(attrs={"class": "govuk-input--width-10"}),
        error_messages={
            "required": "Enter when owners are reminded, like 5, 1",
            "max_length": "Enter at most five numbers of working days, like 5, 1",
        },
    )
    reason = reason_field("Reason for the change (optional)")

    def build_layout(self) -> Layout:
        return Layout(
            "working_days_before",
            Field.checkboxes("trigger_kinds", legend_size=Size.SMALL),
            "reminder_offsets",
            "reason",
        )

    @staticmethod
    def initial_for(rules: ReturnSettings) -> dict[str, Any]:
        return {
            "working_days_before": rules.working_days_before,
            "trigger_kinds": rules.kinds,
            "reminder_offsets": ", ".join(str(n) for n in rules.offsets),
        }

    def clean_reminder_offsets(self) -> str:
        text = self.cleaned_data["reminder_offsets"]
        try:
            numbers = parse_numbers(text)
        except ValueError:
            raise ValidationError(
                "Enter whole numbers of working days separated by commas, like 5, 1"
            ) from None
        if not numbers:
            raise ValidationError("Enter when owners are reminded, like 5, 1")
        if not all(1 <= n <= MAX_OFFSET for n in numbers):
            raise ValidationError(f"Enter numbers of working days from 1 to {MAX_OFFSET}")
        numbers = sorted(set(numbers), reverse=True)
        if len(numbers) > 5:
            raise ValidationError("Enter at most five numbers of working days, like 5, 1")
        return ",".join(str(n) for n in numbers)

    def apply(self, rules: ReturnSettings) -> None:
        data = self.cleaned_data
        rules.working_days_before = data["working_days_before"]
        rules.trigger_kinds = ",".join(k for k in Meeting.Kind.values if k in data["trigger_kinds"])
        rules.reminder_offsets = data["reminder_offsets"]


def _yes_no(label: str, hint: str) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label,
        help_text=hint,
        choices=YES_NO,
        widget=forms.RadioSelect,
        error_messages={"required": "Select yes or no", "invalid_choice": "Select yes or no"},
    )


class EmailPreferencesForm(PlainGovForm):
    weekly_digest = _yes_no(
        "Do you want the weekly summary?",
        "Plan administrators get it each week: returns still to come, updates waiting "
        "for sign-off and overdue milestones.",
    )
    milestone_nudges = _yes_no(
        "Do you want e-mails about your overdue milestones?",
        "Sent when a milestone you own becomes overdue, then once a week while it stays overdue.",
    )

    def build_layout(self) -> Layout:
        return Layout(
            Field.radios("weekly_digest", legend_size=Size.SMALL, inline=True),
            Field.radios("milestone_nudges", legend_size=Size.SMALL, inline=True),
        )

    @staticmethod
    def initial_for(prefs: EmailPreferences) -> dict[str, str]:
        return {
            "weekly_digest": "yes" if prefs.weekly_digest else "no",
            "milestone_nudges": "yes" if prefs.milestone_nudges else "no",
        }

    def apply(self, prefs: EmailPreferences) -> None:
        prefs.weekly_digest = self.cleaned_data["weekly_digest"] == "yes"
        prefs.milestone_nudges = self.cleaned_data["milestone_nudges"] == "yes"


class RemindForm(forms.Form):
    """A "Remind now" button: one owner (``owner``, a user id) or all (``everyone``)."""

    # A user's id: one beyond any id is no one, not a database overflow.
    owner = WholeNumberField(
        column=(get_user_model(), "id"),
        required=False,
        error_messages={
            "invalid": "Select who to remind",
            "min_value": "Select who to remind",
            "max_value": "Select who to remind",
        },
    )
    everyone = forms.BooleanField(required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not data.get("everyone") and not data.get("owner"):
            raise ValidationError("Select who to remind")
        return data
