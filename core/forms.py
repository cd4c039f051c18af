"""The GOV.UK form toolkit every app's forms are built from: the base form
with its crispy-forms-gds helper, the one-time token of forms that create, a
day/month/year date field, record choices by id, and text and reason fields
with the Design System's messages (they say what to do)."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from crispy_forms_gds.fields import DateInputField
from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Layout, Size
from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from . import single_line
from .numbers import WholeNumberField

# Plans run for a few years; anything far outside this is a typing slip.
EARLIEST_DATE = datetime.date(2000, 1, 1)
LATEST_DATE = datetime.date(2100, 12, 31)


class PlanDateField(DateInputField):
    """A day/month/year date with GOV.UK messages and a sensible range.

    ``not_after_today`` refuses future dates (e.g. an update's as-at date);
    ``not_before_today`` refuses past ones (e.g. a new forecast date).
    """

    def __init__(
        self,
        *,
        label: str,
        not_after_today: bool = False,
        not_before_today: bool = False,
        **kwargs: Any,
    ) -> None:
        self.label_text = label
        self.not_after_today = not_after_today
        self.not_before_today = not_before_today
        super().__init__(label=label, require_all_fields=False, **kwargs)
        name = label[0].lower() + label[1:]
        self.error_messages["required"] = f"Enter the {name}"
        self.error_messages["incomplete"] = f"Enter the {name} as a day, month and year"
        for sub, word in zip(self.fields, ("day", "month", "year"), strict=True):
            sub.error_messages["incomplete"] = f"The {name} must include a {word}"
            sub.validators[0].message = f"The {name} must be a real date"
            sub.max_length = 4

    def compress(self, data_list: list[str]) -> datetime.date | None:
        day, month, year = data_list
        if not (day and month and year):
            return None
        name = self.label_text[0].lower() + self.label_text[1:]
        try:
            value = datetime.date(int(year), int(month), int(day))
        except (ValueError, OverflowError):
            raise ValidationError(f"The {name} must be a real date") from None
        if not EARLIEST_DATE <= value <= LATEST_DATE:
            raise ValidationError(
                f"The {name} must be between {EARLIEST_DATE.year} and {LATEST_DATE.year}"
            )
        if self.not_after_today and value > timezone.localdate():
            raise ValidationError(f"The {name} must be today or in the past")
        if self.not_before_today and value < timezone.localdate():
            raise ValidationError(f"The {name} must be today or in the future")
        return value


def date_initial(value: datetime.date | None) -> list[str] | None:
    return [str(value.day), str(value.month), str(value.year)] if value else None


# The largest id a database column holds: a posted id beyond it is no record's,
# and must be a form error rather than a database overflow (SQLite raises).
MAX_ID = 2**63 - 1


def _in_range(value: object) -> bool:
    try:
        return 0 < int(str(value)) <= MAX_ID
    except ValueError:
        return False


class RecordChoice(forms.ModelChoiceField):
    """A record chosen from a list by id."""

    def to_python(self, value):
        if value not in self.empty_values and not _in_range(value):
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class RecordChoices(forms.ModelMultipleChoiceField):
    """Records chosen from a list by id."""

    def _check_values(self, value):
        for pk in value:
            if not _in_range(pk):
                raise ValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": pk},
                )
        return super()._check_values(value)


class GovForm(forms.Form):
    """Base for every form: the crispy-forms-gds helper, no form tag (the page
    template owns the <form> and its buttons), and the version of the record
    being edited, so a stale save is refused rather than overwriting."""

    # Bounded: a forged huge number must be a form error, not a database overflow.
    version = WholeNumberField(
        column="PositiveIntegerField", widget=forms.HiddenInput, required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.label_size = Size.SMALL
        self.helper.legend_size = Size.SMALL
        self.helper.layout = self.build_layout()

    # Hidden fields, placed last by every layout.
    HIDDEN = ("version", "form_token")

    def build_layout(self) -> Layout:
        shown = [name for name in self.fields if name not in self.HIDDEN]
        return Layout(*shown, *self.hidden_fields_present())

    def hidden_fields_present(self) -> list[str]:
        return [name for name in self.HIDDEN if name in self.fields]

    @property
    def error_count(self) -> int:
        return len(self.errors)


class CreateForm(GovForm):
    """A form that creates a record: it carries a one-time token so that a
    double submit makes one record (plans.saving.create_once).

    Forms that also edit (``instance`` given) drop the token: an edit is
    guarded by its version instead. Not required, so a post without one (an old
    page, a script) still creates, just without the double-submit guard."""

    form_token = forms.UUIDField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, creating: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not creating:
            del self.fields["form_token"]
            self.helper.layout = self.build_layout()
        elif not self.is_bound:
            self.initial.setdefault("form_token", uuid.uuid4())

    @property
    def token(self) -> uuid.UUID | None:
        """The token as posted, read without the rest of the form's checks: a
        repeated post is recognised by it before them (saving.made_with_token)."""
        if not self.is_bound or "form_token" not in self.fields:
            return None
        try:
            return self.fields["form_token"].clean(self["form_token"].data)
        except ValidationError:
            return None


def reason_field(label: str = "Reason for the change", required: str = "") -> forms.CharField:
    """A reason for a change; ``required`` is the message when one must be given."""
    return forms.CharField(
        label=label,
        max_length=1000,
        required=bool(required),
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={
            "max_length": "The reason must be 1,000 characters or fewer",
            "required": required,
        },
    )


def text_field(
    label: str,
    max_length: int,
    required: str = "",
    *,
    one_line: bool = False,
    called: str = "",
    rows: int | None = None,
    **kwargs: Any,
) -> forms.CharField:
    """A text field with GOV.UK messages; ``required`` is the message when it must be
    given. ``called``: how messages name it when not "the" and its label ("The
    definition", "Progress"). ``rows``: a text area of that many rows. ``one_line``:
    a title or name that reaches e-mail subjects or senders' names, where a line
    break stops the e-mail (core/single_line.py)."""
    name = label.removesuffix(" (optional)")
    name = name[0].lower() + name[1:]
    called = called or f"The {name}"
    if one_line:
        kwargs["validators"] = [single_line.validator(f"Enter the {name} on one line")]
    if rows:
        kwargs["widget"] = forms.Textarea(attrs={"rows": rows})
    return forms.CharField(
        label=label,
        max_length=max_length,
        required=bool(required),
        error_messages={
            "required": required,
            "max_length": f"{called} must be {max_length:,} characters or fewer",
        },
        **kwargs,
    )
