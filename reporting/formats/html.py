"""A paper's content as HTML: the fragment shown in the page, stored when the
paper is issued, and wrapped for the PDF."""

from __future__ import annotations

from django.template.loader import render_to_string

from .. import layout
from ..blocks import Document as Document_
from ..papers import Paper


def render_body(paper: Paper, laid: Document_ | None = None, *, vector: bool = False) -> str:
    """The paper's content as an HTML fragment: shown in the page, stored when
    issued, and wrapped for PDF. ``vector``: charts as inline SVG (the page),
    not as PNG images (the stored copy and the PDF, whole in one file)."""
    laid = laid or layout.lay_out(paper)
    return render_to_string(
        "reporting/_paper_body.html", {"paper": paper, "doc": laid, "vector": vector}
    )
