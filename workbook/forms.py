"""The upload and confirmation forms, as GOV.UK components."""

from __future__ import annotations

from django import forms

from core.forms import GovForm


class UploadForm(GovForm):
    file = forms.FileField(
        label="Upload a file",
        help_text="An Excel workbook (.xlsx) exported from this service, or one of its sheets "
        "saved as CSV.",
        error_messages={"required": "Select a file", "empty": "The selected file is empty"},
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )


class ConfirmForm(GovForm):
    remove = forms.BooleanField(
        label="Also delete the records listed as removed",
        required=False,
        help_text="Leave this unticked to keep them: only the new and changed rows are saved.",
    )
