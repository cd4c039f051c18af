"""Actions overdue as at a date, from recorded history: the plan state
(reporting.build.PlanState and each AreaLine) and the papers' exceptions, in
every format that lists milestones (HTML, Word, PDF)."""

from __future__ import annotations

import datetime
import io
import re
from dataclasses import dataclass

import lxml.html
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from docx import Document
from pypdf import PdfReader

from core.rag import RAG
from plans.models import Action, ImprovementArea, Milestone, Owner, Plan, ProgressUpdate
from plans.saving import save_with_history
from reporting.build import build_paper, plan_state
from reporting.formats import render_file
from reporting.formats.html import render_body
from reporting.formats.word import to_docx
from reporting.layout_actions import ACTIONS_NOTE
from reporting.papers import ActionLine, Kind
from tests import factories

pytestmark = pytest.mark.django_db

D = datetime.date
MARCH = D(2016, 3, 31)


def noon(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))


@dataclass
class LatePlan:
    plan: Plan
    owners: dict[str, Owner]
    actions: dict[str, Action]


def _save(obj, day: datetime.date, reason: str = "Set up") -> None:
    save_with_history(obj, reason=reason, when=noon(day))


@pytest.fixture
def late(db) -> LatePlan:
    """A plan whose actions fall on each side of the rule as at 31 March 2016:

    - area 1, green: 1.1 due 29 February, in progress (31 days late; completed
      on 15 April), owned by the ICT Programme Manager; 1.2 due 31 March (due
      on the day: not yet overdue), with no owner;
    - area 2, amber: 2.1 due 31 January, not started (60 days late), with an
      overdue milestone beside it; 2.2 cancelled, due in January; 2.3 with no
      due date.
    """
    plan = factories.PlanFactory(slug="late-actions", title="Late Actions Plan")
    owners = {
        key: factories.OwnerFactory(job_title=title, organisation=plan.organisation)
        for key, title in {
            "1": "Head of Business Systems",
            "ict": "ICT Programme Manager",
            "2": "Adoption Service Manager",
        }.items()
    }
    start = D(2016, 1, 1)
    areas = {}
    for n, recommendation in {
        1: "Improve the case recording system.",
        2: "Speed up adoption decisions.",
    }.items():
        areas[n] = ImprovementArea(
            plan=plan, number=n, recommendation=recommendation, lead=owners[str(n)]
        )
        _save(areas[n], start)
    actions = {}
    for ref, title, area, owner, due, status in [
        ("1.1", "Replace the recording system", 1, "ict", D(2016, 2, 29), "in_progress"),
        ("1.2", "Train staff on the new system", 1, None, D(2016, 3, 31), "not_started"),
        ("2.1", "Set up the permanence panel", 2, "2", D(2016, 1, 31), "not_started"),
        ("2.2", "Commission an adoption agency", 2, "2", D(2016, 1, 15), "cancelled"),
        ("2.3", "Review adoption procedures", 2, "2", None, "not_started"),
    ]:
        actions[ref] = Action(
            area=areas[area],
            reference=ref,
            title=title,
            owner=owners[owner] if owner else None,
            due_date=due,
            status=status,
        )
        _save(actions[ref], start)
    _save(
        Milestone(area=areas[2], title="Panel terms agreed", due_date=D(2016, 2, 15)),
        start,
    )
    factories.MeetingFactory(plan=plan, date=D(2016, 2, 1), title="Improvement Board")
    for area, rag in ((areas[1], RAG.GREEN), (areas[2], RAG.AMBER)):
        _save(
            ProgressUpdate(
                area=area,
                as_at=D(2016, 1, 15),
                rag=rag,
                narrative="Progress.",
                state=ProgressUpdate.State.APPROVED,
                submitted_at=noon(D(2016, 1, 15)),
                approved_at=noon(D(2016, 1, 15)),
            ),
            D(2016, 1, 15),
            "Approved",
        )
    # Completed in April: overdue in March, not now.
    actions["1.1"].status = Action.Status.COMPLETE
    actions["1.1"].version += 1
    _save(actions["1.1"], D(2016, 4, 15), "Completed")
    return LatePlan(plan, owners, actions)


