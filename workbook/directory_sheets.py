"""The Owners and Partners sheets: the council's directory, shared by its plans.
The workbook adds and changes them, never removes them."""

from __future__ import annotations

from plans.models import (
    Organisation,
    Owner,
)

from . import engine
from .registry import (
    NEW,
    CellError,
    Column,
    Outcome,
    as_rows,
    choice,
    compare,
    text,
    unknown,
)
from .rows import (
    KINDS,
    OWNERS,
    PARTNERS,
    _duplicate,
    _finish,
    _missing_columns,
    _outcome,
    _save,
)

# --- Owners and partners (the council's directory) ------------------------------------------

OWNER_COLUMNS = [
    Column("Job title", "The role, not the person: e.g. Head of Children's Social Care.", 40),
    Column("Organisation", "The council or one of its partners.", 36, choices="organisations"),
    Column(
        "Held by",
        "Read-only: the account that holds the role now (set in Plan set-up).",
        20,
        read_only=True,
    ),
]
PARTNER_COLUMNS = [
    Column("Organisation", "The partner organisation's name.", 40),
    Column("Short name", "Shown after owners' job titles, e.g. NHS (optional).", 14),
    Column(
        "Kind",
        "Health, Police, Education and skills, Partnership or board, Council or Other.",
        22,
        choices="kinds",
    ),
]


def owner_rows(ctx):
    for owner in ctx.owners:
        yield [
            owner.job_title,
            owner.organisation.name,
            owner.user.get_username() if owner.user else "",
        ]


def partner_rows(ctx):
    for org in ctx.partners:
        yield [org.name, org.short_name, org.get_kind_display()]


def check_partners(ctx, sheet) -> list[Outcome]:
    rows, missing = as_rows(sheet, PARTNER_COLUMNS)
    if missing:
        return _missing_columns(PARTNERS, missing)
    outcomes, seen = [], {}
    existing_by = {o.name.casefold(): o for o in ctx.organisations}
    for row in rows:
        outcome = _outcome(PARTNERS, row, f"Row {row['_row']}")
        outcomes.append(outcome)
        values = {}
        try:
            values["name"] = text(
                row, "Organisation", required="Enter the organisation's name", max_length=200
            )
            values["short_name"] = text(row, "Short name", max_length=50)
            values["kind"] = choice(row, "Kind", KINDS, required="Select the kind of organisation")
        except CellError as e:
            outcome.errors.append((e.column, e.message))
            continue
        outcome.label = values["name"]
        if _duplicate(outcome, "Organisation", seen, values["name"].casefold(), values["name"]):
            continue
        existing = existing_by.get(values["name"].casefold())
        if existing is not None and existing.council_id is None:
            outcome.errors.append(("Organisation", "This is the council itself, not a partner"))
        changes = []
        if existing is not None and not outcome.errors:
            compare(changes, "Short name", existing.short_name, values["short_name"])
            compare(
                changes,
                "Kind",
                existing.get_kind_display(),
                Organisation.Kind(values["kind"]).label,
            )
        outcome.values = values
        _finish(
            outcome,
            existing,
            changes,
            [
                ("Short name", values["short_name"]),
                ("Kind", Organisation.Kind(values["kind"]).label),
            ],
        )
        if outcome.status == NEW:
            ctx.new_org_names[values["name"].casefold()] = values["name"]
    return outcomes


def apply_partners(ctx, outcomes: list[Outcome]) -> None:
    for o in outcomes:
        org = o.record or Organisation(council_id=ctx.council_id, name=o.values["name"])
        org.short_name, org.kind = o.values["short_name"], o.values["kind"]
        # A partner changed here moves its version on (rows._save), so a set-up
        # form opened before the upload is then stale.
        _save(ctx, org)
        ctx.org_by_name[org.name] = org


def _new_owner_label(ctx, job_title: str, org_name: str, short: str | None) -> str:
    return f"{job_title} ({short})" if short else job_title


def check_owners(ctx, sheet) -> list[Outcome]:
    rows, missing = as_rows(sheet, OWNER_COLUMNS)
    if missing:
        return _missing_columns(OWNERS, missing)
    outcomes, seen = [], {}
    existing = {(o.job_title.casefold(), o.organisation.name.casefold()): o for o in ctx.owners}
    names = ctx.organisation_names()
    folded = {n.casefold(): n for n in names}
    for row in rows:
        outcome = _outcome(OWNERS, row, f"Row {row['_row']}")
        outcomes.append(outcome)
        try:
            title = text(row, "Job title", required="Enter the job title", max_length=200)
            org = text(row, "Organisation", required="Select the organisation")
            if org.casefold() not in folded:
                raise CellError("Organisation", unknown(org, names, "Select an organisation"))
        except CellError as e:
            outcome.errors.append((e.column, e.message))
            continue
        org = folded[org.casefold()]
        outcome.label = f"{title}, {org}"
        key = (title.casefold(), org.casefold())
        if _duplicate(outcome, "Job title", seen, key, outcome.label):
            continue
        record = existing.get(key)
        outcome.values = {"job_title": title, "organisation": org}
        _finish(outcome, record, [], [("Organisation", org)])
        if outcome.status == NEW:
            known = ctx.org_by_name.get(org)
            short = known.short_name if known else None
            label = _new_owner_label(ctx, title, org, short)
            outcome.values["label"] = label
            ctx.new_owner_labels[key] = label
    return outcomes


def apply_owners(ctx, outcomes: list[Outcome]) -> None:
    for o in outcomes:
        owner = Owner(
            job_title=o.values["job_title"], organisation=ctx.org_by_name[o.values["organisation"]]
        )
        _save(ctx, owner)
        ctx.owner_by_label[engine.owner_label(owner)] = owner
        ctx.owner_by_label.setdefault(o.values["label"], owner)
