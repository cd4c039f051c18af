"""send_reminders through GOV.UK Notify's API client, against a fake Notify on loopback."""

from __future__ import annotations

import pytest

from reminders.models import Message
from reminders.services import run

from .conftest import FIRST_REMINDER, at, boards

pytestmark = pytest.mark.django_db


def test_messages_go_through_notify_with_the_generic_template(world, notify, settings):
    boards(world.plan)
    outcome = run(at(FIRST_REMINDER))
    assert outcome.sent == len(notify.requests) >= 3
    by_address = {r["email_address"]: r for r in notify.requests}
    officer = by_address["other_officer@example.org"]
    assert officer["template_id"] == settings.NOTIFY_TEMPLATE_ID
    assert officer["personalisation"]["subject"] == (
        "Your update for the Improvement Board is due by Tuesday 26 May 2026"
    )
    body = officer["personalisation"]["body"]
    assert "/plans/childrens-services/areas/2/updates/new/" in body
    assert world.approved.narrative not in body
    message = Message.objects.get(recipient=world.users["other_officer"], kind="return_due")
    assert officer["reference"] == f"message-{message.pk}"
    assert message.status == Message.Status.SENT
    assert message.sent_by == "notify"
    assert message.provider_reference  # Notify's id for the notification
    # Run again: nothing more reaches Notify.
    run(at(FIRST_REMINDER, 10))
    assert len(notify.requests) == outcome.sent


def test_notify_failures_are_retried_on_the_next_run(world, notify):
    boards(world.plan)
    notify.fail = True
    first = run(at(FIRST_REMINDER))
    assert first.sent == 0 and first.retrying >= 3
    assert notify.requests == []
    assert set(Message.objects.values_list("status", flat=True)) == {Message.Status.RETRYING}
    assert "500" in Message.objects.first().last_error
    notify.fail = False
    second = run(at(FIRST_REMINDER, 10))
    assert second.sent == first.retrying == len(notify.requests)
