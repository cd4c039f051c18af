"""The meetings the plan is reported to. A meeting is cancelled, never deleted:
papers issued to it stay."""

from __future__ import annotations

import uuid

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from plans.models import DatePrecision, Meeting, Plan, end_of_month
from plans.saving import save_version_checked

from .common import Refused, add_once, check, of_plan, save_checked, with_history


def _meeting_values(meeting: Meeting, values: dict) -> None:
    for name in ("kind", "title", "date", "date_precision"):
        setattr(meeting, name, values[name])
    # A month-only date stands for the month's last day, as milestones' do.
    if meeting.date_precision == DatePrecision.MONTH:
        meeting.date = end_of_month(meeting.date)


def _check_meeting(meeting: Meeting) -> None:
    clash = Meeting.objects.filter(plan=meeting.plan, kind=meeting.kind, date=meeting.date)
    if meeting.pk:
        clash = clash.exclude(pk=meeting.pk)
    if clash.exists():
        raise Refused(
            f"This plan already has a meeting of the kind “{meeting.get_kind_display()}” on "
            f"{meeting.date_display}: change the date or the kind of meeting",
            "date",
        )


def add_meeting(
    *, plan: Plan, values: dict, by: AbstractBaseUser, token: uuid.UUID | None
) -> tuple[Meeting, bool]:
    check(by, plan)

    def build() -> Meeting:
        meeting = Meeting(plan=plan)
        _meeting_values(meeting, values)
        _check_meeting(meeting)
        return meeting

    return add_once(
        Meeting,
        token=token,
        belongs=of_plan(plan),
        build=build,
        save=with_history(by, "Meeting added"),
    )


def edit_meeting(
    *,
    meeting: Meeting,
    values: dict,
    by: AbstractBaseUser,
    reason: str,
    expected_version: int,
) -> None:
    check(by, meeting.plan)
    _meeting_values(meeting, values)
    _check_meeting(meeting)
    save_checked(meeting, expected_version=expected_version, by=by, reason=reason)


def set_meeting_cancelled(
    *, meeting: Meeting, cancelled: bool, by: AbstractBaseUser, reason: str
) -> bool:
    """Cancel (or reinstate) a meeting. Returns False when it already was as
    asked (a double submit)."""
    check(by, meeting.plan)
    with transaction.atomic():
        current = Meeting.objects.select_for_update().get(pk=meeting.pk)
        if current.cancelled == cancelled:
            return False
        current.cancelled = cancelled
        # No form version behind this: the one just read under the lock, so the
        # version moves on and an edit form opened before it is stale.
        save_version_checked(current, expected_version=current.version, reason=reason, user=by)
    meeting.cancelled = cancelled
    return True
