"""Reading the as-at date a page or paper is asked for: ``?as_at=2015-05-31``
in a link, or the day/month/year boxes of the as-at form."""

from __future__ import annotations

import datetime
from typing import Any

from crispy_forms_gds.layout import Field, Layout
from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.utils import timezone

from .dates import long_date
from .forms import GovForm, PlanDateField, date_initial


def today() -> datetime.date:
    return timezone.localdate()


def as_at_data(query: QueryDict) -> QueryDict | None:
    """Accept ``as_at=2015-05-31`` (links) as well as the day/month/year boxes;
    None when no date was asked for."""
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
    """The as-at date; ``first_day`` is the first day anything was recorded,
    before which there is nothing to show."""

    as_at = PlanDateField(
        label="As-at date",
        not_after_today=True,
        help_text="Show the plan as it stood at the end of this day. For example, 31 5 2015",
    )

    def __init__(self, *args: Any, first_day: datetime.date | None, **kwargs: Any):
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
                f"The as-at date must be on or after {long_date(self.first_day)}, "
                "when the plan was first recorded"
            )
        return day


def as_at_or_form(
    query: QueryDict, first_day: datetime.date | None
) -> tuple[datetime.date | None, AsAtForm]:
    """The as-at date asked for (today when none is), with its form; None and
    the form with its error when the date asked for is not one to show."""
    data = as_at_data(query)
    if data is None:
        return today(), AsAtForm(first_day=first_day, initial={"as_at": date_initial(today())})
    form = AsAtForm(data, first_day=first_day)
    if not form.is_valid():
        return None, form
    return form.cleaned_data["as_at"], form
