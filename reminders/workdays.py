"""Working days: Monday to Friday, less the bank holidays of England and Wales.

Bank holidays come from the ``holidays`` package (maintained, offline). England
and Wales share one list of bank holidays (St David's Day is not one), so the
United Kingdom's "ENG" subdivision stands for both; Scotland and Northern
Ireland have their own and are not used here.
"""

from __future__ import annotations

import datetime
from functools import lru_cache

import holidays

ONE_DAY = datetime.timedelta(days=1)


@lru_cache(maxsize=64)
def bank_holidays(year: int) -> frozenset[datetime.date]:
    return frozenset(holidays.UK(subdiv="ENG", years=year))


def is_working_day(day: datetime.date) -> bool:
    return day.weekday() < 5 and day not in bank_holidays(day.year)


def add_working_days(day: datetime.date, count: int) -> datetime.date:
    """The working day ``count`` working days after ``day`` (before it, if
    ``count`` is negative). ``day`` itself is never counted, so the answer is
    always a working day unless ``count`` is 0 (then it is ``day``)."""
    step = ONE_DAY if count >= 0 else -ONE_DAY
    remaining = abs(count)
    while remaining:
        day += step
        if is_working_day(day):
            remaining -= 1
    return day


def working_days_before(day: datetime.date, count: int) -> datetime.date:
    return add_working_days(day, -count)
