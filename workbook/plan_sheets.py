"""The plan's own sheets: areas, actions, milestones, owners and partners.

Each record is matched by its stable reference: an area by its number, an
action by its area's number and its reference ("9.2"), a milestone by
"M" and its id (blank for a new one), an owner by job title and organisation,
a partner by name. Owners and partners are the council's directory, shared by
its plans: the workbook adds and changes them but never removes them.
Removing an area, action or milestone needs the separate confirmation, and a
record with progress updates is never deleted (approved updates are what a
board saw).
"""

from __future__ import annotations

from core.rag import rag_label
from plans.models import (
    Action,
    ImprovementArea,
)
from plans.saving import delete_with_history, recorded
from plans.services import change_reason, due_date_move

from . import engine
from .directory_sheets import (
    OWNER_COLUMNS,
    PARTNER_COLUMNS,
    apply_owners,
    apply_partners,
    check_owners,
    check_partners,
    owner_rows,
    partner_rows,
)
from .milestone_sheet import MILESTONE_COLUMNS, apply_milestones, check_milestones, milestone_rows
from .registry import (
    ERROR,
    NEW,
    REMOVED,
    CellError,
    Column,
    Outcome,
    Sheet,
    as_rows,
    choice,
    compare,
    date,
    register,
    suggest,
    text,
    unknown,
)
from .rows import (
    ACTION_STATUS,
    ACTIONS,
    AREAS,
    MILESTONES,
    OWNERS,
    PARTNERS,
    _duplicate,
    _finish,
    _missing_columns,
    _near_key,
    _number,
    _outcome,
    _owner,
    _resolve_owner,
    _save,
)

# --- Areas -------------------------------------------------------------------------------

AREA_COLUMNS = [
    Column(
        "Area number",
        "The area's number in the plan. Keep it to change the area; a new number adds an area.",
        width=10,
    ),
    Column(
        "Recommendation", "The inspection's recommendation: what the area must achieve.", width=70
    ),
    Column(
        "Theme",
        "One of the plan's themes (set them up in Plan set-up).",
        width=28,
        choices="themes",
    ),
    Column("Lead", "The owner (a job title) who leads the area.", width=36, choices="owners"),
    Column("Latest RAG", "Read-only: the latest approved update's status.", 16, read_only=True),
    Column(
        "RAG as at", "Read-only: the date that status reports as at.", 14, read_only=True, date=True
    ),
]


def area_rows(ctx):
    for area in ctx.areas.values():
        rag = rag_label(area.current_rag, area.current_rag_assessed) if area.current_rag else ""
        yield [
            area.number,
            area.recommendation,
            area.theme.name if area.theme else "",
            engine.owner_label(area.lead) if area.lead else "",
            rag,
            area.current_as_at,
        ]


def _theme(ctx, row: dict):
    value = text(row, "Theme")
    if not value:
        return None
    for name, theme in ctx.themes.items():
        if name.casefold() == value.casefold():
            return theme
    raise CellError("Theme", unknown(value, list(ctx.themes), "Select a theme"))


