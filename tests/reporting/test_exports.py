"""The papers' downloads: every file produced is opened and its content checked."""

import csv
import io
import zipfile
from dataclasses import replace

import pytest
from docx import Document
from docx.oxml.ns import qn
from docx.table import Table
from docx.text.paragraph import Paragraph
from openpyxl import load_workbook
from pypdf import PdfReader

from core.cells import safe_cell
from core.rag import RAG, rag_label
from reporting.formats.csv import to_csv
from reporting.formats.excel import to_xlsx
from reporting.formats.pdf import html_to_pdf
from reporting.formats.word import to_docx
from reporting.papers import Kind, Paper
from tests.support.papers import (
    FORMULA,
    HOSTILE,
    MULTILINE,
    PREVIOUS_BOARD,
    sample_paper,
)

RAG_WORDS = ["Blue – complete", "Green – on track", "Amber – at risk", "Red – off track"]
FILLS = {RAG.BLUE: "1d70b8", RAG.GREEN: "00703c", RAG.AMBER: "ffdd00", RAG.RED: "d4351c"}
# The May 2015 paper's two columns, and a status: these statuses were recorded.
AREA_HEADER = ["Improvement Area", "Overview", "RAG status"]


@pytest.fixture
def paper() -> Paper:
    return sample_paper()


def as_kind(paper: Paper, kind: str) -> Paper:
    return replace(paper, kind=kind, title=Kind.TITLES[kind])


# --- Word ------------------------------------------------------------------------------------


def open_docx(data: bytes):
    return Document(io.BytesIO(data))


def rows(table: Table) -> list[list[str]]:
    return [[cell.text for cell in row.cells] for row in table.rows]


def table_headed(doc, *header: str) -> Table:
    matches = [t for t in doc.tables if rows(t)[0][: len(header)] == list(header)]
    assert len(matches) == 1, f"expected one table headed {header}, found {len(matches)}"
    return matches[0]


def fill(cell) -> str | None:
    shd = cell._tc.tcPr.find(qn("w:shd"))
    return None if shd is None else shd.get(qn("w:fill"))


def texts(doc) -> list[str]:
    return [p.text for p in doc.paragraphs]


def blocks_by_heading(doc, style: str) -> dict[str, list]:
    """The body's paragraphs and tables grouped under each heading of ``style``."""
    groups: dict[str, list] = {}
    current = None
    for block in doc.iter_inner_content():
        if isinstance(block, Paragraph) and block.style.name == style:
            current = groups.setdefault(block.text, [])
        elif current is not None:
            current.append(block)
    return groups


def after(blocks: list, heading: str):
    """The block that follows the (Heading 3) paragraph ``heading`` in ``blocks``."""
    for index, block in enumerate(blocks):
        if isinstance(block, Paragraph) and block.text == heading:
            return blocks[index + 1]
    raise AssertionError(f"no heading {heading!r}")


def heading_1(paper: Paper) -> str:
    """The report's title as its Heading 1: in capitals on the scrutiny summary,
    as the May 2015 paper printed it."""
    return paper.title.upper() if paper.kind == Kind.SCRUTINY else paper.title


