"""E-mails that follow sign-off events, sent after the transaction commits.

They receive plans' sign-off signals (plans/signals.py, connected in
RemindersConfig.ready), sent once the write is committed: a submitted
update asks the plan's other administrators to sign it off; an approved or
returned one tells its author (the reviewer's comment stays on the page).
They are logged like every other message (exactly once per version of the
update) and never let a failure reach the person who pressed the button: a
message that cannot go now is retried by the next ``send_reminders`` run.
"""

from __future__ import annotations

import logging

from django.utils import timezone

from plans import permissions
from plans.models import ProgressUpdate

from . import emails
from .emails import Planned
from .models import Message
from .services import members_of, record_and_send

log = logging.getLogger(__name__)

State = ProgressUpdate.State


def update_submitted(sender, *, update_id: int, **kwargs) -> None:
    _safely(_submitted, update_id)


def update_reviewed(sender, *, update_id: int, **kwargs) -> None:
    _safely(_reviewed, update_id)


def _safely(handler, update_id: int) -> None:
    try:
        handler(update_id)
    except Exception:  # noqa: BLE001 - the sign-off itself has been saved
        log.exception("sign-off e-mail for update %s not recorded", update_id)


def _load(update_id: int) -> ProgressUpdate | None:
    return ProgressUpdate.objects.select_related("area__plan").filter(pk=update_id).first()


def _submitted(update_id: int) -> None:
    update = _load(update_id)
    if update is None or update.state != State.SUBMITTED:
        return
    plan = update.area.plan
    context = emails.update_context(update, review=True)
    approvers = [
        recipient
        for user_id, (recipient, role) in members_of([plan.pk]).get(plan.pk, {}).items()
        if permissions.may_review(role, user_id, update)
    ]
    today = timezone.localdate()
    about = f"update:{update.pk}:v{update.version}"
    record_and_send(
        [
            Planned(plan.pk, r, Message.Kind.SIGN_OFF_REQUEST, about, today, context)
            for r in approvers
        ]
    )


def _reviewed(update_id: int) -> None:
    update = _load(update_id)
    if update is None or update.state not in (State.APPROVED, State.RETURNED):
        return
    plan = update.area.plan
    author = members_of([plan.pk]).get(plan.pk, {}).get(update.author_id)
    if author is None:
        return  # no longer in the plan, deactivated, or no e-mail address
    kind = (
        Message.Kind.UPDATE_APPROVED
        if update.state == State.APPROVED
        else Message.Kind.UPDATE_RETURNED
    )
    context = emails.update_context(update, review=False)
    about = f"update:{update.pk}:v{update.version}"
    record_and_send([Planned(plan.pk, author[0], kind, about, timezone.localdate(), context)])
