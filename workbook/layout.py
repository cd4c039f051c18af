"""Writing a workbook in the documented layout (README: "The plan as a workbook").

Every sheet: the plan's title and reference on row 1, the export date and the
sheet's name on row 2, column headings on row 4 (frozen, with rows 1-4), one
record a row from row 5. Read-only columns are shaded grey and say so. Lists
(statuses, owners, themes, RAG…) are data validations drawn from a hidden
"Lists" sheet. A "Read me" sheet comes first and explains every column.

Text is written as text, never as a formula (a cell typed "=1+1" comes back as
"=1+1"); CSV cells that a spreadsheet would run as a formula get a leading "'",
which the import takes off again.
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Iterable

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from core.cells import clean_text, safe_cell
from plans.models import format_plan_date

from .registry import Column

GREY = PatternFill("solid", fgColor="F3F2F1")
BOLD = Font(bold=True)
DATE_FORMAT = "DD/MM/YYYY"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _cell(ws, value, *, bold: bool = False, grey: bool = False):
    if isinstance(value, str):
        value = clean_text(value)
    cell = WriteOnlyCell(ws, value=value)
    if isinstance(value, str) and value.startswith("="):
        cell.data_type = "s"  # text, never a formula
    if isinstance(value, datetime.date):
        cell.number_format = DATE_FORMAT
    if bold:
        cell.font = BOLD
    if grey:
        cell.fill = GREY
    return cell


class WorkbookWriter:
    """A workbook of sheets in the layout; ``lists`` are the validation lists."""

    def __init__(self, *, plan, exported: datetime.date, lists: dict[str, list[str]]) -> None:
        self.plan = plan
        self.exported = exported
        self.book = Workbook(write_only=True)
        self.lists = {name: values for name, values in lists.items() if values}
        self.list_ranges = {}
        for index, name in enumerate(self.lists, start=1):
            letter = get_column_letter(index)
            self.list_ranges[name] = f"Lists!${letter}$2:${letter}${len(self.lists[name]) + 1}"

    def title_rows(self, ws, sheet_name: str) -> None:
        ws.append(
            [
                _cell(ws, "Plan", bold=True),
                _cell(ws, self.plan.title),
                _cell(ws, "Plan reference", bold=True),
                _cell(ws, self.plan.slug),
            ]
        )
        ws.append(
            [
                _cell(ws, "Exported", bold=True),
                _cell(ws, format_plan_date(self.exported)),
                _cell(ws, "Sheet", bold=True),
                _cell(ws, sheet_name),
            ]
        )

    def read_me(self, paragraphs: list[str], sheets: list[tuple[str, str, list[Column]]]) -> None:
        ws = self.book.create_sheet("Read me")
        ws.column_dimensions["A"].width = 28
        ws.column_dimensions["B"].width = 100
        self.title_rows(ws, "Read me")
        ws.append([])
        for paragraph in paragraphs:
            ws.append([_cell(ws, ""), _cell(ws, paragraph)])
        for name, intro, columns in sheets:
            ws.append([])
            ws.append([_cell(ws, f"Sheet “{name}”", bold=True), _cell(ws, intro)])
            for column in columns:
                help_text = (
                    "Read-only (shaded grey): not imported. " if column.read_only else ""
                ) + column.help
                ws.append([_cell(ws, column.header), _cell(ws, help_text)])

    def sheet(self, name: str, columns: list[Column], rows: Iterable[list]) -> None:
        ws = self.book.create_sheet(name)
        for index, column in enumerate(columns, start=1):
            ws.column_dimensions[get_column_letter(index)].width = column.width
        ws.freeze_panes = "A5"
        self.title_rows(ws, name)
        ws.append(
            [
                _cell(
                    ws,
                    "Row 4 has the column headings: keep them as they are. "
                    "Grey columns are read-only.",
                )
            ]
        )
        ws.append([_cell(ws, c.header, bold=True, grey=c.read_only) for c in columns])
        count = 0
        for row in rows:
            ws.append(
                [
                    _cell(ws, value, grey=column.read_only)
                    for value, column in zip(row, columns, strict=True)
                ]
            )
            count += 1
        last = count + 5 + 1000  # room for rows the user adds
        for index, column in enumerate(columns, start=1):
            if column.choices and column.choices in self.list_ranges:
                letter = get_column_letter(index)
                validation = DataValidation(
                    type="list",
                    formula1=self.list_ranges[column.choices],
                    allow_blank=True,
                    showErrorMessage=True,
                    errorTitle=column.header,
                    error=f"Choose the {column.header.lower()} from the list",
                )
                validation.add(f"{letter}5:{letter}{last}")
                ws.data_validations.append(validation)

    def finish(self) -> bytes:
        ws = self.book.create_sheet("Lists")
        ws.sheet_state = "hidden"
        names = list(self.lists)
        ws.append([_cell(ws, name, bold=True) for name in names])
        longest = max((len(v) for v in self.lists.values()), default=0)
        for i in range(longest):
            ws.append(
                [
                    _cell(ws, values[i] if i < len(values) else None)
                    for values in self.lists.values()
                ]
            )
        out = io.BytesIO()
        self.book.save(out)
        return out.getvalue()


def csv_bytes(
    *, plan, exported: datetime.date, name: str, columns: list[Column], rows: Iterable[list]
) -> bytes:
    """One sheet as CSV (UTF-8 with a byte-order mark, which Excel reads as UTF-8)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["Plan", safe_cell(plan.title), "Plan reference", plan.slug])
    writer.writerow(["Exported", format_plan_date(exported), "Sheet", name])
    writer.writerow(["Row 4 has the column headings: keep them as they are."])
    writer.writerow([c.header for c in columns])
    for row in rows:
        writer.writerow([_csv_value(v) for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _csv_value(value) -> object:
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    if value is None:
        return ""
    return safe_cell(clean_text(value) if isinstance(value, str) else value)
