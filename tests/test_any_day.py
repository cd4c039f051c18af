"""The date rules on awkward days: month ends, bank holidays, weekends, 29
February, the clock changes and the minutes around midnight, New Year's Eve,
the last day figures are due and the day after, and 7 December 2026 (the day
the scorecard's test first failed: figures for November not yet due).

Each check travels to the moment (the clock stopped) and compares what the
service says with an expectation worked out here another way: bank holidays
from GOV.UK's list, typed in below; working days, months and quarters counted
by hand; the day in London stated with each moment, not converted.
"""

from __future__ import annotations

import calendar
import datetime
import io
import re

import holidays
import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from measures import scorecard
from plans.models import Milestone, ProgressUpdate
from plans.roles import OFFICER
from reminders.models import Message
from tests import factories
from tests.conftest import london
from tests.measures.conftest import add_value, make_measure

pytestmark = pytest.mark.django_db

D = datetime.date
ONE_DAY = datetime.timedelta(days=1)
FIGURES_DUE_DAYS = 15  # MeasureSettings' default
WORKING_DAYS_BEFORE = 10  # ReturnSettings' default; reminders 5 and 1 working days before that

# GOV.UK's bank holidays for England and Wales (www.gov.uk/bank-holidays).
BANK_HOLIDAYS = {
    # 2026: Boxing Day is a Saturday, so Monday 28 December instead.
    *[D(2026, 1, 1), D(2026, 4, 3), D(2026, 4, 6), D(2026, 5, 4), D(2026, 5, 25)],
    *[D(2026, 8, 31), D(2026, 12, 25), D(2026, 12, 28)],
    # 2027: Christmas Day and Boxing Day fall at a weekend: Monday 27 and Tuesday 28.
    *[D(2027, 1, 1), D(2027, 3, 26), D(2027, 3, 29), D(2027, 5, 3), D(2027, 5, 31)],
    *[D(2027, 8, 30), D(2027, 12, 27), D(2027, 12, 28)],
    # 2028: New Year's Day is a Saturday, so Monday 3 January.
    *[D(2028, 1, 3), D(2028, 4, 14), D(2028, 4, 17), D(2028, 5, 1), D(2028, 5, 29)],
    *[D(2028, 8, 28), D(2028, 12, 25), D(2028, 12, 26)],
}

# (the moment, the day it is in London). Times without an offset are London's.
MOMENTS = {
    "31 January 2027, a Sunday": ("2027-01-31T10:00", D(2027, 1, 31)),
    "28 February 2027, a Sunday": ("2027-02-28T10:00", D(2027, 2, 28)),
    "30 April 2027, a Friday": ("2027-04-30T10:00", D(2027, 4, 30)),
    "31 July 2027, a Saturday": ("2027-07-31T10:00", D(2027, 7, 31)),
    "Christmas Day 2026": ("2026-12-25T10:00", D(2026, 12, 25)),
    "Boxing Day 2026, a Saturday": ("2026-12-26T10:00", D(2026, 12, 26)),
    "28 December 2026, Boxing Day's bank holiday": ("2026-12-28T10:00", D(2026, 12, 28)),
    "New Year's Day 2027": ("2027-01-01T10:00", D(2027, 1, 1)),
    "Good Friday 2027": ("2027-03-26T10:00", D(2027, 3, 26)),
    "Easter Monday 2027": ("2027-03-29T10:00", D(2027, 3, 29)),
    "Early May bank holiday 2027": ("2027-05-03T10:00", D(2027, 5, 3)),
    "Spring bank holiday 2027": ("2027-05-31T10:00", D(2027, 5, 31)),
    "Summer bank holiday 2027": ("2027-08-30T10:00", D(2027, 8, 30)),
    "29 February 2028": ("2028-02-29T10:00", D(2028, 2, 29)),
    "the clocks go forward": ("2027-03-28T01:30+00:00", D(2027, 3, 28)),
    "the clocks go back": ("2027-10-31T01:30+00:00", D(2027, 10, 31)),
    "30 seconds before midnight, the night before the clocks go forward": (
        "2027-03-27T23:59:30+00:00",
        D(2027, 3, 27),
    ),
    "half past midnight on 1 April, still 31 March in UTC": (
        "2027-03-31T23:30+00:00",
        D(2027, 4, 1),
    ),
    "half past midnight on 1 July, still 30 June in UTC": ("2027-06-30T23:30+00:00", D(2027, 7, 1)),
    "half past midnight on 31 October, before the clocks go back": (
        "2027-10-30T23:30+00:00",
        D(2027, 10, 31),
    ),
    "a minute to midnight on New Year's Eve": ("2026-12-31T23:59", D(2026, 12, 31)),
    "the last minute December's figures are not yet late": ("2027-01-15T23:59:30", D(2027, 1, 15)),
    "the first minute they are": ("2027-01-16T00:00:30", D(2027, 1, 16)),
    "7 December 2026": ("2026-12-07T19:00", D(2026, 12, 7)),
}


