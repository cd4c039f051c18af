"""How a figure, a tolerance and a change read in their measure's unit: '72.5%',
'310 days', '45.2 per 10,000', '2 percentage points'."""

from __future__ import annotations

import functools
from decimal import Decimal

from .models import ToleranceKind, Unit


def format_value(value: Decimal | None, unit: str) -> str:
    """'72.5%', '17', '310 days', '45.2 per 10,000'; '' for no value."""
    if value is None:
        return ""
    text = f"{value.quantize(Decimal('0.01')):,.2f}".rstrip("0").rstrip(".")
    if unit == Unit.PERCENTAGE:
        return f"{text}%"
    if unit == Unit.DAYS:
        return f"{text} day{'' if value == 1 else 's'}"
    if unit == Unit.RATE:
        return f"{text} per 10,000"
    return text


@functools.lru_cache(maxsize=1024)
def tolerance_label(tolerance: Decimal, kind: str, unit: str, inherited: bool) -> str:
    number = f"{tolerance.quantize(Decimal('0.01')):f}".rstrip("0").rstrip(".")
    if kind == ToleranceKind.PERCENT:
        text = f"{number}% of the target"
    elif unit == Unit.PERCENTAGE:
        text = f"{number} percentage point{'' if tolerance == 1 else 's'}"
    else:
        text = format_value(tolerance, unit)
    return f"{text} (the plan's default)" if inherited else text


def format_change(change: Decimal, unit: str) -> str:
    """A difference between two figures in words: '4 percentage points higher',
    '12 days lower', '1.5 per 10,000 higher', 'No change'."""
    if change == 0:
        return "No change"
    size = abs(change)
    if unit == Unit.PERCENTAGE:
        number = format_value(size, Unit.NUMBER)
        text = f"{number} percentage point{'' if size == 1 else 's'}"
    else:
        text = format_value(size, unit)
    return f"{text} {'higher' if change > 0 else 'lower'}"
