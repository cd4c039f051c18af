"""A paper as a Word document, in the council's own house style: A4, Arial,
real heading styles, numbered pages, repeating table headers. Every RAG status
is written as a word, never shown by colour alone."""

from __future__ import annotations

import io
import re

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

from core.cells import clean_text

from .. import blocks, layout
from ..blocks import Document as Document_
from ..papers import Kind, Paper
from .common import FONT, HEADER_FILL, deterministic_zip, rag_colours


def _paragraphs(text: str) -> list[str]:
    """User text split into paragraphs on blank lines."""
    text = clean_text(text).replace("\r\n", "\n").replace("\r", "\n").strip()
    return [p.strip() for p in re.split(r"\n[ \t]*\n", text) if p.strip()] if text else []


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


def _new_document(paper: Paper, laid: Document_) -> DocxDocument:
    doc = Document()
    section = doc.sections[0]
    # The same orientation as the PDF: landscape for the wide summary table.
    if laid.landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = Cm(29.7), Cm(21)
    else:
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
    normal.font.size = Pt(12)
    _set_font(normal.element)
    sizes = {"Heading 1": 20, "Heading 2": 15, "Heading 3": 13, "Heading 4": 12, "Heading 5": 12}
    for name, size in sizes.items():
        style = styles[name]
        style.font.name = FONT
        style.font.size = Pt(size)
        style.font.bold = True
        style.font.italic = False
        style.font.color.rgb = RGBColor(0, 0, 0)
        # A heading stays on the page of what it introduces.
        style.paragraph_format.keep_with_next = True
        _set_font(style.element)
        linked = style.element.find(qn("w:link"))  # "Heading 2 Char", used by Word
        if linked is not None:
            _set_font(styles.element.get_by_id(linked.get(qn("w:val"))))
    for name in ("Header", "Footer", "List Bullet", "List Number"):
        _set_font(styles[name].element)

    props = doc.core_properties
    props.title = clean_text(laid.title)
    props.author = clean_text(paper.council)
    props.subject = clean_text(paper.plan_title)
    props.comments = clean_text(laid.footer)
    props.language = "en-GB"
    # Fixed to the issue time (or the as-at date): the same paper, the same bytes.
    props.created = props.modified = props.last_printed = paper.moment
    props.last_modified_by = clean_text(paper.council)
    props.revision = paper.front.version or 1

    # The classification at the top and bottom of every page; where the paper
    # went and its page number at the bottom.
    header = section.header.paragraphs[0]
    header.alignment = WD_ALIGN_PARAGRAPH.CENTER
    marking = header.add_run(clean_text(laid.classification))
    marking.bold = True
    marking.font.size = Pt(10)
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    marking = footer.add_run(clean_text(laid.classification))
    marking.bold = True
    marking.font.size = Pt(10)
    where = section.footer.add_paragraph()
    where.alignment = WD_ALIGN_PARAGRAPH.CENTER
    where.add_run(clean_text(laid.footer) + " · Page ").font.size = Pt(9)
    _add_field(where, "PAGE", "1")
    where.add_run(" of ").font.size = Pt(9)
    _add_field(where, "NUMPAGES", "1")
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


def _set_cell(
    cell: _Cell,
    text: object,
    *,
    bold: bool = False,
    colour: str | None = None,
    right: bool = False,
) -> None:
    """Write text into a cell: one paragraph per blank-line-separated paragraph."""
    paras = _paragraphs(clean_text(text)) or [""]
    first = cell.paragraphs[0]
    for index, para in enumerate(paras):
        paragraph = first if index == 0 else cell.add_paragraph()
        paragraph.paragraph_format.space_after = Pt(2 if index < len(paras) - 1 else 0)
        if right:
            paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        run = paragraph.add_run(para)
        run.font.size = Pt(11)
        run.bold = bold or None
        if colour:
            run.font.color.rgb = RGBColor.from_string(colour.upper())


def _status_cell(cell: _Cell, value: str | None, label: str) -> None:
    """A RAG status: the word, on its colour where it has one."""
    colours = rag_colours(value)
    if colours:
        fill, text = colours
        _set_cell(cell, label, bold=True, colour=text)
        _shade(cell, fill)
    else:
        _set_cell(cell, label)


