"""A paper's tables, written in Python: a board report of a large plan has a
table for each measure's figures (hundreds, thousands of rows), which the
template engine took most of the page's time to draw. The markup is the one
templates/reporting/_paper_body.html had; every text is escaped here."""

from django import template
from django.template.defaultfilters import linebreaksbr
from django.utils.safestring import SafeString, mark_safe

from core.cells import escape
from core.rag import rag_tag

register = template.Library()


def _cell(cell, header: bool) -> str:
    if header:
        return f'<th scope="row">{escape(cell.text)}</th>'
    attrs = ' class="app-paper__number"' if cell.number else ""
    if cell.is_status:
        body = rag_tag(cell.rag, cell.text)
    else:
        body = linebreaksbr(cell.text, autoescape=True)
    return f"<td{attrs}>{body}</td>"


@register.filter
def paper_table(table) -> SafeString:
    """A layout Table (reporting/layout.py) as the paper's HTML table."""
    classes = "app-paper__table"
    if table.row_headers:
        classes += " app-paper__table--facts"
    if table.keep_together:
        classes += " app-paper__table--keep"
    out = [
        f'<table class="{classes}">\n'
        f'  <caption class="app-paper__caption">{escape(table.caption)}</caption>\n'
        "  <colgroup>"
        + "".join(f'<col class="app-w-{int(w)}">' for w in table.percentages)
        + "</colgroup>\n"
        "  <thead><tr>"
        + "".join(f'<th scope="col">{escape(h)}</th>' for h in table.headers)
        + "</tr></thead>\n  <tbody>"
    ]
    for row in table.rows:
        cells = "".join(_cell(c, i == 0 and table.row_headers) for i, c in enumerate(row))
        out.append(f"\n    <tr>{cells}</tr>")
    out.append("\n  </tbody>\n</table>")
    return mark_safe("".join(out))  # noqa: S308 (every text above is escaped)
