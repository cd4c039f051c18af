"""Reporting periods: a month or a quarter, stored as the period's first day.

The pure functions a page calls for every measure and period (labels, ends)
are memoised: a scorecard of 400 measures asks for the same few periods.

Quarters follow the council's financial year (April–June is the first), but a
quarter is always three calendar months starting in January, April, July or
October, so a quarter's first day is the same whichever year it is counted in.
"""

from __future__ import annotations

import calendar
import datetime
import functools
import re

MONTHLY = "monthly"
QUARTERLY = "quarterly"
QUARTER_STARTS = (1, 4, 7, 10)


def start_of(day: datetime.date, frequency: str) -> datetime.date:
    """The first day of the period (of ``frequency``) that contains ``day``."""
    if frequency == QUARTERLY:
        month = QUARTER_STARTS[(day.month - 1) // 3]
        return datetime.date(day.year, month, 1)
    return day.replace(day=1)


def is_start(day: datetime.date, frequency: str) -> bool:
    return day.day == 1 and (frequency != QUARTERLY or day.month in QUARTER_STARTS)


def months_in(frequency: str) -> int:
    return 3 if frequency == QUARTERLY else 1


def per_year(frequency: str) -> int:
    return 12 // months_in(frequency)


def shift(period: datetime.date, frequency: str, n: int) -> datetime.date:
    """The period ``n`` periods after (negative: before) ``period``."""
    months = period.year * 12 + period.month - 1 + n * months_in(frequency)
    return datetime.date(months // 12, months % 12 + 1, 1)


@functools.lru_cache(maxsize=4096)
def end_of(period: datetime.date, frequency: str) -> datetime.date:
    """The last day of the period."""
    last = shift(period, frequency, 1) - datetime.timedelta(days=1)
    return last.replace(day=calendar.monthrange(last.year, last.month)[1])


@functools.lru_cache(maxsize=4096)
def label(period: datetime.date, frequency: str) -> str:
    """'March 2015', or 'Apr–Jun 2015' for a quarter."""
    if frequency == QUARTERLY:
        end = end_of(period, frequency)
        return f"{period.strftime('%b')}–{end.strftime('%b')} {end.year}"
    return period.strftime("%B %Y")


@functools.lru_cache(maxsize=4096)
def short_label(period: datetime.date, frequency: str) -> str:
    """For a chart's axis: 'Mar 15', or 'Q Apr 15' for a quarter."""
    if frequency == QUARTERLY:
        return f"{period.strftime('%b')}–{end_of(period, frequency).strftime('%b %y')}"
    return period.strftime("%b %y")


@functools.lru_cache(maxsize=4096)
def last_ended(day: datetime.date, frequency: str) -> datetime.date:
    """The latest period that had ended by the end of ``day``."""
    current = start_of(day, frequency)
    return current if end_of(current, frequency) <= day else shift(current, frequency, -1)


def series(last: datetime.date, frequency: str, count: int) -> list[datetime.date]:
    """``count`` periods ending with ``last``, oldest first."""
    return [shift(last, frequency, -i) for i in reversed(range(count))]


_MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_abbr) if name}
_MONTHS.update({name.lower(): i for i, name in enumerate(calendar.month_name) if name})


class BadPeriod(ValueError):
    pass


def parse(text: str, frequency: str) -> datetime.date:
    """A period as people write it in a spreadsheet: '2015-03', '03/2015',
    'March 2015', 'Mar 2015', or a date inside it ('2015-03-31'). A quarter is
    named by any month in it. BadPeriod if it is not a period."""
    raw = str(text or "").strip()
    value = None
    if m := re.fullmatch(r"(\d{4})-(\d{1,2})(?:-(\d{1,2}))?(?:[ T]00:00:00)?", raw):
        value = _date(int(m.group(1)), int(m.group(2)), int(m.group(3) or 1))
    elif m := re.fullmatch(r"(\d{1,2})/(\d{4})", raw):
        value = _date(int(m.group(2)), int(m.group(1)), 1)
    elif (m := re.fullmatch(r"([A-Za-z]+)\.?\s+(\d{4})", raw)) and m.group(1).lower() in _MONTHS:
        value = _date(int(m.group(2)), _MONTHS[m.group(1).lower()], 1)
    if value is None:
        raise BadPeriod(raw)
    return start_of(value, frequency)


def _date(year: int, month: int, day: int) -> datetime.date:
    try:
        value = datetime.date(year, month, day)
    except ValueError:
        raise BadPeriod(f"{year}-{month}-{day}") from None
    if not 2000 <= year <= 2100:
        raise BadPeriod(str(year))
    return value