def test_the_plan_state_lists_overdue_actions_most_overdue_first(late):
    state = plan_state(late.plan, MARCH)
    assert state.overdue_actions == [
        ActionLine(
            area_number=2,
            reference="2.1",
            title="Set up the permanence panel",
            due="31 January 2016",
            status="Not started",
            owner=str(late.owners["2"]),
            late="8 weeks",
            late_days=60,
        ),
        ActionLine(
            area_number=1,
            reference="1.1",
            title="Replace the recording system",
            due="29 February 2016",
            status="In progress",  # as it stood then: completed in April
            owner=str(late.owners["ict"]),
            late="4 weeks",
            late_days=31,
        ),
    ]
    one, two = state.areas
    assert one.overdue_actions == [state.overdue_actions[1]]
    assert two.overdue_actions == [state.overdue_actions[0]]
    assert [m.title for m in two.overdue] == ["Panel terms agreed"]
    # Area 1 is green with an action overdue and no milestone: the papers'
    # contradiction; the dashboard's (milestones only) is not.
    assert one.contradiction_with_actions and not one.contradiction
    assert not two.contradiction_with_actions  # amber
    assert one.overdue_words == "1 overdue action"
    assert two.overdue_words == "1 overdue milestone and 1 overdue action"


@pytest.mark.parametrize(
    ("as_at", "overdue"),
    [
        (D(2016, 1, 31), []),  # 2.1 is due that day
        (D(2016, 2, 1), ["2.1"]),
        (MARCH, ["2.1", "1.1"]),  # 1.2 is due that day
        (D(2016, 4, 1), ["2.1", "1.1", "1.2"]),
        (D(2016, 4, 15), ["2.1", "1.2"]),  # 1.1 completed that day
        (None, ["2.1", "1.2"]),  # today
    ],
)
def test_overdue_as_at_any_date_is_what_history_said_then(late, as_at, overdue):
    as_at = as_at or timezone.localdate()
    state = plan_state(late.plan, as_at)
    assert [x.reference for x in state.overdue_actions] == overdue
    assert [x.reference for a in state.areas for x in a.overdue_actions] == sorted(overdue)
    if as_at == timezone.localdate():
        # As at today, history agrees with today's records (action_overdue_in_query).
        today = Action.objects.filter(area__plan=late.plan).overdue(as_at)
        assert sorted(today.values_list("reference", flat=True)) == sorted(overdue)


def test_a_later_change_does_not_change_the_past(late):
    before = plan_state(late.plan, MARCH).overdue_actions
    action = late.actions["2.1"]
    today = timezone.localdate()
    action.due_date = today + datetime.timedelta(days=30)
    action.status = Action.Status.IN_PROGRESS
    action.version += 1
    save_with_history(action, reason="Re-planned")
    assert plan_state(late.plan, MARCH).overdue_actions == before
    assert "2.1" not in [x.reference for x in plan_state(late.plan, today).overdue_actions]


def test_the_plan_state_reads_actions_in_a_fixed_number_of_queries(late):
    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            plan_state(late.plan, timezone.localdate())
        return len(ctx.captured_queries)

    small = queries()
    owner = late.owners["2"]
    for n in range(3, 13):
        area = ImprovementArea(plan=late.plan, number=n, recommendation=f"Area {n}.", lead=owner)
        save_with_history(area, reason="Added")
        for i in range(3):
            save_with_history(
                Action(area=area, reference=f"{n}.{i}", title="Late", owner=owner, due_date=MARCH),
                reason="Added",
            )
    state = plan_state(late.plan, timezone.localdate())
    assert len(state.overdue_actions) == 2 + 30
    assert queries() == small


# --- The papers, in every format --------------------------------------------------------


def norm(value: str) -> str:
    return re.sub(r"(\w)- (\w)", r"\1-\2", " ".join(value.split()))


def html_text(html: str) -> str:
    return norm(lxml.html.fragment_fromstring(html, create_parent="div").text_content())


def html_table(html: str, caption: str) -> list[list[str]]:
    root = lxml.html.fragment_fromstring(html, create_parent="div")
    tables = [
        t for t in root.iter("table") if norm(t.xpath("./caption")[0].text_content()) == caption
    ]
    assert tables, caption
    return [[norm(c.text_content()) for c in tr.xpath("./th|./td")] for tr in tables[0].iter("tr")]


def docx_of(data: bytes):
    return Document(io.BytesIO(data))


def docx_table(doc, headers: list[str]) -> list[list[str]]:
    rows = [[[c.text for c in r.cells] for r in t.rows] for t in doc.tables]
    found = [t for t in rows if t[0] == headers]
    assert found, headers
    return found[0]


def docx_text(doc) -> str:
    parts = []
    for block in doc.iter_inner_content():
        if hasattr(block, "rows"):
            parts += [c.text for r in block.rows for c in r.cells]
        else:
            parts.append(block.text)
    return norm("\n".join(parts))


