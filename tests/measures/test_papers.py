"""Measures in the papers, as at the paper's date: the board report's first
part, each area's table and chart (Word and PDF, with alternative text), and
the assurance summary's exceptions."""

import datetime
import io
import zipfile

import docx
import pytest
from pypdf import PdfReader

from plans.models import Action, ImprovementArea, Milestone, Plan, ProgressUpdate
from reporting.build import build_paper
from reporting.formats.html import render_body
from reporting.formats.pdf import to_pdf
from reporting.formats.word import to_docx
from reporting.layout import lay_out
from reporting.papers import Kind

from .conftest import add_value, make_measure, moment

pytestmark = pytest.mark.django_db

d = datetime.date


@pytest.fixture
def measured(world):
    # The world was made today; papers here are as at dates in 2015, so its
    # records' history (test set-up only) is dated 1 January 2015.
    for model in (Plan, ImprovementArea, ProgressUpdate, Milestone, Action):
        model.history.all().update(history_date=moment(2015, 1, 1))
    measure = make_measure(world.area, world.area.lead, when=moment(2015, 1, 5))
    add_value(measure, d(2015, 2, 1), 88, when=moment(2015, 3, 10))
    # March's figure, off target, entered in May with its commentary.
    add_value(measure, d(2015, 3, 1), 60, when=moment(2015, 5, 20), comment="Two teams short")
    return measure


def test_board_report_lists_off_target_measures_as_at_its_date(world, measured):
    april = render_body(build_paper(Kind.BOARD, world.plan, d(2015, 4, 30)))
    first_part = april[april.index("Measures off target or worsening") :]
    first_part = first_part[: first_part.index("Progress in each area")]
    assert "No measure is off target or worsening." in first_part
    june_paper = build_paper(Kind.BOARD, world.plan, d(2015, 6, 30))
    june = render_body(june_paper)
    first_part = june[june.index("Measures off target or worsening") :]
    first_part = first_part[: first_part.index("Progress in each area")]
    assert "Supervision within the local standard" in first_part
    assert "Off target" in first_part and "Worsening" in first_part
    assert "calculated from the figures" in first_part
    # The area's own section: the table, the figures and the chart with its alt text.
    section = june[june.index("Area 1: Ensure reasonable workloads.") :]
    assert "Success measures" in section
    assert 'alt="Line chart of Supervision within the local standard' in section
    assert "data:image/png;base64," in section
    # The paper's page draws the same chart as SVG, and no PNG at all.
    page = render_body(june_paper, vector=True)
    page_section = page[page.index("Area 1: Ensure reasonable workloads.") :]
    assert '<svg role="img" aria-label="Line chart of Supervision within the local' in page_section
    assert "data:image/png" not in page
    assert page_section.count("<circle") == 2  # February's and March's figures
    headings = [text for level, text in lay_out(june_paper).headings]
    assert headings.index("Measures off target or worsening") < headings.index(
        "Progress in each area"
    )


def test_the_chart_is_in_word_and_pdf_with_alternative_text(world, measured):
    paper = build_paper(Kind.BOARD, world.plan, d(2015, 6, 30))
    document = docx.Document(io.BytesIO(to_docx(paper)))
    pictures = document.inline_shapes
    assert len(pictures) == 1
    descr = pictures[0]._inline.docPr.get("descr")
    assert descr.startswith("Line chart of Supervision within the local standard")
    assert "latest figure 60% (March 2015)" in descr
    with zipfile.ZipFile(io.BytesIO(to_docx(paper))) as archive:
        assert any(name.endswith(".png") for name in archive.namelist())
    reader = PdfReader(io.BytesIO(to_pdf(paper)))
    # WeasyPrint shares one image among the pages' resources: one distinct chart.
    images = {img.data for page in reader.pages for img in page.images}
    assert len(images) == 1


