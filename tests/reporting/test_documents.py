"""The papers as documents a council publishes (issue 9): each file opened and
read back, in every format, against the seed paper and against fixtures built
to contain what the papers must say.

The seed plan's renders are made once for the module (``seed_docs``), inside a
transaction that is rolled back, and shared as bytes and plain data; tests
that write to the database build their own data.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime
import io
import re
import time
import zipfile
from dataclasses import dataclass, field

import lxml.html
import pikepdf
import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from docx import Document
from docx.oxml.ns import qn
from docx.table import Table as DocxTable
from docx.text.paragraph import Paragraph
from openpyxl import load_workbook
from pypdf import PdfReader

from core.rag import RAG
from plans.models import Action, ImprovementArea, Meeting, Milestone, Plan, ProgressUpdate
from plans.saving import save_with_history
from plans.seed import load_plan
from reporting import services
from reporting.build import build_paper
from reporting.formats import render_file
from reporting.formats.excel import to_xlsx
from reporting.formats.html import render_body
from reporting.formats.pdf import to_pdf
from reporting.formats.word import to_docx
from reporting.layout import lay_out
from reporting.models import IssuedPaper, PreparedPaper
from reporting.papers import Classification, FrontSheet, Kind, Paper
from reporting.seed import record_seed_papers
from tests import factories
from tests.plans.seed_source import seed_briefing, seed_columns, seed_rows, seed_title_block
from tests.reporting import pdf_text
from tests.support.shared import module_data

SEED_AS_AT = datetime.date(2015, 5, 1)
PARITY_DATES = [datetime.date(2015, 6, 30), datetime.date(2026, 11, 26)]
RAG_WORDS = [r.label for r in RAG]
SENSITIVE = Classification.OFFICIAL_SENSITIVE.value


# --- Reading the files ----------------------------------------------------------------------


def norm(text: str) -> str:
    """Whitespace collapsed; a line broken after a hyphen joined again."""
    return re.sub(r"(\w)- (\w)", r"\1-\2", " ".join(text.split()))


def open_docx(data: bytes):
    return Document(io.BytesIO(data))


def docx_rows(table: DocxTable) -> list[list[str]]:
    return [[cell.text for cell in row.cells] for row in table.rows]


def docx_text(doc) -> str:
    """Every paragraph and table cell of the body in reading order, then the
    header and footer."""
    parts = []
    for block in doc.iter_inner_content():
        if isinstance(block, Paragraph):
            parts.append(block.text)
        else:
            parts += [c.text for r in block.rows for c in r.cells]
    for section in doc.sections:
        parts += [p.text for p in section.header.paragraphs + section.footer.paragraphs]
    return "\n".join(parts)


def docx_headings(doc) -> list[tuple[int, str]]:
    found = []
    for p in doc.paragraphs:
        name = p.style.name
        assert name != "Title", "a Title paragraph: Word headings start at Heading 1"
        if name.startswith("Heading "):
            found.append((int(name.split()[1]), p.text))
    return found


def docx_blocks_after(doc, heading: str) -> list:
    """The body's blocks after the paragraph ``heading`` up to the next heading."""
    blocks, seen = [], False
    for block in doc.iter_inner_content():
        is_heading = isinstance(block, Paragraph) and block.style.name.startswith("Heading")
        if seen and is_heading:
            break
        if seen:
            blocks.append(block)
        if is_heading and block.text == heading:
            seen = True
    assert seen, f"no heading {heading!r}"
    return blocks


def docx_table_headed(doc, headers: list[str]) -> DocxTable:
    matches = [t for t in doc.tables if docx_rows(t)[0] == headers]
    assert len(matches) == 1, f"expected one table headed {headers}, found {len(matches)}"
    return matches[0]


def html_root(html: str):
    return lxml.html.fragment_fromstring(html, create_parent="div")


def html_text(el) -> str:
    return " ".join(el.text_content().split())


def html_headings(html: str) -> list[tuple[int, str]]:
    return [(int(h.tag[1]), html_text(h)) for h in html_root(html).xpath("//h1|//h2|//h3|//h4")]


def html_tables(html: str) -> list[tuple[list[str], list[list[str]]]]:
    """Each table as (header cells, body rows of cell texts)."""
    tables = []
    for table in html_root(html).iter("table"):
        head = [html_text(th) for th in table.xpath("./thead/tr/th")]
        body = [[html_text(c) for c in tr.xpath("./th|./td")] for tr in table.xpath("./tbody/tr")]
        tables.append((head, body))
    return tables


def pdf_pages(data: bytes) -> list[str]:
    return [norm(page.extract_text()) for page in PdfReader(io.BytesIO(data)).pages]


def assert_in_order(text: str, pieces: list[str]) -> None:
    """Each piece appears in ``text``, each after the one before."""
    at = 0
    for piece in pieces:
        found = text.find(piece, at)
        assert found >= 0, f"{piece[:80]!r} missing (or out of order) after offset {at}"
        at = found + len(piece)


# --- The seed plan's renders, made once ------------------------------------------------------


@dataclass
class Files:
    paper: Paper | None = None
    html: str = ""
    docx: bytes = b""
    pdf: bytes = b""
    xlsx: bytes = b""
    csv: bytes = b""
    headings: list[tuple[int, str]] = field(default_factory=list)  # the layout's
    landscape: bool = False
    issued_at: datetime.datetime | None = None


@dataclass
class SeedDocs:
    may_2015: Files  # the seed paper as recorded (IssuedPaper)
    parity: dict[tuple[str, datetime.date], Files]  # working copies of every kind
    scrutiny: Files  # prepared for a panel, OFFICIAL-SENSITIVE, issued
    board: Files  # prepared for a board, with asks, OFFICIAL-SENSITIVE, issued
    again: list[dict[str, bytes]]  # one prepared paper rendered twice, a second apart
    meeting_titles: dict[str, str] = field(default_factory=dict)


FRONT = {
    "agenda_item": "7",
    "report_of": "Director for Children's Services",
    "author": "Sam Officer, Scrutiny Officer",
    "contact": "01752 668000, scrutiny@example.org",
    "recommendations": "The Panel notes the progress made.\nThe Panel asks for an update in May.",
    "background_papers": "Ofsted inspection report, January 2015\nImprovement Plan, April 2015",
    "classification": SENSITIVE,
}
BOARD_ASKS = "Agree the revised timescale for area 9.\nAgree to close area 3."
ISSUED_AT = datetime.datetime(2015, 7, 10, 9, 30)  # local time (London: BST)


