"""The "as at" date every page and paper takes, and the paper forms."""

from __future__ import annotations

import datetime
from typing import Any

from crispy_forms_gds.layout import Field, Layout
from django import forms
from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.utils import timezone

from plans.forms import GovForm, PlanDateField, date_initial
from plans.models import Meeting, Plan, format_plan_date


def as_at_data(query: QueryDict) -> QueryDict | None:
    """Accept ``as_at=2015-05-31`` (links) as well as the day/month/year boxes."""
    data = query.copy()
    iso = data.pop("as_at", [None])[-1]
    if iso:
        try:
            day = datetime.date.fromisoformat(iso)
        except ValueError:
            # Keep the bad value visible so the form can say what is wrong.
            data.setlist("as_at_0", [iso])
            data.setlist("as_at_1", ["?"])
            data.setlist("as_at_2", ["?"])
        else:
            for i, part in enumerate(date_initial(day)):
                data.setlist(f"as_at_{i}", [part])
    if not any(data.get(f"as_at_{i}") for i in range(3)):
        return None
    return data


class AsAtForm(GovForm):
    as_at = PlanDateField(
        label="As-at date",
        not_after_today=True,
        help_text="Show the plan as it stood at the end of this day. For example, 31 5 2015",
    )

    def __init__(self, *args: Any, plan: Plan, first_day: datetime.date | None, **kwargs: Any):
        self.plan = plan
        self.first_day = first_day
        super().__init__(*args, **kwargs)
        # A GET form: crispy adds a CSRF token to "post" forms even without a
        # form tag, and in a GET form it would end up in the address and logs.
        self.helper.form_method = "get"

    def build_layout(self) -> Layout:
        return Layout(Field("as_at"))

    def clean_as_at(self) -> datetime.date:
        day = self.cleaned_data["as_at"]
        if self.first_day and day < self.first_day:
            raise ValidationError(
                f"The as-at date must be on or after {format_plan_date(self.first_day)}, "
                "when the plan was first recorded"
            )
        return day


def today() -> datetime.date:
    return timezone.localdate()


class IssueForm(GovForm):
    meeting = forms.ModelChoiceField(
        label="Meeting",
        queryset=Meeting.objects.none(),
        error_messages={
            "required": "Select the meeting the paper is for",
            "invalid_choice": "Select a meeting of this plan",
        },
    )
    briefing = forms.CharField(
        label="Overview briefing",
        required=False,
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Written for this paper; printed before the table.",
        error_messages={"max_length": "The briefing must be 10,000 characters or fewer"},
    )

    def __init__(self, *args: Any, plan: Plan, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Papers go to meetings that will take place, not cancelled ones.
        self.fields["meeting"].queryset = Meeting.objects.filter(
            plan=plan, cancelled=False
        ).order_by("-date")

    def build_layout(self) -> Layout:
        return Layout("meeting", "briefing")
