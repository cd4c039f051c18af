"""Finding anything in a plan (plans/search/, plans/views/search.py): each kind
of record by its words, said what it is and where, with a link; only the
plan's own records and approved updates; the same number of queries however
many records match; hostile input never breaks it.

These run on SQLite and on PostgreSQL (``make test``); the words searched for
are found by both (PostgreSQL's English stemming, SQLite's substrings); what
only one of them does is tested under its own name."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from measures.models import Measure
from plans.models import Action, ImprovementArea, Milestone, Plan, ProgressUpdate
from plans.search.form import MAX_LENGTH
from plans.search.query import SHOWN_PER_KIND
from tests import factories
from tests.measures.conftest import make_measure
from tests.support.budgets import BUDGETS
from tests.support.pages import links, main_text

pytestmark = pytest.mark.django_db

on_postgres = pytest.mark.skipif(
    "connection.vendor != 'postgresql'", reason="PostgreSQL's full-text search"
)
on_sqlite = pytest.mark.skipif("connection.vendor != 'sqlite'", reason="SQLite's substring search")


@dataclass
class Found:
    area: ImprovementArea
    action: Action
    milestone: Milestone
    update: ProgressUpdate
    measure: Measure
    elsewhere: ImprovementArea  # in another council's plan


@pytest.fixture
def found(world) -> Found:
    """A record of each kind that mentions supervision, in area 3 of the world's
    plan; updates about it that are not approved; and another council's area."""
    plan, officer = world.plan, world.users["officer"]
    area = factories.ImprovementAreaFactory(
        plan=plan,
        number=3,
        lead=world.area.lead,
        recommendation="Strengthen reflective supervision in every social work team.",
    )
    action = factories.ActionFactory(
        area=area,
        reference="3.1",
        title="Audit supervision records",
        description="Sample the supervision records of each team every quarter.",
    )
    milestone = factories.MilestoneFactory(
        area=area,
        action=action,
        title="Supervision policy agreed",
        note="Agreed by the principal social worker <script>alert(1)</script> and the unions.",
        due_date=datetime.date(2015, 9, 30),
    )
    update = factories.ProgressUpdateFactory(
        area=area,
        approved=True,
        author=officer,
        as_at=datetime.date(2015, 3, 31),
        narrative="Supervision sessions are now monthly in every team.",
        next_steps="Publish the findings of the quarterly audit.",
    )
    # Never found: a draft, one waiting for sign-off, one returned.
    for state, word in (("draft", "drafted"), ("submitted", "submitted"), ("returned", "returned")):
        factories.ProgressUpdateFactory(
            area=area,
            author=officer,
            state=state,
            narrative=f"Supervision notes {word} privately, mentioning kestrels.",
        )
    measure = make_measure(
        area,
        world.area.lead,
        name="Supervision within the local standard",
        definition="Workers whose supervision was on time, as a share of all workers.",
    )
    elsewhere = factories.ImprovementAreaFactory(
        plan=world.other_plan,
        number=3,
        recommendation="Supervision in another council, where ospreys nest.",
    )
    return Found(area, action, milestone, update, measure, elsewhere)


def search(client, plan_slug: str, q: str | None = None):
    url = reverse("plans:search", args=[plan_slug])
    return client.get(url, {} if q is None else {"q": q})


def test_each_kind_is_found_and_said_what_and_where_it_is(clients, world, found):
    response = search(clients["board"], world.plan.slug, "supervision")
    assert response.status_code == 200
    text = main_text(response)
    assert "5 results for ‘supervision’ in this plan" in text
    for heading in (
        "Improvement areas (1)",
        "Actions (1)",
        "Milestones (1)",
        "Approved progress updates (1)",
        "Success measures (1)",
    ):
        assert heading in text
    assert "Improvement area 3" in text
    assert "Action 3.1 in area 3" in text
    assert "Milestone in area 3, action 3.1" in text
    assert "Approved update on area 3, as at 31 March 2015" in text
    assert "Success measure in area 3" in text
    slug = world.plan.slug
    area_page = reverse("plans:area", args=[slug, 3])
    assert {
        area_page,
        f"{area_page}#action-{found.action.pk}",
        f"{area_page}#milestone-{found.milestone.pk}",
        reverse("plans:update", args=[found.update.pk]),
        reverse("measures:measure", args=[found.measure.pk]),
    } <= set(links(response))


