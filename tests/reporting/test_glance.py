"""The dashboard's first screen answers "how are we doing, what got worse,
what must we decide", its sections are one click away, and "what changed"
reads as a board reads it: status changes first, no set-up, nothing the
system did."""

import datetime
import re

import pytest
import time_machine
from django.urls import reverse

from plans.models import Meeting, Milestone, Owner, ProgressUpdate
from plans.saving import save_with_history
from reporting.models import PreparedPaper
from reporting.papers import Kind
from reporting.services import issue_paper, prepare
from tests import factories
from tests.conftest import client_for
from tests.support.clock import london, test_day
from tests.support.pages import main_text

pytestmark = pytest.mark.django_db

# Days after the test's own day (tests/support/clock.py), so that the story
# holds whatever day the suite runs on (TEST_TODAY).
START = test_day().date()


def day(n: int) -> datetime.date:
    return START + datetime.timedelta(days=n)


def at(n: int, time: str = "09:00") -> datetime.datetime:
    return london(f"{day(n).isoformat()} {time}")


def written(d: datetime.date) -> str:
    return f"{d.day} {d:%B %Y}"


BOARD_DAY = day(2)
NEXT_BOARD = day(22)
SECTIONS = ("areas", "milestones", "measures", "charts", "changes")


def approve(area, user, admin, rag, *, as_at, reason=""):
    update = ProgressUpdate(
        area=area, as_at=as_at, rag=rag, narrative=f"Now {rag}.", rag_reason=reason, author=user
    )
    save_with_history(update, reason="Draft", user=user)
    update.state, update.approved_by = ProgressUpdate.State.APPROVED, admin
    update.approved_at = update.submitted_at = datetime.datetime.now(datetime.UTC)
    save_with_history(update, reason="Approved", user=admin)
    return update


@pytest.fixture
def after_a_board(world):
    """A board two days after the test's day; since then area 1 went red (with its reason),
    area 2 was rated for the first time, a milestone fell overdue and an
    action's partners changed; the next board, three weeks later, has a paper
    being prepared."""
    officer, admin = world.users["officer"], world.users["admin"]
    with time_machine.travel(at(1), tick=False):
        save_with_history(
            Meeting(plan=world.plan, kind="improvement_board", date=BOARD_DAY, title="Board"),
            reason="Planned",
            user=admin,
        )
        save_with_history(
            Meeting(
                plan=world.plan,
                kind="improvement_board",
                date=NEXT_BOARD,
                title="Board",
            ),
            reason="Planned",
            user=admin,
        )
    with time_machine.travel(at(3), tick=False):
        approve(world.area, officer, admin, "red", as_at=BOARD_DAY, reason="Caseloads rose")
        save_with_history(
            Milestone(area=world.other_area, title="Audit done", due_date=day(4)),
            reason="Added",
            user=admin,
        )
        action = world.action
        partner = factories.OrganisationFactory(council=world.plan.organisation, name="NHS Devon")
        action.partners.add(partner)
        save_with_history(action, reason="Partner joined", user=admin)
        owner = Owner(job_title="Head of Quality", organisation=world.plan.organisation)
        save_with_history(owner, reason="New role", user=admin)
        # What the loader does (nobody signed in) is the starting state, not a change.
        world.other_area.recommendation = "Changed by the system"
        save_with_history(world.other_area, reason="Loaded", user=None)
        next_board = Meeting.objects.get(plan=world.plan, date=NEXT_BOARD)
        prepared = prepare(next_board, Kind.BOARD, admin)
        prepared.asks = "Agree the workload cap for social workers"
        save_with_history(prepared, reason="Asks", user=admin)
    with time_machine.travel(at(5), tick=False):
        approve(world.other_area, officer, admin, "amber", as_at=day(4))
    return world


def read(world, role, url, **params):
    """The page as ``role`` reads it a week after the test's day (signed in then)."""
    with time_machine.travel(at(7, "10:00"), tick=False):
        response = client_for(world.users[role]).get(url, params)
    assert response.status_code == 200, url
    return response


