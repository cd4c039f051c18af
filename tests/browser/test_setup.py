"""Plan set-up in a real browser: a plan administrator adds a meeting and
members, and the new member sets a password from the e-mailed link. axe-core
checks every page on the way."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from plans.models import Meeting, Membership
from tests import factories
from tests.conftest import make_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_plan_administrator_adds_a_meeting_and_members(new_page):
    world = make_world()
    slug = world.plan.slug
    admin = new_page()
    admin.sign_in("admin")
    page = admin.page

    admin.goto(f"/plans/{slug}/")
    page.get_by_role("link", name="Plan set-up").click()
    admin.check()
    expect(page.get_by_role("heading", name="Plan set-up", level=1)).to_be_visible()

    # A meeting: the empty form first, then the answers.
    page.get_by_role("link", name="Meetings").last.click()
    admin.check()
    page.get_by_role("link", name="Add a meeting").click()
    admin.check()
    page.get_by_role("button", name="Add meeting").click()
    admin.check()
    expect(page).to_have_title(re.compile(r"^Error: "))
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select the kind of meeting")
    page.get_by_label("Improvement Board").check()
    page.get_by_label("Title").fill("Improvement Board")
    page.get_by_label("Day", exact=True).fill("8")
    page.get_by_label("Month", exact=True).fill("7")
    page.get_by_label("Year", exact=True).fill("2015")
    page.get_by_label("A day", exact=True).check()
    page.get_by_role("button", name="Add meeting").click()
    admin.check()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Improvement Board, 8 July 2015"
    )
    expect(page.get_by_role("row").filter(has_text="8 July 2015")).to_contain_text("Going ahead")
    assert Meeting.objects.get(plan=world.plan).title == "Improvement Board"

    # A new account, which is e-mailed a link to set its password.
    admin.goto(f"/plans/{slug}/set-up/members/")
    page.get_by_role("link", name="Create an account").click()
    admin.check()
    page.get_by_label("First name").fill("Jo")
    page.get_by_label("Last name").fill("Bloggs")
    page.get_by_label("E-mail address").fill("jo.bloggs@plymouth.gov.uk")
    page.get_by_label("User name").fill("jbloggs")
    page.get_by_label("Board member").check()
    page.get_by_role("button", name="Create account").click()
    admin.check()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("e-mailed them a link")
    expect(page.get_by_role("row").filter(has_text="jbloggs")).to_contain_text("Board member")

    # An existing account of the council (a member of its other plan), by its user name.
    sister = factories.PlanFactory(organisation=world.plan.organisation, slug="adults")
    factories.join(sister, {factories.UserFactory(username="colleague"): "officer"})
    page.get_by_role("link", name="Add an existing account").click()
    admin.check()
    page.get_by_label("User name or e-mail address").fill("colleague")
    page.get_by_label("Scrutiny officer").check()
    page.get_by_role("button", name="Add to the plan").click()
    admin.check()
    expect(page.get_by_role("row").filter(has_text="colleague")).to_contain_text("Scrutiny officer")
    assert Membership.objects.get(plan=world.plan, user__username="colleague").role == (
        "scrutiny_officer"
    )

    # The new member follows the link, sets a password and signs in.
    (message,) = mail.outbox
    link = re.search(r"https?://\S+", message.body).group(0)
    newcomer = new_page()
    newcomer.goto("/" + link.split("/", 3)[3])
    expect(newcomer.page.get_by_role("heading", name="Set your password")).to_be_visible()
    newcomer.page.get_by_label("New password", exact=True).fill("a-long-Plymouth-passphrase")
    newcomer.page.get_by_label("Confirm the new password").fill("a-long-Plymouth-passphrase")
    newcomer.page.get_by_role("button", name="Set password").click()
    newcomer.check()
    expect(newcomer.page.locator(".govuk-notification-banner")).to_contain_text(
        "Your password has been set"
    )
    newcomer.sign_in("jbloggs", "a-long-Plymouth-passphrase")
    expect(
        newcomer.page.get_by_role("heading", name=re.compile("dashboard"), level=1)
    ).to_be_visible()

    # Every other set-up page, and each form's errors, pass axe too.
    theme = factories.ThemeFactory(plan=world.plan, name="Leadership")
    owner = factories.OwnerFactory(organisation=world.plan.organisation)
    partner = factories.OrganisationFactory(name="NHS Devon", council=world.plan.organisation)
    meeting = Meeting.objects.get(plan=world.plan)
    board = Membership.objects.get(plan=world.plan, user__username="board")
    forms = [
        "details/",
        "themes/new/",
        f"themes/{theme.pk}/",
        f"themes/{theme.pk}/remove/",
        "owners/new/",
        f"owners/{owner.pk}/",
        "partners/new/",
        f"partners/{partner.pk}/",
        f"meetings/{meeting.pk}/",
        f"meetings/{meeting.pk}/cancel/",
        f"members/{board.pk}/role/",
        f"members/{board.pk}/remove/",
    ]
    for path in ["themes/", "owners/", "partners/", f"members/{board.pk}/send-set-password/"]:
        admin.goto(f"/plans/{slug}/set-up/{path}")
    for path in forms:
        admin.goto(f"/plans/{slug}/set-up/{path}")
        form = page.locator("main form[method=post]")
        for field in form.locator("input[type=text], textarea").all():
            field.fill("")
        form.locator("button[type=submit]").click()
        admin.check()
        expect(page.locator(".govuk-error-summary")).to_be_visible()

    for visitor in (admin, newcomer):
        assert visitor.checked, "axe ran on every page"
