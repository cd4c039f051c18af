"""What every section of plan set-up shares: its refusal, the check that the
user may manage the plan, the council whose directory the plan uses, and the
service's checked save and once-per-token create (plans/services.py), with
set-up's refusal for what the form's checks could not see."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import TypeVar

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import models

from plans import permissions as perms
from plans.models import Plan
from plans.saving import (
    Belongs,
    create_once,
    made_with_token,
    save_version_checked,
    save_with_history,
)

M = TypeVar("M", bound=models.Model)


class Refused(Exception):
    """What was asked breaks one of the plan's rules. Nothing was written;
    ``message`` says why, against the form's ``field`` (None: the whole form)."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


def check(by: AbstractBaseUser, plan: Plan) -> None:
    perms.require(perms.can_manage_plan(by, plan))


def council_of(plan: Plan) -> int:
    """The council whose directory the plan's owners and partners are in."""
    return plan.organisation.council_id_or_own


def of_plan(plan: Plan) -> Belongs:
    """Whether a record a form's token made is this plan's (a theme, a meeting, a membership)."""
    return lambda record: record.plan_id == plan.pk


def save_checked(
    obj: models.Model, *, expected_version: int, by: AbstractBaseUser, reason: str
) -> None:
    """The service's checked save (EditConflict if the form is stale); a clash
    the checks could not see (saved meanwhile) is refused, never a 500."""
    try:
        save_version_checked(obj, expected_version=expected_version, reason=reason, user=by)
    except ValidationError as invalid:
        raise Refused(" ".join(invalid.messages)) from invalid


def add_once(
    model: type[M],
    *,
    token: uuid.UUID | None,
    belongs: Belongs | None,
    build: Callable[[], M],
    save: Callable[[M], None],
) -> tuple[M, bool]:
    """A new record, once per form token: ``(record, created)``.

    The record the token already made comes first (a repeated post), before
    ``build()`` and its checks, which that record would now fail (its name is
    taken); ``build()`` refuses what breaks the plan's rules, and ``save(obj)``
    writes it with history."""
    done = made_with_token(model, token, belongs=belongs)
    if done is not None:
        return done, False
    obj = build()
    return create_once(obj, token=token, save=lambda: save(obj), belongs=belongs)


def with_history(by: AbstractBaseUser, reason: str) -> Callable[[models.Model], None]:
    return lambda obj: save_with_history(obj, reason=reason, user=by)


def and_list(items: list[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def name_of(user: AbstractBaseUser) -> str:
    return user.get_full_name() or user.get_username()
