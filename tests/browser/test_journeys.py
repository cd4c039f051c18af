"""The main journeys, as their users take them, in a real browser."""

import datetime
import re

import pytest
from playwright.sync_api import expect

from plans.models import ProgressUpdate, format_plan_date
from tests.conftest import make_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_update_from_officer_to_board(new_page):
    world = make_world()
    slug = world.plan.slug

    # The officer records an update and submits it.
    officer = new_page()
    officer.sign_in("officer")
    page = officer.page
    expect(page.get_by_role("heading", name="My work", level=1)).to_be_visible()
    page.get_by_role("link", name=re.compile(r"Record an update")).first.click()
    officer.check()
    page.get_by_label("Day").fill("1")
    page.get_by_label("Month").fill("6")
    page.get_by_label("Year").fill("2015")
    page.get_by_label("Amber – at risk").check()
    page.get_by_label("Progress").fill("Caseloads are falling but two teams carry vacancies.")
    page.get_by_role("button", name="Submit for sign-off").click()
    # Amber is worse than the approved Green: why, and what happens next, are required.
    officer.check()
    expect(page).to_have_title(re.compile(r"^Error: "))
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter why the status is worse")
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the next steps")
    page.get_by_label(re.compile("Reason for the status")).fill("Two teams carry vacancies.")
    page.get_by_label(re.compile("Next steps")).fill("Agency cover for both teams from July.")
    page.get_by_role("button", name="Submit for sign-off").click()
    officer.check()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("submitted for sign-off")

    # The administrator approves it.
    admin = new_page()
    admin.sign_in("admin")
    admin.goto(f"/plans/{slug}/sign-off/")
    admin.page.get_by_role("link", name=re.compile("Review")).click()
    admin.check()
    admin.page.get_by_label(re.compile("Approve")).check()
    admin.page.get_by_role("button", name="Save decision").click()
    admin.check()
    expect(admin.page.locator(".govuk-notification-banner")).to_contain_text("approved")
    assert ProgressUpdate.objects.get(rag="amber").state == "approved"

    # The board member sees the new status on the overview.
    board = new_page()
    board.sign_in("board")
    board.goto(f"/plans/{slug}/")
    row = board.page.get_by_role("row").filter(has_text="Ensure reasonable workloads.")
    expect(row).to_contain_text("Amber – at risk")
    expect(row).to_contain_text("1 June 2015")

    # The board member's change list shows the approval, never the workings.
    board.goto(f"/plans/{slug}/changes/")
    changes = board.page.locator("main")
    expect(changes).to_contain_text("Approved")
    expect(changes).not_to_contain_text("Submitted for sign-off")

    # The administrator's shows the update's whole journey with both users.
    admin.goto(f"/plans/{slug}/changes/")
    changes = admin.page.locator("main")
    expect(changes).to_contain_text("Approved")
    expect(changes).to_contain_text("Submitted for sign-off")
    expect(changes).to_contain_text(world.users["officer"].get_full_name())
    expect(changes).to_contain_text(world.users["admin"].get_full_name())

    for visitor in (officer, admin, board):
        assert visitor.checked, "axe ran on every page"


def test_officer_works_without_javascript(new_page):
    world = make_world()
    officer = new_page(javascript=False)
    officer.sign_in("officer")
    officer.goto(f"/milestones/{world.milestone.pk}/reforecast/")
    page = officer.page
    # A new forecast date is today or later.
    forecast = datetime.date.today() + datetime.timedelta(days=90)
    page.get_by_label("Day").fill(str(forecast.day))
    page.get_by_label("Month").fill(str(forecast.month))
    page.get_by_label("Year").fill(str(forecast.year))
    page.get_by_label("Reason for the new date").fill("Waiting for the CCG contract")
    page.get_by_role("button", name="Save").click()
    officer.check()
    expect(page.locator("main")).to_contain_text("re-forecast")
    officer.goto(f"/milestones/{world.milestone.pk}/history/")
    expect(page.locator("main")).to_contain_text("Waiting for the CCG contract")
    expect(page.locator("main")).to_contain_text(format_plan_date(forecast))


def test_board_filters_and_sorts_the_overview_without_javascript(new_page):
    world = make_world()
    slug = world.plan.slug
    board = new_page(javascript=False)
    board.sign_in("board")
    page = board.goto(f"/plans/{slug}/")
    rows = page.locator("tbody tr td[data-label='No.']")
    shown = page.locator("#areas-shown")
    expect(rows).to_have_text(["1", "2"])

    # Area 2 has no approved update.
    page.get_by_label("Not yet rated").check()
    page.get_by_role("button", name="Apply filters").click()
    board.check()
    expect(rows).to_have_text(["2"])
    expect(shown).to_have_text(
        "Showing 1 of 2 areas: not yet rated. Sorted by area number, lowest first."
    )

    # Green too, then sorted by status: by severity, the not rated last either way.
    page.get_by_label("Green – on track").check()
    page.get_by_label("Only areas with an overdue milestone").check()
    page.get_by_role("button", name="Apply filters").click()
    board.check()
    expect(rows).to_have_text(["1"])  # area 2 has no overdue milestone
    page.get_by_label("Only areas with an overdue milestone").uncheck()
    page.get_by_role("button", name="Apply filters").click()
    expect(rows).to_have_text(["1", "2"])
    page.get_by_role("link", name=re.compile(r"^Current status")).click()
    board.check()
    heading = page.get_by_role("columnheader", name=re.compile("Current status"))
    expect(heading).to_have_attribute("aria-sort", "ascending")
    expect(rows).to_have_text(["1", "2"])
    page.get_by_role("link", name=re.compile(r"^Current status")).click()
    board.check()
    expect(heading).to_have_attribute("aria-sort", "descending")
    expect(rows).to_have_text(["1", "2"])
    page.get_by_role("link", name=re.compile(r"^No\.")).click()
    expect(rows).to_have_text(["1", "2"])
    page.get_by_role("link", name=re.compile(r"^No\.")).click()
    board.check()
    expect(rows).to_have_text(["2", "1"])
    assert page.url.endswith("?rag=green&rag=none&sort=number&dir=desc")
    expect(shown).to_have_text(
        "Showing 2 of 2 areas: Green or not yet rated. Sorted by area number, highest first."
    )
    # Filters kept while sorting; clearing them keeps the sort.
    expect(page.get_by_label("Green – on track")).to_be_checked()
    page.get_by_role("link", name="Clear filters").click()
    board.check()
    assert page.url.endswith(f"/plans/{slug}/?sort=number&dir=desc")
    expect(shown).to_have_text("Showing all 2 areas. Sorted by area number, highest first.")

    # A made-up status: the error summary, and the page still lists the areas.
    page = board.goto(f"/plans/{slug}/?rag=purple")
    expect(page).to_have_title(re.compile(r"^Error: "))
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Select current statuses from the list"
    )
    expect(rows).to_have_text(["1", "2"])