@pytest.mark.parametrize("kind", Kind.ALL)
def test_every_paper_has_the_house_style(paper, kind):
    data = to_docx(as_kind(paper, kind))
    doc = open_docx(data)
    section = doc.sections[0]
    # A4; the summary's wide table is landscape, as in its PDF.
    size = (round(section.page_width.cm, 1), round(section.page_height.cm, 1))
    assert size == ((29.7, 21.0) if kind == Kind.SCRUTINY else (21.0, 29.7))
    for name in ("Normal", "Heading 1", "Heading 2", "Heading 3"):
        rfonts = doc.styles[name].element.rPr.find(qn("w:rFonts"))
        assert rfonts.get(qn("w:ascii")) == "Arial", name
        assert rfonts.get(qn("w:asciiTheme")) is None, name  # a theme font would win
    styles = {p.style.name for p in doc.paragraphs}
    assert {"Heading 1", "Heading 2"} <= styles and "Title" not in styles
    headings = [p for p in doc.paragraphs if p.style.name.startswith("Heading")]
    assert (headings[0].style.name, headings[0].text) == (
        "Heading 1",
        heading_1(as_kind(paper, kind)),
    )
    front = rows(doc.tables[0])  # the front sheet
    assert front[0] == ["Item", "Detail"]
    facts = dict(front[1:])
    assert facts["Council"] == "Plymouth City Council"
    assert facts["Plan"] == "Children's Services Improvement Plan"
    assert facts["Position as at"] == "31 May 2015"
    assert facts["Meeting"] == "Not prepared for a meeting"
    assert facts["Version"] == "Working copy: not issued"
    # The marking top and bottom; Page N of M in the footer.
    assert section.header.paragraphs[0].text == "OFFICIAL"
    assert section.footer.paragraphs[0].text == "OFFICIAL"
    footer_xml = section.footer._element.xml
    assert "Page " in section.footer.paragraphs[1].text
    assert " PAGE " in footer_xml and " NUMPAGES " in footer_xml
    assert footer_xml.index(" PAGE ") < footer_xml.index(" NUMPAGES ")
    # Every table: Table Grid, a bold header row that repeats on each page.
    assert doc.tables
    for table in doc.tables:
        assert table.style.name == "Table Grid"
        header = table.rows[0]
        assert header._tr.trPr.find(qn("w:tblHeader")) is not None
        runs = [run for cell in header.cells for p in cell.paragraphs for run in p.runs]
        assert runs and all(run.bold for run in runs)
        for row in table.rows[1:]:
            assert row._tr.trPr is None or row._tr.trPr.find(qn("w:tblHeader")) is None
    # The RAG key (these statuses were recorded), each status a word on its colour.
    body = texts(doc)
    assert "RAG key" in body
    key = table_headed(doc, "Status", "Meaning")
    assert [r[0] for r in rows(key)[1:]] == RAG_WORDS
    assert rows(key)[2][1] == "Going to plan"
    assert [fill(row.cells[0]) for row in key.rows[1:]] == list(FILLS.values())
    amber_run = key.rows[3].cells[0].paragraphs[0].runs[0]
    assert str(amber_run.font.color.rgb) == "000000"
    assert str(key.rows[4].cells[0].paragraphs[0].runs[0].font.color.rgb) == "FFFFFF"


def test_scrutiny_summary_has_the_briefing_and_the_areas_table(paper):
    data = to_docx(paper)
    doc = open_docx(data)
    body = texts(doc)
    start = body.index("Overview Briefing")
    assert doc.paragraphs[start].style.name == "Heading 2"
    assert body[start + 1 : start + 3] == ["The plan is broadly on track.", "Two areas are red."]

    table = table_headed(doc, *AREA_HEADER)
    got = rows(table)
    assert got[0] == AREA_HEADER
    assert len(got) == 18
    for line, row in zip(paper.areas, got[1:], strict=True):
        assert row[0] == f"{line.number} {line.recommendation}"
        assert row[1] == (line.overview or "No approved update.")
        assert row[2] == rag_label(line.rag)
    assert got[4][2] == "Red – off track"
    assert got[7][2] == "Not yet rated"
    assert fill(table.rows[4].cells[2]) == FILLS[RAG.RED]
    assert fill(table.rows[7].cells[2]) is None  # not rated: no colour
    # User text is text: the formula and the markup appear literally, escaped in the XML.
    assert got[3][0] == "3 " + FORMULA
    assert got[5][1] == HOSTILE
    assert got[6][1] == MULTILINE
    xml = zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml").decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp;" in xml
    assert "<script>" not in xml


