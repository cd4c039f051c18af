"""Each paper laid out once, as a list of blocks (headings, paragraphs, lists,
tables) that every format renders: the HTML page and PDF (templates/reporting/
_paper_body.html) and Word (reporting.formats.word). The same sections, titles and
order in every format follow from there being one layout.

Headings start at level 1 (the report title) and never skip a level.
"""

from __future__ import annotations

import functools

from core.rag import rag_key
from plans.models import ILLUSTRATIVE_MARK

from . import layout_actions
from .blocks import (
    Cell,
    Document,
    Heading,
    Image,
    Items,
    Para,
    Table,
    paragraphs,
    status,
    text,
)
from .papers import AreaLine, Kind, MilestoneLine, Paper

# The board report's first part lists at most this many late milestones.
FIRST_PAGE_MILESTONES = 20
# The board report's first part lists at most this many measures off target or
# worsening, and charts at most this many measures in the areas' sections: the
# ones most in need of attention first (``_concern``). A plan of a few dozen
# measures has them all; one of hundreds stays a paper a board can read.
FIRST_PAGE_MEASURES = 20
PAPER_CHARTS = 24
# A chart's width on paper, in CSS pixels (169 mm in the PDF); Word takes 16 cm.
CHART_WIDTH = 640
# A reason or next step an update did not record, and what the paper says
# about it once (updates recorded before they were required have none).
UNRECORDED = "–"
UNRECORDED_NOTE = "A dash (–) in the reason or next step: the update did not record one."
# What the board report says once about the sections it leaves out.
ABSENT_SECTIONS = (
    "Where an area below has no list of overdue milestones or actions, none is overdue; "
    "where it has no next steps, none were recorded."
)


# --- The front sheet, shared by every paper -----------------------------------------


def title_block(doc: Document, paper: Paper) -> None:
    front = paper.front
    if paper.kind == Kind.SCRUTINY:
        # The May 2015 paper's own title block: the meeting, then the title, in capitals.
        if front.committee:
            doc.add(Para(front.committee.upper(), "title-block"))
        doc.add(Heading(1, paper.title.upper()))
    else:
        if front.committee:
            doc.add(Para(front.committee, "title-block"))
        doc.add(Heading(1, paper.title))


def front_sheet(doc: Document, paper: Paper) -> None:
    front = paper.front
    facts = [
        ("Council", paper.council),
        ("Plan", paper.plan_title),
        ("Meeting", front.meeting or "Not prepared for a meeting"),
        ("Date of meeting", front.meeting_date),
        ("Agenda item", front.agenda_item),
        ("Report of", front.report_of),
        ("Author", front.author),
        ("Contact", front.contact),
        ("Position as at", paper.as_at_label),
        ("Version", front.status),
        ("Classification", front.classification),
    ]
    doc.add(
        Table(
            "About this report",
            ["Item", "Detail"],
            [[text(k), text(v)] for k, v in facts if v],
            [4.5, 12.5],
            row_headers=True,
        )
    )
    if front.purpose.strip():
        doc.add(Heading(2, "Purpose of the report"), *paragraphs(front.purpose))
    asked = recommendations(paper)
    if asked:
        doc.add(Heading(2, "Recommendations"), Items(asked, numbered=True))


def recommendations(paper: Paper) -> list[str]:
    """What the meeting is asked to do, true of this paper: the front sheet's
    own, the standard ones made true of it (no exceptions to note when there
    are none; no decisions asked for when none are), then each decision it
    asks for, by name, on the front sheet."""
    out = []
    for line in paper.front.recommendations:
        if line == Kind.OLD_BOARD_RECOMMENDATION:
            line = Kind.RECOMMENDATIONS[Kind.BOARD]
        elif line == Kind.RECOMMENDATIONS[Kind.ASSURANCE] and not paper.exceptions:
            line = Kind.NO_EXCEPTIONS
        out.append(line)
    out += [f"Decision asked: {ask}" for ask in paper.front.asks]
    return out


