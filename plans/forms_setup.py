"""Forms for setting a plan up (plans/views/setup.py), as GOV.UK components.

The forms read and check what was typed; the rules (who may be given which
role, what a council may pick) are in plans/administration.py. Choices of
owners' organisations and accounts are limited to the plan's council and
members, so an id from elsewhere is an ordinary form error.
"""

from __future__ import annotations

from typing import Any

from crispy_forms_gds.choices import Choice
from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import HTML, Field, Layout, Size
from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import SetPasswordForm
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.validators import validate_email

from core.forms import (
    CreateForm,
    GovForm,
    PlanDateField,
    RecordChoice,
    date_initial,
    reason_field,
    text_field,
)
from core.numbers import WholeNumberField

from .administration import members_for_owners, organisations_for, role_choices
from .models import DatePrecision, Meeting, Organisation, Owner, Plan, Theme

YES_NO = [("yes", "Yes"), ("no", "No")]


def _yes_no(label: str, help_text: str) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label,
        choices=YES_NO,
        widget=forms.RadioSelect,
        help_text=help_text,
        error_messages={"required": "Select yes or no", "invalid_choice": "Select yes or no"},
    )


def _role_field(label: str = "Role") -> forms.ChoiceField:
    field = forms.ChoiceField(
        label=label,
        widget=forms.RadioSelect,
        error_messages={"required": "Select a role", "invalid_choice": "Select a role"},
    )
    field.choices = [Choice(value, name, hint=hint) for value, name, hint in role_choices()]
    return field


# --- The plan's details ----------------------------------------------------------------


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
    def initial_for(plan: Plan, version: int) -> dict[str, Any]:
        from .administration import PLAN_DETAIL_FIELDS

        initial: dict[str, Any] = {name: getattr(plan, name) for name in PLAN_DETAIL_FIELDS}
        for name in ("inspection_start", "inspection_end", "sent_to_inspectorate"):
            initial[name] = date_initial(initial[name])
        for name in PlanDetailsForm.BOOLEANS:
            initial[name] = "yes" if initial[name] else "no"
        initial["version"] = version
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


HIDDEN = ("version", "form_token")


class SetUpForm(CreateForm):
    """Adds a record (with a one-time token) or, with ``editing``, changes one
    (with its version and an optional reason for history)."""

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # An edit is guarded by its version, not a token; an addition needs no reason.
        self.fields.pop("form_token" if editing else "reason", None)
        self.helper.layout = self.build_layout()

    def shown(self) -> list:
        return [name for name in self.fields if name not in HIDDEN]

    def build_layout(self) -> Layout:
        return Layout(*self.shown(), *[name for name in HIDDEN if name in self.fields])


# --- Themes ----------------------------------------------------------------------------


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


class RemoveForm(GovForm):
    """Confirm a removal, with the reason kept in history."""

    reason = reason_field("Reason for removing it", required="Enter the reason for removing it")


# --- Owners and partner organisations ----------------------------------------------------


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


# --- Meetings ------------------------------------------------------------------------------


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
    def initial_for(meeting: Meeting, version: int) -> dict[str, Any]:
        return {
            "kind": meeting.kind,
            "title": meeting.title,
            "date": date_initial(meeting.date),
            "date_precision": meeting.date_precision,
            "version": version,
        }


class ReasonForm(GovForm):
    """Cancel or reinstate a meeting: only the reason, kept in history."""

    reason = reason_field("Reason", required="Enter the reason")


# --- Members ---------------------------------------------------------------------------------


class AddMemberForm(CreateForm):
    account = text_field(
        "User name or e-mail address",
        254,
        "Enter the user name or e-mail address of the account",
        help_text="Of an account in your council, for example a member of another of its plans.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    role = _role_field()
    reason = reason_field("Reason (optional)")

    def build_layout(self) -> Layout:
        return Layout(
            "account", Field.radios("role", legend_size=Size.SMALL), "reason", "form_token"
        )


class NewAccountForm(CreateForm):
    first_name = text_field(
        "First name",
        150,
        "Enter the first name",
        one_line=True,
        widget=forms.TextInput(attrs={"spellcheck": "false"}),
    )
    last_name = text_field(
        "Last name",
        150,
        "Enter the last name",
        one_line=True,
        widget=forms.TextInput(attrs={"spellcheck": "false"}),
    )
    email = text_field(
        "E-mail address",
        254,
        "Enter the e-mail address",
        help_text="We will send a link to set a password to this address.",
        widget=forms.EmailInput(attrs={"spellcheck": "false", "autocomplete": "off"}),
    )
    username = text_field(
        "User name",
        150,
        "Enter a user name",
        help_text="Used to sign in. Letters, digits and @ . + - _ only. For example, jsmith",
        widget=forms.TextInput(attrs={"spellcheck": "false", "autocomplete": "off"}),
    )
    role = _role_field()
    reason = reason_field("Reason (optional)")

    def build_layout(self) -> Layout:
        return Layout(
            "first_name",
            "last_name",
            "email",
            "username",
            Field.radios("role", legend_size=Size.SMALL),
            "reason",
            "form_token",
        )

    def clean_email(self) -> str:
        value = self.cleaned_data["email"].strip()
        try:
            validate_email(value)
        except forms.ValidationError:
            raise forms.ValidationError(
                "Enter an e-mail address in the correct format, like name@example.org"
            ) from None
        return value

    def clean_username(self) -> str:
        # As Django stores it (NFKC): "ｊsmith" is "jsmith", and is checked as such.
        value = get_user_model().normalize_username(self.cleaned_data["username"].strip())
        try:
            UnicodeUsernameValidator()(value)
        except forms.ValidationError:
            raise forms.ValidationError(
                "The user name must contain only letters, digits and @ . + - _"
            ) from None
        return value


class RoleForm(GovForm):
    role = _role_field("New role")
    reason = reason_field("Reason for the change", required="Enter the reason for the change")

    def build_layout(self) -> Layout:
        return Layout(Field.radios("role", legend_size=Size.SMALL), "reason")


# --- Setting a password from the e-mailed link ----------------------------------------------


class GovSetPasswordForm(SetPasswordForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].widget.attrs.pop("autofocus", None)
        self.fields["new_password1"].label = "New password"
        self.fields["new_password2"].label = "Confirm the new password"
        self.fields["new_password1"].error_messages["required"] = "Enter a new password"
        self.fields["new_password2"].error_messages["required"] = "Enter the new password again"
        self.error_messages = {
            **self.error_messages,
            "password_mismatch": "The passwords do not match: enter the same password twice",
        }
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.label_size = Size.SMALL
        self.helper.layout = Layout("new_password1", "new_password2")


# --- Starting a plan ----------------------------------------------------------------------


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
        shown = [name for name in self.fields if name not in HIDDEN]
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
            *[name for name in HIDDEN if name in self.fields],
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