def recommended(kind: str) -> list[str]:
    """The front sheet's recommendations as printed: its own, then each
    decision the board report asks for (reporting.layout.recommendations)."""
    asks = BOARD_ASKS.splitlines() if kind == Kind.BOARD else []
    return FRONT["recommendations"].splitlines() + [f"Decision asked: {a}" for a in asks]


ISSUED_AT_UTC = datetime.datetime(2015, 7, 10, 8, 30)
FURNITURE_AS_AT = datetime.date(2015, 6, 30)
# Where the furniture papers went, as a reader would write it.
SCRUTINY_MEETING = ("Children and Young People Scrutiny Panel", datetime.date(2015, 7, 15))
BOARD_MEETING = ("Improvement Board (July)", datetime.date(2015, 7, 16))
WHERE = {
    Kind.SCRUTINY: "Children and Young People Scrutiny Panel, 15 July 2015",
    Kind.BOARD: "Improvement Board (July), 16 July 2015",
}
VERSION_LINE = "Version 1, issued 10 July 2015"
AS_AT_LINE = "Position as at 30 June 2015"


def _issue_for(plan, kind, meeting_kind, meeting, user, extra=None) -> tuple[Files, object]:
    title, date = meeting
    meeting = factories.MeetingFactory(plan=plan, kind=meeting_kind, date=date, title=title)
    prepared = services.prepare(meeting, kind, user)
    services.save_front_sheet(
        prepared,
        {"as_at": FURNITURE_AS_AT, **FRONT, **(extra or {})},
        version=prepared.version,
        user=user,
    )
    issued = services.issue_paper(prepared, user=user, issued_at=timezone.make_aware(ISSUED_AT))
    files = Files(
        html=issued.html,
        docx=issued.file("docx"),
        pdf=issued.file("pdf"),
        xlsx=issued.file("xlsx"),
        csv=issued.file("csv"),
        issued_at=issued.issued_at,
    )
    return files, prepared


_SEED_DOCS: list[SeedDocs] = []


@pytest.fixture
def seed_docs(db) -> SeedDocs:
    """The seed plan's documents, made once for the module (they are bytes and
    plain data) in the first test's database, which is rolled back after it.
    Function-scoped on ``db``, so that it always runs in the test database."""
    if not _SEED_DOCS:
        _SEED_DOCS.append(_make_seed_docs())
    return _SEED_DOCS[0]


def _make_seed_docs() -> SeedDocs:
    with transaction.atomic():
        load_plan()
        assert record_seed_papers() == 1
        plan = Plan.objects.get(slug="childrens-services-2015")
        issued = IssuedPaper.objects.get(kind=Kind.SCRUTINY)
        may = Files(
            html=issued.html,
            docx=issued.file("docx"),
            pdf=issued.file("pdf"),
            xlsx=issued.file("xlsx"),
            csv=issued.file("csv"),
            issued_at=issued.issued_at,
        )
        may.paper = build_paper(Kind.SCRUTINY, plan, issued.as_at)

        parity = {}
        for kind in Kind.ALL:
            for day in PARITY_DATES:
                paper = build_paper(kind, plan, day)
                laid = lay_out(paper)
                body = render_body(paper, laid)
                parity[kind, day] = Files(
                    paper=paper,
                    html=body,
                    docx=to_docx(paper, laid),
                    pdf=to_pdf(paper, body, laid),
                    xlsx=to_xlsx(paper, laid) if kind == Kind.SCRUTINY else b"",
                    headings=laid.headings,
                    landscape=laid.landscape,
                )

        user = factories.UserFactory(username="documents-scrutiny")
        scrutiny, prepared = _issue_for(
            plan, Kind.SCRUTINY, Meeting.Kind.SCRUTINY_PANEL, SCRUTINY_MEETING, user
        )

        # The same prepared paper (kind, front sheet, as-at) built and rendered
        # twice, more than a second apart: no wall-clock time in any file. The
        # board's paper is issued in between, and the wait is what is left of
        # the second (a steady clock, whatever time-machine does to the others).
        def render_again() -> dict[str, bytes]:
            paper = services.build_prepared(PreparedPaper.objects.get(pk=prepared.pk))
            return {fmt: render_file(paper, fmt) for fmt in ("docx", "xlsx", "pdf", "csv")}

        again = [render_again()]
        first = time.perf_counter()
        board, _ = _issue_for(
            plan,
            Kind.BOARD,
            Meeting.Kind.IMPROVEMENT_BOARD,
            BOARD_MEETING,
            user,
            {"asks": BOARD_ASKS},
        )
        time.sleep(max(0.0, 1.1 - (time.perf_counter() - first)))
        again.append(render_again())
        transaction.set_rollback(True)
    return SeedDocs(may, parity, scrutiny, board, again)


# --- 1. The May 2015 paper against the seed ------------------------------------------------


def test_the_may_2015_paper_is_the_seed_paper_in_html(seed_docs):
    html = seed_docs.may_2015.html
    root = html_root(html)
    title_block = root.xpath("//*[contains(@class, 'title-block')]") + root.xpath("//h1")
    assert [html_text(el) for el in title_block] == seed_title_block()
    # The briefing: the paragraphs between its heading and the areas table.
    heading = next(h for h in root.xpath("//h2") if html_text(h) == "Overview Briefing")
    briefing = []
    for sibling in heading.itersiblings():
        if sibling.tag != "p":
            break
        briefing.append(html_text(sibling))
    assert briefing == seed_briefing()
    areas = [t for t in html_tables(html) if t[0] == seed_columns()]
    assert len(areas) == 1, "one table with exactly the seed's two columns"
    assert areas[0][1] == [[f"{n} {rec}", ov] for n, rec, ov in seed_rows()]
    # The statuses were assessed, not given by the paper: none is shown.
    assert not [t for t in html_tables(html) if "RAG status" in t[0]]
    text = html_text(root)
    assert not [word for word in RAG_WORDS if word in text]
    assert "(assessed)" not in text


def test_the_may_2015_paper_is_the_seed_paper_in_word(seed_docs):
    doc = open_docx(seed_docs.may_2015.docx)
    assert [p.text for p in doc.paragraphs if p.text][:2] == seed_title_block()
    briefing = docx_blocks_after(doc, "Overview Briefing")
    paragraphs = []
    for block in briefing:
        if not isinstance(block, Paragraph):
            break
        paragraphs.append(block.text)
    assert paragraphs == seed_briefing()
    table = docx_table_headed(doc, seed_columns())
    assert docx_rows(table)[1:] == [[f"{n} {rec}", ov] for n, rec, ov in seed_rows()]
    assert all(len(row.cells) == 2 for row in table.rows)
    text = docx_text(doc)
    assert "RAG status" not in text and "(assessed)" not in text
    assert not [word for word in RAG_WORDS if word in text]


