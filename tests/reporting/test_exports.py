"""The papers' downloads: every file produced is opened and its content checked."""

import csv
import datetime
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

from plans.models import RAG
from reporting.exports import html_to_pdf, safe_cell, to_csv, to_docx, to_xlsx
from reporting.papers import AreaLine as Area
from reporting.papers import Kind, MilestoneLine, Paper, rag_label

FORMULA = '=HYPERLINK("http://x","y")'
HOSTILE = '<script>alert(1)</script> & "quotes"'
MULTILINE = 'First line, with a comma\nSecond line with "quotes"'
RAGS = [
    RAG.BLUE, RAG.GREEN, RAG.AMBER, RAG.RED, RAG.GREEN, RAG.GREEN, None, RAG.AMBER, RAG.BLUE,
    RAG.GREEN, RAG.RED, RAG.GREEN, RAG.AMBER, RAG.GREEN, RAG.BLUE, RAG.GREEN, RAG.GREEN,
]  # fmt: skip
PREVIOUS = [RAG.GREEN, RAG.GREEN, RAG.GREEN, RAG.AMBER] + [None] * 13
RAG_WORDS = ["Blue – complete", "Green – on track", "Amber – at risk", "Red – off track"]
FILLS = {RAG.BLUE: "1d70b8", RAG.GREEN: "00703c", RAG.AMBER: "ffdd00", RAG.RED: "d4351c"}
AREA_HEADER = ["No.", "Improvement area", "Overview", "RAG status"]
PREVIOUS_BOARD = "Improvement Board, 11 March 2015"


def area(number: int) -> Area:
    rag = RAGS[number - 1]
    previous = PREVIOUS[number - 1]
    return Area(
        number=number,
        recommendation={3: FORMULA}.get(number, f"Recommendation {number}"),
        theme="Leadership",
        lead=f"Lead officer {number}",
        rag=rag,
        rag_label=rag_label(rag),
        overview={
            5: HOSTILE,
            7: "",
            6: MULTILINE,
            9: "-1 vacancy remains",
            11: "Caseloads high",
        }.get(number, f"Overview of area {number}."),
        next_steps=f"Next steps for area {number}." if number not in (2, 7) else "",
        rag_reason={4: "Recruitment delayed", 3: "Audit slipped"}.get(number, ""),
        update_as_at="1 May 2015" if rag else "",
        previous_rag=previous,
        previous_rag_label=rag_label(previous),
        movement="" if rag is None else ("New" if previous is None else "No change"),
        completed_since_board=(
            [MilestoneLine(1, "Audit of case files", "April 2015", completed="20 April 2015")]
            if number == 1
            else []
        ),
        due_next_quarter=(
            [MilestoneLine(1, "Launch training", "30 June 2015", forecast="31 July 2015")]
            if number == 1
            else []
        ),
        overdue=(
            [MilestoneLine(4, "Recruit 10 social workers", "31 March 2015", "30 June 2015")]
            if number == 4
            else []
        ),
    )


@pytest.fixture
def paper() -> Paper:
    areas = [area(n) for n in range(1, 18)]
    counts = [(r.value, r.label, sum(a.rag == r for a in areas)) for r in RAG]
    counts.append(("", rag_label(None), sum(a.rag is None for a in areas)))
    return Paper(
        kind=Kind.SCRUTINY,
        title=Kind.TITLES[Kind.SCRUTINY],
        council="Plymouth City Council",
        plan_title="Children's Services Improvement Plan",
        as_at=datetime.date(2015, 5, 31),
        as_at_label="31 May 2015",
        briefing="The plan is broadly on track.\n\nTwo areas are red.",
        areas=areas,
        rag_counts=counts,
        previous_board=PREVIOUS_BOARD,
        overdue=[
            MilestoneLine(4, "Recruit 10 social workers", "31 March 2015", "30 June 2015"),
            MilestoneLine(11, "Reduce caseloads", "April 2015"),
        ],
        escalations=["Area 4 is Red – off track: Recruitment delayed", "Area 11 is Red"],
    )


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