def test_searching_a_plan_without_javascript(new_page):
    world = make_world()
    officer = new_page(javascript=False)
    officer.sign_in("officer")
    page = officer.goto(f"/plans/{world.plan.slug}/")
    # The box under the menu of every page of the plan.
    page.get_by_label("Search this plan").fill("reasonable workloads")
    page.get_by_role("button", name="Search").click()
    officer.check()
    expect(page.get_by_role("heading", name="Search this plan", level=1)).to_be_visible()
    expect(page.locator("main")).to_contain_text("1 result for ‘reasonable workloads’")
    expect(page.get_by_role("heading", name="Improvement areas (1)", level=2)).to_be_visible()
    page.get_by_role("link", name="Ensure reasonable workloads.").click()
    officer.check()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ensure reasonable workloads.")
    # Too long: said so at the top, the words kept in the box.
    officer.goto(f"/plans/{world.plan.slug}/search/")
    page.get_by_label("Search this plan").fill("workloads " * 25)
    page.get_by_role("button", name="Search").click()
    officer.check()
    expect(page.locator(".govuk-error-summary")).to_contain_text("200 characters or fewer")
    expect(page.get_by_label("Search this plan")).to_have_value(("workloads " * 25).strip())


def test_every_page_passes_axe(new_page):
    """The pages not covered by the journeys above, as the user who sees most."""
    world = make_world()
    slug, n = world.plan.slug, world.area.number
    admin = new_page()
    admin.sign_in("admin")
    for path in [
        f"/plans/{slug}/",
        # The overview filtered and sorted, and with filters that are not the plan's.
        f"/plans/{slug}/?rag=green&rag=none&lead={world.area.lead_id}&overdue=yes&sort=rag&dir=desc",
        f"/plans/{slug}/?rag=purple&theme=1&sort=nonsense",
        f"/plans/{slug}/areas/{n}/",
        f"/plans/{slug}/areas/{n}/edit/",
        f"/plans/{slug}/areas/{n}/history/",
        f"/plans/{slug}/areas/{n}/actions/new/",
        f"/plans/{slug}/areas/{n}/milestones/new/",
        f"/plans/{slug}/areas/{n}/updates/new/",
        f"/actions/{world.action.pk}/edit/",
        f"/actions/{world.action.pk}/history/",
        f"/milestones/{world.milestone.pk}/edit/",
        f"/milestones/{world.milestone.pk}/complete/",
        f"/updates/{world.approved.pk}/",
        "/my-work/",
        "/plans/",
        "/accounts/password/",
        "/accessibility/",
        "/plans/no-such-plan/",
        # The plan's search: the form alone, hits, none, and too long (400).
        f"/plans/{slug}/search/",
        f"/plans/{slug}/search/?q=workloads",
        f"/plans/{slug}/search/?q=kingfishers",
        f"/plans/{slug}/search/?q={'x' * 201}",
    ]:
        admin.goto(path)
    # A form with errors, and the error pages.
    admin.goto(f"/plans/{slug}/areas/{n}/milestones/new/")
    admin.page.get_by_role("button", name="Save").click()
    admin.check()
    expect(admin.page.locator(".govuk-error-summary")).to_be_visible()
    officer = new_page()
    officer.sign_in("officer")
    officer.goto(f"/plans/{slug}/sign-off/")  # 403
    expect(officer.page.get_by_role("heading", level=1)).to_have_text(
        "You do not have permission to do that"
    )


def test_the_accessibility_check_catches_a_violation(new_page):
    """The harness itself: axe must fail a page that breaks WCAG."""
    checker = new_page()
    checker.page.set_content('<html lang="en"><title>t</title><img src="x.png"><a href="#"></a>')
    with pytest.raises(AssertionError, match="image-alt"):
        checker.check()


def test_a_content_security_policy_violation_fails_the_check(new_page, live_server):
    """The harness itself: an inline script without the nonce is refused and reported."""
    make_world()
    checker = new_page()
    checker.goto("/accounts/login/")
    checker.page.evaluate(
        "() => { const s = document.createElement('script');"
        " s.textContent = 'window.x = 1'; document.body.appendChild(s); }"
    )
    checker.page.wait_for_timeout(200)
    with pytest.raises(AssertionError, match="Content Security Policy"):
        checker.check()
