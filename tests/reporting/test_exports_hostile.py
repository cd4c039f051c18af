"""Any text a user can type, in every download: the files still open, formulas
are neutralised, and markup stays text."""

import csv
import dataclasses
import io

import docx
import openpyxl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.cells import clean_text, safe_cell
from reporting.formats.csv import to_csv
from reporting.formats.excel import to_xlsx
from reporting.formats.html import render_body
from reporting.formats.word import to_docx
from reporting.papers import Kind
from tests.support.examples import examples
from tests.support.papers import area, sample_paper

HOSTILE = st.sampled_from(
    [
        "=1+1",
        "+SUM(A1:A2)",
        "-2+3",
        "@cmd",
        "\t=tab",
        "\r=cr",
        '=HYPERLINK("http://evil","x")',
        "<script>alert('x')</script>",
        "</td></tr></table><h1>injected</h1>",
        "a\x00b\x0bc\x1f",
        "x" * 5000,
        "💷 ‘quotes’ & ampersands",
    ]
)
TEXT = st.one_of(HOSTILE, st.text(max_size=200))


@settings(max_examples=examples(80), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(recommendation=TEXT, overview=TEXT, briefing=TEXT, kind=st.sampled_from(Kind.ALL))
def test_any_text_in_any_download(recommendation, overview, briefing, kind):
    base = sample_paper()
    first = dataclasses.replace(area(1), recommendation=recommendation, overview=overview)
    paper = dataclasses.replace(
        base,
        kind=kind,
        title=Kind.TITLES[kind],
        front=dataclasses.replace(base.front, briefing=briefing),
        areas=[first, *base.areas[1:]],
    )

    rows = list(csv.reader(io.StringIO(to_csv(paper).decode("utf-8-sig"), newline="")))
    assert rows[0][:3] == ["Number", "Improvement Area", "Overview"]
    assert rows[1][1] == safe_cell(clean_text(recommendation))
    assert rows[1][2] == safe_cell(clean_text(overview))
    for cell in rows[1]:
        assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")) or cell == ""

    book = openpyxl.load_workbook(io.BytesIO(to_xlsx(paper)))
    assert all(c.data_type != "f" for sheet in book for row in sheet.iter_rows() for c in row)

    document = docx.Document(io.BytesIO(to_docx(paper)))
    assert document.paragraphs  # it opens

    html = render_body(paper)
    assert "<script>alert" not in html and "<h1>injected" not in html