def test_the_may_2015_paper_is_the_seed_paper_in_pdf(seed_docs):
    pages = pdf_pages(seed_docs.may_2015.pdf)
    text = " ".join(pages)
    assert pages[0].startswith(" ".join(seed_title_block()))
    assert_in_order(text, [norm(p) for p in seed_briefing()])
    # The rows in order, each recommendation (with its number) then its overview.
    columns = " ".join(seed_columns())
    assert_in_order(
        text, [columns] + [norm(x) for n, rec, ov in seed_rows() for x in (f"{n} {rec}", ov)]
    )
    # The header repeats on each page the table runs over, with the seed's columns only.
    table_pages = [p for p in pages if columns in p]
    assert len(table_pages) >= 2
    assert "RAG status" not in text and "(assessed)" not in text
    assert not [word for word in RAG_WORDS if word in text]
    # The tagged tables' header cells are the seed's columns (the front sheet's aside).
    tree, _ = pdf_text.structure(pdf_text.open_pdf(seed_docs.may_2015.pdf))
    heads = [
        [th.text for th in table.walk() if th.tag == "TH"]
        for table in tree.walk()
        if table.tag == "Table"
    ]
    area_heads = [h for h in heads if "Overview" in h]
    assert area_heads and all(h == seed_columns() for h in area_heads)


def test_the_may_2015_paper_is_recorded_as_issued_to_the_may_panel(seed_docs):
    may = seed_docs.may_2015
    assert timezone.localdate(may.issued_at) == SEED_AS_AT
    assert "Version 1, issued May 2015" in may.html
    assert "Position as at 1 May 2015" in may.html
    assert "Version 1, issued May 2015" in docx_text(open_docx(may.docx))


@pytest.mark.django_db
def test_a_status_column_appears_only_for_statuses_somebody_recorded():
    load_plan()
    plan = Plan.objects.get(slug="childrens-services-2015")
    area = ImprovementArea.objects.get(plan=plan, number=9)
    officer = factories.UserFactory(username="officer9")
    when = timezone.make_aware(datetime.datetime(2015, 6, 15, 12))
    save_with_history(
        ProgressUpdate(
            area=area,
            as_at=datetime.date(2015, 6, 15),
            rag=RAG.RED,
            narrative="Placement moves rose in May.",
            rag_reason="Two residential homes closed",
            author=officer,
            state=ProgressUpdate.State.APPROVED,
            submitted_at=when,
            approved_by=officer,
            approved_at=when,
        ),
        reason="Approved",
        user=officer,
        when=when,
    )
    before = build_paper(Kind.SCRUTINY, plan, datetime.date(2015, 6, 14))
    doc = open_docx(to_docx(before))
    docx_table_headed(doc, seed_columns())
    assert "RAG status" not in docx_text(doc)

    after = build_paper(Kind.SCRUTINY, plan, datetime.date(2015, 6, 30))
    headers = seed_columns() + ["RAG status"]
    doc = open_docx(to_docx(after))
    rows = docx_rows(docx_table_headed(doc, headers))[1:]
    assert rows[8] == [
        f"9 {area.recommendation}",
        "Placement moves rose in May.",
        "Red – off track",
    ]
    # The others keep the loader's assessment, marked as such.
    assert all(row[2].endswith("(assessed)") for i, row in enumerate(rows) if i != 8)
    assert "(assessed)" in docx_text(doc)  # the key explains the mark
    html = render_body(after)
    assert [t for t in html_tables(html) if t[0] == headers]
    assert render_file(after, "csv").decode("utf-8-sig").splitlines()[0].endswith(",RAG status")


# --- 2. Furniture and marking in every format ----------------------------------------------


def footer_line(kind: str) -> list[str]:
    return [WHERE[kind], VERSION_LINE, AS_AT_LINE]


@pytest.mark.parametrize("kind", [Kind.SCRUTINY, Kind.BOARD])
def test_an_issued_paper_says_where_it_went_in_html_and_word(seed_docs, kind):
    files = seed_docs.scrutiny if kind == Kind.SCRUTINY else seed_docs.board
    meeting, date = WHERE[kind].split(", ")
    expected_facts = {
        "Meeting": meeting,
        "Date of meeting": date,
        "Agenda item": "7",
        "Report of": FRONT["report_of"],
        "Author": FRONT["author"],
        "Contact": FRONT["contact"],
        "Position as at": "30 June 2015",
        "Version": VERSION_LINE,
        "Classification": SENSITIVE,
    }
    # HTML: marked top and bottom, the front sheet, the footer.
    root = html_root(files.html)
    text = html_text(root)
    paragraphs = [html_text(p) for p in root.iter("p")]
    assert paragraphs[0] == SENSITIVE and paragraphs[-1] == SENSITIVE
    facts = dict(row[:2] for head, rows in html_tables(files.html) for row in rows if len(row) == 2)
    assert {k: facts.get(k) for k in expected_facts} == expected_facts
    for piece in footer_line(kind):
        assert piece in text
    assert [html_text(li) for li in root.xpath("//ol")[0].iter("li")] == recommended(kind)
    for paper in FRONT["background_papers"].splitlines():
        assert paper in text

    # Word: the marking in the header and the footer of the section; the front sheet.
    doc = open_docx(files.docx)
    section = doc.sections[0]
    assert [p.text for p in section.header.paragraphs if p.text] == [SENSITIVE]
    footer = [p.text for p in section.footer.paragraphs if p.text]
    assert footer[0] == SENSITIVE
    assert_in_order(footer[1], footer_line(kind) + ["Page "])
    front = docx_rows(doc.tables[0])  # the front sheet, first
    assert front[0] == ["Item", "Detail"]
    facts = dict(front[1:])
    assert {k: facts.get(k) for k in expected_facts} == expected_facts
    numbered = [p.text for p in doc.paragraphs if p.style.name == "List Number"]
    assert numbered[:2] == FRONT["recommendations"].splitlines()
    background = docx_blocks_after(doc, "Background papers")
    bullets = [
        b.text for b in background if getattr(b, "style", None) and b.style.name == "List Bullet"
    ]
    assert bullets == FRONT["background_papers"].splitlines()


