"""Sign-off e-mails: sent after the transaction commits, logged, no comment or narrative."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail

from plans import services
from plans.models import ProgressUpdate
from reminders.models import Message
from tests import factories

pytestmark = pytest.mark.django_db

VALUES = {
    "as_at": datetime.date(2026, 5, 1),
    "rag": "green",
    "narrative": "PRIVATE-NARRATIVE of the update.",
    "next_steps": "",
    "evidence": "",
    "rag_reason": "",
}


def submit(world, django_capture_on_commit_callbacks) -> ProgressUpdate:
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        update = services.record_update(
            area=world.area, user=world.users["officer"], values=VALUES, submit=True
        )
    assert callbacks, "sent on commit"
    return update


def test_submitting_asks_the_plans_other_administrators(world, django_capture_on_commit_callbacks):
    second_admin = factories.UserFactory(username="admin2")
    factories.join(world.plan, {second_admin: "plan_administrator"})
    factories.join(
        world.other_plan, {factories.UserFactory(username="elsewhere"): "plan_administrator"}
    )
    update = submit(world, django_capture_on_commit_callbacks)
    assert sorted(m.to[0] for m in mail.outbox) == ["admin2@example.org", "admin@example.org"]
    message = mail.outbox[0]
    assert message.subject == "An update on area 1 is waiting for your sign-off"
    assert f"/updates/{update.pk}/review/" in message.body
    assert "PRIVATE-NARRATIVE" not in message.body
    assert "PRIVATE-NARRATIVE" not in message.alternatives[0][0]
    assert Message.objects.filter(kind="sign_off_request", status="sent").count() == 2


def test_an_administrator_who_submits_is_not_asked_to_sign_off_their_own(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.record_update(
            area=world.area, user=world.users["admin"], values=VALUES, submit=True
        )
    assert mail.outbox == []


def test_nothing_is_sent_for_a_draft_or_a_rolled_back_submission(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.record_update(
            area=world.area, user=world.users["officer"], values=VALUES, submit=False
        )
    assert mail.outbox == []
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        submit_without_commit = services.record_update(
            area=world.area, user=world.users["officer"], values=VALUES, submit=True
        )
    assert submit_without_commit.pk and callbacks  # registered, but not run: not committed
    assert mail.outbox == []


@pytest.mark.parametrize("approve", [True, False])
def test_the_author_is_told_of_the_outcome_without_the_comment(
    world, django_capture_on_commit_callbacks, approve
):
    update = submit(world, django_capture_on_commit_callbacks)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.review_update(
            update=update,
            user=world.users["admin"],
            approve=approve,
            comment="PRIVATE-COMMENT from the reviewer",
            expected_version=update.version,
        )
    (message,) = mail.outbox
    assert message.to == ["officer@example.org"]
    word = "approved" if approve else "returned to you"
    assert message.subject == f"Your update on area 1 has been {word}"
    assert f"/updates/{update.pk}/" in message.body
    for body in (message.body, message.alternatives[0][0]):
        assert "PRIVATE-COMMENT" not in body
        assert "PRIVATE-NARRATIVE" not in body
    # The sender is the council.
    assert world.plan.organisation.name in message.from_email


def test_resubmitting_after_a_return_asks_again(world, django_capture_on_commit_callbacks):
    update = submit(world, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        services.review_update(
            update=update,
            user=world.users["admin"],
            approve=False,
            comment="More",
            expected_version=update.version,
        )
    update.refresh_from_db()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.submit_update(
            update=update, user=world.users["officer"], expected_version=update.version
        )
    assert [m.to for m in mail.outbox] == [["admin@example.org"]]


def test_a_failing_mail_server_never_breaks_the_sign_off(
    world, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 1, 2
    update = submit(world, django_capture_on_commit_callbacks)
    assert update.state == ProgressUpdate.State.SUBMITTED
    message = Message.objects.get(kind="sign_off_request")
    assert message.status == Message.Status.RETRYING  # the next send_reminders tries again
