"""Officers' and administrators' forms, as GOV.UK Design System components.

Every form builds its crispy-forms-gds helper in ``GovForm``; the page shows
an error summary above the form (templates/includes/error_summary.html).
Messages follow the Design System's wording: they say what to do.
"""

from __future__ import annotations

import datetime
from typing import Any

from crispy_forms_gds.choices import Choice
from crispy_forms_gds.layout import Field, Layout, Size
from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db.models import QuerySet
from django.utils import timezone

from core.forms import (
    CreateForm,
    GovForm,
    PlanDateField,
    RecordChoice,
    RecordChoices,
    date_initial,
    reason_field,
    text_field,
)
from core.rag import RAG

from .models import (
    Action,
    DatePrecision,
    ImprovementArea,
    Milestone,
    Organisation,
    Owner,
    ProgressUpdate,
    Theme,
    end_of_month,
    format_plan_date,
    untold_story,
)
from .services import action_reference_taken, due_date_move


class ProgressUpdateForm(CreateForm):
    as_at = PlanDateField(
        label="As-at date",
        not_after_today=True,
        help_text="The date this update reports progress as at. For example, 31 3 2015",
    )
    rag = forms.ChoiceField(
        label="RAG status",
        choices=RAG.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select a RAG status", "invalid_choice": "Select a RAG status"},
    )
    narrative = text_field(
        "Progress",
        5000,
        "Enter the progress made",
        called="Progress",
        rows=6,
        help_text="What has been done since the last update, in plain English.",
    )
    next_steps = text_field(
        "Next steps (required if amber or red)", 3000, called="Next steps", rows=4
    )
    evidence = text_field(
        "Evidence (optional)",
        3000,
        called="Evidence",
        rows=3,
        help_text="Links to evidence, one on each line, starting https://",
    )
    rag_reason = text_field(
        "Reason for the status (required if amber, red or worse than before)",
        2000,
        called="The reason",
        rows=3,
    )

    # The update's own fields, in the order the services take them.
    VALUES = ("as_at", "rag", "narrative", "next_steps", "evidence", "rag_reason")

    def __init__(
        self,
        *args: Any,
        last_rag: str | None = None,
        instance: ProgressUpdate | None = None,
        **kwargs: Any,
    ) -> None:
        self.last_rag = last_rag
        if instance is not None:
            initial = {name: getattr(instance, name) for name in self.VALUES}
            initial.update(as_at=date_initial(instance.as_at), version=instance.version)
            kwargs["initial"] = {**initial, **kwargs.get("initial", {})}
        super().__init__(*args, creating=instance is None, **kwargs)
        # Radios with a description under each status (hint text).
        self.fields["rag"].choices = [
            Choice(value, label, hint=RAG.guidance(value)) for value, label in RAG.choices
        ]
        if last_rag:
            self.fields["rag_reason"].help_text = (
                f"The last approved status was {RAG(last_rag).label}. If the new status is "
                "amber, red or worse than that, say why."
            )

    def build_layout(self) -> Layout:
        return Layout(
            Field("as_at"),
            Field.radios("rag", legend_size=Size.SMALL),
            "narrative",
            "next_steps",
            "evidence",
            "rag_reason",
            *self.hidden_fields_present(),
        )

    @property
    def values(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.VALUES}

    def clean_evidence(self) -> str:
        lines = [line.strip() for line in self.cleaned_data["evidence"].splitlines()]
        links = [line for line in lines if line]
        check = URLValidator(schemes=["https", "http"])
        for link in links:
            try:
                check(link)
            except ValidationError:
                raise ValidationError(
                    "Enter each evidence link as a web address starting https://, one on each line"
                ) from None
        return "\n".join(links)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        untold = untold_story(
            data.get("rag"),
            self.last_rag,
            data.get("rag_reason") or "",
            data.get("next_steps") or "",
        )
        for name, message in untold.items():
            self.add_error(name, message)
        return data