def test_the_links_lead_to_the_records(clients, world, found):
    """Each anchor is on the area's page."""
    html = clients["board"].get(reverse("plans:area", args=[world.plan.slug, 3])).content.decode()
    for anchor in (
        f"action-{found.action.pk}",
        f"milestone-{found.milestone.pk}",
    ):
        assert f'id="{anchor}"' in html


def test_every_word_must_appear(clients, world, found):
    # "audit": the action (title) and the update (next steps), not the milestone.
    text = main_text(search(clients["officer"], world.plan.slug, "supervision audit"))
    assert "Actions (1)" in text and "Approved progress updates (1)" in text
    assert "Milestones: none" in text and "Improvement areas: none" in text
    text = main_text(search(clients["officer"], world.plan.slug, "supervision ospreys"))
    assert "There are no results for ‘supervision ospreys’ in this plan" in text


def test_each_field_is_searched(clients, world, found):
    slug, client = world.plan.slug, clients["officer"]
    for q, heading in (
        ("reflective", "Improvement areas (1)"),  # an area's recommendation
        ("sample", "Actions (1)"),  # an action's description
        ("3.1", "Actions (1)"),  # an action's reference
        ("unions", "Milestones (1)"),  # a milestone's note
        ("findings", "Approved progress updates (1)"),  # an update's next steps
        ("share", "Success measures (1)"),  # a measure's definition
    ):
        text = main_text(search(client, slug, q))
        assert heading in text, q
        assert f"1 result for ‘{q}’" in text, q


def test_an_excerpt_marks_the_words_and_escapes_the_text(clients, world, found):
    html = search(clients["officer"], world.plan.slug, "unions").content.decode()
    assert "<mark>unions</mark>" in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert(1)" not in html


def test_drafts_submitted_and_returned_updates_are_never_found(clients, world, found):
    # Not even by their author, nor by the plan administrator who may read some.
    for role in ("officer", "admin"):
        text = main_text(search(clients[role], world.plan.slug, "kestrels"))
        assert "There are no results for ‘kestrels’" in text, role
        text = main_text(search(clients[role], world.plan.slug, "supervision"))
        assert "Approved progress updates (1)" in text, role


def test_another_councils_records_never_appear(clients, world, found):
    text = main_text(search(clients["admin"], world.plan.slug, "ospreys"))
    assert "There are no results" in text
    assert "Improvement areas (1)" in main_text(
        search(clients["admin"], world.plan.slug, "supervision")
    )
    # That council's own member finds it in their plan, and only there.
    text = main_text(search(clients["outsider"], world.other_plan.slug, "supervision"))
    assert "1 result for ‘supervision’" in text and "Improvement area 3" in text
    assert "Audit supervision records" not in text


def test_a_non_member_is_refused_as_on_every_plan_page(clients, world, found):
    # The outsider holds a role in another plan only: this one does not exist for them.
    assert search(clients["outsider"], world.plan.slug, "supervision").status_code == 404
    assert clients["outsider"].get(reverse("plans:plan", args=[world.plan.slug])).status_code == 404
    assert search(clients["admin"], "no-such-plan", "supervision").status_code == 404
    response = search(clients["anonymous"], world.plan.slug, "supervision")
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert clients["admin"].post(reverse("plans:search", args=[world.plan.slug])).status_code == 405


def test_no_search_shows_the_form_alone(clients, world, found):
    for q in (None, "", "   ", "\t\n"):
        response = search(clients["board"], world.plan.slug, q)
        assert response.status_code == 200, repr(q)
        html = response.content.decode()
        assert 'name="q"' in html and "Search this plan" in html
        assert "results" not in main_text(response), repr(q)
        assert "govuk-error-summary" not in html


