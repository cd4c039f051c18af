"""Reading an uploaded workbook or CSV safely, into plain rows.

What is refused, and why (each with a message in plain words, before anything
is compared or written):

- anything over ``WORKBOOK_MAX_UPLOAD_BYTES``;
- a file that is not an XLSX workbook (no zip signature; an old .xls, a PDF,
  a renamed file) or CSV;
- macros: a .xlsm name, a macro-enabled content type, or a ``vbaProject.bin``;
- zip bombs: the zip's own directory is read first (``infolist``) and the file
  refused if its parts would unpack to more than ``WORKBOOK_MAX_UNPACKED_BYTES``,
  or to more than 200 times their packed size, or hold too many parts;
- formulas: every cell is read with ``data_only=False`` and a formula cell is
  an error at its row and column (a formula's cached value may be stale, and a
  formula is not what was typed);
- sheets too big to be a plan's: more rows or columns than ``Limits`` allow,
  counted from the rows the sheet's XML really holds and from its
  ``<dimension>``. The dimension is never used to size what is read: a small
  file claiming A1:XFD1048576 would otherwise be walked cell by cell for
  minutes.

Every upload reads through here: the plan and progress workbooks
(``read_upload``) and the figures upload (measures/upload.py, with
``sheet_rows`` and ``csv_rows`` and its own limits).

All but formulas are found by ``refuse_early`` from the file's first bytes and
its zip directory; ``survey`` adds a quick count of the rows and a look for
formulas in the raw sheet XML, so that a big file (workbook/streaming.py) is
refused with the same 400 before its progress page starts.

openpyxl parses the workbook's XML with defusedxml when it is installed
(requirements.txt pins it); this module refuses to load without it.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field

import openpyxl
from django.conf import settings
from openpyxl.utils import get_column_letter
from openpyxl.xml import DEFUSEDXML

from .steps import BATCH, Step, Steps, run

if not DEFUSEDXML:  # pragma: no cover - an install without defusedxml
    raise ImportError("defusedxml is required to read uploaded workbooks safely")

MAX_PARTS = 2000
DAMAGED = "The file could not be read as an Excel workbook: it may be damaged"
MAX_RATIO = 200
MACRO_TYPES = (b"macroEnabled", b"vbaProject")


@dataclass(frozen=True)
class Limits:
    """The most a sheet of an upload may hold: rows (the header rows included)
    and columns."""

    rows: int
    columns: int


# A plan of 3,000 areas exports about 6,000 rows on its longest sheet; Excel's
# own limit (1,048,576 rows, 16,384 columns) is far beyond any plan.
WORKBOOK_LIMITS = Limits(rows=100_000, columns=200)


def workbook_limits() -> Limits:
    return getattr(settings, "WORKBOOK_SHEET_LIMITS", WORKBOOK_LIMITS)


class Unreadable(Exception):
    """The file is refused as a whole; ``message`` says why, for the upload field."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class TooManyRows(Unreadable):
    """A sheet holds, or says it holds, more rows than its limit."""

    def __init__(self, sheet: str, limit: int) -> None:
        where = f"The sheet “{sheet}”" if sheet else "The file"
        super().__init__(
            f"{where} has more than {limit:,} rows: the most a workbook may have is {limit:,}"
        )
        self.sheet = sheet
        self.limit = limit


class TooManyColumns(Unreadable):
    def __init__(self, sheet: str, limit: int) -> None:
        where = f"The sheet “{sheet}”" if sheet else "The file"
        super().__init__(
            f"{where} has more than {limit:,} columns: the most a workbook may have is {limit:,}"
        )


@dataclass
class CellProblem:
    sheet: str
    row: int
    column: str
    message: str


@dataclass
class ReadSheet:
    """A sheet as plain values: text (str) and dates (datetime.date); row numbers kept."""

    name: str
    header_row: list[str] = field(default_factory=list)
    meta: dict[str, str] = field(default_factory=dict)
    rows: list[tuple[int, list[object]]] = field(default_factory=list)


@dataclass
class ReadBook:
    sheets: dict[str, ReadSheet]
    problems: list[CellProblem]


def max_upload_bytes() -> int:
    return settings.WORKBOOK_MAX_UPLOAD_BYTES


def read_upload(name: str, content: bytes) -> ReadBook:
    """The uploaded file's sheets, or Unreadable."""
    return run(read_steps(name, content))


def read_steps(name: str, content: bytes, total: int | None = None) -> Steps[ReadBook]:
    """read_upload, yielding a Step every few hundred rows (``total``: the
    rows ``survey`` counted, for "Read 1,000 of 15,000 rows")."""
    if refuse_early(name, content) == XLSX:
        return (yield from _read_xlsx(content, total))
    return (yield from _read_csv(content, total))


