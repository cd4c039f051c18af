"""Form fields for the numbers and periods of measures: a figure bounded by
its column (core/numbers.py), a period typed as a month."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ImproperlyConfigured, ValidationError

from core.numbers import Column, check_within, column_places, column_range

from . import periods
from .checks import FigureError, parse_figure
from .models import DECIMAL_PLACES, MAX_VALUE, Frequency


class FigureField(forms.CharField):
    """A figure as typed, checked by the measure's unit (measures/checks.py)
    and held to its ``column``: no more than the column keeps (a
    "max_value" error, with a GOV.UK message naming the most, like "Enter a
    default tolerance of 999,999.99 or less")."""

    def __init__(
        self, *, unit: str, column: Column, called: str = "a figure", **kwargs: Any
    ) -> None:
        self.unit = unit
        self.column = column
        if column_places(column) < DECIMAL_PLACES:
            raise ImproperlyConfigured(f"{column} keeps fewer decimal places than a figure")
        # parse_figure keeps a figure below MAX_VALUE; the column may keep less.
        self.maximum = min(column_range(column)[1], MAX_VALUE - Decimal(1).scaleb(-DECIMAL_PLACES))
        check_within(column, 0, self.maximum)
        kwargs.setdefault("max_length", 30)
        messages = {
            "max_length": "Enter a number, like 12 or 72.5",
            # ``called``: what the field is, in its messages ("a target of…").
            "max_value": f"Enter {called} of {self.maximum:,} or less",
            "min_value": f"Enter {called} of 0 or more",
        }
        kwargs["error_messages"] = {**messages, **kwargs.get("error_messages", {})}
        super().__init__(**kwargs)

    def clean(self, value: Any) -> Decimal | None:
        text = super().clean(value)
        if text in self.empty_values:
            return None
        try:
            figure = parse_figure(text, self.unit)
        except FigureError as error:
            message = self.error_messages.get(error.code, error.message)
            raise ValidationError(message, code=error.code) from None
        if figure > self.maximum:
            raise ValidationError(self.error_messages["max_value"], code="max_value")
        return figure


class PeriodTextField(forms.CharField):
    """A month (or quarter) typed as 'March 2015' or '2015-03'."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 30)
        super().__init__(**kwargs)

    def clean(self, value: Any) -> datetime.date | None:
        text = super().clean(value)
        if text in self.empty_values:
            return None
        try:
            return periods.parse(text, Frequency.MONTHLY)
        except periods.BadPeriod:
            raise ValidationError("Enter the period as a month and year, like March 2015") from None