def closing(doc: Document, paper: Paper, *, key: bool) -> None:
    front = paper.front
    if front.background_papers:
        doc.add(Heading(2, "Background papers"), Items(front.background_papers))
    if key:
        key_table(doc, paper)
    who = front.author or front.report_of
    ask = f"{who}" + (f" ({front.contact})" if front.contact else "") if who else paper.council
    doc.add(Para(f"To ask for this report in another format, contact {ask}.", "note"))


def key_table(doc: Document, paper: Paper) -> None:
    doc.add(Heading(2, "RAG key"))
    doc.add(
        Table(
            "What each RAG status means",
            ["Status", "Meaning"],
            [
                [status(value, label) if value else text(label), text(meaning)]
                for value, label, meaning in rag_key(paper.any_assessed)
            ],
            [5, 12],
        )
    )


# --- The three papers -------------------------------------------------------------------


def scrutiny(doc: Document, paper: Paper) -> None:
    """The May 2015 paper's format: title block, overview briefing, then the
    areas in two columns; a status column only where someone recorded statuses."""
    title_block(doc, paper)
    front_sheet(doc, paper)
    doc.add(Heading(2, "Overview Briefing"))
    doc.add(*(paragraphs(paper.briefing) or [Para("No overview briefing was written.")]))
    with_status = paper.recorded_statuses
    headers = ["Improvement Area", "Overview"] + (["RAG status"] if with_status else [])
    rows = []
    for a in paper.areas:
        row = [text(f"{a.number} {a.recommendation}"), text(a.overview or "No approved update.")]
        if with_status:
            row.append(status(a.rag, a.rag_label))
        rows.append(row)
    doc.add(
        Table(
            "Summary update of progress against the plan",
            headers,
            rows,
            [9, 15, 4] if with_status else [9, 15],
        )
    )
    closing(doc, paper, key=with_status)


def _glance(doc: Document, paper: Paper) -> None:
    doc.add(Heading(2, "The position at a glance"))
    previous = dict((label, n) for _, label, n in paper.previous_counts)
    headers = ["RAG status", "Areas now"] + (["At the previous board"] if previous else [])
    rows = []
    for value, label, n in paper.rag_counts:
        row = [status(value, label), Cell(str(n), number=True)]
        if previous:
            row.append(Cell(str(previous.get(label, 0)), number=True))
        rows.append(row)
    doc.add(Table("Areas by RAG status", headers, rows, [6, 3, 4] if previous else [6, 3]))
    if not paper.previous_board:
        doc.add(Para("There was no earlier Improvement Board to compare with."))
    elif not paper.any_previous_rating:
        doc.add(
            Para(
                f"No area had a rating at the previous board ({paper.previous_board}), "
                "so no movement is shown."
            )
        )
    else:
        moved = ", ".join(f"{label.lower()}: {n}" for label, n in paper.movement_counts)
        doc.add(Para(f"Since the previous board ({paper.previous_board}): {moved}."))


def _milestone_table(
    caption: str, lines: list[MilestoneLine], *, late: bool = False, area: bool = True
) -> Table:
    headers = (["Area"] if area else []) + ["Milestone", "Lead", "Due", "Forecast"]
    # Dates ("30 September 2025") need three twentieths of the page not to break a word.
    widths = ([1.5] if area else []) + [5.5, 4, 3, 3]
    if late:
        headers.append("Late by")
        widths.append(2)
    rows = []
    for m in lines:
        row = ([Cell(str(m.area_number), number=True)] if area else []) + [
            text(m.title),
            text(m.lead),
            text(m.due),
            text(m.forecast),
        ]
        if late:
            row.append(text(m.late))
        rows.append(row)
    return Table(caption, headers, rows, widths)


def _asks(doc: Document, paper: Paper, heading: str) -> None:
    doc.add(Heading(2, heading))
    if paper.front.asks:
        doc.add(Items(paper.front.asks, numbered=True))
    else:
        doc.add(Para("No decision is asked of the meeting: the report is for noting."))