def test_text_that_xml_cannot_hold_is_dropped_not_fatal(paper):
    paper.areas[0].overview = "Null\x00 and vertical\x0b tab and \x1f unit"
    paper.areas[0].recommendation = "Bell\x07 rang"
    paper.front.briefing = "Form\x0cfeed"
    for kind in Kind.ALL:
        # Every paper carries the briefing now (parity with the PDF).
        assert "Formfeed" in texts(open_docx(to_docx(as_kind(paper, kind)))), kind
    doc = open_docx(to_docx(paper))
    row = rows(table_headed(doc, *AREA_HEADER))[1]
    assert row[:2] == ["1 Bell rang", "Null and vertical tab and  unit"]
    wb = load_workbook(io.BytesIO(to_xlsx(paper)))
    assert wb["Summary"]["C7"].value == "Null and vertical tab and  unit"
    assert b"Null and vertical" in to_csv(paper)


def test_unknown_kind_is_refused(paper):
    with pytest.raises(ValueError):
        to_docx(replace(paper, kind="minutes"))


def test_board_report(paper):
    doc = open_docx(to_docx(as_kind(paper, Kind.BOARD)))
    body = texts(doc)
    assert [p.text for p in doc.paragraphs if p.style.name == "Heading 1"] == [
        "Improvement Board progress report"
    ]
    # Page one: the position at a glance, then what needs the board's attention.
    counts = table_headed(doc, "RAG status", "Areas now")
    assert rows(counts) == [
        ["RAG status", "Areas now", "At the previous board"],
        ["Blue – complete", "3", "0"],
        ["Green – on track", "8", "3"],
        ["Amber – at risk", "3", "1"],
        ["Red – off track", "2", "0"],
        ["Not yet rated", "1", "13"],
    ]
    assert fill(counts.rows[4].cells[0]) == FILLS[RAG.RED]
    assert (
        f"Since the previous board ({PREVIOUS_BOARD}): improved: 1, worse: 2, no change: 1." in body
    )
    attention = rows(table_headed(doc, "No.", "Improvement area", "RAG status"))
    assert attention[0] == [
        "No.", "Improvement area", "RAG status", "Movement", "Reason", "Next step"
    ]  # fmt: skip
    # Red first, then amber (or worse), each by number.
    assert [r[0] for r in attention[1:]] == ["4", "11", "3", "8", "13"]
    assert attention[1] == [
        "4", "Recommendation 4", "Red – off track", "Worse", "Recruitment delayed",
        "Next steps for area 4.",
    ]  # fmt: skip
    assert attention[2][4:] == ["–", "Next steps for area 11."]
    assert attention[3][1:4] == [FORMULA, "Amber – at risk", "Worse"]
    late = rows(table_headed(doc, "Area", "Milestone", "Lead"))
    assert late == [
        ["Area", "Milestone", "Lead", "Due", "Forecast", "Late by"],
        ["4", "Recruit 10 social workers", "Lead officer 4", "31 March 2015", "", "8 weeks"],
        ["11", "Reduce caseloads", "Lead officer 11", "April 2015", "", "4 weeks"],
    ]
    assert "No area rated green or blue has an overdue milestone or action." in body
    assert "No decision is asked of the meeting: the report is for noting." in body
    assert body.index("Decisions asked of the board") < body.index("Progress in each area")

    # Then one section per area, leaving out what is empty.
    sections = blocks_by_heading(doc, "Heading 3")
    assert list(sections) == [f"Area {a.number}: {a.recommendation}" for a in paper.areas]

    def facts(heading: str) -> dict[str, str]:
        table = next(b for b in sections[heading] if isinstance(b, Table))
        got = rows(table)
        assert got[0] == ["Item", "Detail"]
        return dict(got[1:])

    one = facts("Area 1: Recommendation 1")
    assert one == {
        "Lead": "Lead officer 1",
        "Theme": "Leadership",
        "RAG status": "Blue – complete",
        "At the previous board": "Green – on track",
        "Movement": "Improved",
        "Latest approved update": "1 May 2015",
        "Progress": "Overview of area 1.",
        "Next steps": "Next steps for area 1.",
    }  # no reason given for area 1: no such row
    completed = after(
        sections["Area 1: Recommendation 1"], "Milestones completed since the previous board"
    )
    assert rows(completed) == [
        ["Milestone", "Lead", "Due", "Forecast"],
        ["Audit of case files", "", "April 2015", ""],
    ]
    due = after(sections["Area 1: Recommendation 1"], "Milestones due in the next quarter")
    assert rows(due)[1] == ["Launch training", "", "30 June 2015", "31 July 2015"]

    two = sections["Area 2: Recommendation 2"]
    assert "Next steps" not in facts("Area 2: Recommendation 2")
    assert not [b for b in two if isinstance(b, Paragraph) and b.style.name == "Heading 4"]

    four = facts("Area 4: Recommendation 4")
    assert four["Reason for the status"] == "Recruitment delayed"
    assert rows(after(sections["Area 4: Recommendation 4"], "Milestones overdue"))[1] == [
        "Recruit 10 social workers", "Lead officer 4", "31 March 2015", "", "8 weeks"
    ]  # fmt: skip
    assert facts("Area 7: Recommendation 7")["Latest approved update"] == "None yet"
    text = "\n".join(body)
    assert "None given" not in text and ": none." not in text.lower()