XLSX, CSV = "xlsx", "csv"


def refuse_early(name: str, content: bytes, *, max_unpacked: int | None = None) -> str:
    """Every refusal that needs no more than the file's first bytes and its zip
    directory (size, type, macros, zip bombs): Unreadable, or the file's kind."""
    if len(content) > max_upload_bytes():
        raise Unreadable(f"The file must be smaller than {max_upload_bytes() // (1024 * 1024)} MB")
    if not content:
        raise Unreadable("The selected file is empty")
    lower = name.lower()
    if lower.endswith((".xlsm", ".xltm", ".xlam")):
        raise Unreadable(
            "The file contains macros (it is a macro-enabled workbook): save it as an Excel "
            "Workbook (.xlsx) and upload that"
        )
    if content[:4] == b"PK\x03\x04":
        _check_zip(content, max_unpacked or settings.WORKBOOK_MAX_UNPACKED_BYTES)
        return XLSX
    if content[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise Unreadable(
            "The file is an old Excel (.xls) workbook: save it as an Excel Workbook (.xlsx) "
            "and upload that"
        )
    if lower.endswith(".csv"):
        return CSV
    raise Unreadable("The selected file must be an Excel workbook (.xlsx) or a CSV file")


@dataclass(frozen=True)
class Survey:
    """What a quick look at a file says, before it is read: how many rows its
    sheets have, and whether any cell holds a formula."""

    rows: int
    formulas: bool


# A worksheet's rows and formula cells, whatever namespace prefix the XML uses.
_ROW_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row[\s>/]")
_FORMULA_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?f[\s>/]")


def survey(name: str, content: bytes) -> Survey:
    """``refuse_early``, then the rows and formulas counted from the raw
    worksheet XML (tens of milliseconds for a 3,000-area plan): it decides
    whether the file is big enough for a progress page, and lets a file with
    formulas be refused with its 400 rather than on a page already sent."""
    if refuse_early(name, content) == CSV:
        return Survey(content.count(b"\n") + 1, False)
    rows, formulas = 0, False
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        for part in archive.infolist():
            if not (part.filename.startswith("xl/worksheets/") and part.filename.endswith(".xml")):
                continue
            with archive.open(part) as stream:
                tail = b""
                while chunk := stream.read(1 << 20):
                    data = tail + chunk
                    # Cut before the last tag begun near the end, so no tag is split.
                    cut = data.rfind(b"<", max(0, len(data) - 256))
                    cut = len(data) if cut == -1 else cut
                    rows += len(_ROW_TAG.findall(data, 0, cut))
                    formulas = formulas or bool(_FORMULA_TAG.search(data, 0, cut))
                    tail = data[cut:]
                rows += len(_ROW_TAG.findall(tail + b" "))
                formulas = formulas or bool(_FORMULA_TAG.search(tail + b" "))
    return Survey(rows, formulas)


def _check_zip(content: bytes, max_unpacked: int) -> None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except zipfile.BadZipFile:
        raise Unreadable("The selected file must be an Excel workbook (.xlsx)") from None
    parts = archive.infolist()
    if len(parts) > MAX_PARTS:
        raise Unreadable("The file has too many parts to be an ordinary workbook")
    unpacked = sum(part.file_size for part in parts)
    if unpacked > max_unpacked:
        raise Unreadable(
            f"The file would unpack to more than {max_unpacked // (1024 * 1024)} MB: "
            "upload a smaller workbook"
        )
    for part in parts:
        if part.compress_size and part.file_size / part.compress_size > MAX_RATIO:
            raise Unreadable("The file is compressed suspiciously tightly (a zip bomb?)")
        if part.filename.lower().endswith("vbaproject.bin"):
            raise Unreadable(
                "The file contains macros: save it as an Excel Workbook (.xlsx) and upload that"
            )
    names = {part.filename for part in parts}
    if "[Content_Types].xml" not in names or not any(n.startswith("xl/") for n in names):
        raise Unreadable("The selected file must be an Excel workbook (.xlsx)")
    types = archive.read("[Content_Types].xml")
    if any(marker in types for marker in MACRO_TYPES):
        raise Unreadable(
            "The file contains macros: save it as an Excel Workbook (.xlsx) and upload that"
        )


def _value(value: object) -> object:
    """A cell's value as text or a date."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def open_xlsx(content: bytes):
    """The workbook, read-only and with formulas as formulas; Unreadable if it
    is damaged. Call ``refuse_early`` first; close the workbook after use."""
    try:
        return openpyxl.load_workbook(
            io.BytesIO(content), read_only=True, data_only=False, keep_links=False
        )
    except Exception:  # openpyxl raises many kinds for a damaged file
        raise Unreadable(DAMAGED) from None


def sheet_rows(ws, limits: Limits) -> Iterator[tuple[int, tuple]]:
    """A read-only sheet's rows that hold cells, each numbered as the sheet
    numbers it and as wide as its last cell: TooManyRows (or TooManyColumns)
    as soon as the sheet holds, or its ``<dimension>`` says it holds, more.

    The dimension is dropped before reading (``reset_dimensions``), so rows are
    padded to nothing and a gap of a million missing rows costs only the
    count up to the limit."""
    if (ws.max_row or 0) > limits.rows:
        raise TooManyRows(ws.title, limits.rows)
    if (ws.max_column or 0) > limits.columns:
        raise TooManyColumns(ws.title, limits.columns)
    ws.reset_dimensions()
    for number, cells in enumerate(ws.iter_rows(), start=1):
        if number > limits.rows:
            raise TooManyRows(ws.title, limits.rows)
        if not cells:
            continue
        if len(cells) > limits.columns:
            raise TooManyColumns(ws.title, limits.columns)
        yield number, cells


def csv_rows(text: str, limits: Limits) -> Iterator[tuple[int, list[str]]]:
    """A CSV file's rows, numbered from 1, without trailing empty cells (Excel
    writes them to the width of the sheet); TooManyRows or TooManyColumns
    beyond ``limits``; csv.Error for a file that is not CSV."""
    for number, values in enumerate(csv.reader(io.StringIO(text, newline="")), start=1):
        if number > limits.rows:
            raise TooManyRows("", limits.rows)
        while values and not values[-1].strip():
            values.pop()
        if len(values) > limits.columns:
            raise TooManyColumns("", limits.columns)
        yield number, values


def _read_xlsx(content: bytes, total: int | None = None) -> Steps[ReadBook]:
    book = open_xlsx(content)
    limits = workbook_limits()
    sheets: dict[str, ReadSheet] = {}
    problems: list[CellProblem] = []
    done = 0
    try:
        for ws in book.worksheets:
            sheet = ReadSheet(ws.title)
            for number, cells in sheet_rows(ws, limits):
                values = []
                for index, cell in enumerate(cells, start=1):
                    if getattr(cell, "data_type", None) == "f":
                        problems.append(
                            CellProblem(
                                ws.title,
                                number,
                                get_column_letter(index),
                                "The cell holds a formula: replace it with the value it shows",
                            )
                        )
                        values.append("")
                    else:
                        values.append(_value(cell.value))
                _place(sheet, number, values)
                done += 1
                if done % BATCH == 0:
                    yield Step("Read", done, total)
            sheets[ws.title] = sheet
        yield Step("Read", done, total and max(done, total))
    except Unreadable:
        raise
    except Exception:
        raise Unreadable(DAMAGED) from None
    finally:
        book.close()
    return ReadBook(sheets, problems)


# The layout of every sheet (workbook/layout.py writes it): the plan on row 1,
# the export date and the sheet's name on row 2, column headers on row 4.
HEADER_ROW = 4


def _place(sheet: ReadSheet, number: int, values: list[object]) -> None:
    if number in (1, 2):
        for label, value in zip(values[::2], values[1::2], strict=False):
            if isinstance(label, str) and label:
                sheet.meta[label] = value if isinstance(value, str) else str(value)
    elif number == HEADER_ROW:
        sheet.header_row = [str(v) for v in values]
    elif number > HEADER_ROW and any(v != "" for v in values):
        sheet.rows.append((number, values))


def _read_csv(content: bytes, total: int | None = None) -> Steps[ReadBook]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise Unreadable("The CSV file must be saved as UTF-8 (CSV UTF-8 in Excel)") from None
    if "\x00" in text:
        raise Unreadable("The selected file must be an Excel workbook (.xlsx) or a CSV file")
    sheet = ReadSheet("")
    number = 0
    try:
        for number, values in csv_rows(text, workbook_limits()):
            _place(sheet, number, [unescape_csv(v.strip()) for v in values])
            if number % BATCH == 0:
                yield Step("Read", number, total)
    except csv.Error:
        raise Unreadable("The CSV file could not be read: check it is comma-separated") from None
    yield Step("Read", number, total and max(number, total))
    sheet.name = sheet.meta.get("Sheet", "")
    return ReadBook({sheet.name: sheet}, [])


def unescape_csv(value: str) -> str:
    """Undo the export's guard against formula injection: "'=x" was written for "=x"."""
    if value.startswith("'") and value[1:2] in ("=", "+", "-", "@"):
        return value[1:]
    return value
