"""From an upload to a preview, and from a confirmed preview to the plan.

``check`` reads nothing but the rows already read from the file (reading.py)
and the plan as it is now, loaded in a fixed number of queries (``Context``),
and returns a ``Preview``: every row's outcome, the errors, and a fingerprint.

``confirm`` claims the pending import (once: workbook.models.claim) and checks
the same rows again inside one transaction, with the plan row locked, and
writes only if the outcomes are exactly those the user saw (the fingerprint,
which covers each changed field's value before and after); otherwise nothing
is written and the new preview is shown.
Every write goes through the services the forms use (plans/services.py:
validated, version-checked where the record keeps a version, or deleted
through ``delete()``) with the user and the reason "Imported from <file> by
<user>".
"""

from __future__ import annotations

import datetime
import hashlib
import uuid
from collections import Counter
from dataclasses import dataclass, field

from django.db import transaction

from plans.models import Action, ImprovementArea, Milestone, Plan, ProgressUpdate, Theme
from plans.saving import EditConflict
from plans.setup.directory import organisations_for, owners_for, partners_of

from .models import claim
from .reading import HEADER_ROW, ReadBook, ReadSheet
from .registry import CHANGED, ERROR, NEW, REMOVED, UNCHANGED, Outcome, sheets
from .steps import Step, Steps, batches, run

PLAN_LABEL = "Plan reference"


def person(user) -> str:
    return user.get_full_name() or user.get_username()


def owner_label(owner) -> str:
    return str(owner)


class Context:
    """The plan as it is now, for one export or one import: each kind of record
    is loaded once (one query each), whatever the plan's size."""

    def __init__(self, plan: Plan, user=None, file_name: str = "") -> None:
        self.plan = plan
        self.user = user
        self.file_name = file_name
        self.reason = f"Imported from {file_name} by {person(user)}" if user else ""
        self.areas: dict[int, ImprovementArea] = {
            a.number: a
            for a in ImprovementArea.objects.filter(plan=plan)
            .select_related("lead__organisation", "theme")
            .with_status()
            .order_by("number")
        }
        self.actions: dict[tuple[int, str], Action] = {
            (a.area.number, a.reference): a
            for a in Action.objects.filter(area__plan=plan)
            .select_related("area", "owner__organisation")
            .prefetch_related("partners")
            .order_by("area__number", "reference")
        }
        self.milestones: dict[int, Milestone] = {
            m.pk: m
            for m in Milestone.objects.filter(area__plan=plan)
            .select_related("area", "action")
            .order_by("area__number", "due_date", "pk")
        }
        self.themes = {t.name: t for t in Theme.objects.filter(plan=plan).order_by("order", "name")}
        self.owners = list(owners_for(plan))
        self.organisations = list(organisations_for(plan))
        self.partners = list(partners_of(plan))
        self.council_id = plan.organisation.council_id_or_own
        self.owner_by_label = {owner_label(o): o for o in self.owners}
        self.org_by_name = {o.name: o for o in self.organisations}
        used = ProgressUpdate.objects.filter(area__plan=plan).values_list("area_id", "action_id")
        pairs = set(used.distinct())
        self.areas_with_updates = {area for area, _ in pairs}
        self.actions_with_updates = {action for _, action in pairs if action}
        # Filled in as sheets are checked: what the workbook adds or keeps.
        self.new_org_names: dict[str, str] = {}
        self.new_owner_labels: dict[str, str] = {}
        self.sheet_areas: set[int] | None = None
        self.sheet_actions: set[tuple[int, str]] | None = None
        self.sheet_milestones: set[int] | None = None

    # What rows may refer to, the workbook's own additions included.
    def area_numbers(self) -> set[int]:
        return self.sheet_areas if self.sheet_areas is not None else set(self.areas)

    def action_keys(self) -> set[tuple[int, str]]:
        return self.sheet_actions if self.sheet_actions is not None else set(self.actions)

    def owner_labels(self) -> list[str]:
        return [*self.owner_by_label, *self.new_owner_labels.values()]

    def partner_names(self) -> list[str]:
        return [*(o.name for o in self.partners), *self.new_org_names.values()]

    def organisation_names(self) -> list[str]:
        return [*(o.name for o in self.organisations), *self.new_org_names.values()]


