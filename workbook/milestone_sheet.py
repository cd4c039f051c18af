"""The Milestones sheet: a milestone is found again by its reference, M and its id."""

from __future__ import annotations

from plans.models import (
    DatePrecision,
    Milestone,
    end_of_month,
)
from plans.services import change_reason, due_date_move

from .registry import (
    NEW,
    REMOVED,
    CellError,
    Column,
    Outcome,
    as_rows,
    choice,
    compare,
    date,
    suggest,
    text,
)
from .rows import (
    MILESTONE_STATUS,
    MILESTONES,
    PRECISION,
    _duplicate,
    _finish,
    _missing_columns,
    _number,
    _outcome,
    _save,
)

# --- Milestones ----------------------------------------------------------------------------

MILESTONE_COLUMNS = [
    Column(
        "Milestone reference",
        "M and a number: the milestone's reference. Leave it blank for a new milestone.",
        width=12,
    ),
    Column("Area number", "The number of the area the milestone is under.", width=10),
    Column("Action reference", "The action it belongs to, if any (optional).", width=12),
    Column("Milestone", "What will have happened.", width=50),
    Column("Due date", "When it is due. Moving it is kept in history.", width=13, date=True),
    Column(
        "Due date is",
        "Day, or Month for a whole month (“by end of June”).",
        width=10,
        choices="precision",
    ),
    Column(
        "Forecast date",
        "When it is now expected, if not on its due date (optional).",
        width=13,
        date=True,
    ),
    Column("Status", "Open or Complete.", width=11, choices="milestone_status"),
    Column("Date completed", "When it was completed (only for Complete).", width=13, date=True),
    Column("Note", "Anything else (optional).", width=36),
]


def milestone_ref(milestone) -> str:
    return f"M{milestone.pk}"


def milestone_rows(ctx):
    for milestone in ctx.milestones.values():
        yield [
            milestone_ref(milestone),
            milestone.area.number,
            milestone.action.reference if milestone.action else "",
            milestone.title,
            milestone.due_date,
            "Month" if milestone.due_precision == DatePrecision.MONTH else "Day",
            milestone.forecast_date,
            milestone.get_status_display(),
            milestone.completed_date,
            milestone.note,
        ]


def check_milestones(ctx, sheet) -> list[Outcome]:
    rows, missing = as_rows(sheet, MILESTONE_COLUMNS)
    if missing:
        return _missing_columns(MILESTONES, missing)
    outcomes, seen = [], {}
    areas, actions = ctx.area_numbers(), ctx.action_keys()
    refs = {milestone_ref(m): m for m in ctx.milestones.values()}
    present = {text(row, "Milestone reference").upper() for row in rows}
    for row in rows:
        outcome = _outcome(MILESTONES, row, f"Row {row['_row']}")
        outcomes.append(outcome)
        ref = text(row, "Milestone reference").upper()
        existing = None
        if ref:
            outcome.label = f"Milestone {ref}"
            if _duplicate(outcome, "Milestone reference", seen, ref, f"Milestone {ref}"):
                continue
            existing = refs.get(ref)
            if existing is None:
                near = suggest(ref, [r for r in refs if r not in present])
                outcome.errors.append(
                    (
                        "Milestone reference",
                        f"There is no milestone {ref} in this plan"
                        + (f": did you mean {near}?" if near else "")
                        + " Leave the reference blank for a new milestone",
                    )
                )
        values = {}
        readers = {
            "area": lambda row=row: _number(row, "Area number"),
            "action": lambda row=row: text(row, "Action reference"),
            "title": lambda row=row: text(
                row, "Milestone", required="Enter the milestone", max_length=300
            ),
            "due_date": lambda row=row: date(row, "Due date", required=True),
            "due_precision": lambda row=row: (
                choice(row, "Due date is", PRECISION) or DatePrecision.DAY
            ),
            "forecast_date": lambda row=row: date(row, "Forecast date"),
            "status": lambda row=row: choice(
                row, "Status", MILESTONE_STATUS, required="Select a status"
            ),
            "completed_date": lambda row=row: date(row, "Date completed"),
            "note": lambda row=row: text(row, "Note", max_length=2000),
        }
        for name, read in readers.items():
            try:
                values[name] = read()
            except CellError as e:
                outcome.errors.append((e.column, e.message))
        if not ref and "title" in values:
            outcome.label = f"New milestone “{values['title'][:40]}”"
        if "area" in values and values["area"] not in areas:
            outcome.errors.append(("Area number", f"There is no area {values['area']} in the plan"))
        elif values.get("action") and (values["area"], values["action"]) not in actions:
            outcome.errors.append(
                ("Action reference", f"Area {values['area']} has no action {values['action']}")
            )
        if values.get("due_date") and values.get("due_precision") == DatePrecision.MONTH:
            values["due_date"] = end_of_month(values["due_date"])
        status, done = values.get("status"), values.get("completed_date")
        if status == Milestone.Status.COMPLETE and not done:
            outcome.errors.append(("Date completed", "Enter the date the milestone was completed"))
        if status == Milestone.Status.OPEN and done:
            outcome.errors.append(
                (
                    "Date completed",
                    "Leave the date completed blank for an open "
                    "milestone, or set its status to Complete",
                )
            )
        changes = []
        if existing is not None and not outcome.errors:
            compare(changes, "Area", existing.area.number, values["area"])
            compare(
                changes,
                "Action",
                existing.action.reference if existing.action else "",
                values["action"],
            )
            compare(changes, "Milestone", existing.title, values["title"])
            compare(changes, "Due date", existing.due_date, values["due_date"])
            compare(
                changes,
                "Due date is",
                existing.get_due_precision_display(),
                DatePrecision(values["due_precision"]).label,
            )
            compare(changes, "Forecast date", existing.forecast_date, values["forecast_date"])
            compare(
                changes,
                "Status",
                existing.get_status_display(),
                Milestone.Status(values["status"]).label,
            )
            compare(changes, "Date completed", existing.completed_date, done)
            compare(changes, "Note", existing.note, values["note"])
        outcome.values = values
        _finish(
            outcome,
            existing,
            changes,
            [
                ("Area", values.get("area")),
                ("Action", values.get("action")),
                ("Milestone", values.get("title")),
                ("Due date", values.get("due_date")),
                ("Status", Milestone.Status(status).label if status else ""),
            ],
        )
    ctx.sheet_milestones = {refs[r].pk for r in seen if r in refs}
    for ref, milestone in refs.items():
        if ref not in seen:
            outcomes.append(
                Outcome(MILESTONES, None, f"Milestone {ref}", REMOVED, record=milestone)
            )
    return outcomes


def apply_milestones(ctx, outcomes: list[Outcome]) -> None:
    for o in outcomes:
        v = dict(o.values)
        area = ctx.areas[v.pop("area")]
        action_ref = v.pop("action")
        action = ctx.actions[(area.number, action_ref)] if action_ref else None
        if o.status == NEW:
            _save(ctx, Milestone(area=area, action=action, **v))
            continue
        milestone = o.record
        moved = due_date_move(
            milestone.due_date, v["due_date"], milestone.due_precision, v["due_precision"]
        )
        milestone.area, milestone.action = area, action
        for name, value in v.items():
            setattr(milestone, name, value)
        _save(ctx, milestone, change_reason(ctx.reason, moved, default=ctx.reason))
