"""The papers as downloads: Word, Excel, CSV and PDF, each rendered from a ``Paper``.

Word papers follow the council's own house style (A4, Arial, real heading styles,
numbered pages, repeating table headers). Every RAG status is written as a word,
never shown by colour alone. CSV and Excel cells are neutralised against formula
injection (see ``safe_cell``).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable, Sequence

from django.template.loader import render_to_string
from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from plans.models import RAG

from .papers import AreaLine, Kind, MilestoneLine, Paper, rag_label

FONT = "Arial"
# RAG value -> (background, text colour). The word is always printed too.
RAG_COLOURS: dict[str, tuple[str, str]] = {
    RAG.BLUE: ("1d70b8", "ffffff"),
    RAG.GREEN: ("00703c", "ffffff"),
    RAG.AMBER: ("ffdd00", "000000"),
    RAG.RED: ("d4351c", "ffffff"),
}
HEADER_FILL = "d9d9d9"
AREA_COLUMNS = ["No.", "Improvement area", "Overview", "RAG status"]
CSV_COLUMNS = ["Number", "Improvement area", "Overview", "RAG status"]
MILESTONE_COLUMNS = ["Milestone", "Due", "Forecast", "Completed"]
NONE = "None."

# Characters XML 1.0 cannot hold (tab, newline and carriage return are allowed).
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# A cell starting with one of these may be run as a formula by a spreadsheet.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def clean_text(value: object) -> str:
    """``value`` as text with the characters XML cannot hold removed; None is ""."""
    if value is None:
        return ""
    return _INVALID_XML.sub("", str(value))


def safe_cell(value: object) -> object:
    """Neutralise a spreadsheet cell against formula injection (OWASP): a string
    starting with =, +, -, @, tab or carriage return gets a leading ``'``.
    Anything else (numbers, None, safe strings) is returned unchanged."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _paragraphs(text: str) -> list[str]:
    """User text split into paragraphs on blank lines."""
    text = clean_text(text).replace("\r\n", "\n").replace("\r", "\n").strip()
    return [p.strip() for p in re.split(r"\n[ \t]*\n", text) if p.strip()] if text else []


# ---------------------------------------------------------------------------
# Word
# ---------------------------------------------------------------------------


def _set_font(rpr_owner, name: str = FONT) -> None:
    """Point a style's (or the defaults') fonts at ``name``, dropping theme fonts,
    which Word would otherwise prefer."""
    if hasattr(rpr_owner, "get_or_add_rPr"):
        rpr = rpr_owner.get_or_add_rPr()
    else:  # w:rPrDefault, which python-docx does not model
        rpr = rpr_owner.find(qn("w:rPr"))
        if rpr is None:
            rpr = OxmlElement("w:rPr")
            rpr_owner.append(rpr)
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = OxmlElement("w:rFonts")
        rpr.insert(0, rfonts)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        rfonts.attrib.pop(qn(attr), None)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        rfonts.set(qn(attr), name)


def _new_document(paper: Paper) -> DocxDocument:
    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(2))

    styles = doc.styles
    defaults = styles.element.find(qn("w:docDefaults"))
    if defaults is not None:
        rpr_default = defaults.find(qn("w:rPrDefault"))
        if rpr_default is not None:
            _set_font(rpr_default)
            lang = rpr_default.find(qn("w:rPr")).find(qn("w:lang"))
            if lang is not None:  # British English for spelling and grammar
                lang.set(qn("w:val"), "en-GB")
    normal = styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(11)
    _set_font(normal.element)
    sizes = {"Title": 20, "Heading 1": 16, "Heading 2": 14, "Heading 3": 12}
    for name, size in sizes.items():
        style = styles[name]
        style.font.name = FONT
        style.font.size = Pt(size)
        style.font.bold = True
        style.font.color.rgb = RGBColor(0, 0, 0)
        _set_font(style.element)
        linked = style.element.find(qn("w:link"))  # "Heading 2 Char", used by Word
        if linked is not None:
            _set_font(styles.element.get_by_id(linked.get(qn("w:val"))))
    styles["Title"].paragraph_format.space_after = Pt(6)
    for border in styles["Title"].element.iter(qn("w:bottom")):  # the rule under the title
        border.set(qn("w:color"), "000000")
        border.attrib.pop(qn("w:themeColor"), None)
    for name in ("Header", "Footer", "List Bullet"):
        _set_font(styles[name].element)

    props = doc.core_properties
    props.title = clean_text(paper.title)
    props.author = clean_text(paper.council)
    props.subject = clean_text(paper.plan_title)

    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    footer.add_run("Page ")
    _add_field(footer, "PAGE", "1")
    footer.add_run(" of ")
    _add_field(footer, "NUMPAGES", "1")
    for run in footer.runs:
        run.font.size = Pt(9)
    return doc


