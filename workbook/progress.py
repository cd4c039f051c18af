"""Bulk progress updates: a workbook with one row per area, each filled-in row
becoming a progress update exactly as if typed into the update form.

Each row is checked by the update form itself (plans.forms.ProgressUpdateForm:
the as-at date not in the future, a RAG status, the progress, evidence links,
and a reason when the status is worse than the area's last approved one), and
saved through the same services (plans/services.py) as a draft or submitted
for sign-off, with the import named in its history's reason.
"""

from __future__ import annotations

import uuid

from django.db import transaction
from django.utils import timezone

from core.rag import RAG
from plans import permissions as perms
from plans import services
from plans.forms import ProgressUpdateForm
from plans.models import ImprovementArea, Plan, format_plan_date

from .engine import PLAN_LABEL, Preview, Stale, owner_label, person, problem_outcomes
from .export import file_stem
from .layout import WorkbookWriter
from .models import claim
from .reading import HEADER_ROW, ReadBook
from .registry import ERROR, NEW, UNCHANGED, CellError, Column, Outcome, as_rows, date, text
from .steps import BATCH, Step, Steps, run

SHEET = "Progress updates"
DRAFT, SUBMIT = "Draft", "Submit for sign-off"
REASON = "Reason for the status"
# The column's heading in workbooks downloaded before it was renamed: still read.
OLD_HEADINGS = {"Reason if worse": REASON}

COLUMNS = [
    Column("Area number", "The area the update is about: keep it as it is.", 10),
    Column("Recommendation", "Read-only.", 50, read_only=True),
    Column("Lead", "Read-only.", 30, read_only=True),
    Column("Last approved RAG", "Read-only: the area's current status.", 18, read_only=True),
    Column("Last approved as at", "Read-only.", 14, read_only=True, date=True),
    Column(
        "As-at date", "The date the update reports progress as at: today or earlier.", 13, date=True
    ),
    Column("RAG", "Blue, Green, Amber or Red (from the list).", 18, choices="rag"),
    Column("Progress", "What has been done since the last update, in plain English.", 60),
    Column("Next steps", "What happens next: required when the RAG is Amber or Red.", 40),
    Column("Evidence links", "Web addresses starting https://, one on each line (optional).", 30),
    Column(
        REASON,
        "Why the status is what it is: required when the RAG is Amber or Red, or worse than "
        "the last approved one.",
        30,
    ),
    Column(
        "Save as",
        "Draft (yours to finish in the service) or Submit for sign-off.",
        20,
        choices="save_as",
    ),
]
UPDATE_COLUMNS = [
    "As-at date",
    "RAG",
    "Progress",
    "Next steps",
    "Evidence links",
    REASON,
]
READ_ME = [
    "Fill in a row for each area you are reporting on; leave the rest blank. Each filled-in "
    "row becomes a progress update, checked exactly as the update form checks it.",
    "Save as: Draft keeps the update for you to finish in the service; Submit for sign-off "
    "sends it to the plan administrators. You will see every update before anything is saved.",
    f"The RAG key: {'; '.join(label for _, label in RAG.choices)}. When the RAG is Amber "
    f"or Red, or worse than the last approved one, say why in “{REASON}”; when it is Amber or "
    "Red, say what happens next in “Next steps”.",
]


def areas_for(user, plan: Plan) -> list[ImprovementArea]:
    """The areas the user records updates on: all of them for a plan
    administrator, an officer's own (those they lead)."""
    areas = (
        ImprovementArea.objects.filter(plan=plan)
        .select_related("lead__organisation", "lead__user", "plan")
        .with_status()
        .order_by("number")
    )
    if not perms.administers(user, plan):
        areas = areas.filter(lead__user=user)
    return list(areas)


def progress_workbook(user, plan: Plan) -> tuple[str, bytes]:
    today = timezone.localdate()
    lists = {"rag": [label for _, label in RAG.choices], "save_as": [DRAFT, SUBMIT]}
    writer = WorkbookWriter(plan=plan, exported=today, lists=lists)
    writer.read_me(READ_ME, [(SHEET, "One row per area.", COLUMNS)])
    rows = [
        [
            a.number,
            a.recommendation,
            owner_label(a.lead) if a.lead else "",
            RAG(a.current_rag).label if a.current_rag else "",
            a.current_as_at,
            None,
            "",
            "",
            "",
            "",
            "",
            DRAFT,
        ]
        for a in areas_for(user, plan)
    ]
    writer.sheet(SHEET, COLUMNS, rows)
    return f"{file_stem(plan, today)}-progress.xlsx", writer.finish()


def _rag(value: str) -> str:
    """A RAG label, or just its colour ("Amber", "amber", "A")."""
    value = value.strip().casefold()
    for key, label in RAG.choices:
        if value in (label.casefold(), key, key[0]):
            return key
    return value  # the form says "Select a RAG status"


def _form_data(row: dict, area_as_at) -> dict:
    as_at = date(row, "As-at date", required=True)
    return {
        "as_at_0": str(as_at.day),
        "as_at_1": str(as_at.month),
        "as_at_2": str(as_at.year),
        "rag": _rag(text(row, "RAG")),
        "narrative": text(row, "Progress"),
        "next_steps": text(row, "Next steps"),
        "evidence": text(row, "Evidence links"),
        "rag_reason": text(row, REASON),
    }