def pdf_text(data: bytes) -> str:
    return norm(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages))


def assert_in_order(value: str, pieces: list[str]) -> None:
    at = 0
    for piece in pieces:
        found = value.find(piece, at)
        assert found >= 0, f"{piece!r} missing (or out of order) after offset {at}"
        at = found + len(piece)


def test_the_board_report_lists_overdue_actions_next_to_the_milestones(late):
    paper = build_paper(Kind.BOARD, late.plan, MARCH)
    ict, adoption = str(late.owners["ict"]), str(late.owners["2"])
    rows = [
        ["Area", "Action", "Owner", "Due", "Status", "Late by"],
        ["2", "2.1 Set up the permanence panel", adoption, "31 January 2016", "Not started",
         "8 weeks"],
        ["1", "1.1 Replace the recording system", ict, "29 February 2016", "In progress",
         "4 weeks"],
    ]  # fmt: skip
    contradiction = (
        "Area 1 is rated Green – on track but has 1 overdue action: action 1.1 Replace "
        "the recording system (due 29 February 2016)."
    )
    in_order = [
        "Milestones overdue or re-forecast since the previous board",
        "Panel terms agreed",
        "Actions overdue",
        "2.1 Set up the permanence panel",
        "1.1 Replace the recording system",
        ACTIONS_NOTE,
        "Areas on track with work overdue",
        contradiction,
        "Progress in each area",
        "Area 1: Improve the case recording system.",
        "Actions overdue",
        "1.1 Replace the recording system",
        "Area 2: Speed up adoption decisions.",
        "Milestones overdue",
        "Panel terms agreed",
        "Actions overdue",
        "2.1 Set up the permanence panel",
    ]

    html = render_body(paper)
    assert html_table(html, "Actions overdue")[: len(rows)] == rows
    assert_in_order(html_text(html), in_order)

    doc = docx_of(to_docx(paper))
    assert docx_table(doc, rows[0]) == rows
    # Each area's own list, without the area column.
    assert docx_table(doc, rows[0][1:]) == [r[1:] for r in rows[::2]]
    assert_in_order(docx_text(doc), in_order)
    bullets = [p.text for p in doc.paragraphs if p.style.name == "List Bullet"]
    assert bullets == [contradiction]

    assert_in_order(pdf_text(render_file(paper, "pdf")), in_order)


def test_the_assurance_summary_lists_overdue_actions_as_exceptions(late):
    paper = build_paper(Kind.ASSURANCE, late.plan, MARCH)
    headers = ["No.", "Exception", "Lead", "Latest update", "Reason"]
    expected = [
        ["1", "Rated Green – on track with 1 overdue action", str(late.owners["1"])],
        ["2", "Milestone overdue by 6 weeks: Panel terms agreed (due 15 February 2016)"],
        [
            "2",
            "Action overdue by 8 weeks: 2.1 Set up the permanence panel "
            "(due 31 January 2016, not started)",
            str(late.owners["2"]),
        ],
        [
            "1",
            "Action overdue by 4 weeks: 1.1 Replace the recording system "
            "(due 29 February 2016, in progress)",
            str(late.owners["ict"]),  # the action's owner, not the area's lead
        ],
    ]

    def check(rows: list[list[str]]) -> None:
        assert rows[0] == headers
        assert [r[: len(e)] for r, e in zip(rows[1:], expected, strict=True)] == expected
        assert all(r[4] == "–" for r in rows[1:])

    html = render_body(paper)
    check(html_table(html, "Exceptions, with their reasons"))
    assert "every overdue action" in html_text(html) and ACTIONS_NOTE in html_text(html)
    doc = docx_of(to_docx(paper))
    check(docx_table(doc, headers))
    assert ACTIONS_NOTE in docx_text(doc)
    pdf = pdf_text(render_file(paper, "pdf"))
    assert_in_order(pdf, ["Exceptions", ACTIONS_NOTE, *(e[1] for e in expected)])


def test_a_paper_with_no_overdue_action_says_so(late):
    paper = build_paper(Kind.BOARD, late.plan, D(2016, 1, 31))
    text = html_text(render_body(paper))
    assert "Actions overdue No action is overdue." in text
    assert ACTIONS_NOTE not in text
    assert "No area rated green or blue has an overdue milestone or action." in text
    assessed = build_paper(Kind.ASSURANCE, late.plan, D(2016, 1, 31))
    assert ACTIONS_NOTE not in html_text(render_body(assessed))
