"""send_reminders against a real SMTP server on loopback: the right people on
the right working day, exactly once, retried and reported when a send fails."""

from __future__ import annotations

import datetime
from io import StringIO

import pytest
from django.core.management import call_command

from plans.models import ProgressUpdate
from reminders.models import EmailPreferences, Message
from reminders.services import run
from tests import factories

from .conftest import (
    BANK_HOLIDAY,
    DUE,
    FIRST_REMINDER,
    LAST_REMINDER,
    MISSED,
    at,
    boards,
)

pytestmark = pytest.mark.django_db

OFFICER = "officer@example.org"
OTHER = "other_officer@example.org"
ADMIN = "admin@example.org"
NARRATIVE = "Caseloads audited in every team; SECRET-NARRATIVE-TEXT."


def send(day: datetime.date, hour: int = 9) -> str:
    out = StringIO()
    call_command("send_reminders", "--now", at(day, hour).isoformat(), stdout=out)
    return out.getvalue()


@pytest.fixture
def plan(world):
    boards(world.plan)
    # An update in draft with narrative that must never reach an e-mail body.
    factories.ProgressUpdateFactory(
        area=world.area,
        author=world.users["officer"],
        as_at=datetime.date(2026, 5, 1),
        narrative=NARRATIVE,
    )
    return world


def kinds_to(address: str, smtp) -> list[str]:
    return sorted(str(m["Subject"]) for m in smtp.to(address))


def test_reminders_go_on_the_right_working_days_exactly_once(plan, smtp):
    # Before the first reminder day: nothing about the return (the milestone
    # of 2015 is overdue, and the administrator's weekly summary is due).
    send(FIRST_REMINDER - datetime.timedelta(days=3))  # Friday 15 May
    assert not [s for _, s in smtp.subjects() if "is due by" in s]
    smtp.clear()

    out = send(FIRST_REMINDER)  # Monday 18 May: 5 working days before the due date
    assert "sent" in out
    due = "Your update for the Improvement Board is due by Tuesday 26 May 2026"
    assert due in kinds_to(OFFICER, smtp)
    assert due in kinds_to(OTHER, smtp)
    assert "Children's Services Plan: this week's summary" in kinds_to(ADMIN, smtp)
    assert not [s for s in kinds_to(ADMIN, smtp) if "is due by" in s]
    # Nobody outside the plan hears anything of it.
    assert not smtp.to("outsider@example.org")
    first_day = len(smtp.messages)

    # Again, the same morning and later that day: nothing more.
    send(FIRST_REMINDER)
    send(FIRST_REMINDER, hour=16)
    assert len(smtp.messages) == first_day

    # Friday 22 May: the last reminder, a working day before the due date
    # (Monday 25 May is a bank holiday, Tuesday 26 May the due date).
    smtp.clear()
    send(LAST_REMINDER)
    assert due in kinds_to(OFFICER, smtp)
    assert due in kinds_to(OTHER, smtp)
    # The bank holiday: no reminders, no digest, nothing.
    smtp.clear()
    send(BANK_HOLIDAY)
    send(BANK_HOLIDAY + datetime.timedelta(days=-2))  # a Saturday too
    assert smtp.messages == []
    # The due date itself: already reminded for it.
    send(DUE)
    assert not [s for _, s in smtp.subjects() if "Improvement Board" in s]

    # The officer submits an update that counts; the other officer does not.
    factories.ProgressUpdateFactory(
        area=plan.area,
        author=plan.users["officer"],
        as_at=datetime.date(2026, 5, 26),
        state=ProgressUpdate.State.SUBMITTED,
        narrative=NARRATIVE,
    )
    smtp.clear()
    send(MISSED)  # Wednesday 27 May: the working day after the due date
    missed = "Your update for the Improvement Board was due on Tuesday 26 May 2026"
    assert missed in kinds_to(OTHER, smtp)
    assert missed not in kinds_to(OFFICER, smtp)
    send(MISSED, hour=15)
    assert len([s for _, s in smtp.subjects() if s == missed]) == 1

    # What was sent is in the log, each once.
    sent = Message.objects.filter(status=Message.Status.SENT)
    assert sent.filter(kind=Message.Kind.RETURN_DUE, recipient__username="officer").count() == 2
    assert sent.filter(kind=Message.Kind.RETURN_MISSED).count() == 1


def test_no_plan_narrative_reaches_any_body(plan, smtp):
    for day in (FIRST_REMINDER, MISSED):
        send(day)
    assert smtp.messages
    for _, message in smtp.messages:
        text = message.get_body(("plain",)).get_content()
        html = message.get_body(("html",)).get_content()
        for body in (text, html):
            assert "SECRET-NARRATIVE-TEXT" not in body
            assert plan.approved.narrative not in body
            assert plan.milestone.title not in body
        # One link, to this service.
        assert text.count("http://") + text.count("https://") == 1


def test_the_sender_is_the_council_and_the_link_is_absolute(plan, smtp, settings):
    settings.SITE_URL = "https://plans.plymouth.example.org"
    send(FIRST_REMINDER)
    (message,) = [m for m in smtp.to(OTHER) if "is due by" in str(m["Subject"])]
    assert message["From"].addresses[0].display_name == plan.plan.organisation.name
    assert message["From"].addresses[0].addr_spec == settings.DEFAULT_FROM_EMAIL
    text = message.get_body(("plain",)).get_content()
    # One area owed: the link is its update form.
    assert (
        "https://plans.plymouth.example.org/plans/childrens-services/areas/2/updates/new/" in text
    )
    assert "Dear Test" in text


