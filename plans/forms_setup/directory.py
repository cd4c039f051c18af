"""The council's directory: owners and partner organisations."""

from __future__ import annotations

from typing import Any

from crispy_forms_gds.layout import Field, Size
from django import forms
from django.contrib.auth import get_user_model

from core.forms import reason_field, text_field
from plans.models import Organisation, Owner, Plan
from plans.setup.directory import members_for_owners, organisations_for

from .common import SetUpForm


class _AccountChoice(forms.ModelChoiceField):
    def label_from_instance(self, user) -> str:
        name = user.get_full_name()
        return f"{name} ({user.get_username()})" if name else user.get_username()


class OwnerForm(SetUpForm):
    job_title = text_field(
        "Job title",
        200,
        "Enter the job title",
        help_text="Owners are roles, not people. For example, Head of Children's Social Care",
    )
    organisation = forms.ModelChoiceField(
        label="Organisation",
        queryset=Organisation.objects.none(),
        empty_label="Select an organisation",
        error_messages={
            "required": "Select the organisation",
            "invalid_choice": "Select an organisation from the list",
        },
    )
    user = _AccountChoice(
        label="Who holds the role now (optional)",
        queryset=get_user_model().objects.none(),
        required=False,
        empty_label="Nobody at present",
        help_text="Only members of this plan are listed. Whoever holds the role can update "
        "the areas and actions it owns.",
        error_messages={"invalid_choice": "Select a member of this plan"},
    )
    reason = reason_field("Reason for the change (optional)")

    def __init__(self, *args: Any, plan: Plan, owner: Owner | None = None, **kwargs: Any):
        super().__init__(*args, editing=owner is not None, **kwargs)
        self.fields["organisation"].queryset = organisations_for(plan)
        self.fields["user"].queryset = members_for_owners(plan, owner)


class PartnerForm(SetUpForm):
    name = text_field("Name", 200, "Enter the organisation's name", one_line=True)
    short_name = text_field(
        "Short name (optional)",
        50,
        one_line=True,
        help_text="Shown after owners' job titles. For example, NHS",
    )
    kind = forms.ChoiceField(
        label="Kind of organisation",
        choices=Organisation.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select the kind of organisation",
            "invalid_choice": "Select the kind of organisation",
        },
    )
    reason = reason_field("Reason for the change (optional)")

    def shown(self) -> list:
        radios = {"kind": Field.radios("kind", legend_size=Size.SMALL)}
        return [radios.get(name, name) for name in super().shown()]