@pytest.mark.parametrize("kind", Kind.ALL)
def test_every_paper_has_the_house_style(paper, kind):
    data = to_docx(as_kind(paper, kind))
    doc = open_docx(data)
    section = doc.sections[0]
    assert (round(section.page_width.cm, 1), round(section.page_height.cm, 1)) == (21.0, 29.7)
    for name in ("Normal", "Title", "Heading 2", "Heading 3"):
        rfonts = doc.styles[name].element.rPr.find(qn("w:rFonts"))
        assert rfonts.get(qn("w:ascii")) == "Arial", name
        assert rfonts.get(qn("w:asciiTheme")) is None, name  # a theme font would win
    styles = {p.style.name for p in doc.paragraphs}
    assert {"Title", "Heading 2"} <= styles
    body = texts(doc)
    assert body[0] == Kind.TITLES[kind]
    assert doc.paragraphs[0].style.name == "Title"
    assert body[1:4] == [
        "Plymouth City Council",
        "Children's Services Improvement Plan",
        "Position as at 31 May 2015",
    ]
    # Page N of M in the footer.
    footer_xml = section.footer._element.xml
    assert "Page " in section.footer.paragraphs[0].text
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
    # The RAG key, with each status as a word on its colour.
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
    start = body.index("Overview briefing")
    assert doc.paragraphs[start].style.name == "Heading 2"
    assert body[start + 1 : start + 3] == ["The plan is broadly on track.", "Two areas are red."]

    table = table_headed(doc, *AREA_HEADER)
    got = rows(table)
    assert got[0] == AREA_HEADER
    assert len(got) == 18
    for line, row in zip(paper.areas, got[1:], strict=True):
        assert row[0] == str(line.number)
        assert row[1] == line.recommendation
        assert row[2] == line.overview
        assert row[3] == rag_label(line.rag)
    assert got[4][3] == "Red – off track"
    assert got[7][3] == "Not yet rated"
    assert fill(table.rows[4].cells[3]) == FILLS[RAG.RED]
    assert fill(table.rows[7].cells[3]) is None  # not rated: no colour
    # User text is text: the formula and the markup appear literally, escaped in the XML.
    assert got[3][1] == FORMULA
    assert got[5][2] == HOSTILE
    assert got[6][2] == MULTILINE
    xml = zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml").decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp;" in xml
    assert "<script>" not in xml


def test_text_that_xml_cannot_hold_is_dropped_not_fatal(paper):
    paper.areas[0].overview = "Null\x00 and vertical\x0b tab and \x1f unit"
    paper.areas[0].recommendation = "Bell\x07 rang"
    paper.briefing = "Form\x0cfeed"
    for kind in Kind.ALL:
        doc = open_docx(to_docx(as_kind(paper, kind)))
        assert "Formfeed" in texts(doc) or kind != Kind.SCRUTINY
    doc = open_docx(to_docx(paper))
    row = rows(table_headed(doc, *AREA_HEADER))[1]
    assert row[1:3] == ["Bell rang", "Null and vertical tab and  unit"]
    wb = load_workbook(io.BytesIO(to_xlsx(paper)))
    assert wb["Summary"]["C7"].value == "Null and vertical tab and  unit"
    assert b"Null and vertical" in to_csv(paper)


def test_unknown_kind_is_refused(paper):
    with pytest.raises(ValueError):
        to_docx(replace(paper, kind="minutes"))


def test_board_report(paper):
    doc = open_docx(to_docx(as_kind(paper, Kind.BOARD)))
    body = texts(doc)
    assert body[0] == "Improvement Board progress report"
    assert "Summary" in body
    assert f"Previous board: {PREVIOUS_BOARD}" in body

    counts = table_headed(doc, "RAG status", "Number of areas")
    assert rows(counts)[1:] == [
        ["Blue – complete", "3"],
        ["Green – on track", "8"],
        ["Amber – at risk", "3"],
        ["Red – off track", "2"],
        ["Not yet rated", "1"],
    ]
    summary = table_headed(doc, "No.", "Improvement area", "RAG now")
    got = rows(summary)
    assert got[0] == ["No.", "Improvement area", "RAG now", "RAG at previous board", "Movement"]
    assert len(got) == 18
    assert got[4] == ["4", "Recommendation 4", "Red – off track", "Amber – at risk", "No change"]
    assert got[7][2:4] == ["Not yet rated", "Not yet rated"]
    assert fill(summary.rows[4].cells[3]) == FILLS[RAG.AMBER]

    # The summary, then a page break, then one section per area.
    xml = doc.element.body.xml
    assert 'w:type="page"' in xml
    assert xml.index('w:type="page"') < xml.index("Area 1: Recommendation 1")
    sections = blocks_by_heading(doc, "Heading 2")
    area_headings = [h for h in sections if h.startswith("Area ")]
    assert area_headings == [f"Area {a.number}: {a.recommendation}" for a in paper.areas]

    one = sections["Area 1: Recommendation 1"]
    detail = next(b for b in one if isinstance(b, Table))
    assert rows(detail) == [
        ["Lead", "RAG now", "RAG at previous board", "Movement"],
        ["Lead officer 1", "Blue – complete", "Green – on track", "No change"],
    ]
    one_text = [b.text for b in one if isinstance(b, Paragraph)]
    assert "Latest update (as at 1 May 2015)" in one_text
    assert "Overview of area 1." in one_text
    assert "Next steps for area 1." in one_text
    assert "Reason for the RAG status" not in one_text  # area 1 gives none
    completed = after(one, "Milestones completed since the previous board")
    assert rows(completed) == [
        ["Milestone", "Due", "Forecast", "Completed"],
        ["Audit of case files", "April 2015", "", "20 April 2015"],
    ]
    due = after(one, "Milestones due in the next quarter")
    assert rows(due)[1] == ["Launch training", "30 June 2015", "31 July 2015", ""]
    assert after(one, "Overdue milestones").text == "None."

    two = sections["Area 2: Recommendation 2"]
    for heading in (
        "Milestones completed since the previous board",
        "Milestones due in the next quarter",
        "Overdue milestones",
    ):
        assert after(two, heading).text == "None."
    assert after(two, "Next steps").text == "None."

    four = sections["Area 4: Recommendation 4"]
    assert after(four, "Reason for the RAG status").text == "Recruitment delayed"
    assert rows(after(four, "Overdue milestones"))[1] == [
        "Recruit 10 social workers",
        "31 March 2015",
        "30 June 2015",
        "",
    ]
    seven = sections["Area 7: Recommendation 7"]
    assert after(seven, "Latest update").text == "No approved update yet."