def _add_field(paragraph: Paragraph, instruction: str, placeholder: str) -> None:
    """A Word field (PAGE, NUMPAGES) as begin/instruction/separate/result/end runs."""

    def run_with(child) -> None:
        run = paragraph.add_run()
        run.font.size = Pt(9)
        run._r.append(child)

    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    run_with(begin)
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    run_with(instr)
    separate = OxmlElement("w:fldChar")
    separate.set(qn("w:fldCharType"), "separate")
    run_with(separate)
    paragraph.add_run(placeholder).font.size = Pt(9)
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    run_with(end)


def _title_block(doc: DocxDocument, paper: Paper) -> None:
    doc.add_heading(clean_text(paper.title), level=0)
    council = doc.add_paragraph()
    council.add_run(clean_text(paper.council)).bold = True
    council.paragraph_format.space_after = Pt(0)
    plan = doc.add_paragraph(clean_text(paper.plan_title))
    plan.paragraph_format.space_after = Pt(0)
    doc.add_paragraph(f"Position as at {clean_text(paper.as_at_label)}")


def _add_text(doc: DocxDocument, text: str, empty: str = NONE) -> None:
    """User text as paragraphs (split on blank lines), or ``empty`` if there is none."""
    for para in _paragraphs(text) or [empty]:
        doc.add_paragraph(para)


def _shade(cell: _Cell, fill: str) -> None:
    """Set a cell's background, keeping tcPr's children in schema order."""
    tc_pr = cell._tc.get_or_add_tcPr()
    for old in tc_pr.findall(qn("w:shd")):
        tc_pr.remove(old)
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill)
    later = {
        qn(f"w:{t}")
        for t in ("noWrap", "tcMar", "textDirection", "tcFitText", "vAlign", "hideMark")
    }
    for index, child in enumerate(tc_pr):
        if child.tag in later:
            tc_pr.insert(index, shd)
            return
    tc_pr.append(shd)


def _set_cell(cell: _Cell, text: object, *, bold: bool = False, colour: str | None = None) -> None:
    """Write text into a cell: one paragraph per blank-line-separated paragraph."""
    paras = _paragraphs(clean_text(text)) or [""]
    first = cell.paragraphs[0]
    for index, para in enumerate(paras):
        paragraph = first if index == 0 else cell.add_paragraph()
        paragraph.paragraph_format.space_after = Pt(2 if index < len(paras) - 1 else 0)
        run = paragraph.add_run(para)
        run.font.size = Pt(10)
        run.bold = bold or None
        if colour:
            run.font.color.rgb = RGBColor.from_string(colour.upper())


def _rag_cell(cell: _Cell, value: str | None, label: str | None = None) -> None:
    """A RAG status: the word, on its colour where it has one."""
    label = label or rag_label(value)
    if value in RAG_COLOURS:
        fill, text = RAG_COLOURS[value]
        _set_cell(cell, label, bold=True, colour=text)
        _shade(cell, fill)
    else:
        _set_cell(cell, label)


def _table(doc: DocxDocument, headers: Sequence[str], widths: Sequence[float]) -> Table:
    """A 'Table Grid' table with a bold header row that repeats on every page."""
    table = doc.add_table(rows=1, cols=len(headers))
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.LEFT
    table.autofit = False
    header = table.rows[0]
    tr_pr = header._tr.get_or_add_trPr()
    tr_pr.append(OxmlElement("w:tblHeader"))
    for column, width in zip(table.columns, widths, strict=True):
        column.width = Cm(width)  # w:gridCol, which a fixed layout follows
    for cell, heading, width in zip(header.cells, headers, widths, strict=True):
        cell.width = Cm(width)
        _set_cell(cell, heading, bold=True)
        _shade(cell, HEADER_FILL)
    return table


