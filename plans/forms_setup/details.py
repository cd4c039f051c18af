"""The plan's details and its themes."""

from __future__ import annotations

from typing import Any

from crispy_forms_gds.layout import HTML, Field, Layout, Size
from django import forms

from core.forms import GovForm, PlanDateField, date_initial, reason_field, text_field
from core.numbers import WholeNumberField
from plans.models import Plan, Theme
from plans.setup.details import PLAN_DETAIL_FIELDS

from .common import SetUpForm

YES_NO = [("yes", "Yes"), ("no", "No")]


def _yes_no(label: str, help_text: str) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label,
        choices=YES_NO,
        widget=forms.RadioSelect,
        help_text=help_text,
        error_messages={"required": "Select yes or no", "invalid_choice": "Select yes or no"},
    )


class PlanDetailsForm(GovForm):
    title = text_field("Title", 200, "Enter the plan's title", one_line=True)
    inspection_name = text_field("Inspection", 300, "Enter the name of the inspection")
    inspection_start = PlanDateField(
        label="Inspection start date", help_text="For example, 1 10 2014"
    )
    inspection_end = PlanDateField(label="Inspection end date", help_text="For example, 30 11 2014")
    judgement_areas = text_field(
        "Judgement areas (optional)",
        5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="The judgement areas the inspection covered, one on each line.",
    )
    sent_to_inspectorate = PlanDateField(
        label="Date sent to the inspectorate (optional)",
        required=False,
        help_text="For example, 14 4 2015",
    )
    board_name = text_field(
        "Board name", 200, "Enter the board's name", help_text="For example, Improvement Board"
    )
    board_description = text_field(
        "About the board (optional)", 5000, widget=forms.Textarea(attrs={"rows": 4})
    )
    overview = text_field(
        "Overview (optional)",
        10000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Shown at the top of the plan overview.",
    )
    officers_may_update_any_area = _yes_no(
        "Can officers propose progress updates on areas they do not own?",
        "Updates still need a plan administrator's sign-off.",
    )
    officers_see_submitted_updates = _yes_no(
        "Can officers read other officers' updates while they wait for sign-off?",
        "Otherwise officers see only approved updates and their own.",
    )
    escalate_overdue_after_days = WholeNumberField(
        column=(Plan, "escalate_overdue_after_days"),
        label="List a milestone as an exception once it is overdue by more than (days)",
        min_value=0,
        max_value=3650,
        help_text="The Safeguarding Assurance summary's escalation rule. 0 lists every overdue "
        "milestone.",
        error_messages={
            "required": "Enter a number of days, 0 for every overdue milestone",
            "invalid": "Enter the number of days as a whole number, like 30",
            "min_value": "Enter 0 or more days",
            "max_value": "Enter 3650 days or fewer",
        },
        widget=forms.NumberInput(attrs={"class": "govuk-input--width-4"}),
    )
    reason = reason_field(required="Enter the reason for the change")

    BOOLEANS = ("officers_may_update_any_area", "officers_see_submitted_updates")

    def build_layout(self) -> Layout:
        return Layout(
            "title",
            "overview",
            HTML('<h2 class="govuk-heading-m">The inspection</h2>'),
            "inspection_name",
            "inspection_start",
            "inspection_end",
            "judgement_areas",
            "sent_to_inspectorate",
            HTML('<h2 class="govuk-heading-m">The board</h2>'),
            "board_name",
            "board_description",
            HTML('<h2 class="govuk-heading-m">What officers may do</h2>'),
            Field.radios("officers_may_update_any_area", legend_size=Size.SMALL, inline=True),
            Field.radios("officers_see_submitted_updates", legend_size=Size.SMALL, inline=True),
            HTML('<h2 class="govuk-heading-m">Papers</h2>'),
            "escalate_overdue_after_days",
            HTML('<h2 class="govuk-heading-m">Why</h2>'),
            "reason",
            "version",
        )

    @staticmethod
    def initial_for(plan: Plan) -> dict[str, Any]:
        initial: dict[str, Any] = {name: getattr(plan, name) for name in PLAN_DETAIL_FIELDS}
        for name in ("inspection_start", "inspection_end", "sent_to_inspectorate"):
            initial[name] = date_initial(initial[name])
        for name in PlanDetailsForm.BOOLEANS:
            initial[name] = "yes" if initial[name] else "no"
        initial["version"] = plan.version
        return initial

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        for name in self.BOOLEANS:
            if name in data:
                data[name] = data[name] == "yes"
        start, end = data.get("inspection_start"), data.get("inspection_end")
        if start and end and end < start:
            self.add_error(
                "inspection_end", "The inspection end date must be the same as or after its start"
            )
        return data


class ThemeForm(SetUpForm):
    name = text_field("Name", 200, "Enter the theme's name", help_text="For example, Leadership")
    order = WholeNumberField(
        column=(Theme, "order"),
        label="Position in lists",
        min_value=0,
        max_value=999,
        initial=0,
        help_text="Themes are listed by this number, lowest first, then by name.",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "govuk-input--width-3"}),
        error_messages={
            "required": "Enter the position as a number, for example 1",
            "invalid": "Enter the position as a whole number, for example 1",
            "min_value": "The position must be 0 or more",
            "max_value": "The position must be 999 or less",
        },
    )
    reason = reason_field("Reason for the change (optional)")
