"""Each page makes a fixed number of queries whatever the size of the plan.

Every page is measured with the plan at 1× and at 20× its data (areas,
actions, milestones, updates and history); the count must be the same at both
sizes and within the page's budget.
"""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from plans.models import ProgressUpdate
from plans.saving import save_with_history
from tests import factories

pytestmark = pytest.mark.django_db

# Every signed-in page pays 7: the session and the user (2), the user's and
# their groups' permissions (2), and the session's renewal on each request
# (savepoint, update, release: 3). The rest is the page's own, named here.
CHANGE_LISTS = {"plan_changes", "area_history"}
OVERHEAD = 7
BUDGETS = {
    # areas, actions, overdue, due soon, drafts, submitted; the next return: its
    # meetings and the updates that count towards it
    "my_work": OVERHEAD + 8,
    "plan": OVERHEAD + 3,  # plan, areas with status, count awaiting sign-off
    # area, actions, partners, milestones, updates, current, perms; success measures
    # (measures/pages.py): settings, measures with their owners, figures
    "area": OVERHEAD + 10,
    # plan, submitted updates: each with its area and that area's last approved
    # RAG ("Amber → Red"), a subquery in the same query, so still 2
    "sign_off": OVERHEAD + 2,
    # Any page, any filters: plan; the filter form's areas and people; the page's
    # rows across every kind of record (one UNION) and their count; for each kind
    # on the page (up to 10 for administrators) its rows with the rows before;
    # partners; the kinds of record they name (up to 7); which updates may be opened
    # … + success measures and their figures (measures/): up to 12 kinds on the
    # page, and measures among the kinds named (up to 8)
    "plan_changes": OVERHEAD + 27,
    # The same for one area: area; people; rows; count; up to 4 kinds; partners;
    # up to 6 kinds named; which updates may be opened
    # … + measures and figures: up to 6 kinds, up to 7 kinds named
    "area_history": OVERHEAD + 19,
    "action_history": OVERHEAD + 6,  # also partners
    "milestone_history": OVERHEAD + 5,
    # A measure and its figures (measures/views/history.py): the measure; rows;
    # count; 2 kinds; the kinds named (measures, areas, actions, owners, people)
    "measure_history": OVERHEAD + 10,
    "update": OVERHEAD + 1,  # the update with its area, plan and people
}


def grow(world, times: int, start: int = 10) -> None:
    """Add ``times`` areas' worth of data to the world's plan, all led and
    owned by the officer, with changes in history."""
    officer, admin = world.users["officer"], world.users["admin"]
    for i in range(start, start + times):
        area = factories.ImprovementAreaFactory(plan=world.plan, number=i, lead=world.area.lead)
        for j in range(2):
            action = factories.ActionFactory(area=area, reference=f"{i}.{j}", owner=world.area.lead)
            action.partners.add(factories.OrganisationFactory())
            factories.MilestoneFactory(area=area, action=action, due_date=datetime.date.today())
        factories.ProgressUpdateFactory(area=area, approved=True, author=officer, approved_by=admin)
        factories.ProgressUpdateFactory(
            area=area, author=officer, state=ProgressUpdate.State.SUBMITTED
        )
        factories.ProgressUpdateFactory(area=area, author=officer)
        # Changes to the world's own records too, so their history pages grow.
        for obj in (world.area, world.action, world.milestone):
            obj.version += 1
            save_with_history(obj, reason=f"Change {i}", user=admin)
        factories.ProgressUpdateFactory(
            area=world.area, author=officer, approved=True, approved_by=admin
        )
        factories.MilestoneFactory(area=world.area, due_date=datetime.date.today())


def page_urls(world) -> dict[str, str]:
    slug = world.plan.slug
    return {
        "my_work": reverse("plans:my_work"),
        "plan": reverse("plans:plan", args=[slug]),
        "area": reverse("plans:area", args=[slug, world.area.number]),
        "sign_off": reverse("plans:sign_off", args=[slug]),
        "plan_changes": reverse("plans:plan_changes", args=[slug]),
        "area_history": reverse("plans:area_history", args=[slug, world.area.number]),
        "action_history": reverse("plans:action_history", args=[world.action.pk]),
        "milestone_history": reverse("plans:milestone_history", args=[world.milestone.pk]),
        "update": reverse("plans:update", args=[world.approved.pk]),
    }


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


@pytest.mark.parametrize("role", ["officer", "admin"])
def test_query_counts_are_fixed_and_within_budget(world, clients, role):
    client = clients[role]
    urls = page_urls(world)
    if role == "officer":
        del urls["sign_off"]  # administrators only
    grow(world, 1)
    small = {page: count_queries(client, url) for page, url in urls.items()}
    grow(world, 19, start=11)
    large = {page: count_queries(client, url) for page, url in urls.items()}
    # Change lists skip the queries for kinds of record with no change among the
    # newest, so they may make fewer at one size than another: never more than
    # their budget. Every other page makes exactly the same number at both sizes.
    varying = {k for k in large if k in CHANGE_LISTS or k.startswith("dashboard")}
    assert {k: v for k, v in large.items() if k not in varying} == {
        k: v for k, v in small.items() if k not in varying
    }, "query counts grew with the data"
    over = {page: n for page, n in large.items() if n > BUDGETS[page]}
    assert not over, f"over budget: {over} (budgets {BUDGETS})"
