"""The one set of rules for a figure, shared by the forms and the upload: what
a number is, what each unit allows, and which periods may have a figure."""

from __future__ import annotations

import datetime
import math
import re
from decimal import Decimal, InvalidOperation

from . import periods
from .models import DECIMAL_PLACES, MAX_VALUE, Unit


class FigureError(ValueError):
    """The figure cannot be stored; ``message`` says what to do (GOV.UK style)."""

    def __init__(self, message: str, code: str = "invalid") -> None:
        super().__init__(message)
        self.message = message
        # "min_value" for a negative number: a form may word it for its field.
        self.code = code


# Digits with an optional decimal part; thousands separators and a trailing
# per cent sign are allowed as people type them. Nothing else: no exponents,
# NaN, infinity, signs or formulae, and only the digits 0 to 9 (re.ASCII): "٣"
# and "１２" are digits to Python, not to a spreadsheet.
_NUMBER = re.compile(r"\d{1,3}(,\d{3})+(\.\d+)?|\d+(\.\d+)?|\.\d+", re.ASCII)


def parse_figure(raw: object, unit: str) -> Decimal:
    """A figure as typed (or read from a spreadsheet cell), checked for the unit."""
    if isinstance(raw, bool):
        raise FigureError("Enter a number")
    if isinstance(raw, float) and not math.isfinite(raw):
        raise FigureError("Enter a number, like 12 or 72.5")
    if isinstance(raw, int | float | Decimal):
        text = format(Decimal(str(raw)), "f")
    else:
        text = str(raw if raw is not None else "").strip()
    if text == "":
        raise FigureError("Enter the figure")
    if text.startswith("-") and _NUMBER.fullmatch(text[1:].removesuffix("%").strip()):
        raise FigureError("The figure must be 0 or more", "min_value")
    if text.endswith("%"):
        if unit != Unit.PERCENTAGE:
            raise FigureError(
                "Enter a number without a per cent sign: this measure is not a percentage"
            )
        text = text[:-1].strip()
    if not _NUMBER.fullmatch(text):
        raise FigureError("Enter a number, like 12 or 72.5")
    try:
        value = Decimal(text.replace(",", ""))
    except InvalidOperation:  # pragma: no cover (the pattern admits only numbers)
        raise FigureError("Enter a number, like 12 or 72.5") from None
    if value >= MAX_VALUE:
        raise FigureError("The figure must be less than 1,000,000,000")
    if -value.as_tuple().exponent > DECIMAL_PLACES and value != value.quantize(
        Decimal(1).scaleb(-DECIMAL_PLACES)
    ):
        raise FigureError(f"Enter the figure to no more than {DECIMAL_PLACES} decimal places")
    if unit == Unit.PERCENTAGE and value > 100:
        raise FigureError("A percentage must be between 0 and 100")
    return value.quantize(Decimal(1).scaleb(-DECIMAL_PLACES))


def period_problem(period: datetime.date, frequency: str, today: datetime.date) -> str | None:
    """Why a period may not have a figure yet, or None."""
    if period > periods.start_of(today, frequency):
        name = periods.label(period, frequency)
        return f"{name} has not started yet: enter figures for past periods"
    if period.year < 2000:
        return "Enter a period from 2000 onwards"
    return None