def check_areas(ctx, sheet) -> list[Outcome]:
    rows, missing = as_rows(sheet, AREA_COLUMNS)
    if missing:
        return _missing_columns(AREAS, missing)
    outcomes, seen = [], {}
    for row in rows:
        outcome = _outcome(AREAS, row, f"Row {row['_row']}")
        outcomes.append(outcome)
        try:
            number = _number(row, "Area number")
        except CellError as e:
            outcome.errors.append((e.column, e.message))
            continue
        outcome.label = f"Area {number}"
        if _duplicate(outcome, "Area number", seen, number, f"Area {number}"):
            continue
        existing = ctx.areas.get(number)
        values, changes = {"number": number}, []
        for name, read in (
            (
                "recommendation",
                lambda row=row: text(
                    row, "Recommendation", required="Enter the recommendation", max_length=2000
                ),
            ),
            ("theme", lambda row=row: _theme(ctx, row)),
            ("lead", lambda row=row: _owner(ctx, row, "Lead")),
        ):
            try:
                values[name] = read()
            except CellError as e:
                outcome.errors.append((e.column, e.message))
        if existing is not None and not outcome.errors:
            compare(changes, "Recommendation", existing.recommendation, values["recommendation"])
            compare(
                changes,
                "Theme",
                existing.theme.name if existing.theme else "",
                values["theme"].name if values["theme"] else "",
            )
            old_lead = engine.owner_label(existing.lead) if existing.lead else ""
            compare(changes, "Lead", old_lead, values["lead"])
        outcome.values = values
        theme = values.get("theme")
        _finish(
            outcome,
            existing,
            changes,
            [
                ("Recommendation", values.get("recommendation")),
                ("Theme", theme.name if theme else ""),
                ("Lead", values.get("lead")),
            ],
        )
    ctx.sheet_areas = set(seen)
    for number, area in ctx.areas.items():
        if number not in seen:
            outcomes.append(Outcome(AREAS, None, f"Area {number}", REMOVED, record=area))
    return outcomes


def apply_areas(ctx, outcomes: list[Outcome]) -> None:
    for o in outcomes:
        v = o.values
        lead = _resolve_owner(ctx, v["lead"])
        if o.status == NEW:
            area = ImprovementArea(
                plan=ctx.plan,
                number=v["number"],
                recommendation=v["recommendation"],
                theme=v["theme"],
                lead=lead,
            )
            _save(ctx, area)
            ctx.areas[area.number] = area
        else:
            area = o.record
            area.recommendation, area.theme, area.lead = v["recommendation"], v["theme"], lead
            _save(ctx, area)


def remove_records(ctx, outcomes: list[Outcome]) -> None:
    for o in outcomes:
        delete_with_history(o.record, reason=ctx.reason, user=ctx.user)


# --- Actions -------------------------------------------------------------------------------

ACTION_COLUMNS = [
    Column("Area number", "The number of the area the action is under.", width=10),
    Column("Action reference", "The action's reference, e.g. 9.2 (unique in its area).", width=12),
    Column("Action", "What will be done.", width=50),
    Column("Description", "More about the action (optional).", width=40),
    Column("Owner", "Who: the owner (a job title) responsible.", width=36, choices="owners"),
    Column(
        "Partners", "Partner organisations working on it, separated by semicolons (;).", width=36
    ),
    Column("Start date", "When the work starts (optional).", width=13, date=True),
    Column(
        "Due date", "When it is due (optional). Moving it is kept in history.", width=13, date=True
    ),
    Column(
        "Status",
        "Not started, In progress, Complete or Cancelled.",
        width=14,
        choices="action_status",
    ),
]


def action_rows(ctx):
    for (number, reference), action in ctx.actions.items():
        yield [
            number,
            reference,
            action.title,
            action.description,
            engine.owner_label(action.owner) if action.owner else "",
            "; ".join(sorted(p.name for p in action.partners.all())),
            action.start_date,
            action.due_date,
            action.get_status_display(),
        ]


def _partners(ctx, row: dict) -> list[str]:
    value = text(row, "Partners")
    names = [n.strip() for n in value.replace("\n", ";").split(";") if n.strip()]
    known = ctx.partner_names()
    folded = {n.casefold(): n for n in known}
    result = []
    for name in names:
        if name.casefold() not in folded:
            raise CellError("Partners", unknown(name, known, "Select partners"))
        result.append(folded[name.casefold()])
    return sorted(set(result))


