"""The whole plan as one workbook (or one sheet as CSV)."""

from __future__ import annotations

import datetime

from django.utils import timezone

from core.rag import RAG
from plans.models import Action, Milestone, Organisation, Plan

from . import plan_sheets  # noqa: F401  (registers the plan's sheets)
from .engine import Context
from .layout import WorkbookWriter, csv_bytes
from .registry import Sheet, sheets

READ_ME = [
    "This workbook is the improvement plan as it stood when it was exported. Change it in "
    "Excel, then import it back in the service (Workbook → Import): you will see every change "
    "before anything is saved, and every change is kept in the plan's history.",
    "Each sheet has one record a row, found again by its reference (area number, action "
    "reference, milestone reference M…). Keep the references; leave a new milestone's "
    "reference blank. Add a row to add a record.",
    "A row taken out of the Areas, Actions or Milestones sheet is listed as removed, and "
    "deleted only if you confirm that separately. Anything with progress updates is never "
    "deleted. Owners and partners are shared by the council's plans and are never removed.",
    "Dates are dates (or text like 30/06/2015). Cells must hold values, not formulas. Grey "
    "columns are read-only. Rows 1 to 4 of each sheet are its title and headings: keep them.",
]


def export_sheets() -> list[Sheet]:
    """The sheets in the workbook's tab order: the plan first, then the directory."""
    return sorted(sheets(), key=lambda s: (s.order < 10, s.order))


def lists_for(ctx: Context) -> dict[str, list[str]]:
    return {
        "themes": list(ctx.themes),
        "owners": sorted(ctx.owner_by_label),
        "organisations": [o.name for o in ctx.organisations],
        "action_status": [label for _, label in Action.Status.choices],
        "milestone_status": [label for _, label in Milestone.Status.choices],
        "precision": ["Day", "Month"],
        "kinds": [label for _, label in Organisation.Kind.choices],
        "rag": [label for _, label in RAG.choices],
    }


def file_stem(plan: Plan, day: datetime.date) -> str:
    return f"{plan.file_prefix}-{plan.slug}-{day.isoformat()}"


def plan_workbook(plan: Plan) -> tuple[str, bytes]:
    """(file name, XLSX bytes) of the whole plan."""
    today = timezone.localdate()
    ctx = Context(plan)
    ordered = export_sheets()
    lists = lists_for(ctx)
    for sheet in ordered:
        lists.update(sheet.lists)
    writer = WorkbookWriter(plan=plan, exported=today, lists=lists)
    writer.read_me(READ_ME, [(s.name, s.intro, s.columns) for s in ordered])
    for sheet in ordered:
        writer.sheet(sheet.name, sheet.columns, sheet.rows(ctx))
    return f"{file_stem(plan, today)}.xlsx", writer.finish()


def sheet_csv(plan: Plan, sheet: Sheet) -> tuple[str, bytes]:
    today = timezone.localdate()
    ctx = Context(plan)
    data = csv_bytes(
        plan=plan, exported=today, name=sheet.name, columns=sheet.columns, rows=sheet.rows(ctx)
    )
    return f"{file_stem(plan, today)}-{sheet.slug}.csv", data