@pytest.mark.parametrize("kind", [Kind.SCRUTINY, Kind.BOARD])
def test_every_pdf_page_is_marked_top_and_bottom_and_says_where_it_went(seed_docs, kind):
    files = seed_docs.scrutiny if kind == Kind.SCRUTINY else seed_docs.board
    pdf = pdf_text.open_pdf(files.pdf)
    pages = pdf_pages(files.pdf)
    assert len(pages) >= 2
    footer = " · ".join(footer_line(kind))
    for number, page in enumerate(pdf.pages):
        height = float(page.MediaBox[3])
        runs = pdf_text.runs(page)
        # The page margins: 20 mm at the top, 22 mm at the bottom (in points).
        top = [r.text for r in runs if r.y > height - 20 / 25.4 * 72]
        bottom = " ".join(r.text for r in runs if r.y < 22 / 25.4 * 72)
        assert SENSITIVE in top, f"page {number + 1}: no marking at the top"
        assert SENSITIVE in bottom, f"page {number + 1}: no marking at the bottom"
        assert footer in norm(bottom), f"page {number + 1}: the footer does not say {footer}"
        assert f"Page {number + 1} of {len(pdf.pages)}" in bottom
        # … and the text a reader extracts from the page says so too.
        assert pages[number].count(SENSITIVE) >= 2 and footer in pages[number]


def test_excel_is_marked_for_printing_and_names_its_meeting(seed_docs):
    book = load_workbook(io.BytesIO(seed_docs.scrutiny.xlsx))
    assert book.sheetnames == ["Summary", "RAG key"]
    for sheet in book:
        assert sheet.oddHeader.center.text == SENSITIVE, sheet.title
        assert sheet.oddFooter.center.text == SENSITIVE, sheet.title
        assert_in_order(sheet.oddFooter.left.text, footer_line(Kind.SCRUTINY))
    summary = book["Summary"]
    top = [summary.cell(row=r, column=1).value for r in range(1, 5)]
    assert top[0] == SENSITIVE
    assert_in_order(" ".join(str(v) for v in top), footer_line(Kind.SCRUTINY))


def test_csv_is_data_only(seed_docs):
    """CSV is data only: one header row and a row an area, with no marking, front
    sheet or footer (a CSV file has nowhere to put them; the other formats do)."""
    rows = list(csv.reader(io.StringIO(seed_docs.scrutiny.csv.decode("utf-8-sig"), newline="")))
    # The seed's statuses were assessed, so no status column: the seed's two columns,
    # with the area's number in a column of its own.
    assert rows[0] == ["Number", *seed_columns()]
    assert [(int(r[0]), r[1], r[2]) for r in rows[1:]] == seed_rows()
    assert SENSITIVE not in seed_docs.scrutiny.csv.decode("utf-8-sig")


# --- 3. Byte-identical files -----------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["docx", "xlsx", "pdf", "csv"])
def test_the_same_paper_gives_the_same_bytes_a_second_later(seed_docs, fmt):
    first, second = seed_docs.again
    assert first[fmt], fmt
    assert first[fmt] == second[fmt], f"{fmt} differs between two renders a second apart"


def test_issued_files_are_dated_with_the_issue_time(seed_docs):
    for files in (seed_docs.may_2015, seed_docs.scrutiny, seed_docs.board):
        issued = files.issued_at
        utc = issued.astimezone(datetime.UTC).replace(tzinfo=None)
        doc = open_docx(files.docx)
        assert doc.core_properties.created == issued
        assert doc.core_properties.modified == issued
        for data in (files.docx, files.xlsx):
            if not data:
                continue  # the board report is not offered in Excel
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                assert {i.date_time for i in archive.infolist()} == {utc.timetuple()[:6]}
    book = load_workbook(io.BytesIO(seed_docs.scrutiny.xlsx))
    assert book.properties.created == ISSUED_AT_UTC


def test_an_issued_workbook_says_it_was_last_modified_when_issued(seed_docs):
    """The workbook's own "modified" property, as Excel shows it (File > Info).
    openpyxl's Workbook.save() stamps it with the wall clock whatever was set,
    so formats.excel.to_xlsx must put the paper's moment back (it failed here, and in
    test_the_same_paper_gives_the_same_bytes_a_second_later, until it did)."""
    book = load_workbook(io.BytesIO(seed_docs.scrutiny.xlsx))
    assert book.properties.modified == ISSUED_AT_UTC


def test_a_working_copy_is_dated_with_its_as_at_day(seed_docs):
    files = seed_docs.parity[Kind.BOARD, PARITY_DATES[0]]
    midnight = datetime.datetime.combine(PARITY_DATES[0], datetime.time.min)
    assert open_docx(files.docx).core_properties.created.replace(tzinfo=None) == midnight
    with zipfile.ZipFile(io.BytesIO(files.docx)) as archive:
        assert {i.date_time for i in archive.infolist()} == {midnight.timetuple()[:6]}


# --- 4. Parity of sections and orientation -------------------------------------------------


PARITY = [(kind, day) for kind in Kind.ALL for day in PARITY_DATES]


@pytest.mark.parametrize(("kind", "day"), PARITY)
def test_html_word_and_pdf_have_the_same_sections(seed_docs, kind, day):
    files = seed_docs.parity[kind, day]
    expected = files.headings
    assert expected[0] == (
        1,
        files.paper.title.upper() if kind == Kind.SCRUTINY else files.paper.title,
    )
    assert html_headings(files.html) == expected
    doc = open_docx(files.docx)
    assert docx_headings(doc) == expected
    tree, _ = pdf_text.structure(pdf_text.open_pdf(files.pdf))
    assert pdf_text.headings(tree) == [(level, norm(text)) for level, text in expected]
    # Headings start at 1 and never skip a level.
    levels = [level for level, _ in expected]
    assert levels[0] == 1 and levels.count(1) == 1
    assert all(b <= a + 1 for a, b in zip(levels, levels[1:], strict=False))


@pytest.mark.parametrize(("kind", "day"), PARITY)
def test_word_and_pdf_have_the_same_orientation(seed_docs, kind, day):
    files = seed_docs.parity[kind, day]
    section = open_docx(files.docx).sections[0]
    pdf = pdf_text.open_pdf(files.pdf)
    boxes = {(float(p.MediaBox[2]), float(p.MediaBox[3])) for p in pdf.pages}
    landscape = kind == Kind.SCRUTINY
    assert files.landscape is landscape
    assert (section.page_width > section.page_height) is landscape
    assert all((w > h) is landscape for w, h in boxes), boxes


# --- 5. Tagged PDF -------------------------------------------------------------------------