def _add_row(table: Table, values: Iterable[object]) -> list[_Cell]:
    """A body row, with the header's column widths; returns its cells. A value of
    None leaves the cell empty to be filled later (a RAG status)."""
    widths = [cell.width for cell in table.rows[0].cells]
    cells = table.add_row().cells
    for cell, value, width in zip(cells, values, widths, strict=True):
        cell.width = width
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.TOP
        if value is not None:
            _set_cell(cell, value)
    return cells


def _spacer(doc: DocxDocument) -> None:
    doc.add_paragraph().paragraph_format.space_after = Pt(0)


def _rag_key(doc: DocxDocument, paper: Paper, level: int = 2) -> None:
    doc.add_heading("RAG key", level=level)
    table = _table(doc, ["Status", "Meaning"], [4.5, 9.5])
    for value, label, meaning in paper.rag_key:
        cells = _add_row(table, [None, meaning])
        _rag_cell(cells[0], value, label)
    _spacer(doc)


def _rag_counts(doc: DocxDocument, paper: Paper) -> None:
    table = _table(doc, ["RAG status", "Number of areas"], [4.5, 3.5])
    for value, label, count in paper.rag_counts:
        cells = _add_row(table, [None, str(count)])
        _rag_cell(cells[0], value or None, label)
        cells[1].paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
    _spacer(doc)


def _milestones(doc: DocxDocument, heading: str, lines: list[MilestoneLine]) -> None:
    doc.add_heading(heading, level=3)
    if not lines:
        doc.add_paragraph(NONE)
        return
    table = _table(doc, MILESTONE_COLUMNS, [8.6, 2.8, 2.8, 2.8])
    for m in lines:
        _add_row(table, [m.title, m.due, m.forecast, m.completed])
    _spacer(doc)


def _scrutiny(doc: DocxDocument, paper: Paper) -> None:
    doc.add_heading("Overview briefing", level=2)
    _add_text(doc, paper.briefing, "No overview briefing has been written for this paper.")
    doc.add_heading("Progress against each improvement area", level=2)
    table = _table(doc, AREA_COLUMNS, [1.3, 5.2, 7.7, 2.8])
    for area in paper.areas:
        cells = _add_row(table, [str(area.number), area.recommendation, area.overview, None])
        _rag_cell(cells[3], area.rag)
    _spacer(doc)
    _rag_key(doc, paper)


def _board_area(doc: DocxDocument, area: AreaLine) -> None:
    doc.add_heading(f"Area {area.number}: {clean_text(area.recommendation)}", level=2)
    table = _table(
        doc, ["Lead", "RAG now", "RAG at previous board", "Movement"], [6.2, 3.6, 3.6, 3.6]
    )
    cells = _add_row(table, [area.lead, None, None, area.movement])
    _rag_cell(cells[1], area.rag)
    _rag_cell(cells[2], area.previous_rag, area.previous_rag_label)
    _spacer(doc)
    as_at = f" (as at {clean_text(area.update_as_at)})" if area.update_as_at else ""
    doc.add_heading(f"Latest update{as_at}", level=3)
    _add_text(doc, area.overview, "No approved update yet.")
    doc.add_heading("Next steps", level=3)
    _add_text(doc, area.next_steps)
    if clean_text(area.rag_reason).strip():
        doc.add_heading("Reason for the RAG status", level=3)
        _add_text(doc, area.rag_reason)
    _milestones(doc, "Milestones completed since the previous board", area.completed_since_board)
    _milestones(doc, "Milestones due in the next quarter", area.due_next_quarter)
    _milestones(doc, "Overdue milestones", area.overdue)


