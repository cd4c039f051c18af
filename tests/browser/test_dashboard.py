"""A board member opens the dashboard of each plan at 1280×800 and finds the
answer on the first screen: the RAG counts now and at the last board, the
movement with areas named, what is overdue, and the next meeting with its
decisions and paper. The page is short, reads as one column on a phone, and
prints on at most two A4 pages with every status readable in black and white."""

import io
import re

import pypdf
import pytest
from django.utils import timezone

from demo.council import build_demo
from demo.data import BOARD_ASKS
from plans.models import Meeting, Plan
from plans.roles import Role
from plans.saving import save_with_history
from reporting.models import PreparedPaper
from reporting.papers import Kind
from reporting.services import issue_paper, prepare
from tests import factories
from tests.support.seed import seeded

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREEN = {"width": 1280, "height": 800}
PHONE = {"width": 375, "height": 800}
MAX_HEIGHT = 2400
HEIGHT = "document.documentElement.scrollHeight"
WIDTH = "document.documentElement.scrollWidth"
# Where each part of the answer ends on the page, in CSS pixels from the top.
BOTTOM = "(el) => el.getBoundingClientRect().bottom + window.scrollY"


def issue_with_asks(meeting: Meeting, asks: list[str], user) -> None:
    # As at the meeting's day, or today if it is to come (a month-only
    # meeting's paper is given its date, as its preparer would give it).
    as_at = min(meeting.date, timezone.localdate())
    prepared = prepare(meeting, Kind.BOARD, user, as_at=as_at)
    prepared.asks = "\n".join(asks)
    save_with_history(prepared, reason="Decisions asked", user=user)
    issue_paper(PreparedPaper.objects.get(pk=prepared.pk), user=user)


def first_screen(page) -> dict[str, float]:
    """The bottom edge of each part of the answer."""
    main = page.locator("main")
    parts = {
        "counts": main.locator(".app-glance__counts"),
        "worse": main.get_by_text("Worse:", exact=True),
        "overdue": main.get_by_text("Overdue:", exact=True),
        "next meeting": main.locator("#next-meeting"),
        "decisions": main.locator(".app-glance__meeting ol li").last,
        "paper": main.locator(".app-glance__meeting").get_by_role(
            "link", name=re.compile(r"^Paper issued")
        ),
    }
    return {name: locator.evaluate(BOTTOM) for name, locator in parts.items()}


def read_dashboard(new_page, username: str, path: str, password: str = "correct-horse-battery"):
    board = new_page()
    board.page.set_viewport_size(SCREEN)
    board.sign_in(username, password)
    page = board.goto(path)
    edges = first_screen(page)
    late = {name: y for name, y in edges.items() if y > SCREEN["height"]}
    assert not late, f"below the first screen: {late}"
    height = page.evaluate(HEIGHT)
    assert height <= MAX_HEIGHT, height
    # Printed: at most two A4 pages, and every status in black on white.
    page.emulate_media(media="print")
    colours = page.evaluate(
        "() => [...document.querySelectorAll('main .app-rag')].map("
        "t => [getComputedStyle(t).color, getComputedStyle(t).backgroundColor])"
    )
    assert colours and all(c == ["rgb(11, 12, 12)", "rgba(0, 0, 0, 0)"] for c in colours), colours
    pdf = pypdf.PdfReader(io.BytesIO(page.pdf(format="A4")))
    assert len(pdf.pages) <= 2, len(pdf.pages)
    page.emulate_media(media="screen")
    # On a phone: one column, the answer first, nothing scrolling sideways.
    page.set_viewport_size(PHONE)
    board.goto(path)
    assert page.evaluate(WIDTH) <= PHONE["width"]
    position = page.locator("#position").evaluate(BOTTOM)
    assert position < page.locator("#next-meeting").evaluate(BOTTOM)
    return board, height


def test_the_first_screen_answers_on_the_seed_plan(new_page):
    plan = seeded()
    scrutiny = factories.UserFactory(username="issuer")
    factories.join(plan, {scrutiny: Role.SCRUTINY_OFFICER})
    june = Meeting.objects.get(plan=plan, kind=Meeting.Kind.IMPROVEMENT_BOARD, date__month=6)
    issue_with_asks(june, ["Agree the revised timetable for the MASH."], scrutiny)
    board, height = read_dashboard(
        new_page, "board", f"/plans/{plan.slug}/dashboard/?as_at=2015-06-01"
    )
    main = board.page.locator("main")
    assert "Agree the revised timetable for the MASH." in main.inner_text()
    # Every section is one click away, and short.
    for section in (
        "Areas",
        "Milestones and actions",
        "Measures",
        "Charts",
        "Changes since the last board",
    ):
        board.page.set_viewport_size(SCREEN)
        board.page.get_by_role("navigation", name="Dashboard").get_by_role(
            "link", name=section
        ).click()
        board.check()
        assert board.page.get_by_role("heading", level=1).inner_text() == section
        assert "as_at=2015-06-01" in board.page.url


def test_the_first_screen_answers_on_the_demo_plan(new_page):
    build_demo(issue=False)
    plan = Plan.objects.get(title__contains="illustrative")
    scrutiny = plan.memberships.get(role=Role.SCRUTINY_OFFICER).user
    coming = (
        Meeting.objects.filter(plan=plan, date__gt=timezone.localdate()).order_by("date").first()
    )
    issue_with_asks(coming, BOARD_ASKS, scrutiny)
    board, _ = read_dashboard(
        new_page, "demo-board", f"/plans/{plan.slug}/dashboard/", password="demo-board-pass"
    )
    text = board.page.locator("main").inner_text()
    assert "Illustrative data" in board.page.inner_text("body")
    assert all(ask in text for ask in BOARD_ASKS)
