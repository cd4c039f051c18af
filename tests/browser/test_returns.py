"""Returns in a real browser: a plan administrator reads the returns page for
the next board and reminds an owner; the owner sees the due date (and
"Overdue") on My work. axe-core checks every page, with and without JavaScript."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from core.dates import long_date_with_weekday as long_date
from reminders.workdays import add_working_days, working_days_before
from tests import factories
from tests.conftest import make_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("javascript", [True, False])
def test_returns_page_and_my_work_due_dates(new_page, javascript):
    world = make_world()
    today = timezone.localdate()
    factories.MeetingFactory(plan=world.plan, date=today - datetime.timedelta(days=60))
    # A board 3 working days away: its updates were due 7 working days ago.
    board = factories.MeetingFactory(plan=world.plan, date=add_working_days(today, 3))
    due = long_date(working_days_before(board.date, 10))

    admin = new_page(javascript=javascript)
    admin.sign_in("admin")
    page = admin.page
    admin.goto(f"/plans/{world.plan.slug}/")
    page.get_by_role("link", name="Returns", exact=True).click()
    admin.check()
    expect(page.get_by_role("heading", name="Returns for the next board", level=1)).to_be_visible()
    expect(page.locator("main")).to_contain_text(due)
    expect(page.locator("main")).to_contain_text("Overdue")
    page.get_by_role("button", name="Remind now Test").first.click()
    admin.check()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Reminder e-mailed to")
    assert len(mail.outbox) == 1
    page.get_by_text(mail.outbox[0].subject).first.click()  # the e-mail, in the history
    admin.check()
    page.get_by_role("button", name="Remind all").click()
    admin.check()
    expect(page.locator("main")).to_contain_text("already been reminded today")
    admin.goto(f"/plans/{world.plan.slug}/returns/settings/")
    page.get_by_label("How many working days before the meeting are updates due?").fill("")
    page.get_by_role("button", name="Save settings").click()
    admin.check()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    admin.goto("/accounts/e-mails/")

    officer = new_page(javascript=javascript)
    officer.sign_in("officer")
    officer.goto("/my-work/")
    item = officer.page.get_by_role("listitem").filter(has_text=f"update due by {due}")
    expect(item).to_contain_text("Overdue")
    expect(item.locator(".govuk-tag--red")).to_have_text("Overdue")
    assert admin.checked and officer.checked
