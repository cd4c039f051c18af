"""What was typed into a plan's search box."""

from __future__ import annotations

from typing import Any

from crispy_forms_gds.layout import Field, Fluid, Layout, Size
from django import forms
from django.http import QueryDict

from core.forms import GovForm
from core.single_line import single_line

# Longer than any sensible search; a pasted page is refused, kept in the box.
MAX_LENGTH = 200


def typed(query: QueryDict) -> dict[str, str] | None:
    """The search as typed, on one line (control characters and line breaks
    become spaces: they mean nothing to a search and some cannot reach the
    database); None when nothing was asked (``q`` absent)."""
    if "q" not in query:
        return None
    return {"q": single_line(query.get("q", ""))}


class SearchForm(GovForm):
    q = forms.CharField(
        label="Search this plan",
        required=False,
        max_length=MAX_LENGTH,
        help_text="Words from an area, action, milestone, approved progress update or "
        "success measure, or its reference (for example 5.2).",
        error_messages={"max_length": f"Search words must be {MAX_LENGTH} characters or fewer"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Nothing is edited: no version in the address.
        del self.fields["version"]
        # A GET form: crispy adds a CSRF token to "post" forms even without a
        # form tag, and in a GET form it would end up in the address and logs.
        self.helper.form_method = "get"
        # The label is the page's heading (GOV.UK's "question page" pattern).
        self.helper.layout = Layout(
            Field.text("q", label_size=Size.LARGE, label_tag="h1", field_width=Fluid.TWO_THIRDS)
        )
        # The browser's own length check would stop the form silently; the
        # service says why instead.
        self.fields["q"].widget.attrs.pop("maxlength", None)
        self.fields["q"].widget.input_type = "search"
