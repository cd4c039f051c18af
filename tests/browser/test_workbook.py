"""Issue 11's journey in a real browser: a plan administrator starts a plan by
pasting the inspection's 17 recommendations, exports it, changes a due date
and an owner in the workbook, imports it, confirms, and sees both changes in
the area's history with the import as their reason. axe-core checks every page.
A big workbook's check and import show their progress on the page, with or
without JavaScript."""

from __future__ import annotations

import datetime
import os
import re
import threading

import openpyxl
import pytest
from playwright.sync_api import expect

from plans.models import ImprovementArea, Plan
from tests import factories
from tests.conftest import make_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RECOMMENDATIONS = "\n".join(
    f"{n}. Ensure that recommendation {n} of the inspection is met"
    + ("\n   and that its progress is reported to the board." if n % 5 == 0 else "")
    for n in range(1, 18)
)
SHOTS = os.environ.get("WORKBOOK_SCREENSHOTS")  # a folder: save screenshots there


def shot(page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


def test_start_a_plan_and_round_trip_it_through_excel(new_page, tmp_path):
    world = make_world()
    admin = new_page()
    admin.sign_in("admin")
    page = admin.page

    # Start a plan.
    admin.goto("/start-a-plan/")
    page.get_by_role("button", name="Start the plan").click()
    admin.check()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the plan's title")
    page.get_by_label("Plan title").fill("Children's Services Improvement Plan 2026")
    page.get_by_label("Inspection", exact=True).fill(
        "Inspection of local authority children's services"
    )
    for field, (day, month, year) in (
        ("inspection_start", (20, 10, 2025)),
        ("inspection_end", (7, 11, 2025)),
    ):
        group = page.locator(f"#id_{field}_0").locator("xpath=ancestor::fieldset")
        group.get_by_label("Day").fill(str(day))
        group.get_by_label("Month").fill(str(month))
        group.get_by_label("Year").fill(str(year))
    page.get_by_label("Judgement areas (optional)").fill(
        "The experiences and progress of children who need help and protection\n"
        "The experiences and progress of children in care\nLeadership"
    )
    page.get_by_role("button", name="Start the plan").click()
    admin.check()
    plan = Plan.objects.get(title="Children's Services Improvement Plan 2026")
    expect(page.get_by_role("heading", name="Add areas from the recommendations")).to_be_visible()

    # Paste the 17 recommendations, check them, save them.
    page.get_by_label("The inspection's recommendations").fill(RECOMMENDATIONS)
    page.get_by_role("button", name="Check the areas").click()
    admin.check()
    expect(page.get_by_role("table")).to_contain_text(
        "recommendation 15 of the inspection is met and that its progress"
    )
    shot(page, "start-a-plan-preview")
    page.get_by_role("button", name="Save 17 areas").click()
    admin.check()
    assert ImprovementArea.objects.filter(plan=plan).count() == 17

    # A milestone to re-date, and an owner to give area 3.
    area = ImprovementArea.objects.get(plan=plan, number=3)
    milestone = factories.MilestoneFactory(
        area=area, title="Audit of plans", due_date=datetime.date(2026, 6, 30)
    )
    owner = world.area.lead

    # Export the plan.
    admin.goto(f"/plans/{plan.slug}/set-up/")
    page.get_by_role("link", name="Workbooks").last.click()
    admin.check()
    with page.expect_download() as download:
        page.get_by_role("link", name="Export the plan to Excel (.xlsx)").click()
    path = tmp_path / download.value.suggested_filename
    download.value.save_as(path)
    assert path.name.startswith(f"{plan.file_prefix}-{plan.slug}-")

    # Change the due date and the owner in Excel (openpyxl here).
    book = openpyxl.load_workbook(path)
    milestones = book["Milestones"]
    for row in milestones.iter_rows(min_row=5):
        if row[0].value == f"M{milestone.pk}":
            row[4].value = datetime.datetime(2026, 9, 30)
    areas = book["Areas"]
    for row in areas.iter_rows(min_row=5):
        if row[0].value == 3:
            row[3].value = str(owner)
    book.save(path)

    # Import it, check the preview, confirm.
    page.get_by_role("link", name="Workbooks").first.click()
    page.get_by_role("link", name="Import the plan from a workbook or CSV").click()
    admin.check()
    page.get_by_label("Upload a file").set_input_files(str(path))
    page.get_by_role("button", name="Upload and check").click()
    admin.check()
    main = page.locator("main")
    expect(main).to_contain_text("Due date: 30 June 2026 → 30 September 2026")
    expect(main).to_contain_text(f"Lead: (blank) → {owner}")
    shot(page, "import-preview")
    page.get_by_role("button", name="Save these changes").click()
    admin.check()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Imported: 0 new and 2 changed records"
    )

    # Both changes are in the area's history, with the import as the reason.
    admin.goto(f"/plans/{plan.slug}/areas/3/history/")
    history = page.locator("main")
    reason = re.compile(rf"Imported from {re.escape(path.name)} by ")
    expect(history).to_contain_text(reason)
    expect(history).to_contain_text("30 September 2026")
    expect(history).to_contain_text(str(owner))

    # An upload with errors: the preview lists them, and nothing is saved.
    areas = book["Areas"]
    areas.cell(row=5, column=3).value = "Leadershp"
    book["Milestones"].cell(row=5, column=5).value = "soon"
    book.save(path)
    admin.goto(f"/plans/{plan.slug}/workbook/import/")
    page.get_by_label("Upload a file").set_input_files(str(path))
    page.get_by_role("button", name="Upload and check").click()
    admin.check()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Did you mean “Leadership”?")
    expect(summary).to_contain_text("“soon” is not a date")
    shot(page, "import-preview-errors")


