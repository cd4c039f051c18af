"""A line break stored in a plan's title or council's name never stops its
e-mails: subjects and senders' names go on one line. A message that can never
go (a header Django refuses, an address that is not one, Notify's 400) is
given up at its first try and reported to the plan's administrators, not
retried run after run."""

from __future__ import annotations

import datetime
import smtplib
from io import StringIO

import pytest
from django.core.mail import BadHeaderError
from django.core.management import call_command
from requests import Response

from reminders.models import Message
from reminders.sending import DjangoMailSender, NotifySender
from reminders.services import run

from .conftest import FIRST_REMINDER, at, boards

pytestmark = pytest.mark.django_db

SUMMARY = "Children's Services Plan: this week's summary"
ADMIN = "admin@example.org"
REPORT = "An e-mail from the improvement plan could not be sent"


def send(day: datetime.date, hour: int = 9) -> None:
    call_command("send_reminders", "--now", at(day, hour).isoformat(), stdout=StringIO())


@pytest.fixture
def plan(world):
    boards(world.plan)
    return world


def test_a_title_with_a_line_break_still_gets_its_weekly_digest(plan, smtp):
    council = plan.plan.organisation
    council.name = "Plymouth\nCity Council"
    council.save()
    plan.plan.title = "Children's Services\r\nPlan"
    plan.plan.save()

    send(FIRST_REMINDER)
    digest = Message.objects.get(kind=Message.Kind.DIGEST)
    assert (digest.status, digest.attempts) == (Message.Status.SENT, 1)
    assert digest.subject == SUMMARY
    (received,) = [m for m in smtp.to(ADMIN) if str(m["Subject"]) == SUMMARY]
    assert received["From"].addresses[0].display_name == "Plymouth City Council"
    assert "\n" not in str(received["Subject"])
    assert "the Children's Services Plan:" in received.get_body(("plain",)).get_content()


def stuck_digest(world) -> Message:
    """A digest recorded before titles were checked, and retried since."""
    admin = world.users["admin"]
    return Message.objects.create(
        plan=world.plan,
        recipient=admin,
        kind=Message.Kind.DIGEST,
        about=f"plan:{world.plan.pk}",
        due_on=datetime.date(2026, 5, 11),
        email=admin.email,
        subject="Children's Services\r\nPlan: this week's summary",
        body_text="Dear Test,\n",
        body_html="<p>Dear Test,</p>",
        link="http://testserver/",
        status=Message.Status.RETRYING,
        attempts=3,
    )


def test_a_message_recorded_with_a_broken_subject_is_sent_on_one_line(plan, smtp):
    stuck = stuck_digest(plan)
    run(at(FIRST_REMINDER))
    stuck.refresh_from_db()
    assert stuck.status == Message.Status.SENT
    assert [str(m["Subject"]) for m in smtp.to(ADMIN)].count(SUMMARY) == 2  # and this week's


def test_an_address_that_is_not_one_fails_at_once_and_is_reported(plan, smtp, settings):
    settings.REMINDER_MAX_ATTEMPTS = 5
    officer = plan.users["other_officer"]
    officer.email = "other_officer@"  # the domain left off
    officer.save()

    outcome = run(at(FIRST_REMINDER))
    failed = Message.objects.get(recipient=officer, kind=Message.Kind.RETURN_DUE)
    assert (failed.status, failed.attempts) == (Message.Status.FAILED, 1)
    assert "Invalid address" in failed.last_error
    assert outcome.failed == 1 and outcome.retrying == 0
    # Reported to the plan's administrator in the same run, once.
    (report,) = [m for m in smtp.to(ADMIN) if str(m["Subject"]) == REPORT]
    text = report.get_body(("plain",)).get_content()
    assert "return reminder e-mail to Test" in text
    assert "could not be sent." in text and "tries" not in text

    run(at(FIRST_REMINDER, 10))
    run(at(FIRST_REMINDER, 11))
    failed.refresh_from_db()
    assert (failed.status, failed.attempts) == (Message.Status.FAILED, 1)
    assert len([m for m in smtp.to(ADMIN) if str(m["Subject"]) == REPORT]) == 1


def test_notify_refusing_a_message_fails_it_at_once_and_it_is_reported(plan, notify):
    notify.refuse = {"other_officer@example.org"}
    stuck = stuck_digest(plan)
    run(at(FIRST_REMINDER))
    stuck.refresh_from_db()
    assert stuck.status == Message.Status.SENT
    subjects = [r["personalisation"]["subject"] for r in notify.requests]
    assert subjects.count(SUMMARY) == 2  # the stuck one, on one line, and this week's
    failed = Message.objects.get(
        recipient=plan.users["other_officer"], kind=Message.Kind.RETURN_DUE
    )
    assert (failed.status, failed.attempts) == (Message.Status.FAILED, 1)
    assert "400" in failed.last_error
    reports = [
        r
        for r in notify.requests
        if r["email_address"] == ADMIN and r["personalisation"]["subject"] == REPORT
    ]
    assert len(reports) == 1
    run(at(FIRST_REMINDER, 10))
    failed.refresh_from_db()
    assert failed.attempts == 1


def test_what_counts_as_lasting():
    from notifications_python_client.errors import HTTPError

    def notify_error(status: int) -> HTTPError:
        response = Response()
        response.status_code = status
        return HTTPError(response)

    assert DjangoMailSender.permanent(BadHeaderError("Header values can't contain newlines"))
    assert DjangoMailSender.permanent(ValueError('Invalid address "x"'))
    # A server's refusal, a dropped connection: another run may get through.
    refused = smtplib.SMTPRecipientsRefused({"a@example.org": (550, b"Mailbox unavailable")})
    assert not DjangoMailSender.permanent(refused)
    assert not DjangoMailSender.permanent(ConnectionRefusedError())
    assert NotifySender.permanent(notify_error(400))
    for status in (403, 429, 500, 503):
        assert not NotifySender.permanent(notify_error(status))
