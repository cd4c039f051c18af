"""Overdue actions in the board report, laid out once for every format: the
plan's list among the exceptions, and each area's in its section (called from
reporting.layout, beside the milestones)."""

from __future__ import annotations

from .blocks import Cell, Document, Heading, Para, Table, text
from .papers import ActionLine, AreaLine, Paper

# The board report's first part lists at most this many overdue actions.
FIRST_PAGE_ACTIONS = 20
# "Overdue" is the service's reading of the dates, not anyone's report: said so.
ACTIONS_NOTE = (
    "An action is overdue when its due date has passed and it is neither complete nor "
    "cancelled: the service works this out from the action's due date and status as at "
    "the paper's date."
)


def action_table(caption: str, lines: list[ActionLine], *, area: bool = True) -> Table:
    headers = (["Area"] if area else []) + ["Action", "Owner", "Due", "Status", "Late by"]
    # As milestone_table: dates and "In progress" need three twentieths each.
    widths = ([1.5] if area else []) + [5.5, 4, 3, 3, 2]
    rows = [
        ([Cell(str(x.area_number), number=True)] if area else [])
        + [
            text(f"{x.reference} {x.title}"),
            text(x.owner),
            text(x.due),
            text(x.status),
            text(x.late),
        ]
        for x in lines
    ]
    return Table(caption, headers, rows, widths)


def board_section(doc: Document, paper: Paper) -> None:
    """The board report's list of overdue actions, next to the milestones':
    the most overdue first, the rest counted."""
    doc.add(Heading(2, "Actions overdue"))
    late = paper.overdue_actions
    if not late:
        doc.add(Para("No action is overdue."))
        return
    shown = late[:FIRST_PAGE_ACTIONS]
    doc.add(action_table("Actions overdue", shown))
    if len(late) > len(shown):
        doc.add(
            Para(
                f"And {len(late) - len(shown)} more, less late: each area's section "
                "below lists its own."
            )
        )
    doc.add(Para(ACTIONS_NOTE, "note"))


def area_section(doc: Document, area: AreaLine) -> None:
    """An area's overdue actions in its section, when it has any."""
    if area.overdue_actions:
        doc.add(
            Heading(4, "Actions overdue"),
            action_table("Actions overdue", area.overdue_actions, area=False),
        )


def contradiction_item(area: AreaLine) -> str:
    """One line of the board report's contradictions: what is overdue, named."""
    named = [f"{m.title} (due {m.due})" for m in area.overdue] + [
        f"action {x.reference} {x.title} (due {x.due})" for x in area.overdue_actions
    ]
    return (
        f"Area {area.number} is rated {area.rag_label} but has {area.overdue_words}: "
        + "; ".join(named)
        + "."
    )