def _area_detail(doc: Document, area: AreaLine, paper: Paper, charted: set[int]) -> None:
    doc.add(Heading(3, f"Area {area.number}: {area.recommendation}"))
    facts = [
        ("Lead", area.lead),
        ("Theme", area.theme),
        ("RAG status", area.rag_label),
        ("At the previous board", area.previous_rag_label if paper.any_previous_rating else ""),
        ("Movement", area.movement),
        ("Latest approved update", area.update_as_at or "None yet"),
        ("Progress", area.overview),
        ("Next steps", area.next_steps),
        ("Reason for the status", area.rag_reason),
    ]
    rows = []
    for label, value in facts:
        if not value:
            continue
        if label == "RAG status":
            rows.append([text(label), status(area.rag, value)])
        elif label == "At the previous board":
            rows.append([text(label), status(area.previous_rag, value)])
        else:
            rows.append([text(label), text(value)])
    doc.add(
        Table(
            f"Area {area.number} at a glance",
            ["Item", "Detail"],
            rows,
            [4.5, 12.5],
            row_headers=True,
        )
    )
    if area.overdue:
        caption = "Milestones overdue"
        doc.add(Heading(4, caption), _milestone_table(caption, area.overdue, late=True, area=False))
    layout_actions.area_section(doc, area)
    for caption, lines in [
        ("Milestones completed since the previous board", area.completed_since_board),
        ("Milestones due in the next quarter", area.due_next_quarter),
    ]:
        if lines:
            doc.add(Heading(4, caption), _milestone_table(caption, lines, area=False))
    _area_measures(doc, area, paper, charted)


def board(doc: Document, paper: Paper) -> None:
    """Exceptions first: page one says what the board must look at."""
    title_block(doc, paper)
    front_sheet(doc, paper)
    if paper.briefing.strip():
        doc.add(Heading(2, "Overview Briefing"), *paragraphs(paper.briefing))
    _glance(doc, paper)

    doc.add(Heading(2, "Areas that need the board's attention"))
    attention = paper.attention
    if attention:
        moved = paper.any_previous_rating
        doc.add(
            Table(
                "Areas rated red or amber, or worse since the previous board",
                ["No.", "Improvement area", "RAG status"]
                + (["Movement"] if moved else [])
                + ["Reason", "Next step"],
                [
                    [
                        Cell(str(a.number), number=True),
                        text(a.recommendation),
                        status(a.rag, a.rag_label),
                    ]
                    + ([text(a.movement)] if moved else [])
                    + [text(a.rag_reason or UNRECORDED), text(a.next_steps or UNRECORDED)]
                    for a in attention
                ],
                [1.6, 4.4, 3.4] + ([2.6] if moved else []) + [3.6, 3.6],
            )
        )
        if any(not (a.rag_reason and a.next_steps) for a in attention):
            doc.add(Para(UNRECORDED_NOTE, "note"))
    else:
        doc.add(Para("No area is rated red or amber, and none got worse."))

    doc.add(Heading(2, "Milestones overdue or re-forecast since the previous board"))
    late = paper.overdue + [m for m in paper.reforecast if not m.late_days]
    if late:
        # The most overdue first; page one stays a summary however late the plan runs.
        shown = late[:FIRST_PAGE_MILESTONES]
        doc.add(_milestone_table("Milestones overdue or re-forecast", shown, late=True))
        if len(late) > len(shown):
            doc.add(
                Para(
                    f"And {len(late) - len(shown)} more, less late: each area's section "
                    "below lists its own."
                )
            )
    else:
        doc.add(Para("No milestone is overdue or was re-forecast since the previous board."))
    layout_actions.board_section(doc, paper)

    doc.add(Heading(2, "Areas on track with work overdue"))
    if paper.contradictions:
        doc.add(Items([layout_actions.contradiction_item(a) for a in paper.contradictions]))
    else:
        doc.add(Para("No area rated green or blue has an overdue milestone or action."))
    charted = _charted(paper)
    _measures_first(doc, paper, charted)
    _asks(doc, paper, "Decisions asked of the board")

    doc.add(Heading(2, "Progress in each area"), Para(ABSENT_SECTIONS))
    charted_ids = {c.id for c in charted}
    for area in paper.areas:
        _area_detail(doc, area, paper, charted_ids)
    closing(doc, paper, key=True)


