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

from plans.saving import save_with_history
from tests import factories
from tests.support.budgets import BUDGETS, CHANGE_LISTS, grow

pytestmark = pytest.mark.django_db


def page_urls(world) -> dict[str, str]:
    slug = world.plan.slug
    lead, theme = world.area.lead_id, world.area.theme_id
    return {
        "my_work": reverse("plans:my_work"),
        "plan": reverse("plans:plan", args=[slug]),
        # Every filter, and sorted by status (plans/overview.py).
        "plan_filtered": reverse("plans:plan", args=[slug])
        + f"?rag=green&rag=none&theme={theme}&lead={lead}&overdue=yes&sort=rag&dir=desc",
        "area": reverse("plans:area", args=[slug, world.area.number]),
        "sign_off": reverse("plans:sign_off", args=[slug]),
        "plan_changes": reverse("plans:plan_changes", args=[slug]),
        "area_history": reverse("plans:area_history", args=[slug, world.area.number]),
        "action_history": reverse("plans:action_history", args=[world.action.pk]),
        "milestone_history": reverse("plans:milestone_history", args=[world.milestone.pk]),
        "update": reverse("plans:update", args=[world.approved.pk]),
    }


def overdue_everywhere(world) -> None:
    """An overdue milestone in every area, so that the overview filtered to
    areas with one lists them all."""
    for area in world.plan.areas.exclude(milestones__due_date__lt=datetime.date(2016, 1, 1)):
        factories.MilestoneFactory(area=area, due_date=datetime.date(2015, 6, 30))


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


@pytest.mark.parametrize("role", ["officer", "admin"])
def test_query_counts_are_fixed_and_within_budget(world, clients, role):
    client = clients[role]
    # A theme for the overview's filter, which the grown areas share.
    world.area.theme = factories.ThemeFactory(plan=world.plan)
    save_with_history(world.area, reason="Given a theme", user=world.users["admin"])
    urls = page_urls(world)
    if role == "officer":
        del urls["sign_off"]  # administrators only
    grow(world, 1, theme=world.area.theme)
    overdue_everywhere(world)
    small = {page: count_queries(client, url) for page, url in urls.items()}
    grow(world, 19, start=11, theme=world.area.theme)
    overdue_everywhere(world)
    large = {page: count_queries(client, url) for page, url in urls.items()}
    # The filtered overview's list grew with the data: the world's area and the 20 grown.
    filtered = client.get(urls["plan_filtered"]).content.decode()
    assert filtered.count('data-label="No."') == 21
    # Change lists skip the queries for kinds of record with no change among the
    # newest, so they may make fewer at one size than another: never more than
    # their budget. Every other page makes exactly the same number at both sizes.
    varying = {k for k in large if k in CHANGE_LISTS or k.startswith("dashboard")}
    assert {k: v for k, v in large.items() if k not in varying} == {
        k: v for k, v in small.items() if k not in varying
    }, "query counts grew with the data"
    over = {page: n for page, n in large.items() if n > BUDGETS[page]}
    assert not over, f"over budget: {over} (budgets {BUDGETS})"