def test_the_first_screen_answers(after_a_board, clients):
    world = after_a_board
    url = reverse("reporting:dashboard", args=[world.plan.slug])
    response = read(world, "board", url)
    text = main_text(response)
    # Each count today lists its areas on the plan overview, filtered.
    html = response.content.decode()
    assert f'href="/plans/{world.plan.slug}/?rag=red">1<' in html
    assert f'href="/plans/{world.plan.slug}/?rag=none">0<' in html
    # The position, now and at the board: one red now, one green then.
    counts = re.sub(r" areas [^:]+: list them", "", text)
    assert "Now 0 0 1 1 0" in counts, counts
    assert re.search(r"At the last board 0 1 0 0 1", text), text
    assert f"compared with the Board, {written(BOARD_DAY)}" in text
    # Movement in words, the area named.
    assert "Worse: 1 Ensure reasonable workloads. (Green – on track → Red – off track)" in text
    assert "Improved: none." in text
    assert "Rated for the first time: 1 area." in text
    assert "New reds: area 1 ." in text
    # The milestone due after the board is newly overdue; June 2015's is not.
    assert "Overdue: 2 milestones and 1 action overdue , 1 of them newly since the board" in text
    # The next meeting: a board member does not read a paper being prepared.
    assert f"Board, {written(NEXT_BOARD)}" in text
    assert "No paper has been issued for it yet." in text
    assert "workload cap" not in text
    # Those who prepare it do, marked as not yet issued.
    scrutiny = main_text(read(world, "scrutiny", url))
    assert "Paper being prepared (not yet issued)" in scrutiny
    assert "Asked to decide Agree the workload cap for social workers" in scrutiny


def test_the_next_meetings_issued_paper_gives_its_decisions_to_every_member(after_a_board, clients):
    world = after_a_board
    prepared = PreparedPaper.objects.get(meeting__plan=world.plan, meeting__date=NEXT_BOARD)
    with time_machine.travel(at(6), tick=False):
        issued = issue_paper(prepared, user=world.users["scrutiny"])
    response = read(world, "board", reverse("reporting:dashboard", args=[world.plan.slug]))
    text = main_text(response)
    html = response.content
    assert f"Paper issued {written(day(6))} (version 1)" in text
    assert "Asked to decide Agree the workload cap for social workers" in text
    assert f'href="{reverse("reporting:issued", args=[issued.pk])}"' in html.decode()


def test_each_section_is_a_page_for_members_only(after_a_board, clients):
    world = after_a_board
    slug = world.plan.slug
    for section in SECTIONS:
        url = reverse("reporting:dashboard_section", args=[slug, section])
        for role in ("board", "officer", "scrutiny", "admin"):
            assert read(world, role, url).status_code == 200
        # Another council's officer: no such plan.
        assert clients["outsider"].get(url).status_code == 404
    assert clients["board"].get(f"/plans/{slug}/dashboard/no-such-part/").status_code == 404
    # The date read is kept between sections.
    html = read(
        world, "board", reverse("reporting:dashboard", args=[slug]), as_at=day(6).isoformat()
    ).content.decode()
    assert f'href="/plans/{slug}/dashboard/changes/?as_at={day(6).isoformat()}"' in html


def test_what_changed_reads_as_a_board_reads_it(after_a_board, clients):
    world = after_a_board
    url = reverse("reporting:dashboard_section", args=[world.plan.slug, "changes"])
    text = main_text(read(world, "board", url))
    # Area 1, newly red, comes before area 2, and says why.
    first, second = text.index("Area 1: Ensure"), text.index("Area 2:")
    assert first < second
    assert "New red" in text[first:second]
    assert "Worse: Green – on track → Red – off track. Reason given: Caseloads rose" in text
    assert "Milestone newly overdue: Audit done" in text[second:]
    # The other changes: people's, without set-up or the system's.
    others = text.split("Other changes")[1]
    assert "Approved: Update on area 1" in others
    for set_up in ("Partners", "NHS Devon", "Meeting:", "Owner:", "Head of Quality"):
        assert set_up not in others, set_up
    assert "The system" not in others and "Changed by the system" not in others


def test_measures_without_a_figure_are_not_counted_as_on_target(world, clients):
    """Measures with no figure yet have no RAG: the first screen says so
    rather than letting "0 off target" read as good news."""
    from tests.measures.conftest import make_measure

    make_measure(world.area, world.area.lead)
    text = main_text(clients["board"].get(reverse("reporting:dashboard", args=[world.plan.slug])))
    assert "0 of 1 off target (1 with no figure or no target yet)" in text
