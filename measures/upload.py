"""Figures from a CSV or Excel file: read, checked row by row, previewed, and
written only when the user confirms.

The preview carries the rows it accepted in a signed token (django.core.signing)
with a random id, the user, the plan, the file's digest and, for each figure
it would write, the figure's latest history row as the preview saw it. The
token confirms once, within ``TOKEN_MAX_AGE``, for that user and plan:
confirming claims its id in the transaction that writes (an
``UploadConfirmation``), re-checks every row and writes them all or none, and
writes nothing if any of those figures changed after the preview
(services.save_upload). A row that repeats a figure already recorded writes
nothing, so uploading the same file twice changes nothing.

Hostile files are refused before they are parsed, by the reader every upload
shares (workbook/reading.py): too big, not UTF-8, a workbook with macros, a
zip that expands too far, a sheet with (or claiming) too many rows; formulae
are refused cell by cell (the workbook is read with ``read_only=True`` and
``data_only=False`` so a formula is seen as one rather than taken at its cached
value, which anything can write); NaN, infinity, exponents and numbers that do
not fit are errors.
"""

from __future__ import annotations

import csv
import datetime
import hashlib
import uuid
from dataclasses import dataclass, field
from decimal import Decimal

from django.core import signing

from plans import permissions as perms
from plans.history import ChangeEntry, history_of
from plans.models import Plan
from workbook import reading

from . import periods
from .checks import FigureError, parse_figure, period_problem
from .models import UPLOAD_TOKEN_SECONDS, Measure, MeasureValue
from .services import last_changes

MAX_ROWS = 5000
# What the shared reader reads at most: the figures, their row of column
# names and a few blank rows; columns past those named are ignored.
LIMITS = reading.Limits(rows=MAX_ROWS + 10, columns=reading.WORKBOOK_LIMITS.columns)
MAX_UNZIPPED_BYTES = 30 * 1024 * 1024
SIGNING_SALT = "measures.upload"
TOKEN_MAX_AGE = UPLOAD_TOKEN_SECONDS
COLUMNS = {
    "measure": ("measure id", "measure_id", "measureid", "id"),
    "period": ("period", "month", "quarter"),
    "value": ("figure", "value", "actual"),
    "comment": ("comment", "comments", "commentary"),
}


class FileRefused(ValueError):
    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


@dataclass
class Row:
    line: int  # the row's number in the file, as a spreadsheet numbers it
    measure: str
    period: str
    value: str
    comment: str = ""
    formula: bool = False
    # From a token: the figure's latest history row when the preview was made
    # (None: it had none).
    seen: int | None = None


@dataclass
class Checked:
    row: Row
    errors: list[str] = field(default_factory=list)
    measure: Measure | None = None
    period: datetime.date | None = None
    period_label: str = ""
    figure: Decimal | None = None
    recorded: Decimal | None = None  # the figure already on record, if any
    status: str = ""  # "new", "correction", "unchanged", or "" with errors
    last_change: int | None = None  # the figure's latest history row, read before it

    @property
    def key(self) -> tuple[int, datetime.date]:
        return (self.measure.pk, self.period)

    @property
    def status_label(self) -> str:
        return {
            "new": "New figure",
            "correction": "Corrects the recorded figure",
            "unchanged": "Already recorded: no change",
        }.get(self.status, "Not saved: see the error")


@dataclass
class Preview:
    rows: list[Checked]
    digest: str  # the file's SHA-256: the confirmation names the file it came from

    @property
    def errors(self) -> list[str]:
        return [e for r in self.rows for e in r.errors]

    @property
    def to_write(self) -> list[Checked]:
        return [r for r in self.rows if r.status in ("new", "correction")]

    def count(self, status: str) -> int:
        return sum(1 for r in self.rows if r.status == status)

    @property
    def corrections(self) -> int:
        return self.count("correction")

    @property
    def new(self) -> int:
        return self.count("new")

    @property
    def unchanged(self) -> int:
        return self.count("unchanged")

    @property
    def with_errors(self) -> int:
        return sum(1 for r in self.rows if r.errors)


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return str(value).strip()


def _columns(header: list[str]) -> dict[str, int]:
    names = [h.strip().lower() for h in header]
    found = {}
    for key, options in COLUMNS.items():
        for i, name in enumerate(names):
            if name in options:
                found[key] = i
                break
    missing = [k for k in ("measure", "period", "value") if k not in found]
    if missing:
        raise FileRefused(
            "The first row must name the columns Measure ID, Period and Figure "
            "(and, optionally, Comment)"
        )
    return found