def _upload_edited_workbook(admin, world, tmp_path):
    """Export the world's plan, move a milestone's due date, upload the file."""
    from workbook.export import plan_workbook

    name, data = plan_workbook(world.plan)
    path = tmp_path / name
    path.write_bytes(data)
    book = openpyxl.load_workbook(path)
    milestone = world.plan.areas.get(number=1).milestones.order_by("pk").first()
    for row in book["Milestones"].iter_rows(min_row=5):
        if row[0].value == f"M{milestone.pk}":
            row[4].value = datetime.datetime(2016, 3, 31)
    book.save(path)
    admin.goto(f"/plans/{world.plan.slug}/workbook/import/")
    admin.page.get_by_label("Upload a file").set_input_files(str(path))
    admin.page.get_by_role("button", name="Upload and check").click()
    return milestone


def _axe_now(page) -> list:
    """axe-core on the page as it is, before it has finished loading."""
    from tests.browser.conftest import AXE, WCAG_TAGS

    page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})",
        WCAG_TAGS,
    )
    return [(v["id"], [n["target"] for n in v["nodes"]][:5]) for v in result["violations"]]


def test_a_big_workbook_shows_its_progress_on_the_page(new_page, settings, monkeypatch, tmp_path):
    from workbook import views

    settings.WORKBOOK_PREVIEW_STREAM_ROWS = 1
    settings.WORKBOOK_IMPORT_STREAM_ROWS = 1
    settings.WORKBOOK_PROGRESS_SECONDS = 0
    world = make_world()
    # The check waits until the test has seen the page so far: proof that the
    # progress is on the page while the work is still going on.
    gate = threading.Event()
    check_steps = views._check_steps

    def held(*args):
        gate.wait(timeout=30)
        return (yield from check_steps(*args))

    monkeypatch.setattr(views, "_check_steps", held)
    admin = new_page()
    admin.sign_in("admin")
    page = admin.page
    try:
        milestone = _upload_edited_workbook(admin, world, tmp_path)
        progress = page.locator("#progress")
        expect(progress).to_contain_text("Checking your workbook…")
        expect(progress.get_by_role("listitem").first).to_contain_text(re.compile(r"Read \d+"))
        expect(page.get_by_role("button", name="Save these changes")).to_have_count(0)
        assert _axe_now(page) == []
        shot(page, "import-progress")
    finally:
        gate.set()
    admin.check()  # the whole page, once it has all arrived
    expect(progress).to_contain_text(re.compile(r"Checked \d+ of \d+ rows"))
    expect(page.locator("main")).to_contain_text("→ 31 March 2016")
    shot(page, "import-progress-preview")

    page.get_by_role("button", name="Save these changes").click()
    admin.check()
    expect(page.locator("#progress")).to_contain_text("Saving the changes…")
    expect(page.locator("#progress")).to_contain_text("Saved 1 of 1 changes")
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Imported: 0 new and 1 changed record"
    )
    shot(page, "import-progress-saved")
    milestone.refresh_from_db()
    assert milestone.due_date == datetime.date(2016, 3, 31)
    page.get_by_role("link", name="Go to the plan").click()
    admin.check()
    expect(page.locator("h1")).to_contain_text(world.plan.title)


def test_the_progress_page_needs_no_javascript(new_page, settings, tmp_path):
    settings.WORKBOOK_PREVIEW_STREAM_ROWS = 1
    settings.WORKBOOK_IMPORT_STREAM_ROWS = 1
    world = make_world()
    admin = new_page(javascript=False)
    admin.sign_in("admin")
    page = admin.page
    milestone = _upload_edited_workbook(admin, world, tmp_path)
    expect(page.locator("#progress")).to_contain_text("Checking your workbook…")
    expect(page.locator("main")).to_contain_text("→ 31 March 2016")
    page.get_by_role("button", name="Save these changes").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Imported: 0 new and 1 changed record"
    )
    milestone.refresh_from_db()
    assert milestone.due_date == datetime.date(2016, 3, 31)