def test_board_report_without_a_previous_board(paper):
    first = replace(as_kind(paper, Kind.BOARD), previous_board="", previous_counts=[])
    for area in first.areas:
        area.previous_rag, area.movement = None, ""
    body = texts(open_docx(to_docx(first)))
    assert body.count("There was no earlier Improvement Board to compare with.") == 1
    assert not [t for t in body if t.startswith("Since the previous board")]


def test_assurance_summary(paper):
    doc = open_docx(to_docx(as_kind(paper, Kind.ASSURANCE)))
    sections = blocks_by_heading(doc, "Heading 2")
    assert list(sections) == [
        "Overview Briefing",
        "Exceptions",
        "Areas by RAG status",
        "Milestones due in the next quarter",
        "Decisions asked of the meeting",
        "RAG key",
    ]
    counts = next(b for b in sections["Areas by RAG status"] if isinstance(b, Table))
    assert rows(counts)[4] == ["Red – off track", "2"]
    assert fill(counts.rows[4].cells[0]) == FILLS[RAG.RED]

    exceptions = next(b for b in sections["Exceptions"] if isinstance(b, Table))
    assert rows(exceptions) == [
        ["No.", "Exception", "Lead", "Latest update", "Reason"],
        [
            "3", "Worse: Green – on track to Amber – at risk", "Lead officer 3", "1 May 2015",
            "Audit slipped",
        ],
        ["4", "Rated Red – off track", "Lead officer 4", "1 May 2015", "Recruitment delayed"],
        ["11", "Rated Red – off track", "Lead officer 11", "1 May 2015", "–"],
        [
            "4", "Milestone overdue by 8 weeks: Recruit 10 social workers (due 31 March 2015)",
            "Lead officer 4", "1 May 2015", "Recruitment delayed",
        ],
        [
            "11", "Milestone overdue by 4 weeks: Reduce caseloads (due April 2015)",
            "Lead officer 11", "1 May 2015", "–",
        ],
    ]  # fmt: skip
    # "Overdue milestones" is never a second section: they are exceptions.
    assert not [h for h in sections if "verdue" in h]


def test_assurance_summary_with_nothing_to_report(paper):
    calm = as_kind(paper, Kind.ASSURANCE)
    calm = replace(calm, areas=[a for a in calm.areas if a.rag in (RAG.BLUE, RAG.GREEN)])
    calm = replace(calm, overdue=[])
    for area in calm.areas:
        area.movement = ""
    sections = blocks_by_heading(open_docx(to_docx(calm)), "Heading 2")
    said = {
        h: [b.text for b in sections[h] if isinstance(b, Paragraph) and b.text] for h in sections
    }
    assert said["Exceptions"][-1] == "There are no exceptions."
    assert said["Milestones due in the next quarter"] == [
        "No milestone is due in the next quarter."
    ]
    assert said["Decisions asked of the meeting"] == [
        "No decision is asked of the meeting: the report is for noting."
    ]


