"""A paper built by hand, with every awkward case the exports must carry."""

import datetime

from core.rag import RAG, rag_label
from reporting.papers import AreaLine as Area
from reporting.papers import FrontSheet, Kind, MilestoneLine, Paper

FORMULA = '=HYPERLINK("http://x","y")'


HOSTILE = '<script>alert(1)</script> & "quotes"'


MULTILINE = 'First line, with a comma\nSecond line with "quotes"'


RAGS = [
    RAG.BLUE, RAG.GREEN, RAG.AMBER, RAG.RED, RAG.GREEN, RAG.GREEN, None, RAG.AMBER, RAG.BLUE,
    RAG.GREEN, RAG.RED, RAG.GREEN, RAG.AMBER, RAG.GREEN, RAG.BLUE, RAG.GREEN, RAG.GREEN,
]  # fmt: skip


PREVIOUS = [RAG.GREEN, RAG.GREEN, RAG.GREEN, RAG.AMBER] + [None] * 13


PREVIOUS_BOARD = "Improvement Board, 11 March 2015"


OVERDUE = {
    4: MilestoneLine(
        4, "Recruit 10 social workers", "31 March 2015", lead="Lead officer 4", late="8 weeks",
        late_days=61,
    ),
    11: MilestoneLine(
        11, "Reduce caseloads", "April 2015", lead="Lead officer 11", late="4 weeks", late_days=31
    ),
}  # fmt: skip


def movement(now, before) -> str:
    """As the papers compare statuses: "" when there is nothing to compare."""
    if now is None or before is None:
        return ""
    order = [RAG.BLUE, RAG.GREEN, RAG.AMBER, RAG.RED]
    if order.index(now) == order.index(before):
        return "No change"
    return "Worse" if order.index(now) > order.index(before) else "Improved"


def area(number: int) -> Area:
    rag = RAGS[number - 1]
    previous = PREVIOUS[number - 1]
    return Area(
        number=number,
        recommendation={3: FORMULA}.get(number, f"Recommendation {number}"),
        theme="Leadership",
        lead=f"Lead officer {number}",
        rag=rag,
        rag_label=rag_label(rag),
        overview={
            5: HOSTILE,
            7: "",
            6: MULTILINE,
            9: "-1 vacancy remains",
            11: "Caseloads high",
        }.get(number, f"Overview of area {number}."),
        next_steps=f"Next steps for area {number}." if number not in (2, 7) else "",
        rag_reason={4: "Recruitment delayed", 3: "Audit slipped"}.get(number, ""),
        update_as_at="1 May 2015" if rag else "",
        previous_rag=previous,
        previous_rag_label=rag_label(previous),
        movement=movement(rag, previous),
        completed_since_board=(
            [MilestoneLine(1, "Audit of case files", "April 2015", completed="20 April 2015")]
            if number == 1
            else []
        ),
        due_next_quarter=(
            [MilestoneLine(1, "Launch training", "30 June 2015", forecast="31 July 2015")]
            if number == 1
            else []
        ),
        overdue=[OVERDUE[number]] if number in OVERDUE else [],
    )


def sample_paper() -> Paper:
    """Seventeen areas as the May 2015 paper had them, some with text a
    spreadsheet or a page could mistake for code."""
    areas = [area(n) for n in range(1, 18)]
    counts = [(r.value, r.label, sum(a.rag == r for a in areas)) for r in RAG]
    counts.append(("", rag_label(None), sum(a.rag is None for a in areas)))
    return Paper(
        kind=Kind.SCRUTINY,
        title=Kind.TITLES[Kind.SCRUTINY],
        council="Plymouth City Council",
        plan_title="Children's Services Improvement Plan",
        as_at=datetime.date(2015, 5, 31),
        as_at_label="31 May 2015",
        front=FrontSheet(briefing="The plan is broadly on track.\n\nTwo areas are red."),
        areas=areas,
        rag_counts=counts,
        previous_counts=[(r.value, r.label, sum(p == r for p in PREVIOUS)) for r in RAG]
        + [("", rag_label(None), sum(p is None for p in PREVIOUS))],
        previous_board=PREVIOUS_BOARD,
        overdue=list(OVERDUE.values()),
    )
