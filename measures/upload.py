"""Figures from a CSV or Excel file: read, checked row by row, previewed, and
written only when the user confirms.

The preview carries the rows it accepted in a signed token (django.core.signing,
bound to the user and the plan, valid for an hour); confirming re-checks every
row against the database as it is then and writes them all or none. A row that
repeats a figure already recorded writes nothing, so uploading the same file
twice changes nothing.

Hostile files are refused before they are parsed: too big, not UTF-8, a
workbook with macros, a zip that expands too far; formulae are refused cell by
cell (the workbook is read with ``read_only=True`` and ``data_only=False`` so a
formula is seen as one rather than taken at its cached value, which anything
can write); NaN, infinity, exponents and numbers that do not fit are errors.
"""

from __future__ import annotations

import csv
import datetime
import hashlib
import io
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal

from django.core import signing

from plans import permissions as perms
from plans.models import Plan

from . import periods
from .checks import FigureError, parse_figure, period_problem
from .models import Measure, MeasureValue

MAX_ROWS = 5000
MAX_COLUMNS = 12
MAX_UNZIPPED_BYTES = 30 * 1024 * 1024
SIGNING_SALT = "measures.upload"
TOKEN_MAX_AGE = 3600
COLUMNS = {
    "measure": ("measure id", "measure_id", "measureid", "id"),
    "period": ("period", "month", "quarter"),
    "value": ("figure", "value", "actual"),
    "comment": ("comment", "comments", "commentary"),
}


class FileRefused(ValueError):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class Row:
    line: int  # the row's number in the file, as a spreadsheet numbers it
    measure: str
    period: str
    value: str
    comment: str = ""
    formula: bool = False


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
    digest: str  # of the file, for the page ("the same file as before?")

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


def read_csv(data: bytes) -> list[Row]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FileRefused("The selected file must be saved as CSV UTF-8") from None
    if "\x00" in text:
        raise FileRefused("The selected file is not a CSV file")
    try:
        reader = csv.reader(io.StringIO(text, newline=""))
        table = []
        for i, cells in enumerate(reader, start=1):
            if i > MAX_ROWS + 10:
                raise FileRefused(f"The selected file must have {MAX_ROWS:,} rows or fewer")
            table.append((i, cells[:MAX_COLUMNS], set()))
    except csv.Error:
        raise FileRefused("The selected file could not be read as CSV") from None
    return _rows_from(table)


def read_xlsx(data: bytes) -> list[Row]:
    import openpyxl

    buffer = io.BytesIO(data)
    if not zipfile.is_zipfile(buffer):
        raise FileRefused("The selected file is not an Excel (.xlsx) workbook")
    try:
        with zipfile.ZipFile(buffer) as archive:
            names = archive.namelist()
            total = sum(info.file_size for info in archive.infolist())
            content_types = (
                archive.read("[Content_Types].xml") if "[Content_Types].xml" in names else b""
            )
    except (zipfile.BadZipFile, OSError, RuntimeError):
        raise FileRefused("The selected file is not an Excel (.xlsx) workbook") from None
    if any(n.lower().endswith("vbaproject.bin") for n in names) or b"macroEnabled" in content_types:
        raise FileRefused(
            "The selected file contains macros: save it as an Excel workbook (.xlsx) without them"
        )
    if total > MAX_UNZIPPED_BYTES:
        raise FileRefused("The selected file is too big once opened: upload a smaller workbook")
    try:
        workbook = openpyxl.load_workbook(buffer, read_only=True, data_only=False)
    except Exception:  # openpyxl raises many kinds for a damaged file
        raise FileRefused("The selected file could not be read as an Excel workbook") from None
    try:
        sheet = workbook.worksheets[0]
        table = []
        for i, cells in enumerate(sheet.iter_rows(max_col=MAX_COLUMNS), start=1):
            if i > MAX_ROWS + 10:
                raise FileRefused(f"The selected file must have {MAX_ROWS:,} rows or fewer")
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
    except FileRefused:
        raise
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
    """Each row checked against the plan as it is now. Three queries, whatever
    the number of rows: the measures named, the user's role (cached), and the
    figures already recorded for them."""
    ids = {int(r.measure) for r in rows if r.measure.isdigit() and 0 < int(r.measure) < 2**63}
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
        if not row.measure.isdigit() or int(row.measure) not in measures:
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
    recorded = {}
    if wanted:
        for v in MeasureValue.objects.filter(
            measure_id__in={m for m, _ in wanted}, period__in={p for _, p in wanted}
        ):
            recorded[(v.measure_id, v.period)] = v
    for c in result:
        if c.errors:
            continue
        current = recorded.get((c.measure.pk, c.period))
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
        digest=hashlib.sha256(data).hexdigest()[:12],
    )


def sign(preview_: Preview, *, plan: Plan, user, reason: str) -> str:
    """The accepted rows, signed for the confirmation post."""
    rows = [
        [c.row.line, c.row.measure, c.row.period, c.row.value, c.row.comment]
        for c in preview_.to_write
    ]
    return signing.dumps(
        {
            "plan": plan.pk,
            "user": user.pk,
            "rows": rows,
            "reason": reason,
            "digest": preview_.digest,
        },
        salt=SIGNING_SALT,
        compress=True,
    )


def unsign(token: str, *, plan: Plan, user) -> tuple[list[Row], str, str]:
    """The rows a preview accepted, if the token is good, this user's and this
    plan's; FileRefused otherwise (expired, altered, someone else's)."""
    try:
        data = signing.loads(token, salt=SIGNING_SALT, max_age=TOKEN_MAX_AGE)
    except signing.BadSignature:
        raise FileRefused(
            "This preview has expired or is not valid: upload the file again"
        ) from None
    if data.get("plan") != plan.pk or data.get("user") != user.pk:
        raise FileRefused("This preview has expired or is not valid: upload the file again")
    rows = [
        Row(line=r[0], measure=r[1], period=r[2], value=r[3], comment=r[4]) for r in data["rows"]
    ]
    return rows, data.get("reason", ""), data.get("digest", "")