def test_board_report_without_a_previous_board(paper):
    doc = open_docx(to_docx(replace(as_kind(paper, Kind.BOARD), previous_board="")))
    assert "Previous board: none – this is the first progress report." in texts(doc)


def test_assurance_summary(paper):
    doc = open_docx(to_docx(as_kind(paper, Kind.ASSURANCE)))
    sections = blocks_by_heading(doc, "Heading 2")
    assert list(sections) == [
        "Areas by RAG status",
        "Exceptions",
        "Overdue milestones",
        "Items for escalation",
        "RAG key",
    ]
    counts = next(b for b in sections["Areas by RAG status"] if isinstance(b, Table))
    assert rows(counts)[4] == ["Red – off track", "2"]

    exceptions = next(b for b in sections["Exceptions"] if isinstance(b, Table))
    assert rows(exceptions) == [
        ["No.", "Improvement area", "RAG status", "Reason"],
        ["4", "Recommendation 4", "Red – off track", "Recruitment delayed"],
        ["11", "Recommendation 11", "Red – off track", "Caseloads high"],  # no reason: overview
        ["3", FORMULA, "Amber – at risk", "Audit slipped"],
        ["8", "Recommendation 8", "Amber – at risk", "Overview of area 8."],
        ["13", "Recommendation 13", "Amber – at risk", "Overview of area 13."],
    ]
    assert [fill(r.cells[2]) for r in exceptions.rows[1:]] == [FILLS[RAG.RED]] * 2 + [
        FILLS[RAG.AMBER]
    ] * 3

    overdue = next(b for b in sections["Overdue milestones"] if isinstance(b, Table))
    assert rows(overdue) == [
        ["Area", "Milestone", "Due", "Forecast"],
        ["4", "Recruit 10 social workers", "31 March 2015", "30 June 2015"],
        ["11", "Reduce caseloads", "April 2015", ""],
    ]
    bullets = [b for b in sections["Items for escalation"] if isinstance(b, Paragraph) and b.text]
    assert [(b.style.name, b.text) for b in bullets] == [
        ("List Bullet", "Area 4 is Red – off track: Recruitment delayed"),
        ("List Bullet", "Area 11 is Red"),
    ]


def test_assurance_summary_with_nothing_to_report(paper):
    calm = as_kind(paper, Kind.ASSURANCE)
    calm = replace(calm, areas=[a for a in calm.areas if a.rag in (RAG.BLUE, RAG.GREEN)])
    calm = replace(calm, overdue=[], escalations=[])
    sections = blocks_by_heading(open_docx(to_docx(calm)), "Heading 2")
    for heading in ("Exceptions", "Overdue milestones", "Items for escalation"):
        assert [b.text for b in sections[heading] if isinstance(b, Paragraph)] == ["None."]


# --- Excel -----------------------------------------------------------------------------------


def test_xlsx(paper):
    data = to_xlsx(paper)
    wb = load_workbook(io.BytesIO(data))
    assert wb.sheetnames == ["Summary", "RAG key"]
    ws = wb["Summary"]
    assert [ws.cell(row=r, column=1).value for r in range(1, 5)] == [
        "Improvement Plan – update on progress",
        "Plymouth City Council",
        "Children's Services Improvement Plan",
        "Position as at 31 May 2015",
    ]
    header = list(ws.iter_rows(min_row=6, max_row=6))[0]
    assert [c.value for c in header] == AREA_HEADER
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
    assert got[0] == ["Number", "Improvement area", "Overview", "RAG status"]
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