def assurance(doc: Document, paper: Paper) -> None:
    """Every exception first, with its lead, latest update and reason."""
    title_block(doc, paper)
    front_sheet(doc, paper)
    if paper.briefing.strip():
        doc.add(Heading(2, "Overview Briefing"), *paragraphs(paper.briefing))
    doc.add(Heading(2, "Exceptions"))
    rule = (
        "every overdue milestone"
        if paper.escalate_after_days == 0
        else f"every milestone overdue by more than {paper.escalate_after_days} days"
    )
    doc.add(
        Para(
            f"Listed: every area rated red, every area worse since the previous board, {rule} "
            "and every overdue action, every area rated green or blue with an overdue milestone "
            "or action, and every success measure off target (red by its tolerance). The reason "
            "is the latest approved update's, else the milestone's re-forecast reason, or the "
            "commentary given with the measure's figure."
        )
    )
    if paper.overdue_actions:
        doc.add(Para(layout_actions.ACTIONS_NOTE, "note"))
    exceptions = paper.exceptions
    if exceptions:
        doc.add(
            Table(
                "Exceptions, with their reasons",
                ["No.", "Exception", "Lead", "Latest update", "Reason"],
                [
                    [
                        Cell(str(e.area_number), number=True),
                        text(e.what),
                        text(e.lead),
                        text(e.latest_update or "None"),
                        text(e.reason or UNRECORDED),
                    ]
                    for e in exceptions
                ],
                [1.6, 6, 3.5, 2.6, 4.6],
            )
        )
        if any(not e.reason for e in exceptions):
            doc.add(Para(UNRECORDED_NOTE, "note"))
    else:
        doc.add(Para("There are no exceptions."))
    doc.add(Heading(2, "Areas by RAG status"))
    doc.add(
        Table(
            "Areas by RAG status",
            ["RAG status", "Areas"],
            [[status(v, label), Cell(str(n), number=True)] for v, label, n in paper.rag_counts],
            [6, 3],
        )
    )
    doc.add(Heading(2, "Milestones due in the next quarter"))
    if paper.due_next_quarter:
        doc.add(_milestone_table("Milestones due in the next quarter", paper.due_next_quarter))
    else:
        doc.add(Para("No milestone is due in the next quarter."))
    _asks(doc, paper, "Decisions asked of the meeting")
    closing(doc, paper, key=True)


# --- Success measures (measures/), as at the paper's date -------------------------------

MEASURES_NOTE = (
    "A measure's RAG (on, near or off target, by its tolerance) and its direction of travel "
    "(against the previous period) are calculated from the figures recorded by the paper's "
    "date: no one sets them by hand."
)


def _measures_table(caption: str, cards: list, *, area: bool = True) -> Table:
    return Table(
        caption,
        (["No."] if area else [])
        + [
            "Measure",
            "Latest figure",
            "Target",
            "RAG (calculated)",
            "Direction (calculated)",
            "On a year before (calculated)",
        ],
        [
            ([Cell(str(c.area_number), number=True)] if area else [])
            + [
                text(c.name),
                text(f"{c.latest_label} ({c.latest.label})" if c.latest else "No figure yet")
                if not c.missing
                else text(
                    (f"{c.latest_label} ({c.latest.label}); " if c.latest else "")
                    + f"{c.expected_label} missing"
                ),
                text(c.target_label),
                status(c.rag, c.rag_label),
                text(c.direction or "–"),
                text(f"{c.year_on_year} ({c.year_ago.label})" if c.year_ago else "–"),
            ]
            for c in cards
        ],
        ([1.6] if area else []) + [4.2, 3.0, 1.8, 2.6, 2.8, 2.8],
    )


def _concern(card) -> tuple:
    """Most in need of the board's attention first: off target (furthest from
    its target first), near target, worsening, then the rest; then in plan order."""
    from measures import rag as mrag

    rank = 0 if card.off_target else 1 if card.rag == mrag.NEAR else 2 if card.worsening else 3
    gap = 0.0
    if card.latest and card.latest.value is not None and card.target:
        gap = float(abs(card.latest.value - card.target) / abs(card.target))
    return (rank, -gap)


def _with_figures(paper: Paper) -> list:
    """The paper's measures with a figure in their chart's periods."""
    return [c for c in paper.measures if any(p.value is not None for p in c.points)]


