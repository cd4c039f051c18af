"""The sheets of a plan's workbook, and the one vocabulary they share.

A ``Sheet`` says what its columns are, how to write the plan's records as rows
(export) and how to check rows coming back (import) and write them. The plan's
own sheets (areas, actions, milestones, owners, partners) are registered in
workbook/plan_sheets.py; another app adds a sheet by calling ``register`` from
its ``AppConfig.ready`` (success measures, for example), without this app
knowing of it.

Checking turns each row into an ``Outcome``: new, changed (field by field, old
→ new), unchanged, error (row, column and reason) or removed (a record of the
plan that is not in the sheet). Outcomes are plain data: the preview shows
them, and the confirmation checks the rows again and writes only if the
outcomes are the same as those the user saw.
"""

from __future__ import annotations

import datetime
import difflib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from plans.models import format_plan_date

NEW, CHANGED, UNCHANGED, ERROR, REMOVED = "new", "changed", "unchanged", "error", "removed"


@dataclass(frozen=True)
class Column:
    header: str
    help: str
    width: int = 18
    read_only: bool = False
    date: bool = False
    # The name of a list on the workbook's hidden Lists sheet (a data validation).
    choices: str = ""


@dataclass
class Outcome:
    sheet: str
    row: int | None
    label: str
    status: str
    changes: list[tuple[str, str, str]] = field(default_factory=list)
    errors: list[tuple[str, str]] = field(default_factory=list)
    # What to write (record, values): for the sheet's own apply(); not shown.
    record: object = None
    values: dict = field(default_factory=dict)
    note: str = ""

    def digest(self) -> tuple:
        return (self.sheet, self.row, self.label, self.status, tuple(self.changes), self.note)


@dataclass
class Sheet:
    """One record type's sheet. ``check`` and ``apply`` receive the import's
    context (engine.Context); ``rows`` the export's. ``apply`` and ``remove``
    may be called several times in one import, with consecutive batches of the
    sheet's outcomes in order (all in the one transaction), so that the page
    can show how far the import has got."""

    name: str
    slug: str
    order: int
    intro: str
    columns: list[Column]
    rows: Callable[[object], Iterable[list[object]]]
    check: Callable[[object, object], list[Outcome]] | None = None
    apply: Callable[[object, list[Outcome]], None] | None = None
    remove: Callable[[object, list[Outcome]], None] | None = None
    # Whether removals found by check may be deleted (with a separate confirmation).
    removes: bool = False
    # The sheet's own drop-down lists ({name: labels}), added to the hidden Lists
    # sheet; a Column names one in ``choices``.
    lists: dict[str, list[str]] = field(default_factory=dict)


_REGISTRY: dict[str, Sheet] = {}


def register(sheet: Sheet) -> Sheet:
    _REGISTRY[sheet.slug] = sheet
    return sheet


def sheets() -> list[Sheet]:
    return sorted(_REGISTRY.values(), key=lambda s: s.order)


def sheet_for(slug: str) -> Sheet | None:
    return _REGISTRY.get(slug)


# --- Reading cells -------------------------------------------------------------------


class CellError(Exception):
    def __init__(self, column: str, message: str) -> None:
        super().__init__(message)
        self.column = column
        self.message = message


def text(row: dict, column: str, *, required: str = "", max_length: int = 0) -> str:
    value = row.get(column, "")
    if isinstance(value, datetime.date):
        value = format_plan_date(value)
    value = str(value).strip().replace("\r\n", "\n")
    if required and not value:
        raise CellError(column, required)
    if max_length and len(value) > max_length:
        raise CellError(column, f"The {column.lower()} must be {max_length:,} characters or fewer")
    return value


MONTHS = {
    name.lower(): number
    for number in range(1, 13)
    for name in (
        datetime.date(2000, number, 1).strftime("%B"),
        datetime.date(2000, number, 1).strftime("%b"),
    )
}


def date(row: dict, column: str, *, required: bool = False) -> datetime.date | None:
    """A date cell: an Excel date, or text like 30/06/2015, 2015-06-30 or 30 June 2015."""
    value = row.get(column, "")
    if isinstance(value, datetime.date):
        parsed = value
    elif not str(value).strip():
        if required:
            raise CellError(column, f"Enter the {column.lower()}")
        return None
    else:
        parsed = _parse_date(str(value).strip())
        if parsed is None:
            raise CellError(
                column,
                f"“{value}” is not a date: enter the {column.lower()} as a date, like 30/06/2015",
            )
    if not datetime.date(2000, 1, 1) <= parsed <= datetime.date(2100, 12, 31):
        raise CellError(column, f"The {column.lower()} must be between 2000 and 2100")
    return parsed


def _parse_date(value: str) -> datetime.date | None:
    try:
        match = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T].*)?", value)
        if match:
            y, m, d = (int(g) for g in match.groups())
            return datetime.date(y, m, d)
        match = re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", value)
        if match:
            d, m, y = (int(g) for g in match.groups())
            return datetime.date(y, m, d)
        match = re.fullmatch(r"(\d{1,2})\s+([A-Za-z]+)\s+(\d{4})", value)
        if match and match.group(2).lower() in MONTHS:
            return datetime.date(
                int(match.group(3)), MONTHS[match.group(2).lower()], int(match.group(1))
            )
    except ValueError:
        return None
    return None


def choice(row: dict, column: str, options: dict[str, str], *, required: str = "") -> str:
    """A value from a list, matched on its label without regard to case."""
    value = text(row, column)
    if not value:
        if required:
            raise CellError(column, required)
        return ""
    by_label = {label.casefold(): key for label, key in options.items()}
    if value.casefold() in by_label:
        return by_label[value.casefold()]
    raise CellError(column, unknown(value, list(options), f"Select the {column.lower()}"))


def unknown(value: str, known: Iterable[str], what: str) -> str:
    """“x” is not in the list, with the nearest match if there is one that looks like a typo."""
    near = suggest(value, known)
    listed = f"“{value}” is not in the list: {what[0].lower()}{what[1:]} from the list"
    return f"{listed}. Did you mean “{near}”?" if near else listed


def suggest(value: str, known: Iterable[str]) -> str | None:
    known = list(known)
    folded = {k.casefold(): k for k in known}
    near = difflib.get_close_matches(value.casefold(), list(folded), n=1, cutoff=0.75)
    return folded[near[0]] if near else None


def shown(value: object) -> str:
    """A value as the preview shows it."""
    if value is None or value == "":
        return "(blank)"
    if isinstance(value, datetime.date):
        return format_plan_date(value)
    return str(value)


def compare(changes: list, label: str, old: object, new: object) -> None:
    if old != new and not (old in (None, "") and new in (None, "")):
        changes.append((label, shown(old), shown(new)))


def as_rows(
    sheet, columns: list[Column], *, renamed: dict[str, str] | None = None
) -> tuple[list[dict], list[tuple[str, str]]]:
    """The sheet's rows as {header: value}, and the columns it lacks.
    ``renamed``: old heading → current, for workbooks downloaded before a rename."""
    headers = [str(h).strip() for h in sheet.header_row]
    headers = [(renamed or {}).get(h, h) for h in headers]
    missing = [c.header for c in columns if not c.read_only and c.header not in headers]
    rows = []
    for number, values in sheet.rows:
        row = {"_row": number}
        for header, value in zip(headers, values, strict=False):
            if header:
                row[header] = value
        rows.append(row)
    return rows, [(header, f"The sheet has no column “{header}”") for header in missing]
