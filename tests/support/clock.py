"""The day tests run on (tests/conftest.py pins it for every test)."""

import datetime
import os
from zoneinfo import ZoneInfo

import pytest

LONDON = ZoneInfo("Europe/London")
# The day every test runs on unless it asks for another: an ordinary Wednesday
# morning, after the day October's figures were due (15 November), away from
# month ends, weekends, bank holidays and clock changes.
PINNED = datetime.datetime(2026, 11, 18, 10, 0, tzinfo=LONDON)


def london(value: str) -> datetime.datetime:
    """'2027-02-28' (at 10:00) or '2027-03-28T01:30+00:00', as London's time:
    travelling to a London time keeps the process's TZ as Django set it."""
    moment = datetime.datetime.fromisoformat(value)
    if len(value) == 10:
        moment = moment.replace(hour=10)
    if moment.tzinfo is None:
        return moment.replace(tzinfo=LONDON)
    return moment.astimezone(LONDON)


def on_day(value: str) -> pytest.MarkDecorator:
    """``@on_day("2026-12-07")``: the test runs on that day (see ``london``)."""
    return pytest.mark.time_machine(london(value))


def test_day() -> datetime.datetime:
    """PINNED, or the day TEST_TODAY names (to find tests that pass only on some days)."""
    today = os.environ.get("TEST_TODAY")
    return london(today) if today else PINNED


# Not a test, whatever its name says.
test_day.__test__ = False
