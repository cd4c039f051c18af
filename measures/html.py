"""The measures' repeated HTML, written in Python rather than in templates.

An area page draws a chart and a table of 12 to 18 periods for each of its
measures, and the dashboard's scorecard has a row for every measure of the plan
(400 in a large plan): through the template engine those were most of the
pages' time. The markup is the one the templates had; every value is escaped
here (``core.cells.escape``), so the result is safe to mark as such.
"""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from core.cells import escape
from core.rag import STATUS, rag_tag

from . import rag as mrag

# The tolerance band is drawn in the amber status's own colour.
AMBER_BAND = STATUS[mrag.NEAR].background.css
TRAVEL_ARROWS = {mrag.IMPROVING: "▲", mrag.WORSENING: "▼", mrag.UP: "↑", mrag.DOWN: "↓"}


def travel(direction: str) -> str:
    if not direction:
        return "–"
    arrow = TRAVEL_ARROWS.get(direction)
    if arrow:
        return f'<span aria-hidden="true">{arrow} </span>{escape(direction)}'
    return escape(direction)


def year_on_year(card) -> str:
    """The direction against the same period a year before, and that period."""
    if card.year_ago is None:
        return "–"
    period = escape(card.year_ago.label)
    return f'{travel(card.year_on_year)}<br><span class="govuk-body-s">{period}</span>'


def _n(number: float) -> str:
    """A coordinate as SVG wants it: no exponent, no trailing zeros."""
    return f"{number:g}"


def _drawing(c) -> list[str]:
    """The chart's shapes and labels, inside its <svg> (charts.LineChart)."""
    out = []
    if c.band:
        out.append(
            f'<rect x="0" y="{_n(c.band[0])}" width="{_n(c.width)}" height="{_n(c.band[1])}" '
            f'fill="{AMBER_BAND}" fill-opacity="0.35"/>'
        )
    out += [
        f'<line x1="-4" y1="200" x2="{_n(c.width)}" y2="200" class="app-chart__axis"/>',
        '<line x1="0" y1="0" x2="0" y2="200" class="app-chart__axis"/>',
        '<text x="-8" y="204" class="app-chart__tick" text-anchor="end">0</text>',
        f'<text x="-8" y="104" class="app-chart__tick" text-anchor="end">'
        f"{escape(c.middle_label)}</text>",
        f'<text x="-8" y="8" class="app-chart__tick" text-anchor="end">'
        f"{escape(c.top_label)}</text>",
    ]
    if c.target_y is not None:
        out.append(
            f'<line x1="0" y1="{_n(c.target_y)}" x2="{_n(c.width)}" y2="{_n(c.target_y)}" '
            'stroke="#0b0c0c" stroke-width="2" stroke-dasharray="6 4"/>'
        )
    for run in c.runs:
        out.append(f'<polyline points="{run}" fill="none" stroke="#1d70b8" stroke-width="3"/>')
    for p in c.points:
        if p.y is not None:
            out.append(f'<circle cx="{_n(p.x)}" cy="{_n(p.y)}" r="4" fill="#1d70b8"/>')
        if p.show_label:
            out.append(
                f'<text x="{_n(p.x)}" y="218" class="app-chart__tick" text-anchor="middle">'
                f"{escape(p.label[:3])}</text>"
                f'<text x="{_n(p.x)}" y="232" class="app-chart__tick" text-anchor="middle">'
                f"{escape(p.label[4:])}</text>"
            )
    return out


def chart_svg(card, label: str, width: int, height: int) -> SafeString:
    """The chart alone at a set size, named by ``label`` (a paper's page: its
    table comes before it; Word and PDF take the PNG of the same geometry)."""
    c = card.chart
    return mark_safe(  # noqa: S308 (every value is escaped)
        f'<svg role="img" aria-label="{escape(label)}" width="{width}" height="{height}" '
        f'viewBox="-64 -12 {_n(c.width + 76)} 256" class="app-chart__svg">'
        + "".join(_drawing(c))
        + "</svg>"
    )