def test_a_search_too_long_is_refused_and_kept_in_the_box(clients, world, found):
    long = "supervision " * 20  # 240 characters
    response = search(clients["officer"], world.plan.slug, long)
    assert response.status_code == 400
    html = response.content.decode()
    assert "govuk-error-summary" in html
    assert "Search words must be 200 characters or fewer" in html
    assert html.count('href="#id_q"') == 1  # the summary leads to the box
    assert f'value="{long.strip()}"' in html
    assert response.context["groups"] is None  # nothing was searched
    assert main_text(response).strip().startswith("There is a problem")
    assert "<title>Error: " in html
    # 200 characters is searched; 201 is not.
    words = " ".join(["supervision"] * 16)  # 191 characters
    at_most = words + "!" * (MAX_LENGTH - len(words))
    response = search(clients["officer"], world.plan.slug, at_most)
    assert response.status_code == 200 and "5 results" in main_text(response)
    assert search(clients["officer"], world.plan.slug, at_most + "!").status_code == 400


HOSTILE = [
    '"supervision',
    "supervision\"'",
    "' OR 1=1 --",
    "'); DROP TABLE plans_improvementarea; --",
    "supervision' UNION SELECT password FROM auth_user --",
    "& | ! : * ( )",
    "supervision & !kestrels",
    "!(supervision | audit):*",
    "supervision:*",
    "<->",
    "-",
    "--supervision",
    "or",
    "the and of",
    "supervision or",
    '"',
    '""',
    "%",
    "_",
    "\\",
    "%supervision%",
    "supervision\x00",
    "\x00",
    "\x1b[31msupervision",
    "super\u200bvision",
    "supervision\u2028audit",
    "\u202eniatnuom",
    "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 ✓ 🦉",
    "<script>alert('x')</script>",
    "{{ plan.title }}",
    "x" * 10_000,
    "supervision " * 1_000,
]


def test_hostile_and_odd_input_never_breaks_it(clients, world, found):
    client = clients["officer"]
    for q in HOSTILE:
        response = search(client, world.plan.slug, q)
        assert response.status_code in (200, 400), repr(q[:40])
        assert (response.status_code == 400) == (len(q.strip()) > MAX_LENGTH), repr(q[:40])
        html = response.content.decode()
        assert "<script>alert('x')" not in html
        assert "\x00" not in html and "\x1b" not in html
    # The records are all still there (nothing was run as SQL).
    assert ImprovementArea.objects.filter(plan=world.plan).count() == 3
    assert Plan.objects.count() == 2


def test_hostile_input_is_read_as_words(clients, world, found):
    slug, client = world.plan.slug, clients["officer"]
    # Quotes, operators and control characters around a word leave the word.
    for q in (
        '"supervision',
        "supervision:*",
        "supervision\x00",
        "\x1bsupervision",
        "(supervision)",
    ):
        assert "5 results for" in main_text(search(client, slug, q)), repr(q)
    # Nothing but punctuation, or SQL's wildcards, finds nothing (not everything).
    for q in ("& | ! : * ( )", "%", "_", "\\", '""', "--", "'; --"):
        assert "There are no results" in main_text(search(client, slug, q)), repr(q)
    # A wildcard inside a word is a character, not "any character".
    factories.MilestoneFactory(area=found.area, title="Visits within 100 days")
    assert "There are no results" in main_text(search(client, slug, "1_0 days"))
    assert "Milestones (1)" in main_text(search(client, slug, "100 days"))


def test_a_query_string_that_is_not_utf8_is_answered(clients, world, found):
    url = reverse("plans:search", args=[world.plan.slug])
    for raw in ("q=%ff%fe", "q=%ED%A0%80", "q=%00", "q=a&q=b", "q[]=x", "q"):
        response = clients["officer"].get(f"{url}?{raw}")
        assert response.status_code == 200, raw