def _tagged_pdfs(seed_docs) -> list[tuple[str, bytes, str, str]]:
    return [
        ("May 2015", seed_docs.may_2015.pdf, "OFFICIAL", Kind.SCRUTINY),
        ("scrutiny", seed_docs.scrutiny.pdf, SENSITIVE, Kind.SCRUTINY),
        ("board", seed_docs.board.pdf, SENSITIVE, Kind.BOARD),
        (
            "assurance",
            seed_docs.parity[Kind.ASSURANCE, PARITY_DATES[1]].pdf,
            "OFFICIAL",
            Kind.ASSURANCE,
        ),
    ]


def test_pdfs_are_tagged(seed_docs):
    for name, data, marking, kind in _tagged_pdfs(seed_docs):
        pdf = pdf_text.open_pdf(data)
        assert pdf.Root.MarkInfo.Marked is True, name
        assert str(pdf.Root.Lang) == "en-GB", name
        assert "/StructTreeRoot" in pdf.Root, name
        title = str(pdf.docinfo.get("/Title", ""))
        assert title == f"{Kind.TITLES[kind]} – Plymouth City Council", name
        with pdf.open_metadata() as xmp:
            assert xmp.get("dc:title") == title, name
            assert xmp.get("pdfuaid:part") == "1", name
        # Shown in the viewer's title bar, not the file name (PDF/UA).
        assert pdf.Root.ViewerPreferences.DisplayDocTitle is True, name
        tree, reached = pdf_text.structure(pdf)
        tables = [e for e in tree.walk() if e.tag == "Table"]
        assert tables, name
        for table in tables:
            assert [e for e in table.walk() if e.tag == "TH"], f"{name}: a table without TH"
        for number, page in enumerate(pdf.pages):
            text = " ".join(r.text for r in pdf_text.runs(page))
            assert marking in text, f"{name} page {number + 1}"
            # Every piece of the page body is tagged: reached from the structure
            # tree (the margins are checked below).
            height = float(page.MediaBox[3])
            body = [r for r in pdf_text.runs(page) if 20 / 25.4 * 72 < r.y < height - 56]
            untagged = [r.text for r in body if not r.artifact and (number, r.mcid) not in reached]
            assert not untagged, f"{name} page {number + 1}: untagged {untagged[:3]}"


def test_pdf_margin_furniture_is_an_artifact_and_headers_have_their_scope(seed_docs):
    """WeasyPrint 70 leaves the page margins (the marking, the footer, the page
    number) as marked content the structure tree never reaches ("artifacts in
    the tree are only allowed in PDF 2.0"), and its table headers without a
    scope. reporting/pdfua.py finishes the file: the margins become pagination
    artifacts (still printed on every page), and every TH gets /Scope: /Column
    in a head row, /Row for a front sheet's row headings."""
    pdf = pdf_text.open_pdf(seed_docs.board.pdf)
    _, reached = pdf_text.structure(pdf)
    for number, page in enumerate(pdf.pages):
        height = float(page.MediaBox[3])
        margins = [r for r in pdf_text.runs(page) if r.y > height - 56 or r.y < 20 / 25.4 * 72]
        assert SENSITIVE in [r.text for r in margins]
        assert {r.artifact for r in margins} == {True}, f"page {number + 1}"
    scopes = []

    def walk(node, parents):
        if not isinstance(node, pikepdf.Dictionary):
            return
        tag = str(node.get("/S", ""))
        if tag == "/TH":
            scopes.append((str(node.A.Scope), "/THead" in parents))
        kids = node.get("/K")
        for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
            walk(kid, (*parents, tag))

    walk(pdf.Root.StructTreeRoot, ())
    assert scopes
    assert {scope for scope, in_head in scopes if in_head} == {"/Column"}
    assert {scope for scope, in_head in scopes if not in_head} == {"/Row"}


# --- 6. Word structure ---------------------------------------------------------------------


def _word_files(seed_docs) -> list[tuple[str, bytes]]:
    return [
        ("May 2015", seed_docs.may_2015.docx),
        ("scrutiny", seed_docs.scrutiny.docx),
        ("board", seed_docs.board.docx),
    ] + [(f"{kind} {day}", seed_docs.parity[kind, day].docx) for kind, day in PARITY]


def test_word_tables_repeat_headers_never_split_rows_and_have_titles(seed_docs):
    for name, data in _word_files(seed_docs):
        doc = open_docx(data)
        assert doc.tables, name
        for table in doc.tables:
            rows = table.rows
            assert rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None, name
            for row in rows:
                assert (
                    row._tr.trPr is not None and row._tr.trPr.find(qn("w:cantSplit")) is not None
                ), name
            caption = table._tbl.tblPr.find(qn("w:tblCaption"))
            assert caption is not None and caption.get(qn("w:val")), name


def test_word_headings_keep_with_their_content(seed_docs):
    for name, data in _word_files(seed_docs):
        doc = open_docx(data)
        for p in doc.paragraphs:
            if p.style.name.startswith("Heading"):
                keep = p.paragraph_format.keep_with_next
                if keep is None:
                    keep = p.style.paragraph_format.keep_with_next
                assert keep is True, f"{name}: {p.text!r}"


def test_each_numbered_list_restarts_at_one(seed_docs):
    doc = open_docx(seed_docs.board.docx)
    lists: list[tuple[int, list[str]]] = []
    previous = None
    for p in doc.paragraphs:
        if p.style.name != "List Number":
            previous = None
            continue
        num_id = int(p._p.pPr.numPr.numId.val)
        if previous is None:
            lists.append((num_id, []))
        lists[-1][1].append(p.text)
        previous = num_id
    # The recommendations, then the asks of the board.
    assert [items for _, items in lists] == [recommended(Kind.BOARD), BOARD_ASKS.splitlines()]
    ids = [num_id for num_id, _ in lists]
    assert len(set(ids)) == len(ids), "two lists share a numbering: the second would go on 3, 4"
    numbering = doc.part.numbering_part.element
    for num_id in ids:
        num = numbering.num_having_numId(num_id)
        starts = num.findall(f"{qn('w:lvlOverride')}/{qn('w:startOverride')}")
        assert [s.get(qn("w:val")) for s in starts] == ["1"]


# --- 7. Excel --------------------------------------------------------------------------------