def chart(card) -> SafeString:
    """A measure's line chart (SVG) and, after it, the table of the same figures."""
    c = card.chart
    cid = card.id
    out = [
        '<figure class="app-chart">',
        f'<svg role="img" aria-labelledby="measure-chart-{cid}-title" width="100%" '
        f'viewBox="-64 -12 {_n(c.width + 76)} 256" preserveAspectRatio="xMinYMin meet" '
        'class="app-chart__svg">',
        f'<title id="measure-chart-{cid}-title">{escape(c.title)}'
        + (", with the target and the amber tolerance band" if c.target_label else "")
        + " (the table below gives the figures)</title>",
        *_drawing(c),
    ]
    out.append("</svg>")
    key = 'Key: <span aria-hidden="true">━</span> figure'
    if c.target_label:
        key += (
            f', <span aria-hidden="true">╌</span> {escape(c.target_label.lower())}, '
            f"shaded band: amber (within the tolerance, {escape(card.tolerance_label)})"
        )
    key += "."
    if not c.has_figures:
        key += " No figures recorded in these periods."
    out.append(f'<figcaption class="govuk-body-s">{key}</figcaption></figure>')
    name = escape(card.name)
    out.append(
        f'<div class="app-table-scroll" role="region" aria-label="{name}: the figures '
        f'(scrolls sideways)" tabindex="0">'
        f'<table class="govuk-table app-chart__table" id="measure-chart-{cid}-table">'
        f'<caption class="govuk-table__caption govuk-table__caption--s">{name}: the figures'
        "</caption>"
        '<thead class="govuk-table__head"><tr class="govuk-table__row">'
        '<th scope="col" class="govuk-table__header">Period</th>'
    )
    for p in card.points:
        out.append(
            '<th scope="col" class="govuk-table__header govuk-table__header--numeric '
            f'app-nowrap">{escape(p.short_label)}</th>'
        )
    out.append(
        '</tr></thead><tbody class="govuk-table__body"><tr class="govuk-table__row">'
        '<th scope="row" class="govuk-table__header">Figure</th>'
    )
    for p in card.points:
        value = "" if p.value is None else str(p.value)
        out.append(
            '<td class="govuk-table__cell govuk-table__cell--numeric app-nowrap" '
            f'data-value="{escape(value)}">{escape(p.value_label or "–")}</td>'
        )
    out.append(
        '</tr><tr class="govuk-table__row">'
        '<th scope="row" class="govuk-table__header">RAG (calculated)</th>'
    )
    for p in card.points:
        rag = escape(p.rag_label.replace(" target", "")) if p.rag else "–"
        out.append(f'<td class="govuk-table__cell govuk-table__cell--numeric">{rag}</td>')
    out.append("</tr></tbody></table></div>")
    comments = card.comments
    if comments:
        out.append(
            '<p class="govuk-body-s govuk-!-margin-bottom-1">Comments with the figures:</p>'
            '<ul class="govuk-list govuk-body-s">'
        )
        out += [f"<li>{escape(p.label)}: {escape(p.comment)}</li>" for p in comments]
        out.append("</ul>")
    return mark_safe("".join(out))  # noqa: S308 (every value above is escaped)


def scorecard_rows(cards, plan_slug: str, as_at: datetime.date) -> SafeString:
    """The scorecard table's body rows, one a measure, its name a link to its
    page as at the scorecard's date."""
    # One reverse() for the page, not one a row.
    area_url = reverse("plans:area", args=[plan_slug, 999999]).replace("999999", "{}")
    measure_url = (
        reverse("measures:measure", args=[999999]).replace("999999", "{}")
        + f"?as_at={as_at.isoformat()}"
    )
    out = []
    for m in cards:
        name = escape(m.name)
        detail = escape(m.polarity_label)
        if m.owner:
            detail += "; " + escape(m.owner)
        latest = escape(m.latest_label)
        if m.latest:
            latest += f'<br><span class="govuk-body-s">{escape(m.latest.label)}</span>'
        if m.missing:
            latest += (
                f'<br><strong class="govuk-tag govuk-tag--orange">'
                f"{escape(m.expected_label)} missing</strong>"
            )
        out.append(
            '<tr class="govuk-table__row">'
            '<td class="govuk-table__cell" data-label="Area"><a class="govuk-link" '
            f'href="{area_url.format(m.area_number)}#measure-{m.id}">{m.area_number}'
            f'<span class="govuk-visually-hidden">: {name}</span></a></td>'
            '<td class="govuk-table__cell" data-label="Measure">'
            f'<a class="govuk-link" href="{measure_url.format(m.id)}">{name}</a><br>'
            f'<span class="govuk-body-s">{detail}</span></td>'
            '<td class="govuk-table__cell govuk-table__cell--numeric" data-label="Latest">'
            f"{latest}</td>"
            '<td class="govuk-table__cell govuk-table__cell--numeric" data-label="Target">'
            f"{escape(m.target_label)}</td>"
            f'<td class="govuk-table__cell" data-label="RAG">{rag_tag(m.rag, m.rag_label)}</td>'
            f'<td class="govuk-table__cell" data-label="Direction">{travel(m.direction)}</td>'
            f'<td class="govuk-table__cell" data-label="On a year before">{year_on_year(m)}</td>'
            "</tr>"
        )
    return mark_safe("".join(out))  # noqa: S308 (every value above is escaped)