class ReviewForm(GovForm):
    decision = forms.ChoiceField(
        label="Decision",
        choices=[
            ("approve", "Approve – it can reach the board"),
            ("return", "Return to the author"),
        ],
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select approve or return",
            "invalid_choice": "Select approve or return",
        },
    )
    comment = text_field(
        "Comment",
        2000,
        rows=3,
        help_text="Required when you return an update: say what needs to change.",
    )

    def build_layout(self) -> Layout:
        return Layout(
            Field.radios("decision", legend_size=Size.SMALL),
            "comment",
            *self.hidden_fields_present(),
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("decision") == "return" and not data.get("comment"):
            self.add_error("comment", "Enter a comment saying what needs to change")
        return data


class MilestoneCompleteForm(GovForm):
    completed_date = PlanDateField(
        label="Date completed", not_after_today=True, help_text="For example, 31 3 2015"
    )
    reason = reason_field("Note (optional)")


class MilestoneReforecastForm(GovForm):
    # A forecast says when the work will now be done: a date already gone is
    # not a forecast (a late completion is recorded with "Mark complete").
    forecast_date = PlanDateField(label="New forecast date", not_before_today=True)
    reason = reason_field("Reason for the new date", required="Enter the reason for the new date")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        example = timezone.localdate() + datetime.timedelta(days=91)
        self.fields["forecast_date"].help_text = (
            "When the milestone is now expected: today or later. "
            f"For example, {example.day} {example.month} {example.year}"
        )


def in_council(queryset: QuerySet, area: ImprovementArea, keep: list[int]) -> QuerySet:
    """Owners or organisations in the directory of the plan's council.

    What the record already has (``keep``) stays a choice even if it is from
    elsewhere (set before choices were scoped): otherwise the form would show it
    unselected and saving an unrelated change would silently clear it. Any
    other id from another council is refused as an invalid choice."""
    council = area.plan.organisation.council_id_or_own
    scoped = queryset.of_council(council)
    keep = [pk for pk in keep if pk is not None]
    return (scoped | queryset.filter(pk__in=keep)) if keep else scoped


def _moved_reason(form: GovForm, old, new, old_precision=DatePrecision.DAY, new_precision=None):
    """A reason is needed only when an existing due date moves: say so in the
    field's label, and require it."""
    moved = due_date_move(old, new, old_precision, new_precision or old_precision)
    if moved is None:
        return
    # The bound field copied the label when the form was validated: set both.
    form.fields["reason"].label = form["reason"].label = f"Reason the {moved}"
    if not form.cleaned_data.get("reason"):
        form.add_error("reason", f"Enter the reason the {moved}")


class MilestoneForm(CreateForm):
    title = text_field("Milestone", 300, "Enter the milestone")
    action = RecordChoice(
        label="Action (optional)",
        queryset=Action.objects.none(),
        required=False,
        error_messages={"invalid_choice": "Select an action from this improvement area"},
    )
    due_date = PlanDateField(label="Due date", help_text="For example, 30 6 2015")
    due_precision = forms.ChoiceField(
        label="Is the due date a day or a whole month?",
        choices=[
            (DatePrecision.DAY, "A day"),
            (DatePrecision.MONTH, "A month (for example, “by end of June”)"),
        ],
        widget=forms.RadioSelect,
        initial=DatePrecision.DAY,
        error_messages={"required": "Select day or month", "invalid_choice": "Select day or month"},
    )
    note = text_field("Note (optional)", 2000, rows=3)
    reason = reason_field("Reason for the change (required if the due date moves)")

    VALUES = ("title", "action", "due_date", "due_precision", "note")

    def __init__(
        self, *args: Any, area: ImprovementArea, instance: Milestone | None = None, **kwargs: Any
    ) -> None:
        self.instance = instance
        if instance is not None:
            kwargs["initial"] = {**milestone_initial(instance), **kwargs.get("initial", {})}
        super().__init__(*args, creating=instance is None, **kwargs)
        self.fields["action"].queryset = Action.objects.filter(area=area).order_by("reference")
        if instance is None:
            del self.fields["reason"]
        else:
            self.fields["reason"].label = (
                f"Reason for the change (required if the due date moves from "
                f"{instance.due_display})"
            )
        self.helper.layout = self.build_layout()

    def build_layout(self) -> Layout:
        fields = ["title", "action", "due_date", Field.radios("due_precision"), "note"]
        if "reason" in self.fields:
            fields.append("reason")
        return Layout(*fields, *self.hidden_fields_present())

    @property
    def values(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.VALUES}

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        due, precision = data.get("due_date"), data.get("due_precision")
        if due and precision == DatePrecision.MONTH:
            data["due_date"] = end_of_month(due)
        if self.instance is not None and data.get("due_date"):
            _moved_reason(
                self,
                self.instance.due_date,
                data["due_date"],
                self.instance.due_precision,
                precision,
            )
        return data


class ActionForm(CreateForm):
    reference = text_field("Reference", 20, "Enter the reference", help_text="For example, 9.2")
    title = text_field("Action", 300, "Enter the action")
    description = text_field("Description (optional)", 5000, rows=4)
    owner = RecordChoice(
        label="Owner",
        queryset=Owner.objects.none(),
        required=False,
        error_messages={"invalid_choice": "Select an owner from the list"},
    )
    partners = RecordChoices(
        label="Partner organisations (optional)",
        queryset=Organisation.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "invalid_choice": "Select partners from the list",
            "invalid_pk_value": "Select partners from the list",
        },
    )
    start_date = PlanDateField(
        label="Start date", required=False, help_text="For example, 1 4 2015"
    )
    due_date = PlanDateField(label="Due date", required=False, help_text="For example, 30 9 2015")
    status = forms.ChoiceField(
        label="Status",
        choices=Action.Status.choices,
        widget=forms.RadioSelect,
        initial=Action.Status.NOT_STARTED,
        error_messages={"required": "Select a status", "invalid_choice": "Select a status"},
    )
    reason = reason_field("Reason for the change (required if the due date moves)")

    # The action's own fields (partners are saved with it, separately).
    VALUES = ("reference", "title", "description", "owner", "start_date", "due_date", "status")

    def __init__(
        self, *args: Any, area: ImprovementArea, instance: Action | None = None, **kwargs: Any
    ) -> None:
        self.area = area
        self.instance = instance
        partners = [p.pk for p in instance.partners.all()] if instance is not None else []
        if instance is not None:
            initial = {name: getattr(instance, name) for name in self.VALUES}
            initial.update(
                owner=instance.owner_id,
                partners=partners,
                start_date=date_initial(instance.start_date),
                due_date=date_initial(instance.due_date),
                version=instance.version,
            )
            kwargs["initial"] = {**initial, **kwargs.get("initial", {})}
        super().__init__(*args, creating=instance is None, **kwargs)
        owner = instance.owner_id if instance is not None else None
        self.fields["owner"].queryset = in_council(Owner.objects.all(), area, [owner])
        self.fields["partners"].queryset = in_council(Organisation.objects.all(), area, partners)
        if instance is None:
            del self.fields["reason"]
        elif instance.due_date is None:
            # A first due date owes nobody a reason.
            self.fields["reason"].label = "Reason for the change (optional)"
        else:
            self.fields["reason"].label = (
                "Reason for the change (required if the due date moves from "
                f"{format_plan_date(instance.due_date)})"
            )
        self.helper.layout = self.build_layout()

    def build_layout(self) -> Layout:
        fields = [
            "reference",
            "title",
            "description",
            "owner",
            Field.checkboxes("partners", legend_size=Size.SMALL),
            "start_date",
            "due_date",
            Field.radios("status", legend_size=Size.SMALL),
        ]
        if "reason" in self.fields:
            fields.append("reason")
        return Layout(*fields, *self.hidden_fields_present())

    @property
    def values(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.VALUES}

    def clean_reference(self) -> str:
        value = self.cleaned_data["reference"]
        clash = Action.objects.filter(area=self.area, reference=value)
        if self.instance is not None:
            clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            raise ValidationError(action_reference_taken(self.area, value))
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, due = data.get("start_date"), data.get("due_date")
        if start and due and due < start:
            self.add_error("due_date", "The due date must be the same as or after the start date")
        if self.instance is not None and "due_date" in data:
            _moved_reason(self, self.instance.due_date, data["due_date"])
        return data


