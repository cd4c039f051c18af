"""How every write to a plan's records is saved: through ``save()`` so that
history keeps it, with the real user and a reason (``recorded``); an edit only
if nobody saved the record since the form was opened (its ``version``); a record
made by a create form only once, however often the form is posted (its one-time
token). plans/services.py and every app's services write through these.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction

from .models import UsedFormToken


@contextmanager
def recorded(
    obj: models.Model,
    *,
    reason: str,
    user: AbstractBaseUser | None = None,
    when: datetime.datetime | None = None,
) -> Iterator[None]:
    """Who (``user``), why (``reason``) and, for records loaded from a past
    paper, when (``when``), for the history rows ``obj`` writes inside the
    block: its save, its deletion, or a change to its many-to-many fields."""
    obj._change_reason = reason
    if user is not None:
        obj._history_user = user
    if when is not None:
        obj._history_date = when
    try:
        yield
    finally:
        # Leave nothing behind for a later save of the same instance.
        for attr in ("_change_reason", "_history_user", "_history_date"):
            obj.__dict__.pop(attr, None)


def save_with_history(
    obj: models.Model,
    *,
    reason: str,
    user: AbstractBaseUser | None = None,
    when: datetime.datetime | None = None,
) -> None:
    """Save ``obj`` (validated first), with who, why and when in its history row."""
    with recorded(obj, reason=reason, user=user, when=when):
        obj.full_clean()
        obj.save()


def delete_with_history(obj: models.Model, *, reason: str, user: AbstractBaseUser) -> None:
    """Delete ``obj`` through ``delete()`` (so a model's own refusal holds), with
    who and why in its last history row."""
    with recorded(obj, reason=reason, user=user):
        obj.delete()


class DuplicateRecord(Exception):
    """What the form was asked to create clashes with a record saved meanwhile
    (e.g. the same action reference from another tab). Nothing was written;
    the form shows ``message`` against ``field``."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


# The one message for a create form posted again where its first post does not
# count: a record elsewhere (another area's or plan's form), or someone else's.
FORM_USED = "This form has already been used: open it again to add another"

Belongs = Callable[[models.Model], bool]


def create_once(
    obj: models.Model,
    *,
    token: uuid.UUID | None,
    save: Callable[[], None],
    belongs: Belongs | None = None,
) -> tuple[models.Model, bool]:
    """Create ``obj`` by calling ``save()``, once per form ``token``.

    A create form carries a one-time token; a second post of the same form (a
    double click, Back and submit again, two requests racing) finds the token
    used and gets the record the first one made: ``(record, False)``, if
    ``belongs(record)`` (else DuplicateRecord). A clash with another record
    that slipped past the form's checks raises DuplicateRecord, never a server
    error.
    """
    model = type(obj)
    label = model._meta.label
    if token is not None:
        used = UsedFormToken.objects.filter(token=token, model=label).first()
        if used is not None:
            return _made_by(model, used, belongs), False
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
                return _made_by(model, used, belongs), False
        raise DuplicateRecord(clash_message(clash)) from clash
    return obj, True


def made_with_token(
    model: type[models.Model], token: uuid.UUID | None, *, belongs: Belongs | None = None
) -> models.Model | None:
    """What a create form's token already made (a repeated post), or None.
    Views and services ask before the form's own checks, which the record the
    first post made could fail (its reference or name is now taken)."""
    if token is None:
        return None
    used = UsedFormToken.objects.filter(token=token, model=model._meta.label).first()
    return None if used is None else _made_by(model, used, belongs)


def _made_by(
    model: type[models.Model], used: UsedFormToken, belongs: Belongs | None
) -> models.Model:
    """The record a used token made; DuplicateRecord if it has since been deleted
    (a stale form posted again must not quietly re-create it, nor crash) or is
    not ``belongs``'s (the user must not be sent to it)."""
    record = model._default_manager.filter(pk=used.object_id).first()
    if record is None:
        raise DuplicateRecord(
            "This form has already been used and what it added has since been removed: "
            "open the form again to add it"
        )
    if belongs is not None and not belongs(record):
        raise DuplicateRecord(FORM_USED)
    return record


def clash_message(clash: Exception) -> str:
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

    The one edit lock of every record with a ``version``, whoever edits it (the
    service's pages, plan set-up, the admin site, the workbook). The row is
    locked (``select_for_update``) and its version compared inside one
    transaction, then the write goes through ``save()`` so history keeps it,
    with the version moved on. Raises EditConflict, having written nothing, if
    the versions differ. A change with no form behind it (cancelling a meeting)
    passes the version it has just read under the same lock.
    """
    model = type(obj)
    with transaction.atomic():
        current = model._default_manager.select_for_update().get(pk=obj.pk)
        if current.version != expected_version:
            raise EditConflict(current, expected_version)
        obj.version = current.version + 1
        save_with_history(obj, reason=reason, user=user, when=when)