def _board(doc: DocxDocument, paper: Paper) -> None:
    doc.add_heading("Summary", level=2)
    doc.add_heading("Areas by RAG status", level=3)
    _rag_counts(doc, paper)
    previous = doc.add_paragraph()
    previous.add_run("Previous board: ").bold = True
    previous.add_run(
        clean_text(paper.previous_board) or "none – this is the first progress report."
    )
    doc.add_heading("All improvement areas", level=3)
    table = _table(
        doc,
        ["No.", "Improvement area", "RAG now", "RAG at previous board", "Movement"],
        [1.3, 7.9, 2.8, 2.8, 2.2],
    )
    for area in paper.areas:
        cells = _add_row(table, [str(area.number), area.recommendation, None, None, area.movement])
        _rag_cell(cells[2], area.rag)
        _rag_cell(cells[3], area.previous_rag, area.previous_rag_label)
    _spacer(doc)
    _rag_key(doc, paper, level=3)
    doc.add_page_break()
    for area in paper.areas:
        _board_area(doc, area)


def _assurance(doc: DocxDocument, paper: Paper) -> None:
    doc.add_heading("Areas by RAG status", level=2)
    _rag_counts(doc, paper)

    doc.add_heading("Exceptions", level=2)
    exceptions = paper.exceptions
    if exceptions:
        doc.add_paragraph("Every area rated red or amber, worst first.")
        table = _table(
            doc, ["No.", "Improvement area", "RAG status", "Reason"], [1.3, 6.2, 2.8, 6.7]
        )
        for area in exceptions:
            reason = area.rag_reason if clean_text(area.rag_reason).strip() else area.overview
            cells = _add_row(table, [str(area.number), area.recommendation, None, reason])
            _rag_cell(cells[2], area.rag)
        _spacer(doc)
    else:
        doc.add_paragraph(NONE)

    doc.add_heading("Overdue milestones", level=2)
    if paper.overdue:
        table = _table(doc, ["Area", "Milestone", "Due", "Forecast"], [1.6, 9.4, 3.0, 3.0])
        for m in paper.overdue:
            _add_row(table, [str(m.area_number), m.title, m.due, m.forecast])
        _spacer(doc)
    else:
        doc.add_paragraph(NONE)

    doc.add_heading("Items for escalation", level=2)
    items = [clean_text(item).strip() for item in paper.escalations]
    items = [item for item in items if item]
    for item in items:
        doc.add_paragraph(item, style="List Bullet")
    if not items:
        doc.add_paragraph(NONE)
    _rag_key(doc, paper)


def to_docx(paper: Paper) -> bytes:
    """The paper as a Word document (A4, Arial, numbered pages)."""
    if paper.kind not in Kind.ALL:
        raise ValueError(f"Unknown paper kind: {paper.kind!r}")
    doc = _new_document(paper)
    _title_block(doc, paper)
    {Kind.SCRUTINY: _scrutiny, Kind.BOARD: _board, Kind.ASSURANCE: _assurance}[paper.kind](
        doc, paper
    )
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


# ---------------------------------------------------------------------------
# Excel and CSV
# ---------------------------------------------------------------------------


def _area_rows(paper: Paper) -> list[list[object]]:
    """One row per area: number (int), recommendation, overview, RAG word; cells made safe."""
    return [
        [
            area.number,
            safe_cell(clean_text(area.recommendation)),
            safe_cell(clean_text(area.overview)),
            safe_cell(clean_text(area.rag_label or rag_label(area.rag))),
        ]
        for area in paper.areas
    ]


def _put(ws: Worksheet, row: int, column: int, value: object):
    """Write a cell; text is made safe and stored as a string, never as a formula."""
    if isinstance(value, str):
        value = safe_cell(clean_text(value))
    cell = ws.cell(row=row, column=column, value=value)
    if isinstance(value, str):
        cell.data_type = "s"
    return cell


def _rag_fill(cell, value: str | None) -> None:
    if value in RAG_COLOURS:
        fill, text = RAG_COLOURS[value]
        cell.fill = PatternFill("solid", start_color=fill.upper(), end_color=fill.upper())
        cell.font = Font(name=FONT, bold=True, color=text.upper())


