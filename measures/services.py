"""Writes to measures and their figures. Every write goes through ``save()``
(plans.services) so history keeps who, when and why."""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from plans.models import ImprovementArea, Plan
from plans.saving import (
    EditConflict,
    create_once,
    delete_with_history,
    save_version_checked,
    save_with_history,
)

from . import periods
from .checks import FigureError, period_problem
from .models import (
    UPLOAD_TOKEN_SECONDS,
    Measure,
    MeasureSettings,
    MeasureValue,
    UploadConfirmation,
)

ENTERED = "Figure entered"


class ReasonNeeded(Exception):
    """A figure for the period is already recorded: changing it is a
    correction, and a correction needs a reason. Nothing was written."""

    def __init__(self, current: MeasureValue) -> None:
        super().__init__(f"{current} is already recorded")
        self.current = current


@dataclass
class Outcome:
    created: int = 0
    corrected: int = 0
    unchanged: int = 0
    records: list[MeasureValue] = field(default_factory=list)

    @property
    def wrote(self) -> int:
        return self.created + self.corrected


def save_settings(
    *, plan: Plan, values: dict, user: AbstractBaseUser, expected_version: int | None
) -> MeasureSettings:
    """Create the plan's measure settings (the first save) or change them."""
    with transaction.atomic():
        settings = MeasureSettings.objects.select_for_update().filter(plan=plan).first()
        if settings is None:
            settings = MeasureSettings(plan=plan, **values)
            save_with_history(settings, reason="Measure settings set", user=user)
            return settings
        for name, value in values.items():
            setattr(settings, name, value)
        save_version_checked(
            settings,
            expected_version=expected_version or 0,
            reason="Measure settings changed",
            user=user,
        )
    return settings


def create_measure(
    *,
    area: ImprovementArea,
    values: dict,
    user: AbstractBaseUser,
    token: uuid.UUID | None,
    reason: str = "Measure added",
) -> tuple[Measure, bool]:
    """A new measure in ``area``, once per form token: ``(measure, created)``."""
    measure = Measure(area=area, **values)
    return create_once(
        measure,
        token=token,
        save=lambda: save_with_history(measure, reason=reason, user=user),
    )


class HasFigures(Exception):
    """The measure has figures: it is never deleted (they are what a board saw)."""


def delete_measure(*, measure: Measure, user: AbstractBaseUser, reason: str) -> None:
    """Delete a measure that has no figures, through ``delete()`` with history;
    HasFigures, having written nothing, if it has any."""
    with transaction.atomic():
        if MeasureValue.objects.filter(measure=measure).exists():
            raise HasFigures(f"{measure} has figures")
        delete_with_history(measure, reason=reason, user=user)


def edit_measure(
    *, measure: Measure, values: dict, user: AbstractBaseUser, reason: str, expected_version: int
) -> None:
    """Change a measure's definition, target or tolerance; ``reason`` is kept in
    history (a target's changes are read from there, as at any date)."""
    for name, value in values.items():
        setattr(measure, name, value)
    save_version_checked(measure, expected_version=expected_version, reason=reason, user=user)


def record_value(
    *,
    measure: Measure,
    period: datetime.date,
    value: Decimal,
    comment: str,
    user: AbstractBaseUser | None,
    reason: str = "",
    expected_version: int | None = None,
    today: datetime.date | None = None,
    when: datetime.datetime | None = None,
) -> str:
    """Record ``measure``'s figure for ``period``: "created", "corrected" or
    "unchanged" (the same figure and comment again writes nothing).

    A different figure for a period already recorded is a correction: it needs
    a ``reason`` (ReasonNeeded otherwise) and, from a form, the version the
    user saw (EditConflict if someone changed it meanwhile). FigureError for a
    period that may not have a figure."""
    today = today or timezone.localdate()
    period = periods.start_of(period, measure.frequency)
    problem = period_problem(period, measure.frequency, today)
    if problem:
        raise FigureError(problem)
    with transaction.atomic():
        current = (
            MeasureValue.objects.select_for_update().filter(measure=measure, period=period).first()
        )
        if current is None:
            record = MeasureValue(
                measure=measure,
                period=period,
                value=value,
                comment=comment,
                entered_by=user,
                entered_at=when or timezone.now(),
            )
            save_with_history(record, reason=ENTERED, user=user, when=when)
            return "created"
        if current.value == value and current.comment == comment:
            return "unchanged"
        if expected_version is not None and current.version != expected_version:
            raise EditConflict(current, expected_version)
        if current.value != value and not reason.strip():
            raise ReasonNeeded(current)
        was = current.value
        current.value, current.comment = value, comment
        current.entered_by, current.entered_at = user, when or timezone.now()
        current.version += 1
        why = f"Corrected from {was}: {reason.strip()}" if was != value else "Comment changed"
        if reason.strip() and was == value:
            why = f"Comment changed: {reason.strip()}"
        save_with_history(current, reason=why, user=user, when=when)
        return "corrected"