def check_actions(ctx, sheet) -> list[Outcome]:
    rows, missing = as_rows(sheet, ACTION_COLUMNS)
    if missing:
        return _missing_columns(ACTIONS, missing)
    outcomes, seen = [], {}
    areas = ctx.area_numbers()
    for row in rows:
        outcome = _outcome(ACTIONS, row, f"Row {row['_row']}")
        outcomes.append(outcome)
        try:
            number = _number(row, "Area number")
            reference = text(
                row, "Action reference", required="Enter the action reference", max_length=20
            )
        except CellError as e:
            outcome.errors.append((e.column, e.message))
            continue
        outcome.label = f"Action {reference} (area {number})"
        if number not in areas:
            near = suggest(str(number), [str(n) for n in sorted(areas)])
            message = f"There is no area {number} in the plan"
            outcome.errors.append(
                ("Area number", message + (f": did you mean {near}?" if near else ""))
            )
        key = (number, reference)
        if _duplicate(outcome, "Action reference", seen, key, f"Action {reference}"):
            continue
        existing = ctx.actions.get(key)
        values = {"area": number, "reference": reference}
        readers = {
            "title": lambda row=row: text(
                row, "Action", required="Enter the action", max_length=300
            ),
            "description": lambda row=row: text(row, "Description", max_length=5000),
            "owner": lambda row=row: _owner(ctx, row, "Owner"),
            "partners": lambda row=row: _partners(ctx, row),
            "start_date": lambda row=row: date(row, "Start date"),
            "due_date": lambda row=row: date(row, "Due date"),
            "status": lambda row=row: choice(
                row, "Status", ACTION_STATUS, required="Select a status"
            ),
        }
        for name, read in readers.items():
            try:
                values[name] = read()
            except CellError as e:
                outcome.errors.append((e.column, e.message))
        start, due = values.get("start_date"), values.get("due_date")
        if start and due and due < start:
            outcome.errors.append(
                ("Due date", "The due date must be the same as or after the start date")
            )
        changes = []
        if existing is not None and not outcome.errors:
            compare(changes, "Action", existing.title, values["title"])
            compare(changes, "Description", existing.description, values["description"])
            compare(
                changes,
                "Owner",
                engine.owner_label(existing.owner) if existing.owner else "",
                values["owner"],
            )
            compare(
                changes,
                "Partners",
                "; ".join(sorted(p.name for p in existing.partners.all())),
                "; ".join(values["partners"]),
            )
            compare(changes, "Start date", existing.start_date, start)
            compare(changes, "Due date", existing.due_date, due)
            compare(
                changes,
                "Status",
                existing.get_status_display(),
                Action.Status(values["status"]).label,
            )
        outcome.values = values
        status = values.get("status")
        _finish(
            outcome,
            existing,
            changes,
            [
                ("Action", values.get("title")),
                ("Owner", values.get("owner")),
                ("Partners", "; ".join(values.get("partners", []))),
                ("Start date", start),
                ("Due date", due),
                ("Status", Action.Status(status).label if status else ""),
            ],
        )
    ctx.sheet_actions = set(seen)
    # A new reference that looks like one the sheet left out is probably a typo.
    missing_refs = {}
    for number, reference in ctx.actions:
        if (number, reference) not in seen:
            missing_refs.setdefault(number, []).append(reference)
    for o in outcomes:
        if o.status == NEW and missing_refs.get(o.values["area"]):
            near = _near_key(o.values["reference"], missing_refs[o.values["area"]])
            if near:
                o.status = ERROR
                o.errors.append(
                    (
                        "Action reference",
                        f"Area {o.values['area']} has no action {o.values['reference']}"
                        f": did you mean {near}? Correct the reference, or if this is a "
                        f"new action, keep {near}'s row in the sheet",
                    )
                )
    for key, action in ctx.actions.items():
        if key not in seen:
            outcomes.append(
                Outcome(ACTIONS, None, f"Action {key[1]} (area {key[0]})", REMOVED, record=action)
            )
    return outcomes