def test_at_most_so_many_of_a_kind_and_the_rest_counted(clients, world, found):
    for i in range(SHOWN_PER_KIND + 3):
        factories.MilestoneFactory(area=world.area, title=f"Supervision review {i}")
    text = main_text(search(clients["board"], world.plan.slug, "supervision"))
    assert f"Milestones ({SHOWN_PER_KIND + 4})" in text
    assert "And 4 more milestones." in text
    response = search(clients["board"], world.plan.slug, "supervision")
    (milestones,) = [g for g in response.context["groups"] if g.kind.key == "milestones"]
    assert len(milestones.hits) == SHOWN_PER_KIND


def grow_matches(world, area, start: int, times: int) -> None:
    """``times`` more records of each kind that match "supervision"."""
    officer = world.users["officer"]
    for i in range(start, start + times):
        new_area = factories.ImprovementAreaFactory(
            plan=world.plan, number=100 + i, recommendation=f"Supervision {i}."
        )
        action = factories.ActionFactory(area=new_area, reference=f"{i}.1", title="Supervision")
        factories.MilestoneFactory(area=new_area, action=action, title=f"Supervision {i}")
        factories.ProgressUpdateFactory(
            area=new_area, approved=True, author=officer, narrative=f"Supervision {i}."
        )
        factories.ProgressUpdateFactory(area=new_area, author=officer, narrative="Supervision.")
        make_measure(new_area, name=f"Supervision {i}")


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("role", ["officer", "admin", "board"])
def test_the_same_number_of_queries_with_few_and_many_records(clients, world, found, role):
    client = clients[role]
    url = reverse("plans:search", args=[world.plan.slug]) + "?q=supervision"
    few = count_queries(client, url)
    grow_matches(world, found.area, 0, 2 * SHOWN_PER_KIND)
    many = count_queries(client, url)
    text = main_text(client.get(url))
    assert f"Success measures ({2 * SHOWN_PER_KIND + 1})" in text  # they were all found
    assert few == many <= BUDGETS["search"]
    # One query a kind (areas, actions, milestones, updates, measures): the form
    # alone makes none of them.
    assert count_queries(client, url.split("?")[0]) == few - 5


def test_every_plan_page_has_the_search_box(clients, world, found):
    slug = world.plan.slug
    box = f'action="{reverse("plans:search", args=[slug])}"'
    for url in (
        reverse("plans:plan", args=[slug]),
        reverse("plans:area", args=[slug, 3]),
        reverse("plans:plan_changes", args=[slug]),
        reverse("reporting:dashboard", args=[slug]),
        reverse("plans:update", args=[found.update.pk]),
    ):
        html = clients["board"].get(url).content.decode()
        assert box in html, url
        assert (
            '<label class="govuk-label govuk-visually-hidden" for="plan-search">Search this plan'
        ) in html
        assert 'role="search"' in html
    # The search page has its own box, not a second one.
    html = search(clients["board"], slug, "supervision").content.decode()
    assert 'id="plan-search"' not in html and html.count('role="search"') == 1
    # A page of no plan (two plans to choose from) has none.
    factories.join(world.other_plan, {world.users["board"]: "board_member"})
    html = clients["board"].get(reverse("plans:plan_list")).content.decode()
    assert 'id="plan-search"' not in html


@on_postgres
def test_postgresql_finds_words_by_their_stem_and_reads_a_web_search(clients, world, found):
    slug, client = world.plan.slug, clients["officer"]
    # "supervise" and "supervision" share no stem; "teams" and "team" do.
    assert "Improvement areas (1)" in main_text(search(client, slug, "teams"))
    # A phrase, an "or" and a word left out.
    text = main_text(search(client, slug, '"monthly in every team"'))
    assert "1 result" in text and "Approved progress updates (1)" in text
    text = main_text(search(client, slug, "reflective or unions"))
    assert "2 results" in text
    text = main_text(search(client, slug, "supervision -audit"))
    assert "Actions: none" in text and "Milestones (1)" in text


@on_sqlite
def test_sqlite_finds_part_of_a_word_in_any_case(clients, world, found):
    text = main_text(search(clients["officer"], world.plan.slug, "SUPERVIS"))
    assert "5 results for ‘SUPERVIS’" in text
