"""Success measures in a browser: an owner enters a figure from the area page
(with and without JavaScript), the figures page, an upload with its preview,
and the dashboard's scorecard; axe-core checks every page visited."""

import re
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from measures import periods, services
from measures.models import MeasureValue
from tests.conftest import make_world
from tests.measures.conftest import add_value, make_measure

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def last_month():
    return periods.last_ended(timezone.localdate(), "monthly")


def world_with_measure():
    world = make_world()
    measure = make_measure(world.area, world.area.lead)
    for n in range(1, 6):
        add_value(measure, periods.shift(last_month(), "monthly", -n), 60 + 4 * n)
    return world, measure


@pytest.mark.parametrize("javascript", [True, False])
def test_the_owner_enters_a_figure_from_the_area_page(new_page, javascript):
    world, measure = world_with_measure()
    officer = new_page(javascript=javascript)
    officer.sign_in("officer")
    officer.goto(f"/plans/{world.plan.slug}/areas/1/")
    page = officer.page
    expect(
        page.get_by_role("img", name=re.compile("Supervision within the local standard"))
    ).to_be_visible()
    table = page.get_by_role(
        "table", name=re.compile("Supervision within the local standard: the figures")
    )
    expect(table).to_contain_text("76%")
    page.get_by_role("link", name=re.compile("Enter a figure")).click()
    officer.check()
    page.get_by_label("Figure", exact=True).fill("NaN")
    page.get_by_role("button", name="Save the figure").click()
    officer.check()
    expect(page).to_have_title(re.compile(r"^Error: "))
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter a number")
    page.get_by_label("Figure", exact=True).fill("91")
    page.get_by_role("button", name="Save the figure").click()
    officer.check()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Figure saved")
    expect(page.locator(f"#measure-{measure.pk}")).to_contain_text("On target")
    assert MeasureValue.objects.get(measure=measure, period=last_month()).value == Decimal("91")


def test_figures_page_upload_preview_and_scorecard(new_page, tmp_path):
    world, measure = world_with_measure()
    admin = new_page()
    admin.sign_in("admin")
    page = admin.page
    page.get_by_role("link", name="Figures", exact=True).click()
    admin.check()
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter this month's figures")
    page.get_by_label(re.compile("Supervision within the local standard: figure")).fill("150")
    page.get_by_role("button", name="Save the figures").click()
    admin.check()
    expect(page.locator(".govuk-error-summary")).to_contain_text("between 0 and 100")
    page.get_by_role("link", name=re.compile("upload a CSV or Excel file")).click()
    admin.check()
    data = tmp_path / "figures.csv"
    data.write_text(
        f"Measure ID,Period,Figure,Comment\n{measure.pk},{last_month():%Y-%m},55,Two teams short\n"
    )
    page.get_by_label("Upload a file").set_input_files(str(data))
    page.get_by_role("button", name="Check the file").click()
    admin.check()
    expect(page.get_by_role("heading", name="Check the figures, then save them")).to_be_visible()
    assert not MeasureValue.objects.filter(period=last_month()).exists()
    page.get_by_role("button", name="Save 1 figure").click()
    admin.check()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("1 new")
    admin.goto(f"/plans/{world.plan.slug}/dashboard/measures/")
    scorecard = page.locator("#scorecard ~ table").first
    expect(scorecard).to_contain_text("Off target")
    expect(page.locator("main")).to_contain_text("is rated Green – on track, but 1 of its measures")
    page.get_by_role("link", name="Show only the measures off target").click()
    admin.check()
    expect(page.locator("main")).to_contain_text("Showing the 1 measure off target")
    admin.goto(f"/plans/{world.plan.slug}/measures/settings/")
    admin.goto(f"/plans/{world.plan.slug}/areas/1/measures/new/")


@pytest.mark.parametrize("javascript", [True, False])
def test_a_measures_own_page_from_the_scorecard(new_page, javascript):
    world, measure = world_with_measure()
    corrected = periods.shift(last_month(), "monthly", -2)
    services.record_value(
        measure=measure,
        period=corrected,
        value=Decimal(70),
        comment="",
        user=world.users["admin"],
        reason="Agency teams were missed",
    )
    board = new_page(javascript=javascript)
    board.sign_in("board")
    board.goto(f"/plans/{world.plan.slug}/dashboard/measures/")
    page = board.page
    page.get_by_role("link", name="Supervision within the local standard", exact=True).first.click()
    board.check()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Supervision within the local standard"
    )
    # On target, and which way: first.
    expect(page.locator("#headline")).to_contain_text("64% for")
    expect(page.locator("main")).to_contain_text("Worsening against")
    expect(
        page.get_by_role("img", name=re.compile("Supervision within the local standard"))
    ).to_be_visible()
    figures = page.get_by_role("table", name=re.compile("every figure recorded"))
    expect(figures.locator("tbody tr")).to_have_count(5)
    corrections = page.get_by_role("table", name=re.compile("changed after they were first"))
    expect(corrections).to_contain_text("Corrected from 68% to 70%")
    expect(corrections).to_contain_text("Agency teams were missed")
    # Another date, from the page's own form: a bad one is explained.
    page.get_by_text("Show the measure as at another date").click()
    page.get_by_role("textbox", name="Day", exact=True).fill("31")
    page.get_by_role("textbox", name="Month", exact=True).fill("2")
    page.get_by_role("textbox", name="Year", exact=True).fill("2026")
    page.get_by_role("button", name="Show").click()
    board.check()
    expect(page.locator(".govuk-error-summary")).to_contain_text("real date")