def apply_actions(ctx, outcomes: list[Outcome]) -> None:
    for o in outcomes:
        v = o.values
        fields = {
            "title": v["title"],
            "description": v["description"],
            "owner": _resolve_owner(ctx, v["owner"]),
            "start_date": v["start_date"],
            "due_date": v["due_date"],
            "status": v["status"],
        }
        partners = [ctx.org_by_name[name] for name in v["partners"]]
        if o.status == NEW:
            action = Action(area=ctx.areas[v["area"]], reference=v["reference"], **fields)
            reason = ctx.reason
            _save(ctx, action)
            ctx.actions[(v["area"], v["reference"])] = action
        else:
            action = o.record
            reason = change_reason(
                ctx.reason, due_date_move(action.due_date, v["due_date"]), default=ctx.reason
            )
            for name, value in fields.items():
                setattr(action, name, value)
            _save(ctx, action, reason)
        if o.status == NEW and not partners:
            continue
        if {p.pk for p in action.partners.all()} != {p.pk for p in partners}:
            with recorded(action, reason=reason, user=ctx.user):
                action.partners.set(partners)


# --- Which removed records may be deleted ----------------------------------------------------


def judge_removals(ctx, outcomes: list[Outcome]) -> None:
    """A removed record is deleted (after the separate confirmation) only when
    nothing that stays depends on it, and never with progress updates."""
    removed_milestones = {
        o.record.pk for o in outcomes if o.status == REMOVED and o.sheet == MILESTONES
    }
    staying = {pk for pk in ctx.milestones if pk not in removed_milestones}
    if ctx.sheet_milestones is None:
        staying = set(ctx.milestones)
    deleted_actions = set()
    for o in outcomes:
        if o.status != REMOVED or o.sheet != ACTIONS:
            continue
        action = o.record
        kept_by = [f"M{pk}" for pk in staying if ctx.milestones[pk].action_id == action.pk]
        if action.pk in ctx.actions_with_updates:
            o.note = "Kept: progress updates refer to it, and they are never deleted"
        elif kept_by:
            o.note = f"Kept: milestone {', '.join(sorted(kept_by))} still belongs to it"
        else:
            o.values["deletable"] = True
            deleted_actions.add(action.pk)
    for o in outcomes:
        if o.status == REMOVED and o.sheet == MILESTONES:
            o.values["deletable"] = True
        if o.status != REMOVED or o.sheet != AREAS:
            continue
        area = o.record
        actions_left = [
            a for a in ctx.actions.values() if a.area_id == area.pk and a.pk not in deleted_actions
        ]
        milestones_left = [pk for pk in staying if ctx.milestones[pk].area_id == area.pk]
        if area.pk in ctx.areas_with_updates:
            o.note = "Kept: it has progress updates, which are never deleted"
        elif actions_left or milestones_left:
            o.note = "Kept: its actions or milestones are still in the workbook"
        else:
            o.values["deletable"] = True


engine.FINISHERS.append(judge_removals)

for _sheet in (
    Sheet(
        PARTNERS,
        "partners",
        5,
        "The council's partner organisations.",
        PARTNER_COLUMNS,
        partner_rows,
        check_partners,
        apply_partners,
    ),
    Sheet(
        OWNERS,
        "owners",
        6,
        "The owners (job titles) in the council's directory.",
        OWNER_COLUMNS,
        owner_rows,
        check_owners,
        apply_owners,
    ),
    Sheet(
        AREAS,
        "areas",
        10,
        "The plan's improvement areas: the inspection's recommendations.",
        AREA_COLUMNS,
        area_rows,
        check_areas,
        apply_areas,
        remove_records,
        removes=True,
    ),
    Sheet(
        ACTIONS,
        "actions",
        20,
        "The actions under each area.",
        ACTION_COLUMNS,
        action_rows,
        check_actions,
        apply_actions,
        remove_records,
        removes=True,
    ),
    Sheet(
        MILESTONES,
        "milestones",
        30,
        "The dated milestones under each area and action.",
        MILESTONE_COLUMNS,
        milestone_rows,
        check_milestones,
        apply_milestones,
        remove_records,
        removes=True,
    ),
):
    register(_sheet)