def test_excel_numbers_frozen_header_and_neutralised_formulas(seed_docs):
    paper = seed_docs.parity[Kind.SCRUTINY, PARITY_DATES[0]].paper
    areas = list(paper.areas)
    areas[2] = dataclasses.replace(areas[2], overview='=HYPERLINK("http://x","y")')
    areas[3] = dataclasses.replace(areas[3], recommendation="@SUM(A1:A9)")
    book = load_workbook(io.BytesIO(to_xlsx(dataclasses.replace(paper, areas=areas))))
    ws = book["Summary"]
    header = next(
        row[0].row
        for row in ws.iter_rows()
        if [c.value for c in row[:3]] == ["No.", *seed_columns()]
    )
    assert ws.freeze_panes == f"A{header + 1}"
    numbers = [ws.cell(row=header + 1 + i, column=1) for i in range(len(areas))]
    assert [c.value for c in numbers] == [a.number for a in areas]
    assert all(c.data_type == "n" for c in numbers)
    assert ws.cell(row=header + 3, column=3).value == "'" + '=HYPERLINK("http://x","y")'
    assert ws.cell(row=header + 4, column=2).value == "'@SUM(A1:A9)"
    assert all(c.data_type != "f" for sheet in book for row in sheet.iter_rows() for c in row)


# --- 8. Exceptions on the board report and the assurance summary ---------------------------


def _noon(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))


D = datetime.date


@dataclass
class Exceptions:
    plan: Plan
    leads: dict[str, str]  # job titles
    areas: dict[int, ImprovementArea]


def _approve(area, day, rag, narrative, user, **extra) -> None:
    save_with_history(
        ProgressUpdate(
            area=area,
            as_at=day,
            rag=rag,
            narrative=narrative,
            author=user,
            state=ProgressUpdate.State.APPROVED,
            submitted_at=_noon(day),
            approved_by=user,
            approved_at=_noon(day),
            **extra,
        ),
        reason="Approved",
        user=user,
        when=_noon(day),
    )


@pytest.fixture
def exceptions(db) -> Exceptions:
    """A plan built to hold every exception, as at 31 March 2016:

    - area 1: amber in January, red in February with a reason and a next step;
    - area 2: green in January, amber (worse) in February, with a reason;
    - area 3: green throughout, with two overdue milestones (a contradiction): one
      due 1 March 2016 (30 days late), one due 10 February re-forecast on
      15 February, with a reason, to 15 March (16 days late), led by its action's owner;
    - area 4: amber, no reason, a milestone due 31 January (60 days late);
    - area 5: green, no next steps, a milestone due 15 May (next quarter).
    Boards on 5 January (nothing rated yet) and 1 February (between the updates).
    """
    user = factories.UserFactory(username="exceptions-admin")
    plan = factories.PlanFactory(slug="exceptions", title="Exceptions Plan")
    titles = {
        "1": "Head of Social Work",
        "2": "Principal Social Worker",
        "3": "Head of Business Systems",
        "ict": "ICT Programme Manager",
        "4": "Adoption Service Manager",
        "5": "Workforce Development Lead",
    }
    owners = {
        k: factories.OwnerFactory(job_title=t, organisation=plan.organisation)
        for k, t in titles.items()
    }
    start = _noon(D(2016, 1, 1))
    areas = {}
    for n, recommendation in {
        1: "Keep social work caseloads reasonable.",
        2: "Improve the quality of supervision.",
        3: "Improve the case recording system.",
        4: "Speed up adoption decisions.",
        5: "Train the workforce.",
    }.items():
        area = ImprovementArea(
            plan=plan, number=n, recommendation=recommendation, lead=owners[str(n)]
        )
        save_with_history(area, reason="Set up", user=user, when=start)
        areas[n] = area
    action = Action(
        area=areas[3],
        reference="3.1",
        title="Replace the recording system",
        owner=owners["ict"],
        start_date=D(2016, 1, 1),
        due_date=D(2016, 6, 30),
    )
    save_with_history(action, reason="Set up", user=user, when=start)
    milestones = [
        Milestone(area=areas[3], title="Case file audit complete", due_date=D(2016, 3, 1)),
        Milestone(
            area=areas[3], action=action, title="New recording system live", due_date=D(2016, 2, 10)
        ),
        Milestone(area=areas[4], title="Permanence panel established", due_date=D(2016, 1, 31)),
        Milestone(area=areas[5], title="Training programme launched", due_date=D(2016, 5, 15)),
    ]
    for m in milestones:
        save_with_history(m, reason="Set up", user=user, when=start)
    factories.MeetingFactory(plan=plan, date=D(2016, 1, 5), title="Improvement Board")
    factories.MeetingFactory(plan=plan, date=D(2016, 2, 1), title="Improvement Board")

    january = D(2016, 1, 15)
    _approve(areas[1], january, RAG.AMBER, "Caseloads rising.", user, next_steps="Recruit.")
    _approve(areas[2], january, RAG.GREEN, "Supervision on track.", user, next_steps="Audit.")
    _approve(areas[3], january, RAG.GREEN, "System procured.", user, next_steps="Install.")
    _approve(areas[4], january, RAG.AMBER, "Panel being set up.", user)
    _approve(areas[5], january, RAG.GREEN, "Programme designed.", user)

    live = milestones[1]
    live.forecast_date = D(2016, 3, 15)
    save_with_history(
        live, reason="Supplier delivery slipped", user=user, when=_noon(D(2016, 2, 15))
    )

    february = D(2016, 2, 20)
    _approve(
        areas[1],
        february,
        RAG.RED,
        "Caseloads above 25.",
        user,
        rag_reason="Twelve social worker vacancies",
        next_steps="Agency staff start in April",
    )
    _approve(
        areas[2],
        february,
        RAG.AMBER,
        "Supervision records incomplete.",
        user,
        rag_reason="Audit found gaps in supervision records",
        next_steps="Re-audit in May",
    )
    _approve(areas[3], february, RAG.GREEN, "Installation under way.", user, next_steps="Go live.")
    return Exceptions(plan, titles, areas)


MARCH = D(2016, 3, 31)
ASKS = ["Agree the recovery plan for area 1.", "Agree the new date for area 3's system."]


def board_front() -> FrontSheet:
    return FrontSheet(
        committee="Improvement Board",
        meeting="Improvement Board",
        meeting_date="5 April 2016",
        recommendations=["The Board notes the exceptions."],
        asks=ASKS,
    )


def _first_sections(doc) -> list:
    """Word blocks before the heading "Progress in each area"."""
    blocks = []
    for block in doc.iter_inner_content():
        if isinstance(block, Paragraph) and block.text == "Progress in each area":
            return blocks
        blocks.append(block)
    raise AssertionError("no 'Progress in each area' heading")


def _table_rows(blocks, first_header: str) -> list[list[str]]:
    tables = [b for b in blocks if isinstance(b, DocxTable) and docx_rows(b)[0][0] == first_header]
    return [row for t in tables for row in docx_rows(t)]