def _rows_from(table: list[tuple[int, list[object], set[int]]]) -> list[Row]:
    """Rows (line, cells, columns holding formulae) → Rows, by the header."""
    table = [t for t in table if any(_cell_text(c) for c in t[1])]
    if not table:
        raise FileRefused("The selected file has no rows")
    header_line, header, _ = table[0]
    cols = _columns([_cell_text(c) for c in header])
    rows = []
    used = set(cols.values())
    for line, cells, formulae in table[1:]:
        got = {key: _cell_text(cells[i]) if i < len(cells) else "" for key, i in cols.items()}
        rows.append(
            Row(
                line=line,
                measure=got["measure"],
                period=got["period"],
                value=got["value"],
                comment=got.get("comment", ""),
                formula=bool(formulae & used),
            )
        )
    if not rows:
        raise FileRefused("The selected file has no figures: only the row of column names")
    if len(rows) > MAX_ROWS:
        raise FileRefused(f"The selected file must have {MAX_ROWS:,} rows or fewer")
    return rows


def _refused(unreadable: reading.Unreadable) -> FileRefused:
    if isinstance(unreadable, reading.TooManyRows):
        return FileRefused(f"The selected file must have {MAX_ROWS:,} rows or fewer")
    return FileRefused(unreadable.message)


def read_csv(data: bytes) -> list[Row]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FileRefused("The selected file must be saved as CSV UTF-8") from None
    if "\x00" in text:
        raise FileRefused("The selected file is not a CSV file")
    try:
        table = [(i, cells, set()) for i, cells in reading.csv_rows(text, LIMITS)]
    except reading.Unreadable as unreadable:
        raise _refused(unreadable) from None
    except csv.Error:
        raise FileRefused("The selected file could not be read as CSV") from None
    return _rows_from(table)


def read_xlsx(data: bytes) -> list[Row]:
    """The first sheet's rows, through the bounded reader every upload shares
    (workbook/reading.py): zip bombs, macros and oversized sheets are refused
    there."""
    try:
        reading.refuse_early("figures.xlsx", data, max_unpacked=MAX_UNZIPPED_BYTES)
        workbook = reading.open_xlsx(data)
    except reading.Unreadable as unreadable:
        raise _refused(unreadable) from None
    try:
        table = []
        for i, cells in reading.sheet_rows(workbook.worksheets[0], LIMITS):
            values, formulae = [], set()
            for j, cell in enumerate(cells):
                value = getattr(cell, "value", None)
                if getattr(cell, "data_type", None) == "f" or (
                    isinstance(value, str) and value.startswith("=")
                ):
                    formulae.add(j)
                    value = ""
                values.append(value)
            table.append((i, values, formulae))
    except reading.Unreadable as unreadable:
        raise _refused(unreadable) from None
    except Exception:
        raise FileRefused("The selected file could not be read as an Excel workbook") from None
    finally:
        workbook.close()
    return _rows_from(table)


def read(name: str, data: bytes) -> list[Row]:
    if name.lower().endswith(".xlsx"):
        return read_xlsx(data)
    return read_csv(data)


def check(rows: list[Row], *, plan: Plan, user, today: datetime.date) -> list[Checked]:
    """Each row checked against the plan as it is now. Four queries, whatever
    the number of rows: the measures named, the user's role (cached), the
    figures' latest history rows (read first, so that a change landing
    between the two reads is one the confirmation sees as a change) and the
    figures already recorded."""
    ids = {int(r.measure) for r in rows if _is_id(r.measure)}
    measures = {
        m.pk: m
        for m in Measure.objects.filter(pk__in=ids, area__plan=plan).select_related(
            "area__plan", "owner"
        )
    }
    result = []
    seen: dict[tuple[int, datetime.date], int] = {}
    for row in rows:
        checked = Checked(row=row)
        result.append(checked)
        where = f"Row {row.line}"
        if row.formula:
            checked.errors.append(f"{where}: contains a formula: enter the figure itself")
            continue
        if not _is_id(row.measure) or int(row.measure) not in measures:
            checked.errors.append(
                f"{where}: “{row.measure[:20]}” is not the ID of a measure in this plan"
            )
            continue
        measure = checked.measure = measures[int(row.measure)]
        if not perms.can_enter_figures(user, measure):
            checked.errors.append(
                f"{where}: you do not enter the figures of measure {measure.pk} "
                f"({measure.name}): ask its owner or a plan administrator"
            )
            continue
        try:
            period = periods.parse(row.period, measure.frequency)
        except periods.BadPeriod:
            checked.errors.append(f"{where}: enter the period as a month and year, like 2015-03")
            continue
        checked.period, checked.period_label = period, periods.label(period, measure.frequency)
        problem = period_problem(period, measure.frequency, today)
        if problem:
            checked.errors.append(f"{where}: {problem}")
            continue
        try:
            checked.figure = parse_figure(row.value, measure.unit)
        except FigureError as error:
            checked.errors.append(f"{where}: {error.message}")
            continue
        if len(row.comment) > 2000:
            checked.errors.append(f"{where}: the comment must be 2,000 characters or fewer")
            continue
        key = (measure.pk, period)
        if key in seen:
            checked.errors.append(
                f"{where}: a second figure for measure {measure.pk}, {checked.period_label} "
                f"(row {seen[key]} has one)"
            )
            continue
        seen[key] = row.line
    wanted = {(c.measure.pk, c.period) for c in result if not c.errors}
    changes = last_changes(wanted)
    recorded = {}
    if wanted:
        for v in MeasureValue.objects.filter(
            measure_id__in={m for m, _ in wanted}, period__in={p for _, p in wanted}
        ):
            recorded[(v.measure_id, v.period)] = v
    for c in result:
        if c.errors:
            continue
        current = recorded.get(c.key)
        c.last_change = changes.get(c.key)
        if current is None:
            c.status = "new"
        elif current.value == c.figure and current.comment == c.row.comment:
            c.recorded, c.status = current.value, "unchanged"
        else:
            c.recorded, c.status = current.value, "correction"
    return result


