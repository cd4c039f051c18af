"""Working days around bank holidays, and what counts as an area's return."""

from __future__ import annotations

import datetime

import holidays
import pytest

from core.dates import long_date_with_weekday as long_date
from plans.models import Meeting, ProgressUpdate
from reminders.returns import area_returns, cycle_for
from reminders.workdays import add_working_days, is_working_day, working_days_before
from tests import factories

D = datetime.date


def test_weekends_and_bank_holidays_are_not_working_days():
    assert not is_working_day(D(2026, 5, 25))  # Spring bank holiday
    assert not is_working_day(D(2026, 12, 28))  # Boxing Day, observed
    assert not is_working_day(D(2026, 4, 3))  # Good Friday
    assert not is_working_day(D(2026, 5, 23))  # a Saturday
    assert is_working_day(D(2026, 3, 2))  # St David's Day (1 March) is no bank holiday
    assert is_working_day(D(2026, 5, 26))


def test_england_and_wales_share_their_bank_holidays():
    for year in range(2024, 2031):
        england = holidays.UK(subdiv="ENG", years=year)
        wales = holidays.UK(subdiv="WLS", years=year)
        assert set(england.items()) == set(wales.items())


@pytest.mark.parametrize(
    "start, count, expected",
    [
        (D(2026, 6, 9), -10, D(2026, 5, 26)),  # across the Spring bank holiday
        (D(2026, 5, 26), -1, D(2026, 5, 22)),  # Tuesday back to Friday
        (D(2026, 5, 22), 1, D(2026, 5, 26)),  # Friday on to Tuesday
        (D(2026, 4, 7), -1, D(2026, 4, 2)),  # over Easter
        (D(2026, 12, 24), 1, D(2026, 12, 29)),  # over Christmas
        (D(2026, 5, 23), 0, D(2026, 5, 23)),
    ],
)
def test_counting_working_days(start, count, expected):
    assert add_working_days(start, count) == expected


def test_due_dates_are_written_in_full():
    assert long_date(D(2026, 6, 12)) == "Friday 12 June 2026"
    assert working_days_before(D(2026, 6, 26), 10) == D(2026, 6, 12)


@pytest.mark.django_db
def test_the_next_return_skips_cancelled_month_only_and_other_meetings(world):
    plan = world.plan
    today = D(2026, 5, 1)
    factories.MeetingFactory(plan=plan, date=D(2026, 3, 12))
    factories.MeetingFactory(plan=plan, date=D(2026, 5, 14), cancelled=True)
    factories.MeetingFactory(plan=plan, date=D(2026, 5, 31), date_precision="month")
    factories.MeetingFactory(
        plan=plan, date=D(2026, 5, 20), kind=Meeting.Kind.SCRUTINY_PANEL, title="Scrutiny"
    )
    board = factories.MeetingFactory(plan=plan, date=D(2026, 6, 9))
    cycle = cycle_for(plan, today)
    assert cycle.meeting == board
    assert cycle.due == D(2026, 5, 26)
    assert cycle.since == D(2026, 3, 12)
    assert cycle.reminder_days() == [D(2026, 5, 18), D(2026, 5, 22)]
    assert cycle.missed_day == D(2026, 5, 27)
    assert cycle.reminder_day(D(2026, 5, 17)) is None
    assert cycle.reminder_day(D(2026, 5, 20)) == D(2026, 5, 18)
    assert cycle.reminder_day(D(2026, 5, 27)) is None
    # A board today is still the next board; another plan's is not this plan's.
    assert cycle_for(plan, D(2026, 6, 9)).meeting == board
    assert cycle_for(plan, D(2026, 6, 10)) is None
    assert cycle_for(world.other_plan, today) is None


@pytest.mark.django_db
def test_an_areas_return_is_the_furthest_its_updates_in_the_cycle_got(world):
    plan = world.plan
    factories.MeetingFactory(plan=plan, date=D(2026, 3, 12))
    factories.MeetingFactory(plan=plan, date=D(2026, 6, 9))
    cycle = cycle_for(plan, D(2026, 5, 1))
    area3 = factories.ImprovementAreaFactory(plan=plan, number=3)
    area4 = factories.ImprovementAreaFactory(plan=plan, number=4)
    officer = world.users["officer"]
    # Area 1: only the 2015 approved update (before the previous board): missing.
    # Area 2: a draft on the previous board's day (not after it) and a returned one after.
    factories.ProgressUpdateFactory(area=world.other_area, author=officer, as_at=D(2026, 3, 12))
    factories.ProgressUpdateFactory(
        area=world.other_area, author=officer, as_at=D(2026, 4, 1), state="returned"
    )
    # Area 3: a draft and a submitted one. Area 4: submitted and approved.
    factories.ProgressUpdateFactory(area=area3, author=officer, as_at=D(2026, 4, 1))
    factories.ProgressUpdateFactory(
        area=area3, author=officer, as_at=D(2026, 4, 2), state=ProgressUpdate.State.SUBMITTED
    )
    factories.ProgressUpdateFactory(
        area=area4, author=officer, as_at=D(2026, 4, 2), state=ProgressUpdate.State.SUBMITTED
    )
    factories.ProgressUpdateFactory(area=area4, author=officer, as_at=D(2026, 3, 13), approved=True)
    states = area_returns({plan.pk: cycle})
    assert world.area.pk not in states  # missing
    assert states[world.other_area.pk] == "returned"
    assert states[area3.pk] == "submitted"
    assert states[area4.pk] == "approved"