def test_inactive_users_and_people_outside_the_plan_get_nothing(plan, smtp):
    other = plan.users["other_officer"]
    other.is_active = False
    other.save()
    # The outsider leads an area of this plan but holds no role in it.
    factories.ImprovementAreaFactory(
        plan=plan.plan,
        number=3,
        lead=factories.OwnerFactory(
            organisation=plan.plan.organisation, user=plan.users["outsider"]
        ),
    )
    send(FIRST_REMINDER)
    assert not smtp.to(OTHER)
    assert not smtp.to("outsider@example.org")
    assert smtp.to(OFFICER)


def test_opt_outs_are_respected_and_return_reminders_stay_on(plan, smtp):
    EmailPreferences.objects.create(user=plan.users["admin"], weekly_digest=False)
    EmailPreferences.objects.create(user=plan.users["officer"], milestone_nudges=False)
    send(FIRST_REMINDER)
    assert not [s for s in kinds_to(ADMIN, smtp) if "summary" in s]
    officer = kinds_to(OFFICER, smtp)
    assert not [s for s in officer if "milestone" in s]
    assert [s for s in officer if "is due by" in s]


def test_overdue_milestones_once_then_weekly(world, smtp):
    world.milestone.due_date = datetime.date(2026, 5, 12)  # a Tuesday
    world.milestone.save()
    subject = "A milestone in area 1 is overdue"
    send(datetime.date(2026, 5, 12))  # due today: not overdue yet
    assert subject not in kinds_to(OFFICER, smtp)
    send(datetime.date(2026, 5, 13))  # first day overdue
    assert kinds_to(OFFICER, smtp).count(subject) == 1
    for day in (14, 15, 18, 19):
        send(datetime.date(2026, 5, day))
    assert kinds_to(OFFICER, smtp).count(subject) == 1
    send(datetime.date(2026, 5, 20))  # a week on
    assert kinds_to(OFFICER, smtp).count(subject) == 2
    # Completed: no more.
    world.milestone.status = "complete"
    world.milestone.completed_date = datetime.date(2026, 5, 21)
    world.milestone.save()
    send(datetime.date(2026, 5, 27))
    assert kinds_to(OFFICER, smtp).count(subject) == 2


def test_digest_weekly_to_plan_administrators_only(plan, smtp):
    summary = "Children's Services Plan: this week's summary"
    send(FIRST_REMINDER)  # Monday
    send(datetime.date(2026, 5, 20))  # Wednesday, same week
    assert kinds_to(ADMIN, smtp).count(summary) == 1
    for address in (OFFICER, OTHER, "board@example.org", "scrutiny@example.org"):
        assert summary not in kinds_to(address, smtp)
    (message,) = [m for m in smtp.to(ADMIN) if str(m["Subject"]) == summary]
    text = message.get_body(("plain",)).get_content()
    assert "2 updates still to come for the Improvement Board on Tuesday 9 June 2026" in text
    assert "1 overdue milestone" in text
    # The next week's first working day is a bank holiday: Tuesday instead.
    send(BANK_HOLIDAY)
    assert kinds_to(ADMIN, smtp).count(summary) == 1
    send(DUE)
    assert kinds_to(ADMIN, smtp).count(summary) == 2


def test_a_failing_send_is_retried_then_reported(plan, smtp, settings):
    settings.REMINDER_MAX_ATTEMPTS = 3
    smtp.refuse = {OTHER}
    send(FIRST_REMINDER, hour=9)
    message = Message.objects.get(recipient__username="other_officer", kind="return_due")
    assert message.status == Message.Status.RETRYING
    assert message.attempts == 1
    assert "Mailbox unavailable" in message.last_error or "refused" in message.last_error.lower()
    send(FIRST_REMINDER, hour=10)
    message.refresh_from_db()
    assert (message.status, message.attempts) == (Message.Status.RETRYING, 2)
    assert not [s for s in kinds_to(ADMIN, smtp) if "could not be sent" in s]
    send(FIRST_REMINDER, hour=11)
    message.refresh_from_db()
    assert (message.status, message.attempts) == (Message.Status.FAILED, 3)
    reports = [m for m in smtp.to(ADMIN) if "could not be sent" in str(m["Subject"])]
    assert len(reports) == 1
    assert "return reminder e-mail to Test" in reports[0].get_body(("plain",)).get_content()
    # Given up: never tried again, never reported again.
    smtp.refuse = set()
    send(FIRST_REMINDER, hour=12)
    send(datetime.date(2026, 5, 19))
    message.refresh_from_db()
    assert (message.status, message.attempts) == (Message.Status.FAILED, 3)
    assert not [s for s in kinds_to(OTHER, smtp) if "is due by" in s]
    assert len([m for m in smtp.to(ADMIN) if "could not be sent" in str(m["Subject"])]) == 1


def test_a_server_that_is_down_leaves_messages_to_retry(plan, settings, smtp):
    settings.EMAIL_PORT = 1  # nothing listens there
    outcome = run(at(FIRST_REMINDER))
    assert outcome.sent == 0 and outcome.retrying >= 2
    assert Message.objects.filter(status=Message.Status.RETRYING).count() == outcome.retrying
    assert smtp.messages == []
    # The server is back: the next run sends them, once.
    settings.EMAIL_PORT = smtp.port
    again = run(at(FIRST_REMINDER, 10))
    assert again.sent == outcome.retrying
    assert len(smtp.messages) == outcome.retrying
    assert not Message.objects.exclude(status=Message.Status.SENT).exists()


def test_a_bad_now_is_a_command_error(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="--now"):
        call_command("send_reminders", "--now", "next tuesday")