def _charted(paper: Paper) -> list:
    """The measures the board report charts: those with a figure to chart, the
    PAPER_CHARTS most in need of attention (sorted() keeps plan order in ties)."""
    return sorted(_with_figures(paper), key=_concern)[:PAPER_CHARTS]


def _measures_first(doc: Document, paper: Paper, charted: list) -> None:
    """The board report's first part: measures off target or worsening."""
    if not paper.measures:
        return
    doc.add(Heading(2, "Measures off target or worsening"))
    flagged = sorted((c for c in paper.measures if c.off_target or c.worsening), key=_concern)
    if flagged:
        shown = flagged[:FIRST_PAGE_MEASURES]
        doc.add(_measures_table("Measures off target or worsening", shown))
        if len(flagged) > len(shown):
            doc.add(
                Para(
                    f"And {len(flagged) - len(shown)} more, nearer their targets: each area's "
                    "section below lists its own."
                )
            )
    else:
        doc.add(Para("No measure is off target or worsening."))
    doc.add(Para(MEASURES_NOTE, style="note"))
    others = len(_with_figures(paper)) - len(charted)
    if others:
        rest = (
            "the other measure's figures are on its area's page"
            if others == 1
            else f"the figures of the other {others} are on the areas' pages"
        )
        doc.add(
            Para(
                f"Each area's section charts its measures among the {len(charted)} most in "
                "need of attention (off target, then near target, then worsening), each "
                f"chart after a table of its figures; {rest} in the service and in the "
                "scorecard download.",
                style="note",
            )
        )


def _area_measures(doc: Document, area: AreaLine, paper: Paper, charted: set[int]) -> None:
    """An area's measures in its section: the table, then each measure's chart
    (a PNG with alternative text) after its own figures."""
    cards = [c for c in paper.measures if c.area_number == area.number]
    if not cards:
        return
    from measures.html import chart_svg
    from measures.png import alt_text, chart_png, key, size

    doc.add(Heading(4, "Success measures"))
    doc.add(_measures_table(f"Area {area.number}: success measures", cards, area=False))
    for card in cards:
        if card.id not in charted:
            # No figures yet (the table above says so), or not among the
            # measures the paper charts (its first part says which).
            continue
        chart = card.chart
        recorded = [p for p in card.points if p.value is not None]
        # Named on paper too: the tables' captions are for screen readers only.
        doc.add(Heading(5, card.name))
        doc.add(
            Table(
                f"{card.name}: the figures",
                ["Period", "Figure", "RAG (calculated)"],
                [
                    [
                        text(p.label),
                        Cell(p.value_label or "–", number=True),
                        text(p.rag_label or "–"),
                    ]
                    for p in recorded
                ],
                [4, 3, 3],
            )
        )
        natural, tall = size(chart)
        width = min(CHART_WIDTH, int(natural))
        height = int(tall * width / natural)
        alt = alt_text(card)
        # Titled on paper, and kept with its title at a page break.
        doc.add(
            Para(
                f"Chart: {chart.title}, {card.points[0].label} to {card.points[-1].label}",
                "chart-title",
            )
        )
        doc.add(
            Image(
                functools.partial(chart_png, chart),
                chart_svg(card, alt, width, height),
                alt,
                width,
                height,
            )
        )
        doc.add(Para(key(card), "note"))


LAYOUTS = {Kind.SCRUTINY: scrutiny, Kind.BOARD: board, Kind.ASSURANCE: assurance}


def lay_out(paper: Paper) -> Document:
    front = paper.front
    where = (
        f"{front.meeting}, {front.meeting_date}" if front.meeting else "Not prepared for a meeting"
    )
    doc = Document(
        title=f"{paper.title} – {paper.council}",
        # The scrutiny summary's wide table is landscape in every format.
        landscape=paper.kind == Kind.SCRUTINY,
        # Made-up data says so on every page, beside the marking (the demo council's).
        classification=front.classification
        + (" · ILLUSTRATIVE DATA" if ILLUSTRATIVE_MARK in paper.plan_title else ""),
        footer=f"{where} · {front.status} · Position as at {paper.as_at_label}",
    )
    LAYOUTS[paper.kind](doc, paper)
    return doc
