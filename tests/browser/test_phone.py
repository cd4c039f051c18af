"""The plan overview and the dashboard on a 375-pixel-wide phone: the page
never scrolls sideways (wide tables stack, or scroll in their own box), and
axe-core still finds nothing."""

import pytest

from plans.roles import Role
from tests import factories
from tests.support.seed import seeded

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 800}
WIDTH = "document.documentElement.scrollWidth"
# How the first cell of the first stacked table is laid out, and its label.
STACKED = """() => {
  const cell = document.querySelector('.app-table--stack tbody td[data-label]');
  return [getComputedStyle(cell).display, getComputedStyle(cell, '::before').content];
}"""


@pytest.mark.parametrize("role", ["board", "admin"])
def test_overview_and_dashboard_fit_a_phone(new_page, role):
    plan = seeded()
    if role == "admin":
        factories.join(plan, {factories.UserFactory(username="admin"): Role.PLAN_ADMINISTRATOR})
    user = new_page()
    user.page.set_viewport_size(PHONE)
    user.sign_in(role)
    for path in (
        f"/plans/{plan.slug}/",
        f"/plans/{plan.slug}/dashboard/areas/",
        f"/plans/{plan.slug}/dashboard/milestones/?as_at=2015-06-30",
        f"/plans/{plan.slug}/dashboard/measures/",
        f"/plans/{plan.slug}/dashboard/changes/",
        f"/plans/{plan.slug}/dashboard/",
        f"/plans/{plan.slug}/dashboard/charts/?as_at=2015-06-30",
    ):
        page = user.goto(path)
        assert page.evaluate(WIDTH) <= PHONE["width"], (path, page.evaluate(WIDTH))
        if page.locator(".app-table--stack").count():
            display, label = page.evaluate(STACKED)
            # (The first screen's counts sit side by side, two short lines.)
            assert display in ("block", "inline-block"), (path, display)
            assert label.startswith('"'), (path, label)
    # The charts' tables of numbers scroll in their own labelled, focusable box.
    box = page.get_by_role("region", name="Areas by RAG status at each month end: the numbers")
    assert box.get_attribute("tabindex") == "0"


def test_tables_are_tables_on_a_wide_screen(new_page):
    plan = seeded()
    board = new_page()
    board.sign_in("board")
    page = board.goto(f"/plans/{plan.slug}/")
    display, _ = page.evaluate(STACKED)
    assert display == "table-cell"


def test_recent_changes_filtered_paged_and_refused_on_a_phone(new_page):
    plan = seeded()
    board = new_page()
    board.page.set_viewport_size(PHONE)
    board.sign_in("board")
    page = board.goto(f"/plans/{plan.slug}/changes/?page=2")
    assert page.get_by_role("navigation", name="Pages of changes").is_visible()
    assert page.evaluate(WIDTH) <= PHONE["width"]
    page = board.goto(f"/plans/{plan.slug}/changes/?kind=milestone")
    assert page.evaluate(WIDTH) <= PHONE["width"]
    # A bad filter: the error summary, the filters open, still nothing sideways.
    page = board.goto(f"/plans/{plan.slug}/changes/?from_date_0=31&from_date_1=2&from_date_2=2015")
    assert "The from date must be a real date" in page.locator(".govuk-error-summary").inner_text()
    assert page.evaluate(WIDTH) <= PHONE["width"]
