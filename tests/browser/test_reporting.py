"""The board member's dashboard, a paper downloaded, and a paper issued: in a browser."""

import io
import re

import docx
import openpyxl
import pytest
from playwright.sync_api import expect

from tests.support.seed import seeded

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_board_member_reads_the_dashboard_and_downloads_a_paper(new_page):
    plan = seeded()
    board = new_page()
    board.sign_in("board")
    # Board members start at the dashboard.
    expect(board.page.get_by_role("heading", level=1)).to_have_text("Improvement Board dashboard")
    board.goto(f"/plans/{plan.slug}/dashboard/?as_at=2015-06-30")
    page = board.page
    expect(page.locator("main")).to_contain_text("As at the end of 30 June 2015")
    page.get_by_role("navigation", name="Dashboard").get_by_role("link", name="Charts").click()
    board.check()
    expect(page.get_by_role("img", name=re.compile("Areas by RAG status"))).to_be_visible()
    expect(
        page.get_by_role("table", name=re.compile("Areas by RAG status at each month end"))
    ).to_contain_text("Jun 2015")

    board.goto(f"/plans/{plan.slug}/papers/?as_at=2015-05-31")
    with page.expect_download() as download:
        page.get_by_role(
            "link", name=re.compile(r"^DOCX \(Improvement Plan update on progress\)")
        ).click()
    document = docx.Document(io.BytesIO(open(download.value.path(), "rb").read()))
    table = document.tables[-1]  # after the front sheet: the areas
    assert len(table.rows) == 18
    assert table.rows[3].cells[0].text.startswith("3 Improve the electronic social care record")
    stem = "plymouth-city-council-scrutiny-summary-2015-05-31-OFFICIAL"
    assert download.value.suggested_filename == f"{stem}.docx"

    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile(r"^XLSX")).click()
    assert download.value.suggested_filename == f"{stem}.xlsx"
    sheet = openpyxl.load_workbook(io.BytesIO(open(download.value.path(), "rb").read()))["Summary"]
    # The statuses on record then were assessed when the plan was loaded, not
    # given by anyone: the summary has the May 2015 paper's columns only.
    assert [c.value for c in sheet[6]] == ["No.", "Improvement Area", "Overview"]

    for kind in ("board-report", "assurance-summary"):
        board.goto(f"/plans/{plan.slug}/papers/{kind}/?as_at=2015-06-30")
        expect(page.locator("article")).to_contain_text("RAG key")
        expect(page.locator("article")).to_contain_text("(assessed)")


def test_scrutiny_officer_prepares_and_issues_a_paper_to_a_meeting(new_page):
    plan = seeded()
    scrutiny = new_page()
    scrutiny.sign_in("scrutiny")
    page = scrutiny.page
    scrutiny.goto(f"/plans/{plan.slug}/papers/")
    page.get_by_role("link", name="Improvement Board, June 2015").click()
    page.get_by_role("button", name="Prepare the Improvement Board progress report").click()
    # The meeting is known only to the month: the as-at date is asked, not guessed.
    scrutiny.check()
    expect(page.locator("h1.govuk-heading-l")).to_contain_text("The as-at date")
    page.get_by_label("Day").fill("1")
    page.get_by_label("Month").fill("7")
    page.get_by_label("Year").fill("2015")
    page.get_by_role("button", name="Prepare the Improvement Board progress report").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("the month of the meeting")
    scrutiny.check()
    page.get_by_label("Day").fill("16")
    page.get_by_label("Month").fill("6")
    page.get_by_role("button", name="Prepare the Improvement Board progress report").click()
    scrutiny.check()
    expect(page.locator("h1.govuk-heading-l")).to_contain_text("Prepare the paper")
    expect(page.locator("main")).to_contain_text("known only to the month")
    expect(page.locator("article")).to_contain_text("Draft: not issued")
    page.get_by_role("link", name=re.compile("Change the front sheet")).click()
    scrutiny.check()
    # An as-at date after the meeting is refused with the GOV.UK error summary.
    page.get_by_label("Day").fill("1")
    page.get_by_label("Month").fill("7")
    page.get_by_label("Year").fill("2015")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "on or before the end of June 2015"
    )
    scrutiny.check()
    page.get_by_label("Day").fill("30")
    page.get_by_label("Month").fill("6")
    page.get_by_label("Author (optional)").fill("Sam Scrutiny, scrutiny officer")
    page.get_by_label("Decisions asked of the meeting (optional)").fill(
        "Agree the revised date for the supervision audit"
    )
    page.get_by_label("OFFICIAL-SENSITIVE").check()
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Front sheet saved")
    expect(page.locator("article")).to_contain_text("Agree the revised date")
    expect(page.locator("article")).to_contain_text("OFFICIAL-SENSITIVE")
    # Issuing shows what will go out first, then issues it.
    page.get_by_role("button", name=re.compile("Issue version 1")).click()
    scrutiny.check()
    expect(page.locator("main")).to_contain_text("What will be issued")
    expect(page.locator(".govuk-summary-list")).to_contain_text("Version 1")
    page.get_by_role("button", name=re.compile("Issue version 1")).click()
    scrutiny.check()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("version 1")
    expect(page.locator("main")).to_contain_text("Version 1 of the")
    expect(page.locator("main")).not_to_contain_text("is being prepared")
    page.get_by_role("link", name="Improvement Board progress report", exact=True).click()
    scrutiny.check()
    expect(page.locator("main")).to_contain_text("This is the paper exactly as issued")
    expect(page.locator("article")).to_contain_text("Version 1, issued")


def test_reporting_pages_pass_axe(new_page):
    plan = seeded()
    board = new_page()
    board.sign_in("board")
    board.goto(f"/plans/{plan.slug}/meetings/")
    board.page.get_by_role("link", name="Improvement Board (first meeting)").click()
    board.check()
    board.goto(f"/plans/{plan.slug}/dashboard/?as_at=2015-02-30")
    expect(board.page.locator(".govuk-error-summary")).to_contain_text("must be a real date")
    board.goto(f"/plans/{plan.slug}/dashboard/")
