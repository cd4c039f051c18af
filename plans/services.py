"""Writes to the plan. Every write goes through ``save()`` so history keeps it.

Functions here are keyword-only and take the user and a reason; they set the
history user and change reason on the instance before saving, so the history
row names the real user even outside a request (management commands, tests).
"""

from __future__ import annotations

import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db import models


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