@pytest.fixture(params=list(MOMENTS.values()), ids=list(MOMENTS))
def today(request, time_machine) -> datetime.date:
    """Travel to the moment, the clock stopped; the day it is in London."""
    moment, day = request.param
    time_machine.move_to(london(moment), tick=False)
    assert timezone.localdate() == day
    return day


# --- Expectations, worked out without the service's code -----------------------------------


def is_working(day: datetime.date) -> bool:
    return day.weekday() < 5 and day not in BANK_HOLIDAYS


def working_days_after(day: datetime.date, n: int) -> datetime.date:
    """The n-th working day after ``day`` (before it, n negative); ``day`` not counted."""
    step = ONE_DAY if n > 0 else -ONE_DAY
    for _ in range(abs(n)):
        day += step
        while not is_working(day):
            day += step
    return day


def last_working_day(day: datetime.date) -> datetime.date:
    """``day`` itself if it is a working day, else the working day before it."""
    while not is_working(day):
        day -= ONE_DAY
    return day


def next_working_day(day: datetime.date) -> datetime.date:
    day += ONE_DAY
    while not is_working(day):
        day += ONE_DAY
    return day


def months_before(first: datetime.date, n: int) -> datetime.date:
    index = first.year * 12 + first.month - 1 - n
    return D(index // 12, index % 12 + 1, 1)


def last_day(first: datetime.date, months: int) -> datetime.date:
    """The last day of the period of ``months`` months starting ``first``."""
    end = months_before(first, -(months - 1))
    return end.replace(day=calendar.monthrange(end.year, end.month)[1])


def periods_by(day: datetime.date, months: int) -> tuple[datetime.date, datetime.date]:
    """(the last period ended by the end of ``day``, the last whose figure was
    due by then): months, or quarters from January, April, July and October."""
    first = D(day.year, day.month - (day.month - 1) % months, 1)
    while last_day(first, months) > day:
        first = months_before(first, months)
    ended = first
    while last_day(first, months) + datetime.timedelta(days=FIGURES_DUE_DAYS) > day:
        first = months_before(first, months)
    return ended, first


def quarter_label(first: datetime.date) -> str:
    end = last_day(first, 3)
    return f"{first:%b}–{end:%b} {end.year}"


def written(day: datetime.date) -> str:
    return f"{day.day} {day:%B %Y}"


def written_in_full(day: datetime.date) -> str:
    return f"{day:%A} {day.day} {day:%B %Y}"


def test_the_bank_holidays_are_gov_uks():
    for year in (2026, 2027, 2028):
        # The package names a holiday at a weekend too, beside its substitute day.
        service = {d for d in holidays.UK(subdiv="ENG", years=year) if d.weekday() < 5}
        assert service == {d for d in BANK_HOLIDAYS if d.year == year}


def test_the_hand_counts_agree_with_known_answers():
    """The expectations' own arithmetic, on answers read off a calendar."""
    assert working_days_after(D(2026, 12, 24), 1) == D(2026, 12, 29)
    assert working_days_after(D(2027, 3, 30), -1) == D(2027, 3, 25)
    assert periods_by(D(2026, 12, 7), 1) == (D(2026, 11, 1), D(2026, 10, 1))
    assert periods_by(D(2026, 12, 15), 1) == (D(2026, 11, 1), D(2026, 11, 1))
    assert periods_by(D(2027, 3, 31), 3) == (D(2027, 1, 1), D(2026, 10, 1))
    assert periods_by(D(2027, 4, 15), 3) == (D(2027, 1, 1), D(2027, 1, 1))


# --- A small plan the officer works in ------------------------------------------------------


def officer_in_plan(officer, slug: str):
    plan = factories.PlanFactory(slug=slug, title=f"Plan {slug}")
    factories.join(plan, {officer: OFFICER})
    lead = factories.OwnerFactory(user=officer, organisation=plan.organisation)
    area = factories.ImprovementAreaFactory(plan=plan, number=1, lead=lead)
    return plan, area


def new_officer():
    return factories.UserFactory(username="officer", email="officer@example.org")


@pytest.fixture(scope="module")
def client() -> Client:
    """One client for the module, signed in afresh by each test: each new one
    loads the middleware again, and WhiteNoise lists every static file."""
    return Client()


def between(body: str, start: str, end: str | None = None) -> str:
    part = body[body.index(start) :]
    return part[: part.index(end)] if end else part


# --- The checks -----------------------------------------------------------------------------


def test_the_scorecard_asks_for_the_latest_figure_due(today, client):
    user = new_officer()
    plan, area = officer_in_plan(user, "plan")
    monthly = make_measure(area, area.lead, name="Visits on time")
    quarterly = make_measure(area, area.lead, name="Re-referrals", frequency="quarterly")
    month_ended, month_due = periods_by(today, 1)
    quarter_ended, quarter_due = periods_by(today, 3)
    # A figure for the month before the one due, and one entered early for the
    # month just ended when its figure is not due yet: neither is the one due.
    add_value(monthly, months_before(month_due, 1), 80)
    if month_ended != month_due:
        add_value(monthly, month_ended, 85)
    add_value(quarterly, months_before(quarter_due, 3), 10)
    url = reverse("reporting:dashboard_section", args=[plan.slug, "measures"])
    client.force_login(user)
    section = between(client.get(url).content.decode(), 'id="scorecard"', "<table")
    assert (
        f"2 measures are missing their latest figure (due by the end of {written(today)}): "
    ) in section
    assert f"Visits on time</a> ({month_due:%B %Y})" in section
    assert f"Re-referrals</a> ({quarter_label(quarter_due)})" in section
    # Once they are in, nothing is missing.
    add_value(monthly, month_due, 90)
    add_value(quarterly, quarter_due, 12)
    assert scorecard.at(plan, timezone.localdate()).missing == []


def test_my_work_says_what_is_due_and_what_is_overdue(today, client):
    user = new_officer()
    yesterday, working = today - ONE_DAY, last_working_day(today)

    # Plan A: a board yesterday, and the next due back on the last working day.
    plan_a, area_a = officer_in_plan(user, "plan-a")
    factories.MeetingFactory(plan=plan_a, date=yesterday)
    board_a = factories.MeetingFactory(
        plan=plan_a, date=working_days_after(working, WORKING_DAYS_BEFORE)
    )
    # Reports progress as at the day of the last board, which saw it: not in.
    factories.ProgressUpdateFactory(area=area_a, approved=True, as_at=yesterday, author=user)
    # Plan B: updates due the working day before that; one in draft, as at today: in.
    plan_b, area_b = officer_in_plan(user, "plan-b")
    factories.MeetingFactory(plan=plan_b, date=yesterday)
    board_b = factories.MeetingFactory(
        plan=plan_b, date=working_days_after(working, WORKING_DAYS_BEFORE - 1)
    )
    factories.ProgressUpdateFactory(
        area=area_b, as_at=today, author=user, state=ProgressUpdate.State.DRAFT
    )
    # Plan C: a board today is still the next board (until the day is over).
    plan_c, _ = officer_in_plan(user, "plan-c")
    factories.MeetingFactory(plan=plan_c, date=today - datetime.timedelta(days=40))
    factories.MeetingFactory(plan=plan_c, date=today)

    for title, due, forecast in [
        ("Due yesterday", yesterday, None),
        ("Due today", today, None),
        ("Due in 30 days", today + datetime.timedelta(days=30), None),
        ("Due in 31 days", today + datetime.timedelta(days=31), None),
        ("Re-forecast to yesterday", today + datetime.timedelta(days=10), yesterday),
        ("Re-forecast to today", yesterday, today),
    ]:
        factories.MilestoneFactory(area=area_a, title=title, due_date=due, forecast_date=forecast)
    factories.MilestoneFactory(
        area=area_a,
        title="Done",
        due_date=yesterday,
        status=Milestone.Status.COMPLETE,
        completed_date=yesterday,
    )
    monthly = make_measure(area_a, area_a.lead, name="Visits on time")
    quarterly = make_measure(area_a, area_a.lead, name="Re-referrals", frequency="quarterly")

    client.force_login(user)
    body = client.get(reverse("plans:my_work")).content.decode()

    # Updates for the next board: each plan's due date, "Overdue" once it has passed.
    returns = between(body, "Updates due for the next board", "Updates in draft")
    items = re.findall(r"<li>(.*?)</li>", returns, re.S)
    found = {
        re.search(r"/plans/([\w-]+)/", item).group(1): (
            re.search(r"update due by ([^<]+)</a>", item).group(1),
            "Overdue" in item,
            "(in draft)" in item,
        )
        for item in items
    }
    due_c = working_days_after(today, -WORKING_DAYS_BEFORE)
    assert found == {
        "plan-a": (written_in_full(working), today != working, False),
        "plan-b": (written_in_full(working_days_after(working, -1)), True, True),
        "plan-c": (written_in_full(due_c), True, False),
    }
    assert f"For the Improvement Board on {written_in_full(board_a.date)}." in returns
    assert f"For the Improvement Board on {written_in_full(board_b.date)}." in returns
    assert f"For the Improvement Board on {written_in_full(today)}." in returns

    # Milestones: overdue the day after they are expected, listed for 30 days before.
    overdue = between(body, "Milestones overdue", "Milestones due in the next")
    soon = between(body, "Milestones due in the next")
    assert sorted(re.findall(r"Area 1: ([^<]+)</a>", overdue)) == [
        "Due yesterday",
        "Re-forecast to yesterday",
    ]
    assert sorted(re.findall(r"Area 1: ([^<]+)</a>", soon)) == [
        "Due in 30 days",
        "Due today",
        "Re-forecast to today",
    ]

    # Figures: the last period ended and the last due, each with its due date.
    figures = between(body, "Figures due from you", "Milestones overdue")
    listed = [
        (name, label, due, "Overdue" in tag)
        for tag, name, label, due in re.findall(
            r"<li>(.*?)<a [^>]+>([^:<]+): figure for ([^<]+)</a>, due by ([^<]+)<br>", figures
        )
    ]
    expected = []
    for measure, months, label in [
        (monthly, 1, lambda p: f"{p:%B %Y}"),
        (quarterly, 3, quarter_label),
    ]:
        for period in sorted(set(periods_by(today, months))):
            due = last_day(period, months) + datetime.timedelta(days=FIGURES_DUE_DAYS)
            expected.append((measure.name, label(period), written(due), due < today))
    assert sorted(listed) == sorted(expected)


def test_reminders_go_on_working_days(today):
    user = new_officer()
    plan, _ = officer_in_plan(user, "plan")
    # The first reminder (5 working days before updates are due) falls on the
    # last working day: today, or before the weekend or bank holiday it is.
    reminder = last_working_day(today)
    due = working_days_after(reminder, 5)
    factories.MeetingFactory(plan=plan, date=working_days_after(due, WORKING_DAYS_BEFORE))

    call_command("send_reminders", stdout=io.StringIO())  # on the clock: today
    sent = list(Message.objects.values_list("kind", "due_on", "status"))
    if is_working(today):
        assert sent == [(Message.Kind.RETURN_DUE, today, Message.Status.SENT)]
        assert [m.to for m in mail.outbox] == [["officer@example.org"]]
        assert f"by {written_in_full(due)}" in mail.outbox[0].body
        return
    # Nothing is sent on a day that is not a working day...
    assert sent == [] and mail.outbox == []
    # ...and the reminder missed goes on the next working day, once.
    on = next_working_day(today)
    for _ in range(2):
        call_command("send_reminders", "--now", f"{on}T09:00", stdout=io.StringIO())
    sent = list(Message.objects.values_list("kind", "due_on", "status"))
    assert sent == [(Message.Kind.RETURN_DUE, reminder, Message.Status.SENT)]
    assert len(mail.outbox) == 1