def test_the_board_report_puts_the_exceptions_first(exceptions):
    paper = build_paper(Kind.BOARD, exceptions.plan, MARCH, front=board_front())
    doc = open_docx(to_docx(paper))
    first = _first_sections(doc)
    headings = [b.text for b in first if isinstance(b, Paragraph) and b.style.name == "Heading 2"]
    for heading in (
        "The position at a glance",
        "Areas that need the board's attention",
        "Milestones overdue or re-forecast since the previous board",
        "Areas on track with work overdue",
        "Decisions asked of the board",
    ):
        assert heading in headings

    # Attention: red and worse areas, worst first, with reason and next step.
    attention = next(
        docx_rows(b) for b in first if isinstance(b, DocxTable) and "Next step" in docx_rows(b)[0]
    )
    header, rows = attention[0], attention[1:]
    by_number = {row[0]: dict(zip(header, row, strict=True)) for row in rows}
    assert list(by_number) == ["1", "2", "4"]  # red, then the ambers by number; 3 and 5 are green
    assert by_number["1"]["RAG status"] == "Red – off track"
    assert by_number["1"]["Reason"] == "Twelve social worker vacancies"
    assert by_number["1"]["Next step"] == "Agency staff start in April"
    assert by_number["1"]["Movement"] == "Worse"
    assert by_number["2"]["Movement"] == "Worse"
    assert by_number["2"]["Reason"] == "Audit found gaps in supervision records"
    assert by_number["4"]["Reason"] == "–"  # its update recorded none: said once below
    assert "A dash (–) in the reason or next step: the update did not record one." in "\n".join(
        p.text for p in first if hasattr(p, "text")
    )

    # Overdue and re-forecast milestones, with their lead and how late.
    late = {row[1]: row for row in _table_rows(first, "Area")[1:]}
    assert late["Permanence panel established"][0] == "4"
    assert exceptions.leads["4"] in late["Permanence panel established"][2]
    assert late["Permanence panel established"][-1] == "8 weeks"  # 60 days
    assert late["Case file audit complete"][-1] == "4 weeks"  # 30 days
    live = late["New recording system live"]
    assert exceptions.leads["ict"] in live[2]  # its action's owner, not the area's lead
    assert live[3:] == ["10 February 2016", "15 March 2016", "2 weeks"]

    # The contradiction: area 3 is green with overdue milestones.
    items = [b.text for b in first if isinstance(b, Paragraph) and b.style.name == "List Bullet"]
    assert len(items) == 1
    assert items[0].startswith("Area 3 ") and "Green – on track" in items[0]
    assert "Case file audit complete" in items[0] and "New recording system live" in items[0]
    # The asks of the board, numbered.
    asks = [b.text for b in first if isinstance(b, Paragraph) and b.style.name == "List Number"]
    assert asks[-2:] == ASKS

    # The same first sections in the HTML and the PDF, before the area detail.
    html = render_body(paper)
    text = html_text(html_root(html))
    intro = text[: text.index("Progress in each area")]
    for piece in (
        "Twelve social worker vacancies",
        "Agency staff start in April",
        "8 weeks",
        *ASKS,
    ):
        assert piece in intro
    pdf = " ".join(pdf_pages(render_file(paper, "pdf")))
    assert_in_order(
        pdf,
        [
            "Areas that need the board's attention",
            "Twelve social worker vacancies",
            "Areas on track with work overdue",
            ASKS[0],
            "Progress in each area",
        ],
    )


def test_the_board_report_leaves_out_empty_sections(exceptions):
    paper = build_paper(Kind.BOARD, exceptions.plan, MARCH, front=board_front())
    doc = open_docx(to_docx(paper))
    html = render_body(paper)
    pdf = " ".join(pdf_pages(render_file(paper, "pdf")))
    for name, text in (
        ("docx", docx_text(doc)),
        ("html", html_text(html_root(html))),
        ("pdf", pdf),
    ):
        assert "none given" not in text.lower(), name
        assert ": none." not in text.lower(), name
        assert "New" not in re.findall(r"\bNew\b(?! recording)", text), name
    # Area 5 has no next steps and nothing overdue: no such rows or sections.
    five = docx_blocks_after(doc, "Area 5: Train the workforce.")
    facts = dict(docx_rows(next(b for b in five if isinstance(b, DocxTable))))
    assert "Next steps" not in facts and "Reason for the status" not in facts
    sections = [h for level, h in docx_headings(doc) if level == 4]
    area5 = [
        h
        for (level, h), (_, previous) in zip(
            docx_headings(doc)[1:], docx_headings(doc), strict=False
        )
        if level == 4 and previous.startswith("Area 5")
    ]
    assert area5 == ["Milestones due in the next quarter"]
    assert sections.count("Milestones overdue") == 2  # areas 3 and 4


def test_no_rating_at_the_previous_board_is_said_once(exceptions):
    # As at 31 January the previous board (5 January) saw no rating at all.
    paper = build_paper(Kind.BOARD, exceptions.plan, D(2016, 1, 31), front=board_front())
    doc = open_docx(to_docx(paper))
    for name, text in (
        ("docx", docx_text(doc)),
        ("html", html_text(html_root(render_body(paper)))),
    ):
        assert text.count("No area had a rating at the previous board") == 1, name
        # … and no area repeats it: no "previous board" or movement per area.
        detail = text[text.index("Progress in each area") :]
        assert "At the previous board" not in detail, name
        assert "Movement" not in text, name
    # With ratings at the previous board, the sentence is not there.
    march = build_paper(Kind.BOARD, exceptions.plan, MARCH, front=board_front())
    assert "No area had a rating" not in docx_text(open_docx(to_docx(march)))


