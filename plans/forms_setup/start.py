"""Starting a plan, and its areas from the inspection's recommendations."""

from __future__ import annotations

from typing import Any

from crispy_forms_gds.layout import HTML, Layout
from django import forms

from core.forms import CreateForm, GovForm, PlanDateField, RecordChoice, text_field
from plans.models import Organisation


class StartPlanForm(CreateForm):
    """A new plan: the inspection, the plan's title and the board. The council
    is asked only of someone who may start plans for more than one."""

    council = RecordChoice(
        label="Council",
        queryset=Organisation.objects.none(),
        empty_label="Select the council",
        error_messages={
            "required": "Select the council",
            "invalid_choice": "Select a council from the list",
        },
    )
    title = text_field(
        "Plan title",
        200,
        "Enter the plan's title",
        one_line=True,
        help_text="For example, Children's Services Improvement Plan",
    )
    inspection_name = text_field(
        "Inspection",
        300,
        "Enter the name of the inspection",
        help_text="For example, Inspection of services for children in need of help and "
        "protection, children looked after and care leavers",
    )
    inspection_start = PlanDateField(
        label="Inspection start date", help_text="For example, 20 10 2014"
    )
    inspection_end = PlanDateField(label="Inspection end date", help_text="For example, 12 11 2014")
    judgement_areas = text_field(
        "Judgement areas (optional)",
        5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="One on each line. Each becomes one of the plan's themes.",
    )
    sent_to_inspectorate = PlanDateField(
        label="Date the plan is due to be sent to the inspectorate (optional)",
        required=False,
        help_text="For example, 14 4 2015",
    )
    board_name = text_field(
        "Board name",
        200,
        "Enter the board's name",
        initial="Improvement Board",
        help_text="The board the plan reports to. For example, Improvement Board",
    )
    board_description = text_field(
        "Reporting arrangements (optional)",
        5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Who sits on the board, how often it meets, and where else progress is reported.",
    )

    def __init__(self, *args: Any, councils, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["council"].queryset = councils
        self.only_council = councils.first() if len(councils) == 1 else None
        if self.only_council is not None:
            del self.fields["council"]
        self.helper.layout = self.build_layout()

    def build_layout(self) -> Layout:
        shown = [name for name in self.fields if name not in self.HIDDEN]
        return Layout(
            *[n for n in shown if n in ("council", "title")],
            HTML('<h2 class="govuk-heading-m">The inspection</h2>'),
            "inspection_name",
            "inspection_start",
            "inspection_end",
            "judgement_areas",
            "sent_to_inspectorate",
            HTML('<h2 class="govuk-heading-m">The board</h2>'),
            "board_name",
            "board_description",
            *self.hidden_fields_present(),
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("inspection_start"), data.get("inspection_end")
        if start and end and end < start:
            self.add_error(
                "inspection_end", "The inspection end date must be the same as or after its start"
            )
        if self.only_council is not None:
            data["council"] = self.only_council
        return data


class RecommendationsForm(GovForm):
    recommendations = text_field(
        "The inspection's recommendations",
        60000,
        "Paste the recommendations as a numbered list",
        widget=forms.Textarea(attrs={"rows": 14, "spellcheck": "true"}),
        help_text="Paste them as a numbered list: each number starts a new improvement area "
        "and keeps its number. A line without a number continues the one before.",
    )