def test_a_chart_is_titled_keyed_kept_with_its_title_and_legible_in_print(world, measured):
    from measures import png
    from reporting.blocks import Image, Para
    from reporting.layout import CHART_WIDTH

    paper = build_paper(Kind.BOARD, world.plan, d(2015, 6, 30))
    blocks = lay_out(paper).blocks
    at = next(i for i, b in enumerate(blocks) if isinstance(b, Image))
    title, key = blocks[at - 1], blocks[at + 1]
    assert isinstance(title, Para) and title.style == "chart-title"
    assert title.text.startswith("Chart: Supervision within the local standard: monthly figures,")
    assert isinstance(key, Para) and key.text == (
        "Key: blue line, the figure; dashed line, target 90%; yellow band, near target: short "
        "of it within the tolerance of 5% of the target (the plan's default)."
    )
    # The same words in Word, with the title kept with the chart at a page break.
    document = docx.Document(io.BytesIO(to_docx(paper)))
    paragraphs = {p.text: p for p in document.paragraphs}
    assert paragraphs[title.text].paragraph_format.keep_with_next
    assert paragraphs[title.text].runs[0].bold and key.text in paragraphs
    # Labels print at 8 pt or more at the widest chart (18 months), in the PDF
    # (CHART_WIDTH CSS pixels of 0.2646 mm) and in Word (16 cm), at 0.3528 mm a point.
    widest = png.LEFT + 18 * 40 + png.RIGHT
    pdf_pt = png.LABEL * (min(CHART_WIDTH, widest) * 0.2646 / widest) / 0.3528
    word_pt = png.LABEL * (160 / widest) / 0.3528
    assert pdf_pt >= 8 and word_pt >= 8, (pdf_pt, word_pt)


def test_assurance_summary_lists_red_measures_as_exceptions(world, measured):
    body = render_body(build_paper(Kind.ASSURANCE, world.plan, d(2015, 6, 30)))
    exceptions = body[body.index("Exceptions, with their reasons") :]
    assert "Measure off target: Supervision within the local standard, 60%" in exceptions
    assert "Two teams short" in exceptions
    before = render_body(build_paper(Kind.ASSURANCE, world.plan, d(2015, 4, 30)))
    assert "Measure off target" not in before


def test_a_plan_without_measures_says_nothing_of_them(world):
    body = render_body(build_paper(Kind.BOARD, world.plan, d(2015, 6, 30)))
    assert "Measures off target" not in body
    assert "Success measures" not in body


def test_the_papers_page_draws_no_png(clients, world, measured, monkeypatch):
    """PNGs are for Word, PDF and the issued copy: the page shows SVG, so a
    board report of hundreds of measures is not hundreds of images to draw."""
    from django.urls import reverse

    import measures.png

    def refuse(chart):
        raise AssertionError("a PNG was drawn for the page")

    monkeypatch.setattr(measures.png, "chart_png", refuse)
    url = reverse("reporting:paper", args=[world.plan.slug, Kind.BOARD])
    response = clients["board"].get(url, {"as_at": "2015-06-30"})
    assert response.status_code == 200
    assert b'<svg role="img" aria-label="Line chart of Supervision' in response.content


def test_a_plan_of_many_measures_charts_those_most_in_need_of_attention(
    world, measured, monkeypatch
):
    """The board report charts at most PAPER_CHARTS measures and lists at most
    FIRST_PAGE_MEASURES up front: off target first, furthest from target first;
    it says what it left out."""
    from reporting import layout

    monkeypatch.setattr(layout, "PAPER_CHARTS", 1)
    monkeypatch.setattr(layout, "FIRST_PAGE_MEASURES", 1)
    # Further off its target (90) than ``measured``'s 60, and one on target.
    worse = make_measure(world.area, name="Audits good or better", when=moment(2015, 1, 5))
    add_value(worse, d(2015, 3, 1), 30, when=moment(2015, 4, 2))
    fine = make_measure(world.area, name="Visits on time", when=moment(2015, 1, 5))
    add_value(fine, d(2015, 3, 1), 95, when=moment(2015, 4, 2))
    laid = lay_out(build_paper(Kind.BOARD, world.plan, d(2015, 6, 30)))
    images = [b for b in laid.blocks if b.kind == "image"]
    assert len(images) == 1 and images[0].alt.startswith("Line chart of Audits good or better")
    first = next(b for b in laid.blocks if b.kind == "table" and "off target" in b.caption)
    assert [row[1].text for row in first.rows] == ["Audits good or better"]
    paras = " ".join(b.text for b in laid.blocks if b.kind == "para")
    assert "And 1 more, nearer their targets" in paras
    assert "among the 1 most in need of attention" in paras
    assert "the figures of the other 2 are on the areas' pages" in paras
