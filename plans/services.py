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

from .models import Action, ImprovementArea, Organisation, ProgressUpdate, UsedFormToken


def save_with_history(
    obj: models.Model,
    *,
    reason: str,
    user: AbstractBaseUser | None = None,
    when: datetime.datetime | None = None,
) -> None:
    """Save ``obj`` and record who (``user``), why (``reason``) and, for
    records loaded from a past paper, when (``when``) in its history row."""
    obj._change_reason = reason
    if user is not None:
        obj._history_user = user
    if when is not None:
        obj._history_date = when
    try:
        obj.full_clean()
        obj.save()
    finally:
        # Leave nothing behind for a later save of the same instance.
        for attr in ("_change_reason", "_history_user", "_history_date"):
            obj.__dict__.pop(attr, None)


class DuplicateRecord(Exception):
    """What the form was asked to create clashes with a record saved meanwhile
    (e.g. the same action reference from another tab). Nothing was written;
    the form shows ``message`` against ``field``."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


def create_once(
    obj: models.Model, *, token: uuid.UUID | None, save: Callable[[], None]
) -> tuple[models.Model, bool]:
    """Create ``obj`` by calling ``save()``, once per form ``token``.

    A create form carries a one-time token; a second post of the same form (a
    double click, Back and submit again, two requests racing) finds the token
    used and gets the record the first one made: ``(record, False)``. A clash
    with another record that slipped past the form's checks raises
    DuplicateRecord, never a server error.
    """
    model = type(obj)
    label = model._meta.label
    if token is not None:
        used = UsedFormToken.objects.filter(token=token, model=label).first()
        if used is not None:
            return model._default_manager.get(pk=used.object_id), False
    try:
        with transaction.atomic():
            save()
            if token is not None:
                UsedFormToken.objects.create(token=token, model=label, object_id=obj.pk)
    except (IntegrityError, ValidationError) as clash:
        if token is not None:
            used = UsedFormToken.objects.filter(token=token, model=label).first()
            if used is not None:
                # The same form, posted twice at once: the other post won.
                return model._default_manager.get(pk=used.object_id), False
        raise DuplicateRecord(_clash_message(clash)) from clash
    return obj, True


def _clash_message(clash: Exception) -> str:
    if isinstance(clash, ValidationError):
        return " ".join(clash.messages)
    return "This has just been saved by someone else: check the page before adding it again"


class EditConflict(Exception):
    """Someone else saved the record after the user opened it.

    ``current`` is the record as it is now; ``expected_version`` the version
    the user's form was based on. Nothing has been written.
    """

    def __init__(self, current: models.Model, expected_version: int) -> None:
        super().__init__(f"{current} changed since version {expected_version}")
        self.current = current
        self.expected_version = expected_version


class InvalidTransition(Exception):
    """The record is not in a state that allows what was asked (e.g. approving
    an update that is no longer submitted)."""


def save_version_checked(
    obj: models.Model,
    *,
    expected_version: int,
    reason: str,
    user: AbstractBaseUser,
    when: datetime.datetime | None = None,
) -> None:
    """Save an edited ``obj`` only if nobody has saved it since ``expected_version``.

    The row is locked (``select_for_update``) and its version compared inside
    one transaction, then the write goes through ``save()`` so history keeps
    it. Raises EditConflict, having written nothing, if the versions differ.
    """
    model = type(obj)
    with transaction.atomic():
        current = model.objects.select_for_update().get(pk=obj.pk)
        if current.version != expected_version:
            raise EditConflict(current, expected_version)
        obj.version = current.version + 1
        save_with_history(obj, reason=reason, user=user, when=when)


def last_approved_rag(area: ImprovementArea) -> str | None:
    return (
        ProgressUpdate.objects.filter(area=area)
        .latest_approved_first()
        .values_list("rag", flat=True)
        .first()
    )


def record_update(
    *, area: ImprovementArea, user: AbstractBaseUser, values: dict, submit: bool
) -> ProgressUpdate:
    """A new progress update by ``user``, saved as a draft or submitted for sign-off."""
    update = ProgressUpdate(area=area, author=user, **values)
    if submit:
        update.state = ProgressUpdate.State.SUBMITTED
        update.submitted_at = timezone.now()
    with transaction.atomic():
        save_with_history(
            update, reason="Submitted for sign-off" if submit else "Saved as a draft", user=user
        )
    return update


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
            action._change_reason = reason
            action._history_user = user
            try:
                action.partners.set(partners)
            finally:
                del action._change_reason, action._history_user


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