def _table(doc: DocxDocument, block: blocks.Table, width_cm: float) -> Table:
    """A 'Table Grid' table: a bold header row marked to repeat on every page,
    rows that never split across pages, and the table's title for screen readers."""
    total = sum(block.widths)
    widths = [width_cm * w / total for w in block.widths]
    table = doc.add_table(rows=1, cols=len(block.headers))
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.LEFT
    table.autofit = False
    tbl_pr = table._tbl.tblPr
    caption = OxmlElement("w:tblCaption")
    caption.set(qn("w:val"), clean_text(block.caption))
    tbl_pr.append(caption)
    for column, width in zip(table.columns, widths, strict=True):
        column.width = Cm(width)  # w:gridCol, which a fixed layout follows
    header = table.rows[0]
    tr_pr = header._tr.get_or_add_trPr()
    tr_pr.append(OxmlElement("w:cantSplit"))
    tr_pr.append(OxmlElement("w:tblHeader"))
    for cell, heading, width in zip(header.cells, block.headers, widths, strict=True):
        cell.width = Cm(width)
        _set_cell(cell, heading, bold=True)
        _shade(cell, HEADER_FILL)
    for values in block.rows:
        row = table.add_row()
        row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
        for index, (cell, value, width) in enumerate(zip(row.cells, values, widths, strict=True)):
            cell.width = Cm(width)
            cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.TOP
            if value.is_status:
                _status_cell(cell, value.rag, value.text)
            elif index == 0 and block.row_headers:
                _set_cell(cell, value.text, bold=True)
                _shade(cell, HEADER_FILL)
            else:
                _set_cell(cell, value.text, right=value.number)
    if block.keep_together:
        # Word keeps a table on one page when every row but the last keeps
        # with the next.
        for row in table.rows[:-1]:
            for cell in row.cells:
                for paragraph in cell.paragraphs:
                    paragraph.paragraph_format.keep_with_next = True
    return table


def _numbered_list(doc: DocxDocument) -> str:
    """A new numbering instance of the 'List Number' style, starting at 1: Word
    would otherwise carry on counting from the previous numbered list."""
    style = doc.styles["List Number"]
    num_id = style.element.pPr.numPr.numId.val
    numbering = doc.part.numbering_part.element
    abstract = numbering.num_having_numId(num_id).abstractNumId.val
    num = numbering.add_num(abstract)
    override = OxmlElement("w:lvlOverride")
    override.set(qn("w:ilvl"), "0")
    start = OxmlElement("w:startOverride")
    start.set(qn("w:val"), "1")
    override.append(start)
    num.append(override)
    return str(num.numId)


def _items(doc: DocxDocument, block: blocks.Items) -> None:
    num_id = _numbered_list(doc) if block.numbered else None
    for item in block.items:
        paragraph = doc.add_paragraph(
            clean_text(item), style="List Number" if block.numbered else "List Bullet"
        )
        if num_id:
            num_pr = paragraph._p.get_or_add_pPr().get_or_add_numPr()
            num_pr.get_or_add_ilvl().val = 0
            num_pr.get_or_add_numId().val = int(num_id)


def _para(doc: DocxDocument, block: blocks.Para) -> None:
    paragraph = doc.add_paragraph()
    for index, line in enumerate(clean_text(block.text).split("\n")):
        if index:
            paragraph.add_run().add_break()
        run = paragraph.add_run(line)
        if block.style == "title-block":
            run.bold = True
            run.font.size = Pt(14)
        elif block.style == "note":
            run.font.size = Pt(11)
        elif block.style == "chart-title":
            run.bold = True
    if block.style == "chart-title":
        paragraph.paragraph_format.keep_with_next = True  # never alone at a page's foot


def to_docx(paper: Paper, layout_: Document_ | None = None) -> bytes:
    """The paper as a Word document: A4, Arial, real headings from Heading 1,
    marked on every page, numbered pages; the same layout as the PDF."""
    if paper.kind not in Kind.ALL:
        raise ValueError(f"Unknown paper kind: {paper.kind!r}")
    laid = layout_ or layout.lay_out(paper)
    doc = _new_document(paper, laid)
    section = doc.sections[0]
    width_cm = (section.page_width - section.left_margin - section.right_margin) / 360000
    previous = None
    for block in laid.blocks:
        if block.kind == "heading":
            doc.add_heading(clean_text(block.text), level=block.level)
        elif block.kind == "para":
            _para(doc, block)
        elif block.kind == "items":
            _items(doc, block)
        elif block.kind == "image":
            _image(doc, block, width_cm)
        elif block.kind == "table":
            if previous == "table":
                _spacer(doc)  # Word would join two tables that touch
            _table(doc, block, width_cm)
        previous = block.kind
    _spacer(doc)
    return deterministic_zip(_save(doc), paper.moment)


def _save(doc: DocxDocument) -> bytes:
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _image(doc: DocxDocument, block: blocks.Image, width_cm: float) -> None:
    """A chart (PNG) as an inline picture with its alternative text (Word's
    "Alt Text", which screen readers announce)."""
    run = doc.add_paragraph().add_run()
    shape = run.add_picture(io.BytesIO(block.png), width=Cm(min(width_cm, 16)))
    doc_pr = shape._inline.docPr
    doc_pr.set("descr", clean_text(block.alt))
    doc_pr.set("title", clean_text(block.alt.split(":")[0]))


def _spacer(doc: DocxDocument) -> None:
    doc.add_paragraph().paragraph_format.space_after = Pt(0)
