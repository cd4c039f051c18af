"""Measures' pages, and the pages that show measures, make a fixed number of
queries whatever the number of measures and figures (1× and 20×)."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from measures import periods

from .conftest import add_value, make_measure

pytestmark = pytest.mark.django_db

OVERHEAD = 7  # session, user, permissions ×2, session renewal ×3 (tests/plans/test_budgets.py)
# Measured; each is the page's own queries plus the measures' named ones.
BUDGETS = {
    # the area page's own + settings, measures with owners, figures
    "area": OVERHEAD + 8,
    # my work's own + measures owned, their plans' settings, figures recorded
    "my_work": OVERHEAD + 10,
    # the dashboard's own (tests/reporting) + settings, measures, figures, owners (history)
    "dashboard": OVERHEAD + 30,
    # plan with role; measures the user enters; the month's figures (no session renewal)
    "figures": OVERHEAD + 1,
    # measure with area, plan and role; the period's figure; its history; the
    # card's settings, measures and figures
    "figure": OVERHEAD + 4,
    "upload": OVERHEAD - 1,  # plan with role
    # a measure's page (no permission tables: the role comes with the measure):
    # measure with area, plan and role; plan first recorded; settings; figures;
    # the figures' history (tests/measures/test_measure_page.py grows its figures)
    "measure": OVERHEAD + 3,
    # plan; first recorded; snapshot (5: areas, actions, milestones, updates ×2);
    # themes; settings, measures, figures, owners
    "scorecard": OVERHEAD + 10,
}


def grow(world, times: int, start: int) -> None:
    """``times`` more measures in the officer's area, each with 18 months of
    figures, the latest corrected once."""
    last = periods.last_ended(timezone.localdate(), "monthly")
    for i in range(start, start + times):
        measure = make_measure(world.area, world.area.lead, name=f"Measure {i}")
        for n in range(18):
            value = add_value(measure, periods.shift(last, "monthly", -n), 50 + n)
        value.value += 1
        value.version += 1
        value.save()


def urls(world, measure_pk) -> dict[str, str]:
    slug = world.plan.slug
    today = timezone.localdate().isoformat()
    return {
        "area": reverse("plans:area", args=[slug, world.area.number]),
        "my_work": reverse("plans:my_work"),
        "dashboard": reverse("reporting:dashboard", args=[slug]) + f"?as_at={today}",
        "figures": reverse("measures:figures", args=[slug]),
        "figure": reverse("measures:figure", args=[measure_pk]),
        "upload": reverse("measures:upload", args=[slug]),
        "measure": reverse("measures:measure", args=[measure_pk]),
        "scorecard": reverse("measures:scorecard_download", args=[slug, "csv"]),
    }


def count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


@pytest.mark.parametrize("role", ["officer", "admin"])
def test_measure_pages_make_a_fixed_number_of_queries(world, clients, role):
    factories_meeting = datetime.date.today() - datetime.timedelta(days=1)
    from tests import factories

    factories.MeetingFactory(plan=world.plan, date=factories_meeting)
    client = clients[role]
    grow(world, 1, 0)
    first = world.area.measures.first()
    small = {name: count(client, url) for name, url in urls(world, first.pk).items()}
    grow(world, 19, 1)
    large = {name: count(client, url) for name, url in urls(world, first.pk).items()}
    # The dashboard's change list varies with what changed (tests/reporting).
    varying = {"dashboard"}
    assert {k: v for k, v in large.items() if k not in varying} == {
        k: v for k, v in small.items() if k not in varying
    }, "query counts grew with the data"
    over = {name: n for name, n in large.items() if n > BUDGETS[name]}
    assert not over, f"over budget: {over} (budgets {BUDGETS}, small {small})"