def record_values(
    rows: list[tuple[Measure, datetime.date, Decimal, str]],
    *,
    user: AbstractBaseUser,
    reason: str,
    today: datetime.date | None = None,
) -> Outcome:
    """Many figures at once, all or none (one transaction): the figures page and
    the upload. Rows already recorded as given write nothing."""
    outcome = Outcome()
    with transaction.atomic():
        for measure, period, value, comment in rows:
            result = record_value(
                measure=measure,
                period=period,
                value=value,
                comment=comment,
                user=user,
                reason=reason,
                today=today,
            )
            setattr(outcome, result, getattr(outcome, result) + 1)
    return outcome


FigureKey = tuple[int, datetime.date]  # (measure id, period)


def last_changes(keys: set[FigureKey]) -> dict[FigureKey, int]:
    """The id of each figure's latest history row (none for a figure never
    recorded): any save of a figure, from any page, the admin site or a
    script, changes it. One query."""
    if not keys:
        return {}
    rows = (
        MeasureValue.history.filter(
            measure_id__in={m for m, _ in keys}, period__in={p for _, p in keys}
        )
        .values("measure_id", "period")
        .annotate(last=Max("history_id"))
        .order_by()
    )
    return {
        (r["measure_id"], r["period"]): r["last"]
        for r in rows
        if (r["measure_id"], r["period"]) in keys
    }


class PreviewUsed(Exception):
    """The upload's preview has been confirmed already: nothing was written."""


class FiguresChanged(Exception):
    """Figures the upload would write were changed (or entered) after its
    preview: nothing was written. ``changed``: (key, the history row the
    preview saw) of each."""

    def __init__(self, changed: list[tuple[FigureKey, int | None]]) -> None:
        super().__init__(f"{len(changed)} figures changed since the preview")
        self.changed = changed


def _claim(confirmation: uuid.UUID, *, plan: Plan, user: AbstractBaseUser, digest: str) -> None:
    now = timezone.now()
    # A token outlives its claim by no more than its life: older claims guard nothing.
    stale = now - datetime.timedelta(seconds=UPLOAD_TOKEN_SECONDS)
    UploadConfirmation.objects.filter(confirmed_at__lt=stale).delete()
    try:
        with transaction.atomic():
            UploadConfirmation.objects.create(
                id=confirmation, plan=plan, user=user, digest=digest, confirmed_at=now
            )
    except IntegrityError:
        raise PreviewUsed(str(confirmation)) from None


def save_upload(
    *,
    confirmation: uuid.UUID,
    plan: Plan,
    user: AbstractBaseUser,
    digest: str,
    rows: list[tuple[Measure, datetime.date, Decimal, str, int | None]],
    reason: str,
    today: datetime.date | None = None,
) -> Outcome:
    """Write an upload's figures, (measure, period, figure, comment, the
    figure's latest history row as the preview saw it), all or none, once per
    preview.

    In one transaction: claim the preview's ``confirmation`` id (PreviewUsed
    if it was claimed, even by a post still writing: the second waits for the
    first and finds its claim), lock the figures, and compare each with what
    the preview saw (FiguresChanged if any differs); then write."""
    seen = {(m.pk, periods.start_of(p, m.frequency)): s for m, p, _, _, s in rows}
    with transaction.atomic():
        _claim(confirmation, plan=plan, user=user, digest=digest)
        locked = MeasureValue.objects.select_for_update().filter(
            measure_id__in={m for m, _ in seen}, period__in={p for _, p in seen}
        )
        list(locked.values_list("pk", flat=True))
        now = last_changes(set(seen))
        changed = [(key, was) for key, was in seen.items() if now.get(key) != was]
        if changed:
            raise FiguresChanged(changed)
        try:
            # record_values' own transaction is a savepoint here, so a clash
            # below rolls back the figures and keeps the claim's lock.
            outcome = record_values(
                [row[:4] for row in rows], user=user, reason=reason, today=today
            )
        except IntegrityError:
            # A figure entered by someone else this very moment: theirs stands.
            now = last_changes(set(seen))
            raise FiguresChanged(
                [(key, was) for key, was in seen.items() if now.get(key) != was]
                or list(seen.items())
            ) from None
    return outcome


__all__ = [
    "EditConflict",
    "FigureError",
    "FiguresChanged",
    "HasFigures",
    "Outcome",
    "PreviewUsed",
    "ReasonNeeded",
    "create_measure",
    "delete_measure",
    "edit_measure",
    "record_value",
    "record_values",
    "save_settings",
    "save_upload",
]
