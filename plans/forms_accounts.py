"""Sign-in and password forms in the GOV.UK style."""

from typing import Any

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Layout, Size
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm


def _helper(*fields: str) -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False
    helper.label_size = Size.SMALL
    helper.layout = Layout(*fields)
    return helper


class GovAuthenticationForm(AuthenticationForm):
    error_messages = {
        "invalid_login": "Enter a correct user name and password",
        "inactive": "This account has been switched off: ask your plan administrator",
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].label = "User name"
        self.fields["username"].error_messages["required"] = "Enter your user name"
        self.fields["password"].error_messages["required"] = "Enter your password"
        self.fields["username"].widget.attrs.pop("autofocus", None)
        self.helper = _helper("username", "password")


class GovPasswordChangeForm(PasswordChangeForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["old_password"].widget.attrs.pop("autofocus", None)
        self.fields["old_password"].error_messages["required"] = "Enter your current password"
        self.fields["new_password1"].error_messages["required"] = "Enter a new password"
        self.fields["new_password2"].error_messages["required"] = "Enter the new password again"
        self.error_messages = {
            **self.error_messages,
            "password_incorrect": "Your current password is not right: enter it again",
            "password_mismatch": "The new passwords do not match: enter the same password twice",
        }
        self.helper = _helper("old_password", "new_password1", "new_password2")