FIELD_COLUMNS = {
    "as_at": "As-at date",
    "rag": "RAG",
    "narrative": "Progress",
    "next_steps": "Next steps",
    "evidence": "Evidence links",
    "rag_reason": REASON,
}


def check(user, plan: Plan, book: ReadBook) -> Preview:
    return run(check_steps(user, plan, book))


def check_steps(user, plan: Plan, book: ReadBook) -> Steps[Preview]:
    """check, yielding a Step every few hundred rows."""
    preview = Preview([], sheet_names=[SHEET])
    read = book.sheets.get(SHEET)
    if read is None:
        preview.file_errors.append(
            f"The file has no “{SHEET}” sheet: download the progress workbook and fill that in"
        )
        return preview
    if read.meta.get(PLAN_LABEL, "") != plan.slug:
        preview.file_errors.append(
            f"The workbook is for another plan: download the progress "
            f"workbook of {plan.title} and fill that in"
        )
        return preview
    preview.outcomes.extend(problem_outcomes(book))
    rows, missing = as_rows(read, COLUMNS, renamed=OLD_HEADINGS)
    if missing:
        preview.outcomes.append(
            Outcome(SHEET, HEADER_ROW, "Column headings", ERROR, errors=missing)
        )
        return preview
    areas = {a.number: a for a in areas_for(user, plan)}
    seen: dict[int, int] = {}
    for done, row in enumerate(rows, start=1):
        if done % BATCH == 0:
            yield Step("Checked", done, len(rows))
        outcome = Outcome(SHEET, row["_row"], f"Row {row['_row']}", UNCHANGED)
        preview.outcomes.append(outcome)
        number = text(row, "Area number")
        # ASCII digits only: "²" is a digit to str.isdigit() but not to int().
        area = areas.get(int(number)) if number.isascii() and number.isdigit() else None
        if area is not None:
            outcome.label = f"Area {area.number}"
        if not any(text(row, c) for c in UPDATE_COLUMNS):
            outcome.note = "No update"
            continue
        if area is None:
            outcome.status = ERROR
            outcome.errors.append(
                (
                    "Area number",
                    f"“{number}” is not one of your areas: keep "
                    "the area numbers as they were downloaded",
                )
            )
            continue
        if area.number in seen:
            outcome.status = ERROR
            outcome.errors.append(
                (
                    "Area number",
                    f"Area {area.number} is also on row "
                    f"{seen[area.number]}: one update per area in a workbook",
                )
            )
            continue
        seen[area.number] = outcome.row
        try:
            data = _form_data(row, area.current_as_at)
        except CellError as e:
            outcome.status = ERROR
            outcome.errors.append((e.column, e.message))
            continue
        form = ProgressUpdateForm(data, last_rag=area.current_rag)
        if not form.is_valid():
            outcome.status = ERROR
            for name, messages in form.errors.items():
                column = FIELD_COLUMNS.get(name, "")
                outcome.errors.extend((column, message) for message in messages)
            continue
        submit = text(row, "Save as").casefold() == SUBMIT.casefold()
        values = form.values
        outcome.status = NEW
        outcome.record = area
        outcome.values = {"values": values, "submit": submit}
        outcome.changes = [
            ("As at", "", format_plan_date(values["as_at"])),
            (
                "RAG status",
                RAG(area.current_rag).label if area.current_rag else "(none)",
                RAG(values["rag"]).label,
            ),
            ("Progress", "", values["narrative"]),
            ("Saved as", "", SUBMIT if submit else DRAFT),
        ]
        for name in ("next_steps", "evidence", "rag_reason"):
            if values[name]:
                outcome.changes.append((form.fields[name].label, "", values[name]))
    return preview


def confirm(*, user, plan: Plan, file_name: str, book: ReadBook, fingerprint: str) -> Preview:
    """Save each update as its form would, in one transaction, if the preview stands."""
    return run(
        confirm_steps(user=user, plan=plan, file_name=file_name, book=book, fingerprint=fingerprint)
    )


def confirm_steps(
    *,
    user,
    plan: Plan,
    file_name: str,
    book: ReadBook,
    fingerprint: str,
    pending: uuid.UUID | None = None,
) -> Steps[Preview]:
    """confirm, yielding a Step every few hundred updates, inside the transaction
    (a caller that stops before the end rolls everything back). ``pending``:
    the PendingImport being confirmed, claimed first (AlreadyConfirmed)."""
    # Said in each update's history, after "Submitted for sign-off" or "Saved as a draft".
    how = f"imported from {file_name} by {person(user)}"
    with transaction.atomic():
        Plan.objects.select_for_update().filter(pk=plan.pk).first()
        if pending is not None:
            claim(pending, user=user, plan=plan)
        preview = yield from check_steps(user, plan, book)
        if preview.has_errors or preview.fingerprint != fingerprint:
            raise Stale(preview)
        writes = preview.writes
        for done, outcome in enumerate(writes, start=1):
            # As the update form saves it: the plan's approvers are e-mailed of a submission.
            services.record_update(
                area=outcome.record,
                user=user,
                values=outcome.values["values"],
                submit=outcome.values["submit"],
                how=how,
            )
            if done % BATCH == 0 or done == len(writes):
                yield Step("Saved", done, len(writes), "updates")
    return preview
