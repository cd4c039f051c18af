"""Writes to the plan. Every write goes through ``save()`` so history keeps it.

Functions here are keyword-only and take the user and a reason; they set the
history user and change reason on the instance before saving, so the history
row names the real user even outside a request (management commands, tests).
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Callable

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from . import signals
from .models import (
    Action,
    DatePrecision,
    ImprovementArea,
    Milestone,
    Organisation,
    ProgressUpdate,
    format_plan_date,
    untold_story,
)
from .saving import (
    Belongs,
    DuplicateRecord,
    InvalidTransition,
    clash_message,
    create_once,
    recorded,
    save_version_checked,
    save_with_history,
)


def last_approved_rag(area: ImprovementArea) -> str | None:
    return (
        ProgressUpdate.objects.filter(area=area)
        .latest_approved_first()
        .values_list("rag", flat=True)
        .first()
    )


def _new_update(
    area: ImprovementArea, user: AbstractBaseUser, values: dict, submit: bool
) -> ProgressUpdate:
    update = ProgressUpdate(area=area, author=user, **values)
    if submit:
        update.state = ProgressUpdate.State.SUBMITTED
        update.submitted_at = timezone.now()
    return update


def _save_new_update(update: ProgressUpdate, user: AbstractBaseUser, how: str = "") -> None:
    submitted = update.state == ProgressUpdate.State.SUBMITTED
    said = "Submitted for sign-off" if submitted else "Saved as a draft"
    save_with_history(update, reason=f"{said}: {how}" if how else said, user=user)
    if submitted:  # approvers e-mailed (reminders/) once the submission is committed
        signals.send_on_commit(signals.update_submitted, update)


def record_update(
    *, area: ImprovementArea, user: AbstractBaseUser, values: dict, submit: bool, how: str = ""
) -> ProgressUpdate:
    """A new progress update by ``user``, saved as a draft or submitted for
    sign-off. ``how``: how it came, if not from the update form ("imported
    from updates.xlsx by Ann Lee"), said in its history's reason."""
    update = _new_update(area, user, values, submit)
    # No savepoint: inside a caller's transaction (a workbook's updates, saved
    # together) that transaction keeps the update and its history together.
    with transaction.atomic(savepoint=False):
        _save_new_update(update, user, how)
    return update


def create_update(
    *,
    area: ImprovementArea,
    user: AbstractBaseUser,
    values: dict,
    submit: bool,
    token: uuid.UUID | None,
) -> tuple[ProgressUpdate, bool]:
    """record_update, once per form token: ``(update, created)``."""
    update = _new_update(area, user, values, submit)
    return _create_in_area(
        update, area=area, token=token, save=lambda: _save_new_update(update, user), author=user
    )


def in_area(area: ImprovementArea, author: AbstractBaseUser | None = None) -> Belongs:
    """Whether a record a token made is this area's (and ``author``'s): a form for
    one area posted to another's address, or someone else's form, must not send
    the user to it."""
    return lambda record: (
        record.area_id == area.pk and (author is None or record.author_id == author.pk)
    )


def _create_in_area(
    obj: models.Model,
    *,
    area: ImprovementArea,
    token: uuid.UUID | None,
    save: Callable,
    author: AbstractBaseUser | None = None,
) -> tuple[models.Model, bool]:
    return create_once(obj, token=token, save=save, belongs=in_area(area, author))


def edit_update(
    *,
    update: ProgressUpdate,
    user: AbstractBaseUser,
    values: dict,
    submit: bool,
    expected_version: int,
) -> None:
    """Change a draft or returned update (its author only), and perhaps submit it."""
    for name, value in values.items():
        setattr(update, name, value)
    if submit:
        update.state = ProgressUpdate.State.SUBMITTED
        update.submitted_at = timezone.now()
    reason = "Submitted for sign-off" if submit else "Draft edited"
    with transaction.atomic():
        current = ProgressUpdate.objects.select_for_update().get(pk=update.pk)
        if current.state not in (ProgressUpdate.State.DRAFT, ProgressUpdate.State.RETURNED):
            raise InvalidTransition("This update has been submitted and can no longer be edited")
        save_version_checked(update, expected_version=expected_version, reason=reason, user=user)
        if submit:  # approvers e-mailed (reminders/) once the submission is committed
            signals.send_on_commit(signals.update_submitted, update)


def submit_update(*, update: ProgressUpdate, user: AbstractBaseUser, expected_version: int) -> None:
    """Submit a draft or returned update for sign-off as it stands (from its own page).

    The update must tell its story as the form asks (plans.models.untold_story):
    the status may have become worse than the last approved one since the draft
    was saved (another update approved meanwhile), or the draft was saved
    before the rule asked for a reason and next steps."""
    untold = untold_story(
        update.rag, last_approved_rag(update.area), update.rag_reason, update.next_steps
    )
    if untold:
        raise InvalidTransition(
            f"{'; '.join(untold.values())}: edit the update to say, then submit it"
        )
    edit_update(update=update, user=user, values={}, submit=True, expected_version=expected_version)


def review_update(
    *,
    update: ProgressUpdate,
    user: AbstractBaseUser,
    approve: bool,
    comment: str,
    expected_version: int,
) -> None:
    """Sign-off: approve a submitted update (it becomes the area's current
    status and can reach papers) or return it to its author with a comment."""
    with transaction.atomic():
        current = ProgressUpdate.objects.select_for_update().get(pk=update.pk)
        if current.state != ProgressUpdate.State.SUBMITTED:
            raise InvalidTransition("This update is no longer waiting for sign-off")
        if current.author_id == user.pk:
            raise InvalidTransition("You cannot sign off an update you wrote")
        update.review_comment = comment
        if approve:
            update.state = ProgressUpdate.State.APPROVED
            update.approved_by = user
            update.approved_at = timezone.now()
            reason = "Approved" + (f": {comment}" if comment else "")
        else:
            update.state = ProgressUpdate.State.RETURNED
            reason = f"Returned to the author: {comment}"
        save_version_checked(update, expected_version=expected_version, reason=reason, user=user)
        # The author told of the outcome (reminders/) once it is committed.
        signals.send_on_commit(signals.update_reviewed, update)


def save_action(
    *,
    action: Action,
    partners: list[Organisation],
    user: AbstractBaseUser,
    reason: str,
    expected_version: int | None,
) -> None:
    """Create (``expected_version`` None) or change an action and its partners
    in one transaction; the partners' change is kept in history with the same reason."""
    with transaction.atomic():
        if expected_version is None:
            save_with_history(action, reason=reason, user=user)
        else:
            save_version_checked(
                action, expected_version=expected_version, reason=reason, user=user
            )
        if set(action.partners.all()) != set(partners):
            with recorded(action, reason=reason, user=user):
                action.partners.set(partners)


def action_reference_taken(area: ImprovementArea, reference: str) -> str:
    """The one message for a reference the area already uses (form and service)."""
    return f"Area {area.number} already has an action {reference}: enter another reference"


def _reference_clash(action: Action, clash: Exception) -> DuplicateRecord:
    """A save that failed on a unique check: the reference clash (another tab, a
    racing request) as a form error on the reference, anything else as is."""
    taken = (
        Action.objects.filter(area_id=action.area_id, reference=action.reference)
        .exclude(pk=action.pk)
        .exists()
    )
    if taken:
        return DuplicateRecord(action_reference_taken(action.area, action.reference), "reference")
    if isinstance(clash, DuplicateRecord):
        return clash
    return DuplicateRecord(clash_message(clash))


def create_action(
    *,
    area: ImprovementArea,
    user: AbstractBaseUser,
    values: dict,
    partners: list[Organisation],
    token: uuid.UUID | None,
) -> tuple[Action, bool]:
    """A new action and its partners, once per form token: ``(action, created)``.
    Raises DuplicateRecord (with ``field``) if the reference was taken meanwhile."""
    action = Action(area=area, **values)

    def save() -> None:
        save_action(
            action=action,
            partners=partners,
            user=user,
            reason="Action added",
            expected_version=None,
        )

    try:
        return _create_in_area(action, area=area, token=token, save=save)
    except DuplicateRecord as clash:
        raise _reference_clash(action, clash) from clash


def edit_action(
    *,
    action: Action,
    user: AbstractBaseUser,
    values: dict,
    partners: list[Organisation],
    reason: str,
    expected_version: int,
) -> None:
    """Change an action and its partners, version-checked. Moving an existing due
    date is said in the history reason; EditConflict or DuplicateRecord otherwise."""
    moved = due_date_move(action.due_date, values.get("due_date", action.due_date))
    for name, value in values.items():
        setattr(action, name, value)
    try:
        save_action(
            action=action,
            partners=partners,
            user=user,
            reason=change_reason(reason, moved, default="Action edited"),
            expected_version=expected_version,
        )
    except (IntegrityError, ValidationError) as clash:
        raise _reference_clash(action, clash) from clash


def due_date_move(
    old: datetime.date | None,
    new: datetime.date | None,
    old_precision: str = DatePrecision.DAY,
    new_precision: str = DatePrecision.DAY,
) -> str | None:
    """What happened to a due date, for the reason's label and the history:
    "due date moved from 30 June 2015 to 30 September 2015". None when it did not
    move, or when it is the record's first due date (nothing was promised before,
    so no reason is owed)."""
    if old is None or old == new:
        return None
    now = format_plan_date(new, new_precision) if new is not None else "no date"
    return f"due date moved from {format_plan_date(old, old_precision)} to {now}"


def change_reason(reason: str, moved: str | None, *, default: str) -> str:
    """The history reason: the user's own words, then what happened to the due date."""
    if moved:
        return f"{reason} ({moved})" if reason else moved[0].upper() + moved[1:]
    return reason or default


def edit_area(
    *,
    area: ImprovementArea,
    user: AbstractBaseUser,
    values: dict,
    reason: str,
    expected_version: int,
) -> None:
    """Change an area's recommendation, theme or lead, version-checked."""
    for name, value in values.items():
        setattr(area, name, value)
    save_version_checked(area, expected_version=expected_version, reason=reason, user=user)


def create_milestone(
    *, area: ImprovementArea, user: AbstractBaseUser, values: dict, token: uuid.UUID | None
) -> tuple[Milestone, bool]:
    """A new milestone, once per form token: ``(milestone, created)``."""
    milestone = Milestone(area=area, **values)
    return _create_in_area(
        milestone,
        area=area,
        token=token,
        save=lambda: save_with_history(milestone, reason="Milestone added", user=user),
    )


def edit_milestone(
    *,
    milestone: Milestone,
    user: AbstractBaseUser,
    values: dict,
    reason: str,
    expected_version: int,
) -> None:
    """Change a milestone, version-checked; a moved due date is said in the history."""
    moved = due_date_move(
        milestone.due_date,
        values.get("due_date", milestone.due_date),
        milestone.due_precision,
        values.get("due_precision", milestone.due_precision),
    )
    for name, value in values.items():
        setattr(milestone, name, value)
    save_version_checked(
        milestone,
        expected_version=expected_version,
        reason=change_reason(reason, moved, default="Milestone edited"),
        user=user,
    )


class AlreadyComplete(InvalidTransition):
    """The milestone was completed meanwhile (another tab, Back and submit again)."""


def _change_open_milestone(milestone: Milestone, expected_version: int, reason: str, user) -> None:
    # Locked first, so a completion racing this change is seen, then version-checked.
    with transaction.atomic():
        current = Milestone.objects.select_for_update().get(pk=milestone.pk)
        if current.status == Milestone.Status.COMPLETE:
            raise AlreadyComplete("That milestone is already complete")
        save_version_checked(milestone, expected_version=expected_version, reason=reason, user=user)


def complete_milestone(
    *,
    milestone: Milestone,
    user: AbstractBaseUser,
    completed_date: datetime.date,
    note: str,
    expected_version: int,
) -> None:
    """Mark an open milestone complete. AlreadyComplete or EditConflict, having
    written nothing, if it moved on since the user opened it."""
    milestone.status = Milestone.Status.COMPLETE
    milestone.completed_date = completed_date
    reason = "Completed" + (f": {note}" if note else "")
    _change_open_milestone(milestone, expected_version, reason, user)


def reforecast_milestone(
    *,
    milestone: Milestone,
    user: AbstractBaseUser,
    forecast_date: datetime.date,
    reason: str,
    expected_version: int,
) -> None:
    """Set an open milestone's forecast date; ``reason`` is kept in history as given."""
    milestone.forecast_date = forecast_date
    _change_open_milestone(milestone, expected_version, reason, user)


def ensure_membership(
    *, plan, user: AbstractBaseUser, role: str, reason: str, by: AbstractBaseUser | None = None
):
    """Give ``user`` ``role`` in ``plan`` (creating the membership if needed),
    for set-up scripts. The service's own member pages use the checked
    membership services, which hold the plan administrators' rules."""
    from .models import Membership

    membership = Membership.objects.filter(plan=plan, user=user).first()
    if membership is None:
        membership = Membership(plan=plan, user=user, role=role)
    elif membership.role == role:
        return membership
    membership.role = role
    save_with_history(membership, reason=reason, user=by)
    return membership