def to_xlsx(paper: Paper) -> bytes:
    """The areas table as an Excel workbook: "Summary" and "RAG key" sheets."""
    wb = Workbook()
    wb.properties.title = clean_text(paper.title)
    wb.properties.creator = clean_text(paper.council)
    ws = wb.active
    ws.title = "Summary"
    _put(ws, 1, 1, paper.title).font = Font(name=FONT, bold=True, size=14)
    _put(ws, 2, 1, paper.council).font = Font(name=FONT, bold=True)
    _put(ws, 3, 1, paper.plan_title).font = Font(name=FONT)
    _put(ws, 4, 1, f"Position as at {paper.as_at_label}").font = Font(name=FONT)
    header_row = 6
    top = Alignment(wrap_text=True, vertical="top")
    header_fill = PatternFill(
        "solid", start_color=HEADER_FILL.upper(), end_color=HEADER_FILL.upper()
    )
    for column, heading in enumerate(AREA_COLUMNS, start=1):
        cell = _put(ws, header_row, column, heading)
        cell.font = Font(name=FONT, bold=True)
        cell.fill = header_fill
        cell.alignment = top
    for offset, (area, values) in enumerate(zip(paper.areas, _area_rows(paper), strict=True)):
        row = header_row + 1 + offset
        for column, value in enumerate(values, start=1):
            cell = ws.cell(row=row, column=column, value=value)
            if isinstance(value, str):
                cell.data_type = "s"
            cell.font = Font(name=FONT)
            cell.alignment = top
        _rag_fill(ws.cell(row=row, column=4), area.rag)
    last = header_row + max(len(paper.areas), 1)
    for column, width in enumerate([8, 45, 90, 20], start=1):
        ws.column_dimensions[get_column_letter(column)].width = width
    ws.freeze_panes = ws.cell(row=header_row + 1, column=1)
    ws.auto_filter.ref = f"A{header_row}:D{last}"
    ws.print_title_rows = f"{header_row}:{header_row}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True

    key = wb.create_sheet("RAG key")
    for column, heading in enumerate(["Status", "Meaning"], start=1):
        cell = _put(key, 1, column, heading)
        cell.font = Font(name=FONT, bold=True)
        cell.fill = header_fill
    for row, (value, label, meaning) in enumerate(paper.rag_key, start=2):
        _put(key, row, 1, label).font = Font(name=FONT)
        _rag_fill(key.cell(row=row, column=1), value)
        _put(key, row, 2, meaning).font = Font(name=FONT)
    key.column_dimensions["A"].width = 20
    key.column_dimensions["B"].width = 45
    key.freeze_panes = "A2"

    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def to_csv(paper: Paper) -> bytes:
    """The areas table as CSV: UTF-8 with a byte-order mark, so Excel reads it right."""
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    writer.writerows(_area_rows(paper))
    return out.getvalue().encode("utf-8-sig")


# ---------------------------------------------------------------------------
# PDF
# ---------------------------------------------------------------------------


def html_to_pdf(html: str, base_url: str | None = None) -> bytes:
    """Render an HTML page (the paper's print view) to PDF with WeasyPrint."""
    # Imported here so that the other formats do not need Pango at import time.
    from weasyprint import HTML

    return HTML(string=html, base_url=base_url).write_pdf()


def render_body(paper: Paper) -> str:
    """The paper's content as an HTML fragment: shown in the page, stored when
    issued, and wrapped for PDF."""
    return render_to_string("reporting/_paper_body.html", {"paper": paper})


def to_pdf(paper: Paper, body: str | None = None) -> bytes:
    """The paper's print view as PDF; ``body``: its HTML fragment, if already rendered."""
    body = render_body(paper) if body is None else body
    document = render_to_string("reporting/paper_document.html", {"paper": paper, "body": body})
    return html_to_pdf(document)


# How each format in the registry (papers.FORMATS) is made.
RENDERERS: dict[str, Callable[[Paper], bytes]] = {
    "docx": to_docx,
    "pdf": to_pdf,
    "xlsx": to_xlsx,
    "csv": to_csv,
}


def render_file(paper: Paper, fmt: str, body: str | None = None) -> bytes:
    """The paper as a file in ``fmt``; ``body``, if given, is its rendered HTML (for PDF)."""
    if fmt == "pdf":
        return to_pdf(paper, body)
    return RENDERERS[fmt](paper)


def render_files(paper: Paper, body: str | None = None) -> dict[str, bytes]:
    """Every file the paper's kind offers, by format."""
    return {fmt: render_file(paper, fmt, body) for fmt in Kind.FORMATS[paper.kind]}
