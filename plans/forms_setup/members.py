"""A plan's members: adding an account, creating one, changing a role, and
setting a password from the e-mailed link."""

from __future__ import annotations

from typing import Any

from crispy_forms_gds.choices import Choice
from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Layout, Size
from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import SetPasswordForm
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.validators import validate_email

from core.forms import CreateForm, GovForm, reason_field, text_field
from plans.setup.members import role_choices


def role_field(label: str = "Role") -> forms.ChoiceField:
    field = forms.ChoiceField(
        label=label,
        widget=forms.RadioSelect,
        error_messages={"required": "Select a role", "invalid_choice": "Select a role"},
    )
    field.choices = [Choice(value, name, hint=hint) for value, name, hint in role_choices()]
    return field


class AddMemberForm(CreateForm):
    account = text_field(
        "User name or e-mail address",
        254,
        "Enter the user name or e-mail address of the account",
        help_text="Of an account in your council, for example a member of another of its plans.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    role = role_field()
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
    role = role_field()
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
    role = role_field("New role")
    reason = reason_field("Reason for the change", required="Enter the reason for the change")

    def build_layout(self) -> Layout:
        return Layout(Field.radios("role", legend_size=Size.SMALL), "reason")


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
