"""A paper as a tagged PDF (PDF/UA-1): its HTML in a print document, turned
into PDF by WeasyPrint."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from core import rag
from core.cells import clean_text

from .. import layout
from ..blocks import Document as Document_
from ..papers import Paper
from .html import render_body


def html_to_pdf(html: str, base_url: str | None = None) -> bytes:
    """Render an HTML page (the paper's print view) to a tagged PDF (PDF/UA-1)
    with WeasyPrint (structure tree, language, title, table headers), finished
    by reporting.pdfua (margins as artifacts, header cells scoped)."""
    # Imported here so that the other formats do not need Pango at import time.
    from weasyprint import HTML

    from ..pdfua import finish

    return finish(HTML(string=html, base_url=base_url).write_pdf(pdf_variant="pdf/ua-1"))


def css_string(value: str) -> str:
    """``value`` as a CSS string literal. Only letters, digits, spaces, a few
    punctuation marks and CSS escapes: nothing that could close the string,
    the rule or the <style> element."""
    safe = " ,.:;()–-"
    body = "".join(c if c.isalnum() or c in safe else f"\\{ord(c):x} " for c in clean_text(value))
    return mark_safe(f'"{body}"')


def to_pdf(paper: Paper, body: str | None = None, laid: Document_ | None = None) -> bytes:
    """The paper's print view as PDF; ``body``: its HTML fragment, if already rendered."""
    laid = laid or layout.lay_out(paper)
    body = render_body(paper, laid) if body is None else body
    document = render_to_string(
        "reporting/paper_document.html",
        {
            "paper": paper,
            "doc": laid,
            "body": body,
            "widths": range(5, 101, 5),
            "marking_css": css_string(laid.classification),
            "footer_css": css_string(laid.footer),
            "rag_statuses": (*rag.STATUSES, rag.NOT_RATED),
        },
    )
    return html_to_pdf(document)