class AreaForm(GovForm):
    recommendation = text_field("Recommendation", 2000, "Enter the recommendation", rows=4)
    theme = RecordChoice(
        label="Theme (optional)",
        queryset=Theme.objects.none(),
        required=False,
        error_messages={"invalid_choice": "Select a theme from this plan"},
    )
    lead = RecordChoice(
        label="Lead",
        queryset=Owner.objects.none(),
        required=False,
        error_messages={"invalid_choice": "Select a lead from the list"},
    )
    reason = reason_field("Reason for the change", required="Enter the reason for the change")

    VALUES = ("recommendation", "theme", "lead")

    def __init__(self, *args: Any, area: ImprovementArea, **kwargs: Any) -> None:
        initial = {
            "recommendation": area.recommendation,
            "theme": area.theme_id,
            "lead": area.lead_id,
            "version": area.version,
        }
        kwargs["initial"] = {**initial, **kwargs.get("initial", {})}
        super().__init__(*args, **kwargs)
        self.fields["theme"].queryset = Theme.objects.filter(plan=area.plan)
        self.fields["lead"].queryset = in_council(Owner.objects.all(), area, [area.lead_id])

    @property
    def values(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.VALUES}


def milestone_initial(m: Milestone) -> dict[str, Any]:
    return {
        "title": m.title,
        "action": m.action_id,
        "due_date": date_initial(m.due_date),
        "due_precision": m.due_precision,
        "note": m.note,
        "version": m.version,
    }
