"""Helpers shared by the plan's sheets: reading a row's cells into an Outcome."""

from __future__ import annotations

from plans.models import (
    Action,
    DatePrecision,
    Milestone,
    Organisation,
)
from plans.saving import save_version_checked, save_with_history

from . import engine
from .reading import HEADER_ROW
from .registry import (
    CHANGED,
    ERROR,
    NEW,
    UNCHANGED,
    CellError,
    Outcome,
    shown,
    suggest,
    text,
    unknown,
)

AREAS, ACTIONS, MILESTONES, OWNERS, PARTNERS = (
    "Areas",
    "Actions",
    "Milestones",
    "Owners",
    "Partners",
)
ACTION_STATUS = {label: value for value, label in Action.Status.choices}
MILESTONE_STATUS = {label: value for value, label in Milestone.Status.choices}
PRECISION = {"Day": DatePrecision.DAY, "Month": DatePrecision.MONTH}
KINDS = {label: value for value, label in Organisation.Kind.choices}


def _save(ctx, obj, reason: str | None = None) -> None:
    """Save a row's record as the forms save it: validated, with the import's
    user and reason in its history; a record that keeps a version only if
    nobody has saved it since the import read it (EditConflict otherwise)."""
    reason = reason or ctx.reason
    if obj.pk is not None and hasattr(obj, "version"):
        save_version_checked(obj, expected_version=obj.version, reason=reason, user=ctx.user)
    else:
        save_with_history(obj, reason=reason, user=ctx.user)


def _number(row: dict, column: str) -> int:
    value = text(row, column, required=f"Enter the {column.lower()}")
    # ASCII digits only ("²" is a digit to str.isdigit() but not to int()), and
    # within the column (PositiveSmallIntegerField).
    if not (value.isascii() and value.isdigit()) or not 1 <= int(value) <= 32767:
        raise CellError(column, f"Enter the {column.lower()} as a whole number, like 3")
    return int(value)


def _outcome(sheet: str, row: dict, label: str) -> Outcome:
    return Outcome(sheet, row["_row"], label, UNCHANGED)


def _duplicate(outcome: Outcome, column: str, seen: dict, key, what: str) -> bool:
    if key in seen:
        outcome.status = ERROR
        outcome.errors.append((column, f"{what} is also on row {seen[key]}: list it once"))
        return True
    seen[key] = outcome.row
    return False


def _finish(outcome: Outcome, existing, changes: list, fields=()) -> Outcome:
    """Set the row's status; a new row lists its values as its changes."""
    if outcome.errors:
        outcome.status = ERROR
    elif existing is None:
        outcome.status = NEW
        outcome.changes = [(name, "", shown(value)) for name, value in fields if value]
    elif changes:
        outcome.status, outcome.changes = CHANGED, changes
    outcome.record = existing
    return outcome


def _missing_columns(sheet_name: str, missing: list) -> list[Outcome]:
    return [Outcome(sheet_name, HEADER_ROW, "Column headings", ERROR, errors=missing)]


def _owner(ctx, row: dict, column: str) -> str:
    """An owner's label, as the lists show it ("Head of Service (NHS)")."""
    value = text(row, column)
    if not value:
        return ""
    labels = ctx.owner_labels()
    folded = {label.casefold(): label for label in labels}
    if value.casefold() in folded:
        return folded[value.casefold()]
    by_title = [o for o in ctx.owners if o.job_title.casefold() == value.casefold()]
    if len(by_title) == 1:
        return engine.owner_label(by_title[0])
    raise CellError(column, unknown(value, labels, "Select an owner"))


def _near_key(value: str, candidates: list[str]) -> str | None:
    return suggest(value, candidates)


def _resolve_owner(ctx, label: str):
    return ctx.owner_by_label[label] if label else None