@dataclass
class Preview:
    outcomes: list[Outcome]
    file_errors: list[str] = field(default_factory=list)
    sheet_names: list[str] = field(default_factory=list)

    @property
    def errors(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status == ERROR]

    @property
    def has_errors(self) -> bool:
        return bool(self.file_errors or self.errors)

    @property
    def writes(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status in (NEW, CHANGED)]

    @property
    def removals(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status == REMOVED]

    @property
    def deletable(self) -> list[Outcome]:
        return [o for o in self.removals if o.values.get("deletable")]

    def by_sheet(self) -> list[dict]:
        """Each sheet's outcomes and counts, for the preview page."""
        result = []
        for name in self.sheet_names:
            rows = [o for o in self.outcomes if o.sheet == name]
            counts = Counter(o.status for o in rows)
            result.append(
                {
                    "name": name,
                    "counts": {
                        s: counts.get(s, 0) for s in (NEW, CHANGED, UNCHANGED, ERROR, REMOVED)
                    },
                    "new": [o for o in rows if o.status == NEW],
                    "changed": [o for o in rows if o.status == CHANGED],
                    "unchanged": [o.label for o in rows if o.status == UNCHANGED],
                    "removed": [o for o in rows if o.status == REMOVED],
                }
            )
        return result

    @property
    def fingerprint(self) -> str:
        digest = hashlib.sha256()
        for outcome in self.outcomes:
            digest.update(repr(outcome.digest()).encode())
        return digest.hexdigest()


def check(ctx: Context, book: ReadBook) -> Preview:
    return run(check_steps(ctx, book))


def check_steps(ctx: Context, book: ReadBook) -> Steps[Preview]:
    """check, yielding a Step after each sheet."""
    preview = Preview([])
    known = [s for s in sheets() if s.check is not None and s.name in book.sheets]
    if not known:
        names = ", ".join(s.name for s in sheets() if s.check is not None)
        preview.file_errors.append(
            f"The file has none of the plan's sheets ({names}): export the plan to get a "
            "workbook in the right layout"
        )
        return preview
    for sheet in known:
        read = book.sheets[sheet.name]
        slug = read.meta.get(PLAN_LABEL, "")
        if slug != ctx.plan.slug:
            other = Plan.objects.filter(slug=slug).values_list("title", flat=True).first()
            preview.file_errors.append(
                f"The {sheet.name} sheet is for another plan"
                + (f" (“{other}”)" if other else f" (“{slug}”)" if slug else "")
                + f": export this plan, {ctx.plan.title}, and make your changes in that workbook"
            )
    if preview.file_errors:
        return preview
    preview.outcomes.extend(problem_outcomes(book))
    total = sum(len(book.sheets[s.name].rows) for s in known)
    done = 0
    for sheet in known:
        preview.sheet_names.append(sheet.name)
        preview.outcomes.extend(sheet.check(ctx, book.sheets[sheet.name]))
        if book.sheets[sheet.name].rows:
            done += len(book.sheets[sheet.name].rows)
            yield Step("Checked", done, total)
    for finish in FINISHERS:
        finish(ctx, preview.outcomes)
    return preview


# Called after every sheet is checked, with all the outcomes (plan_sheets.py
# decides there which removed records may be deleted).
FINISHERS: list = []


def problem_outcomes(book: ReadBook) -> list[Outcome]:
    """What the reader could not make sense of (a bad cell, a short row), as
    error rows of the preview."""
    return [
        Outcome(
            problem.sheet,
            problem.row,
            f"Row {problem.row}",
            ERROR,
            errors=[(problem.column, problem.message)],
        )
        for problem in book.problems
    ]