def preview(name: str, data: bytes, *, plan: Plan, user, today: datetime.date) -> Preview:
    rows = read(name, data)
    return Preview(
        rows=check(rows, plan=plan, user=user, today=today),
        digest=hashlib.sha256(data).hexdigest(),
    )


def _is_id(text: str) -> bool:
    # ASCII digits only: "²" is a digit to str.isdigit() but not to int().
    return text.isascii() and text.isdigit() and 0 < int(text) < 2**63


def sign(preview_: Preview, *, plan: Plan, user, reason: str) -> str:
    """The accepted rows, signed for the confirmation post, with the figures'
    latest history rows as the preview saw them and an id to claim once."""
    rows = [
        [c.row.line, c.row.measure, c.row.period, c.row.value, c.row.comment, c.last_change]
        for c in preview_.to_write
    ]
    return signing.dumps(
        {
            "id": uuid.uuid4().hex,
            "plan": plan.pk,
            "user": user.pk,
            "rows": rows,
            "reason": reason,
            "digest": preview_.digest,
        },
        salt=SIGNING_SALT,
        compress=True,
    )


@dataclass
class Signed:
    """A preview's token, read back: what the confirmation may write."""

    id: uuid.UUID
    rows: list[Row]
    reason: str
    digest: str


def unsign(token: str, *, plan: Plan, user) -> Signed:
    """The rows a preview accepted, if the token is good, in time, this user's
    and this plan's; FileRefused (400) saying which it is not otherwise. Whether
    it has been used already is for the confirmation to find (in its
    transaction)."""
    try:
        data = signing.loads(token, salt=SIGNING_SALT, max_age=TOKEN_MAX_AGE)
    except signing.SignatureExpired:
        raise FileRefused(
            f"This preview has expired: figures are saved within {TOKEN_MAX_AGE // 60} minutes "
            "of checking the file. Nothing has been saved. Upload the file again"
        ) from None
    except signing.BadSignature:
        raise FileRefused("This preview is not valid: upload the file again") from None
    try:
        confirmation = uuid.UUID(hex=data["id"])
        rows = [
            Row(line=r[0], measure=r[1], period=r[2], value=r[3], comment=r[4], seen=r[5])
            for r in data["rows"]
        ]
    except (KeyError, TypeError, ValueError, IndexError):  # a token from before ids
        raise FileRefused("This preview is not valid: upload the file again") from None
    if data.get("plan") != plan.pk:
        raise FileRefused(
            "This preview is for another plan: nothing has been saved. Upload the file on "
            "this plan's Upload figures page"
        )
    if data.get("user") != user.pk:
        raise FileRefused(
            "This preview was made by someone else: nothing has been saved. Upload the file "
            "yourself to check it"
        )
    return Signed(confirmation, rows, data.get("reason", ""), data.get("digest", ""))


def changes_after(
    changed: list[tuple[tuple[int, datetime.date], int | None]], *, plan: Plan
) -> list[ChangeEntry]:
    """The changes to figures made after a preview, newest first, in the
    plan's change-list words (plans.history): for each (key, the history row
    the preview saw), the figure's history rows after that one."""
    entries = []
    for (measure_id, period), seen in changed:
        last = (
            MeasureValue.history.filter(measure_id=measure_id, period=period)
            .order_by("-history_id")
            .first()
        )
        if last is None:
            continue
        newer = MeasureValue.history.filter(id=last.id, history_id__gt=seen or 0).count()
        entries.extend(history_of(MeasureValue(pk=last.id), plan.slug)[:newer])
    entries.sort(key=lambda e: e.when, reverse=True)
    return entries
