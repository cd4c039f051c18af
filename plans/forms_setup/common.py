"""What the set-up forms share: adding or changing a record, and confirming
a removal or a cancellation with the reason history keeps."""

from __future__ import annotations

from typing import Any

from crispy_forms_gds.layout import Layout

from core.forms import CreateForm, GovForm, reason_field


class SetUpForm(CreateForm):
    """Adds a record (with a one-time token) or, with ``editing``, changes one
    (with its version and an optional reason for history)."""

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # An edit is guarded by its version, not a token; an addition needs no reason.
        self.fields.pop("form_token" if editing else "reason", None)
        self.helper.layout = self.build_layout()

    def shown(self) -> list:
        return [name for name in self.fields if name not in self.HIDDEN]

    def build_layout(self) -> Layout:
        return Layout(*self.shown(), *self.hidden_fields_present())


class RemoveForm(GovForm):
    """Confirm a removal, with the reason kept in history."""

    reason = reason_field("Reason for removing it", required="Enter the reason for removing it")


class ReasonForm(GovForm):
    """Cancel or reinstate a meeting: only the reason, kept in history."""

    reason = reason_field("Reason", required="Enter the reason")
