"""A paper's areas as an Excel workbook: the summary table and the RAG key,
marked on every printed page. Cells are neutralised against formula injection
(core.cells.safe_cell)."""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from core.cells import clean_text, safe_cell

from .. import layout
from ..blocks import Document as Document_
from ..papers import Paper
from .common import (
    FONT,
    HEADER_FILL,
    area_columns,
    area_rows,
    deterministic_zip,
    rag_colours,
)


def _put(ws: Worksheet, row: int, column: int, value: object):
    """Write a cell; text is made safe and stored as a string, never as a formula."""
    if isinstance(value, str):
        value = safe_cell(clean_text(value))
    cell = ws.cell(row=row, column=column, value=value)
    if isinstance(value, str):
        cell.data_type = "s"
    return cell


def _rag_fill(cell, value: str | None) -> None:
    colours = rag_colours(value)
    if colours:
        fill, text = colours
        cell.fill = PatternFill("solid", start_color=fill.upper(), end_color=fill.upper())
        cell.font = Font(name=FONT, bold=True, color=text.upper())


def _excel_text(value: str) -> str:
    """Text for an Excel print header or footer, where & starts a code."""
    return clean_text(value).replace("&", "&&")


def _mark_pages(ws: Worksheet, laid: Document_) -> None:
    """The classification at the top and bottom of every printed page, and where
    the paper went with the page number at the bottom."""
    ws.oddHeader.center.text = _excel_text(laid.classification)
    ws.oddHeader.center.size = 10
    ws.oddFooter.center.text = _excel_text(laid.classification)
    ws.oddFooter.center.size = 10
    ws.oddFooter.left.text = _excel_text(laid.footer)
    ws.oddFooter.left.size = 8
    ws.oddFooter.right.text = "Page &P of &N"
    ws.oddFooter.right.size = 8


def to_xlsx(paper: Paper, laid: Document_ | None = None) -> bytes:
    """The areas table as an Excel workbook: "Summary" and "RAG key" sheets."""
    laid = laid or layout.lay_out(paper)
    wb = Workbook()
    wb.properties.title = clean_text(laid.title)
    wb.properties.creator = clean_text(paper.council)
    wb.properties.lastModifiedBy = clean_text(paper.council)
    wb.properties.subject = clean_text(paper.plan_title)
    wb.properties.description = clean_text(laid.footer)
    wb.properties.language = "en-GB"
    # Fixed to the issue time (or the as-at date): the same paper, the same bytes.
    wb.properties.created = wb.properties.modified = paper.moment
    ws = wb.active
    ws.title = "Summary"
    front = paper.front
    furniture = [
        (laid.classification, Font(name=FONT, bold=True)),
        (
            f"{front.committee} – {paper.title}" if front.committee else paper.title,
            Font(name=FONT, bold=True, size=14),
        ),
        (f"{paper.council} · {paper.plan_title}", Font(name=FONT, bold=True)),
        (laid.footer, Font(name=FONT)),
    ]
    for row, (value, font) in enumerate(furniture, start=1):
        _put(ws, row, 1, value).font = font
    header_row = len(furniture) + 2
    columns = area_columns(paper)
    top = Alignment(wrap_text=True, vertical="top")
    header_fill = PatternFill(
        "solid", start_color=HEADER_FILL.upper(), end_color=HEADER_FILL.upper()
    )
    for column, heading in enumerate(columns, start=1):
        cell = _put(ws, header_row, column, heading)
        cell.font = Font(name=FONT, bold=True)
        cell.fill = header_fill
        cell.alignment = top
    for offset, (area, values) in enumerate(zip(paper.areas, area_rows(paper), strict=True)):
        row = header_row + 1 + offset
        for column, value in enumerate(values, start=1):
            cell = ws.cell(row=row, column=column, value=value)
            if isinstance(value, str):
                cell.data_type = "s"
            cell.font = Font(name=FONT)
            cell.alignment = top
        if len(columns) == 4:
            _rag_fill(ws.cell(row=row, column=4), area.rag)
    last = header_row + max(len(paper.areas), 1)
    for column, width in enumerate([8, 45, 90, 24][: len(columns)], start=1):
        ws.column_dimensions[get_column_letter(column)].width = width
    end = get_column_letter(len(columns))
    ws.freeze_panes = ws.cell(row=header_row + 1, column=1)
    ws.auto_filter.ref = f"A{header_row}:{end}{last}"
    ws.print_title_rows = f"{header_row}:{header_row}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    _mark_pages(ws, laid)

    key = wb.create_sheet("RAG key")
    for column, heading in enumerate(["Status", "Meaning"], start=1):
        cell = _put(key, 1, column, heading)
        cell.font = Font(name=FONT, bold=True)
        cell.fill = header_fill
    for row, (value, label, meaning) in enumerate(layout.rag_key(paper.any_assessed), start=2):
        _put(key, row, 1, label).font = Font(name=FONT)
        _rag_fill(key.cell(row=row, column=1), value)
        _put(key, row, 2, meaning).font = Font(name=FONT)
    key.column_dimensions["A"].width = 20
    key.column_dimensions["B"].width = 60
    key.freeze_panes = "A2"
    _mark_pages(key, laid)

    out = io.BytesIO()
    wb.save(out)
    return deterministic_zip(out.getvalue(), paper.moment)