def _exception_rows(paper) -> list[dict[str, str]]:
    doc = open_docx(to_docx(paper))
    rows = docx_rows(
        docx_table_headed(doc, ["No.", "Exception", "Lead", "Latest update", "Reason"])
    )
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def test_the_assurance_summary_lists_every_exception_with_its_reason(exceptions):
    paper = build_paper(Kind.ASSURANCE, exceptions.plan, MARCH, front=board_front())
    rows = _exception_rows(paper)

    def one(number: str, *words: str) -> dict[str, str]:
        found = [r for r in rows if r["No."] == number and all(w in r["Exception"] for w in words)]
        assert len(found) == 1, (number, words, rows)
        return found[0]

    red = one("1", "Red – off track")
    assert exceptions.leads["1"] in red["Lead"]
    assert red["Latest update"] == "20 February 2016"
    assert red["Reason"] == "Twelve social worker vacancies"
    worse = one("2", "Worse")
    assert worse["Reason"] == "Audit found gaps in supervision records"
    contradiction = one("3", "Green – on track", "overdue")
    assert contradiction["Reason"] == "–"
    # Area 3's two overdue milestones are one line: how many, the most overdue
    # named with its lead, and each re-forecast's reason with its milestone.
    late = one("3", "2 milestones overdue", "Case file audit complete")
    assert "New recording system live" not in late["Exception"]
    assert late["Reason"] == "New recording system live: Supplier delivery slipped"
    panel = one("4", "Permanence panel established")
    assert panel["Latest update"] == "15 January 2016"
    assert panel["Reason"] == "–"
    assert len(rows) == 5
    # Milestones due in the next quarter, and the asks.
    doc = open_docx(to_docx(paper))
    due = docx_blocks_after(doc, "Milestones due in the next quarter")
    assert "Training programme launched" in [
        row[1] for b in due if isinstance(b, DocxTable) for row in docx_rows(b)
    ]
    asks = [p.text for p in doc.paragraphs if p.style.name == "List Number"]
    assert asks[-2:] == ASKS


def test_the_escalation_rule_is_the_plans_setting(exceptions):
    plan = exceptions.plan
    assert plan.escalate_overdue_after_days == 0  # every overdue milestone, by default
    plan.escalate_overdue_after_days = 30
    save_with_history(plan, reason="Escalate after 30 days", when=_noon(D(2016, 3, 1)))
    paper = build_paper(Kind.ASSURANCE, plan, MARCH)
    listed = [r["Exception"] for r in _exception_rows(paper) if "Milestone" in r["Exception"]]
    # 60 days late is listed; 30 and 16 days late are not.
    assert len(listed) == 1 and "Permanence panel established" in listed[0]
    assert "more than 30 days" in html_text(html_root(render_body(paper)))


def test_the_assurance_summary_says_overdue_once_and_late_in_years(seed_docs):
    files = seed_docs.parity[Kind.ASSURANCE, PARITY_DATES[1]]
    for name, text in (
        ("html", html_text(html_root(files.html))),
        ("docx", docx_text(open_docx(files.docx))),
        ("pdf", " ".join(pdf_pages(files.pdf))),
    ):
        assert text.count("Overdue milestones") <= 1, name
        assert "11 years" in text, name  # May 2015 to November 2026
        assert not re.search(r"\b\d{3,} days\b", text), name
    headings = [h for _, h in files.headings]
    assert len(headings) == len(set(headings))


# --- 9. Issuing guardrails -----------------------------------------------------------------


@module_data
def guardrails_seed():
    """The seed plan, loaded once for the guardrail tests (a second each)."""
    load_plan()
    plan = Plan.objects.get(slug="childrens-services-2015")
    meeting = Meeting.objects.get(plan=plan, kind=Meeting.Kind.SCRUTINY_PANEL)
    user = factories.UserFactory(username="guardrails")
    return meeting.pk, user.pk


@pytest.fixture
def panel(db, guardrails_seed):
    """The seed's scrutiny panel and a user, read afresh for each test: what a
    test changes is rolled back after it."""
    meeting_pk, user_pk = guardrails_seed
    return Meeting.objects.get(pk=meeting_pk), get_user_model().objects.get(pk=user_pk)


def _refused(prepared, fragment: str, user) -> None:
    refused, _ = services.problems(prepared)
    assert any(fragment in p for p in refused), refused
    papers, history = IssuedPaper.objects.count(), IssuedPaper.history.count()
    with pytest.raises(services.IssueRefused) as caught:
        services.issue_paper(prepared, user=user)
    assert any(fragment in p for p in caught.value.problems)
    assert (IssuedPaper.objects.count(), IssuedPaper.history.count()) == (papers, history)


def test_issuing_refuses_an_as_at_date_after_the_meeting(panel):
    meeting, user = panel
    prepared = services.prepare(meeting, Kind.SCRUTINY, user, as_at=meeting.date)
    assert prepared.as_at == meeting.date  # the end of its month (May 2015)
    prepared.as_at = meeting.date + datetime.timedelta(days=1)
    _refused(prepared, "after the meeting", user)


def test_issuing_refuses_a_paper_not_written_for_the_meeting(panel):
    meeting, user = panel
    with pytest.raises(services.IssueRefused):
        services.prepare(meeting, Kind.BOARD, user)
    assert not PreparedPaper.objects.filter(meeting=meeting, kind=Kind.BOARD).exists()
    prepared = PreparedPaper(
        meeting=meeting,
        kind=Kind.BOARD,
        as_at=meeting.date,
        title=Kind.TITLES[Kind.BOARD],
        committee="Improvement Board",
    )
    _refused(prepared, "is written for a meeting of the Improvement Board", user)


def test_issuing_refuses_a_cancelled_meeting(panel):
    meeting, user = panel
    prepared = services.prepare(meeting, Kind.SCRUTINY, user, as_at=meeting.date)
    meeting.cancelled = True
    save_with_history(meeting, reason="Cancelled", user=user)
    prepared.meeting.refresh_from_db()
    _refused(prepared, "cancelled", user)


def test_issuing_warns_of_an_as_at_date_long_before_the_meeting(panel):
    meeting, user = panel
    prepared = services.prepare(meeting, Kind.SCRUTINY, user, as_at=meeting.date)
    prepared.as_at = meeting.date - datetime.timedelta(days=45)
    assert services.problems(prepared) == ([], [])
    prepared.as_at = meeting.date - datetime.timedelta(days=46)
    refused, warnings = services.problems(prepared)
    assert refused == [] and len(warnings) == 1 and "46 days" in warnings[0]
    # A warning does not stop the paper: it is issued, as version 1.
    issued = services.issue_paper(prepared, user=user)
    assert (issued.version, issued.as_at) == (1, prepared.as_at)


def test_the_rag_key_is_never_split_across_pages(seed_docs):
    """A short table moves whole to the next page: in Word every row but the
    last keeps with the next; in the PDF the key's rows share one page."""
    doc = open_docx(seed_docs.board.docx)
    key = next(t for t in doc.tables if t.rows[0].cells[0].text == "Status")
    for row in key.rows[:-1]:
        for cell in row.cells:
            assert all(p.paragraph_format.keep_with_next for p in cell.paragraphs)
    pdf = pdf_text.open_pdf(seed_docs.board.pdf)
    pages = [" ".join(r.text for r in pdf_text.runs(page)) for page in pdf.pages]
    holding = [n for n, text in enumerate(pages) if "Significant delay or concern" in text]
    assert holding and all("The work is complete" in pages[n] for n in holding)
