"""The papers as downloads, a module a format: Word (``word``), Excel
(``excel``), CSV (``csv``) and PDF (``pdf``, from the HTML of ``html``), each
rendered from a ``Paper`` laid out once (reporting.layout)."""

from __future__ import annotations

from collections.abc import Callable

from .. import layout
from ..papers import Kind, Paper
from .csv import to_csv
from .excel import to_xlsx
from .pdf import to_pdf
from .word import to_docx


def render_file(paper: Paper, fmt: str, body: str | None = None) -> bytes:
    """The paper as a file in ``fmt``; ``body``, if given, is its rendered HTML (for PDF)."""
    laid = layout.lay_out(paper)
    if fmt == "pdf":
        return to_pdf(paper, body, laid)
    if fmt == "docx":
        return to_docx(paper, laid)
    if fmt == "xlsx":
        return to_xlsx(paper, laid)
    return RENDERERS[fmt](paper)


# How each format in the registry (papers.FORMATS) is made.
RENDERERS: dict[str, Callable[[Paper], bytes]] = {
    "docx": to_docx,
    "pdf": to_pdf,
    "xlsx": to_xlsx,
    "csv": to_csv,
}


def render_files(paper: Paper, body: str | None = None) -> dict[str, bytes]:
    """Every file the paper's kind offers, by format."""
    return {fmt: render_file(paper, fmt, body) for fmt in Kind.FORMATS[paper.kind]}
