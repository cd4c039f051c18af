"""The board report's first part stays a summary however late the plan runs."""

import datetime

from reporting.layout import FIRST_PAGE_MILESTONES, lay_out
from reporting.papers import AreaLine, FrontSheet, Kind, MilestoneLine, Paper, lateness


def test_page_one_lists_the_most_overdue_milestones_and_counts_the_rest():
    overdue = [
        MilestoneLine(1, f"Step {n}", "June 2015", lead="Lead", late=lateness(n), late_days=n)
        for n in range(200, 170, -1)  # 30, most overdue first
    ]
    area = AreaLine(1, "Ensure reasonable workloads.", "", "Lead", None, "Not yet rated", "", "",
                    "", "", overdue=overdue)  # fmt: skip
    paper = Paper(
        kind=Kind.BOARD,
        title=Kind.TITLES[Kind.BOARD],
        council="A council",
        plan_title="A plan",
        as_at=datetime.date(2015, 12, 31),
        as_at_label="31 December 2015",
        front=FrontSheet(),
        areas=[area],
        rag_counts=[],
        overdue=overdue,
    )
    blocks = lay_out(paper).blocks
    first = next(
        b for b in blocks if getattr(b, "caption", "") == "Milestones overdue or re-forecast"
    )
    assert len(first.rows) == FIRST_PAGE_MILESTONES == 20
    assert first.rows[0][1].text == "Step 200" and first.rows[-1][1].text == "Step 181"
    assert any(getattr(b, "text", "").startswith("And 10 more, less late") for b in blocks)
    # Each area's own section still lists all of its overdue milestones.
    own = next(b for b in blocks if getattr(b, "caption", "") == "Milestones overdue"
               and b.kind == "table")  # fmt: skip
    assert len(own.rows) == 30


def test_every_table_of_every_paper_fits_the_page():
    """Each table's columns add up to the page's width, exactly: rounded one by
    one, the board report's attention table came to 110% and ran off the page."""
    import dataclasses

    from reporting.blocks import Table, steps_of_twenty
    from tests.support.papers import sample_paper

    base = sample_paper()
    for kind in Kind.ALL:
        doc = lay_out(dataclasses.replace(base, kind=kind, title=Kind.TITLES[kind]))
        tables = [b for b in doc.blocks if isinstance(b, Table)]
        assert tables, kind
        for table in tables:
            assert sum(table.percentages) == 100, (kind, table.caption, table.percentages)
            assert min(table.percentages) >= 5, (kind, table.caption)
    attention = next(
        b
        for b in lay_out(dataclasses.replace(base, kind=Kind.BOARD)).blocks
        if getattr(b, "caption", "").startswith("Areas rated red or amber")
    )
    assert len(attention.headers) == 6 and sum(attention.percentages) == 100
    # The rounding itself: remainders go to the columns that lost most.
    assert steps_of_twenty([1, 1, 1]) == [7, 7, 6]
    assert steps_of_twenty([1.6, 4.4, 3.4, 2.6, 3.6, 3.6]) == [2, 4, 3, 3, 4, 4]


def test_a_made_up_plans_papers_say_so_on_every_page_and_in_their_title(db):
    """The demo council's papers: the marking printed at the top and foot of
    every page (PDF margins, Word header and footer, the web page) says so, and
    a paper prepared for one of its meetings is titled so."""
    import dataclasses

    from plans.models import ILLUSTRATIVE_MARK
    from reporting.services import prepared_defaults
    from tests import factories
    from tests.support.papers import sample_paper

    base = sample_paper()
    made_up = dataclasses.replace(base, plan_title=f"A plan {ILLUSTRATIVE_MARK}")
    assert lay_out(made_up).classification == "OFFICIAL · ILLUSTRATIVE DATA"
    assert lay_out(base).classification == "OFFICIAL"
    plan = factories.PlanFactory(title=f"Demo plan {ILLUSTRATIVE_MARK}")
    meeting = factories.MeetingFactory(plan=plan, date=datetime.date(2015, 6, 30))
    today = datetime.date(2015, 7, 1)
    assert prepared_defaults(meeting, Kind.BOARD, today)["title"] == (
        f"{Kind.TITLES[Kind.BOARD]} {ILLUSTRATIVE_MARK}"
    )
    real = factories.MeetingFactory(date=datetime.date(2015, 6, 30))
    assert prepared_defaults(real, Kind.BOARD, today)["title"] == Kind.TITLES[Kind.BOARD]


def test_recommendations_ask_only_what_the_paper_asks():
    """Never "make the decisions asked of it" with none asked, nor "note the
    exceptions" above "There are no exceptions"; each decision asked named on
    the front sheet."""
    import dataclasses

    from reporting.blocks import Items
    from reporting.layout import recommendations
    from tests.support.papers import sample_paper

    base = sample_paper()

    def front(kind, recs, asks=()):
        paper = dataclasses.replace(base, kind=kind)
        return dataclasses.replace(
            paper, front=dataclasses.replace(base.front, recommendations=recs, asks=list(asks))
        )

    board = front(Kind.BOARD, [Kind.OLD_BOARD_RECOMMENDATION])
    assert recommendations(board) == [Kind.RECOMMENDATIONS[Kind.BOARD]]
    assert "decision" not in " ".join(recommendations(board))
    asking = front(Kind.BOARD, [Kind.RECOMMENDATIONS[Kind.BOARD]], ["Agree the new timetable"])
    assert recommendations(asking)[-1] == "Decision asked: Agree the new timetable"
    blocks = lay_out(asking).blocks
    listed = next(b for b in blocks if isinstance(b, Items))
    assert listed.items == recommendations(asking)
    # An assurance summary with no exceptions says so, not "note the exceptions".
    quiet = dataclasses.replace(
        front(Kind.ASSURANCE, [Kind.RECOMMENDATIONS[Kind.ASSURANCE]]),
        areas=[dataclasses.replace(a, rag="green", movement="", overdue=[]) for a in base.areas],
        overdue=[],
    )
    assert not quiet.exceptions
    assert recommendations(quiet) == [Kind.NO_EXCEPTIONS]
    text = " ".join(getattr(b, "text", "") for b in lay_out(quiet).blocks)
    assert "There are no exceptions." in text
    noisy = front(Kind.ASSURANCE, [Kind.RECOMMENDATIONS[Kind.ASSURANCE]])
    assert noisy.exceptions and recommendations(noisy) == [Kind.RECOMMENDATIONS[Kind.ASSURANCE]]
