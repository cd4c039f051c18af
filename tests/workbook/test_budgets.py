"""The workbook pages make a fixed number of queries whatever the plan's size
(the pattern of tests/plans/test_budgets.py: 1× and 20× data, same count,
within budget). The preview page checks the whole workbook against the plan,
so its budget is the plan loaded once, record type by record type."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.support.budgets import OVERHEAD, grow
from tests.support.workbooks import pending_import

pytestmark = pytest.mark.django_db

BUDGETS = {
    "hub": OVERHEAD + 1,  # the plan with the user's role
    "import": OVERHEAD + 1,  # the plan
    "progress_import": OVERHEAD + 1,  # the plan
    # plan; the pending import; the plan again, in Context: areas with status,
    # actions, their partners, milestones, themes, owners, organisations,
    # partners, which areas and actions have updates
    "preview": OVERHEAD + 11,
    "export": OVERHEAD + 10,  # plan; Context's nine (as above)
    "progress": OVERHEAD + 2,  # plan; the areas with status
    "start_plan": OVERHEAD + 1,  # the councils the user may start plans for
    "areas_from_recommendations": OVERHEAD + 2,  # plan; the count of its areas
}


def urls(world) -> dict[str, str]:
    slug = world.plan.slug
    pending = pending_import(world)
    return {
        "hub": reverse("workbook:hub", args=[slug]),
        "import": reverse("workbook:import", args=[slug]),
        "progress_import": reverse("workbook:progress_import", args=[slug]),
        "preview": reverse("workbook:preview", args=[slug, pending.pk]),
        "export": reverse("workbook:export", args=[slug]),
        "progress": reverse("workbook:progress", args=[slug]),
        "start_plan": reverse("plans:start_plan"),
        "areas_from_recommendations": reverse("plans:areas_from_recommendations", args=[slug]),
    }


def counts(client, world) -> dict[str, int]:
    result = {}
    for name, url in urls(world).items():
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200, (name, response.status_code)
        result[name] = len(queries)
    return result


def test_workbook_pages_make_a_fixed_number_of_queries(world, clients):
    client = clients["admin"]
    small = counts(client, world)
    grow(world, 20)
    large = counts(client, world)
    assert small == large, {k: (small[k], large[k]) for k in small if small[k] != large[k]}
    over = {page: n for page, n in large.items() if n > BUDGETS[page]}
    assert not over, f"over budget: {over} (budgets {BUDGETS})"