# --- Excel -----------------------------------------------------------------------------------


def test_xlsx(paper):
    data = to_xlsx(paper)
    wb = load_workbook(io.BytesIO(data))
    assert wb.sheetnames == ["Summary", "RAG key"]
    ws = wb["Summary"]
    assert [ws.cell(row=r, column=1).value for r in range(1, 5)] == [
        "OFFICIAL",
        "Improvement Plan update on progress",
        "Plymouth City Council · Children's Services Improvement Plan",
        "Not prepared for a meeting · Working copy: not issued · Position as at 31 May 2015",
    ]
    header = list(ws.iter_rows(min_row=6, max_row=6))[0]
    assert [c.value for c in header] == ["No.", *AREA_HEADER]
    assert all(c.font.bold for c in header)
    data_rows = list(ws.iter_rows(min_row=7, values_only=True))
    assert len(data_rows) == 17 and ws.max_row == 23
    assert [r[0] for r in data_rows] == list(range(1, 18))
    assert all(ws.cell(row=r, column=1).data_type == "n" for r in range(7, 24))
    assert data_rows[3] == (4, "Recommendation 4", "Overview of area 4.", "Red – off track")
    assert data_rows[6][3] == "Not yet rated"
    # Formula-like text is kept as a neutralised string; other text round-trips.
    assert ws["B9"].value == "'" + FORMULA and ws["B9"].data_type == "s"
    assert ws["C15"].value == "'-1 vacancy remains"
    assert ws["C11"].value == HOSTILE
    assert ws["C12"].value == MULTILINE
    for sheet in wb:
        for row in sheet.iter_rows():
            assert all(c.data_type != "f" for c in row)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in z.read(name) and b"<f " not in z.read(name)
    assert ws.freeze_panes == "A7"
    assert ws.auto_filter.ref == "A6:D23"
    assert ws["C7"].alignment.wrap_text
    assert ws.column_dimensions["C"].width > ws.column_dimensions["A"].width
    assert ws["D10"].fill.fgColor.rgb.endswith("D4351C")

    key = wb["RAG key"]
    assert [c.value for c in key[1]] == ["Status", "Meaning"]
    assert [key.cell(row=r, column=1).value for r in range(2, 6)] == RAG_WORDS


# --- CSV -------------------------------------------------------------------------------------


def test_csv(paper):
    data = to_csv(paper)
    assert data.startswith(b"\xef\xbb\xbf")
    got = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert got[0] == ["Number", *AREA_HEADER]
    assert len(got) == 18
    assert [r[0] for r in got[1:]] == [str(n) for n in range(1, 18)]
    assert got[3][1] == "'" + FORMULA
    assert got[9][2] == "'-1 vacancy remains"
    assert got[5][2] == HOSTILE
    assert got[6][2] == MULTILINE
    assert got[4][3] == "Red – off track"
    assert got[7][3] == "Not yet rated"


# --- PDF -------------------------------------------------------------------------------------


def test_html_to_pdf():
    pdf = html_to_pdf("<html><body><h1>Improvement Plan</h1><p>Amber – at risk</p></body></html>")
    assert pdf.startswith(b"%PDF")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "Improvement Plan" in text
    assert "Amber – at risk" in text


# --- safe_cell -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value", ["=1+1", "+1", "-1", "@SUM(A1:A2)", "\t=1+1", "\r=1+1", FORMULA, "=", "-"]
)
def test_safe_cell_neutralises_what_a_spreadsheet_would_run(value):
    assert safe_cell(value) == "'" + value


@pytest.mark.parametrize(
    "value", ["Going to plan", "", "1 = 1", "Area 3 - slipped", "'quoted", " =1", "£5", "Ünïcode"]
)
def test_safe_cell_leaves_safe_text_alone(value):
    assert safe_cell(value) == value


@pytest.mark.parametrize("value", [None, 0, 17, -5, 2.5])
def test_safe_cell_leaves_non_text_alone(value):
    assert safe_cell(value) == value
    assert type(safe_cell(value)) is type(value)
