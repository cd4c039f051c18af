"""Numbers typed into forms, bounded by the columns that keep them.

A form field that allows more than its column holds turns a typing slip into a
500 (a default tolerance of 99999999 in a column of eight digits, two of them
decimals) or, on SQLite, which enforces no integer sizes, into a value
PostgreSQL would refuse. So every numeric form field names its column and is
checked against it when the form is defined (``column_range``); tests walk
every form for fields that do not (tests/test_numbers.py).

Only the digits 0 to 9 are numbers here: Python's ``int()`` also reads "٣",
"१२" and "１２", which nobody sees in a spreadsheet or a paper, and "1_000".
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import models

# The integers each kind of column holds on PostgreSQL: SQLite holds 64 bits
# in any of them, so its own checks (Django's validators) would let through
# what PostgreSQL refuses.
INTEGER_RANGES: dict[str, tuple[int, int]] = {
    "SmallIntegerField": (-(2**15), 2**15 - 1),
    "PositiveSmallIntegerField": (0, 2**15 - 1),
    "IntegerField": (-(2**31), 2**31 - 1),
    "PositiveIntegerField": (0, 2**31 - 1),
    "BigIntegerField": (-(2**63), 2**63 - 1),
    "PositiveBigIntegerField": (0, 2**63 - 1),
    "SmallAutoField": (1, 2**15 - 1),
    "AutoField": (1, 2**31 - 1),
    "BigAutoField": (1, 2**63 - 1),
}

# A column: (model, field name), or the kind of column itself for a number
# every record of a kind keeps alike (the version of any record).
Column = tuple[type[models.Model], str] | str

WHOLE_NUMBER = re.compile(r"-?[0-9]+")
# Longer than any column's numbers: refused as too big before int() reads it.
MAX_DIGITS = 30


def column_range(column: Column) -> tuple[Decimal | int, Decimal | int]:
    """The least and greatest value ``column`` holds."""
    if isinstance(column, str):
        return INTEGER_RANGES[column]
    model, name = column
    field = model._meta.get_field(name)
    kind = field.get_internal_type()
    if kind in INTEGER_RANGES:
        return INTEGER_RANGES[kind]
    if isinstance(field, models.DecimalField):
        largest = Decimal(10) ** (field.max_digits - field.decimal_places) - Decimal(1).scaleb(
            -field.decimal_places
        )
        return -largest, largest
    raise ImproperlyConfigured(f"{model.__name__}.{name} is not a number column")


def column_places(column: Column) -> int:
    """The decimal places ``column`` keeps (0 for an integer column)."""
    if isinstance(column, str):
        return 0
    model, name = column
    field = model._meta.get_field(name)
    return field.decimal_places if isinstance(field, models.DecimalField) else 0


def check_within(column: Column, least: Decimal | int, greatest: Decimal | int) -> None:
    """ImproperlyConfigured unless least..greatest fits ``column``: a form may
    allow less than its column, never more."""
    low, high = column_range(column)
    if not low <= least <= greatest <= high:
        raise ImproperlyConfigured(
            f"{least}..{greatest} does not fit {column}, which holds {low}..{high}"
        )


class WholeNumberField(forms.IntegerField):
    """A whole number typed in the digits 0 to 9 (and a minus sign, where the
    least allowed is below 0), within ``min_value``..``max_value``, which must
    fit ``column`` (its range when not given). Give GOV.UK messages for
    "invalid", "min_value" and "max_value"."""

    def __init__(
        self,
        *,
        column: Column,
        min_value: int | None = None,
        max_value: int | None = None,
        **kwargs: Any,
    ) -> None:
        low, high = column_range(column)
        min_value = int(low) if min_value is None else min_value
        max_value = int(high) if max_value is None else max_value
        check_within(column, min_value, max_value)
        self.column = column
        super().__init__(min_value=min_value, max_value=max_value, **kwargs)

    def to_python(self, value: Any) -> int | None:
        if value in self.empty_values:
            return None
        if isinstance(value, int) and not isinstance(value, bool):
            return value  # an initial value, not typed
        text = str(value).strip()
        if not WHOLE_NUMBER.fullmatch(text):
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        if len(text.lstrip("-")) > MAX_DIGITS:
            # Past the bound it breaks, which the bound's own check says in its words.
            return self.min_value - 1 if text.startswith("-") else self.max_value + 1
        return int(text)