class Stale(Exception):
    """The plan changed between the preview and the confirmation (or the rows
    now have errors): nothing was written; ``preview`` is the new one."""

    def __init__(self, preview: Preview) -> None:
        super().__init__("The plan changed since the preview")
        self.preview = preview


def confirm(
    *,
    plan: Plan,
    user,
    file_name: str,
    book: ReadBook,
    fingerprint: str,
    remove: bool,
    pending: uuid.UUID | None = None,
) -> Preview:
    """Write the checked rows, in one transaction; with ``remove``, also delete
    the removed records that may be deleted. Stale if the preview changed."""
    return run(
        confirm_steps(
            plan=plan,
            user=user,
            file_name=file_name,
            book=book,
            fingerprint=fingerprint,
            remove=remove,
            pending=pending,
        )
    )


def confirm_steps(
    *,
    plan: Plan,
    user,
    file_name: str,
    book: ReadBook,
    fingerprint: str,
    remove: bool,
    pending: uuid.UUID | None = None,
) -> Steps[Preview]:
    """confirm, yielding a Step after each sheet checked and each batch of rows
    written. The steps are yielded inside the transaction: a caller that stops
    (closes the generator) before the end rolls everything back. ``pending``:
    the PendingImport being confirmed, claimed first (AlreadyConfirmed)."""
    try:
        return (
            yield from _write_steps(
                plan=plan,
                user=user,
                file_name=file_name,
                book=book,
                fingerprint=fingerprint,
                remove=remove,
                pending=pending,
            )
        )
    except EditConflict:
        # A record was saved by someone else after this transaction read it
        # (a form does not wait for the plan's lock): nothing was written, and
        # the changes as they are now are shown, as for any change since the preview.
        raise Stale(check(Context(plan, user, file_name), book)) from None


def _write_steps(
    *,
    plan: Plan,
    user,
    file_name: str,
    book: ReadBook,
    fingerprint: str,
    remove: bool,
    pending: uuid.UUID | None,
) -> Steps[Preview]:
    with transaction.atomic():
        Plan.objects.select_for_update().filter(pk=plan.pk).first()
        if pending is not None:
            claim(pending, user=user, plan=plan)
        ctx = Context(plan, user, file_name)
        preview = yield from check_steps(ctx, book)
        if preview.has_errors or preview.fingerprint != fingerprint:
            raise Stale(preview)
        known = [s for s in sheets() if s.name in preview.sheet_names]
        writes = [
            (sheet.apply, [o for o in preview.writes if o.sheet == sheet.name])
            for sheet in known
            if sheet.apply is not None
        ]
        if remove:
            writes += [
                (sheet.remove, [o for o in preview.deletable if o.sheet == sheet.name])
                for sheet in reversed(known)
                if sheet.remove is not None
            ]
        total, done = sum(len(rows) for _, rows in writes), 0
        for write, rows in writes:
            # A sheet's apply and remove write row by row, so batches are the same writes.
            for batch in batches(rows):
                write(ctx, list(batch))
                done += len(batch)
                yield Step("Saved", done, total, "changes")
    return preview


# --- Keeping the read rows between the preview and the confirmation -------------------


def book_to_json(book: ReadBook) -> dict:
    def cell(value):
        return {"d": value.isoformat()} if isinstance(value, datetime.date) else value

    return {
        name: {
            "meta": sheet.meta,
            "header": sheet.header_row,
            "rows": [[n, [cell(v) for v in values]] for n, values in sheet.rows],
        }
        for name, sheet in book.sheets.items()
    }


def book_from_json(data: dict) -> ReadBook:
    def cell(value):
        return datetime.date.fromisoformat(value["d"]) if isinstance(value, dict) else value

    result = {}
    for name, sheet in data.items():
        read = ReadSheet(name, list(sheet["header"]), dict(sheet["meta"]))
        read.rows = [(n, [cell(v) for v in values]) for n, values in sheet["rows"]]
        result[name] = read
    return ReadBook(result, [])


assert HEADER_ROW == 4  # the layout's header row, shared with layout.py
