"""Plan set-up by the plan's administrators: every page for every role, every
write with its history and reason, the council's directory kept to the
council, the membership rules, one record per double submit, the
set-password e-mail, and a fixed number of queries on every list page."""

from __future__ import annotations

import datetime
import re
import uuid
from dataclasses import dataclass

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from plans.models import (
    ImprovementArea,
    Meeting,
    Membership,
    Organisation,
    Owner,
    Plan,
    Theme,
    UsedFormToken,
)
from plans.roles import BOARD_MEMBER, OFFICER, PLAN_ADMINISTRATOR
from plans.setup import directory, members
from plans.setup.common import Refused
from tests import factories
from tests.conftest import client_for
from tests.support.pages import all_patterns

pytestmark = pytest.mark.django_db
User = get_user_model()


@dataclass
class Setup:
    world: object
    plan: Plan
    council: Organisation
    partner: Organisation
    owner: Owner  # in the plan's council, held by the officer
    theme: Theme  # used by area 1
    spare_theme: Theme  # used by no area
    meeting: Meeting
    other_council: Organisation
    other_partner: Organisation
    other_owner: Owner
    other_membership: Membership  # in the other plan

    @property
    def admin(self):
        return self.world.users["admin"]


@pytest.fixture
def setup(world) -> Setup:
    plan = world.plan
    council = plan.organisation
    partner = factories.OrganisationFactory(
        name="NHS Devon", short_name="NHS", kind=Organisation.Kind.HEALTH, council=council
    )
    # The world's area lead: "Head of Children's Social Care", in the council, held by the officer.
    owner = world.area.lead
    theme = factories.ThemeFactory(plan=plan, name="Leadership", slug="leadership")
    spare = factories.ThemeFactory(plan=plan, name="Care leavers", slug="care-leavers", order=2)
    world.area.theme = theme
    world.area.save()
    meeting = factories.MeetingFactory(
        plan=plan, title="Improvement Board", date=datetime.date(2015, 3, 11)
    )
    other_council = world.other_plan.organisation
    other_partner = factories.OrganisationFactory(
        name="Another police force", kind=Organisation.Kind.POLICE, council=other_council
    )
    other_owner = factories.OwnerFactory(job_title="Chief Constable", organisation=other_partner)
    other_membership = Membership.objects.get(plan=world.other_plan)
    return Setup(
        world,
        plan,
        council,
        partner,
        owner,
        theme,
        spare,
        meeting,
        other_council,
        other_partner,
        other_owner,
        other_membership,
    )


def url(name: str, s: Setup, *args) -> str:
    return reverse(f"plans:{name}", args=[s.plan.slug, *args])


def page_urls(s: Setup) -> dict[str, str]:
    board = Membership.objects.get(plan=s.plan, user=s.world.users["board"])
    return {
        "setup": url("setup", s),
        "setup_details": url("setup_details", s),
        "setup_themes": url("setup_themes", s),
        "setup_theme_new": url("setup_theme_new", s),
        "setup_theme_edit": url("setup_theme_edit", s, s.theme.pk),
        "setup_theme_remove": url("setup_theme_remove", s, s.spare_theme.pk),
        "setup_owners": url("setup_owners", s),
        "setup_owner_new": url("setup_owner_new", s),
        "setup_owner_edit": url("setup_owner_edit", s, s.owner.pk),
        "setup_partners": url("setup_partners", s),
        "setup_partner_new": url("setup_partner_new", s),
        "setup_partner_edit": url("setup_partner_edit", s, s.partner.pk),
        "setup_meetings": url("setup_meetings", s),
        "setup_meeting_new": url("setup_meeting_new", s),
        "setup_meeting_edit": url("setup_meeting_edit", s, s.meeting.pk),
        "setup_meeting_cancel": url("setup_meeting_cancel", s, s.meeting.pk),
        "setup_meeting_reinstate": url("setup_meeting_reinstate", s, s.meeting.pk),
        "setup_members": url("setup_members", s),
        "setup_member_add": url("setup_member_add", s),
        "setup_member_new_account": url("setup_member_new_account", s),
        "setup_member_role": url("setup_member_role", s, board.pk),
        "setup_member_remove": url("setup_member_remove", s, board.pk),
        "setup_member_send_link": url("setup_member_send_link", s, board.pk),
    }


def history_snapshot() -> dict:
    models = [Plan, Theme, Owner, Organisation, Meeting, Membership]
    return {m.__name__: (m.objects.count(), m.history.count()) for m in models} | {
        "users": User.objects.count()
    }


def latest_history(obj):
    return type(obj).history.filter(id=obj.pk).order_by("-history_id").first()


def date_fields(name: str, day: datetime.date) -> dict[str, str]:
    return {f"{name}_0": str(day.day), f"{name}_1": str(day.month), f"{name}_2": str(day.year)}


# --- Who may see what ----------------------------------------------------------------------

EXPECTED = {"admin": 200, "officer": 403, "other_officer": 403, "board": 403, "scrutiny": 403}
EXPECTED["outsider"] = 404
# The hub and the lists: nothing to post.
READ_ONLY = {
    "setup",
    "setup_themes",
    "setup_owners",
    "setup_partners",
    "setup_meetings",
    "setup_members",
}


def test_every_set_up_page_is_for_plan_administrators_only(setup, clients):
    urls = page_urls(setup)
    # Every set-up route is in the list.
    names = {name.split(":", 1)[1] for name, _ in all_patterns() if name.startswith("plans:setup")}
    assert names == set(urls)
    failures = []
    for page, address in urls.items():
        for role, status in EXPECTED.items():
            got = clients[role].get(address).status_code
            if got != status:
                failures.append(f"GET {page} as {role}: expected {status}, got {got}")
    assert not failures, "\n".join(failures)


def test_refused_roles_cannot_write_by_posting(setup, clients):
    urls = page_urls(setup)
    before = history_snapshot()
    failures = []
    for page, address in urls.items():
        if page in READ_ONLY:
            continue
        for role, status in EXPECTED.items():
            if role == "admin":
                continue
            got = (
                clients[role].post(address, {"reason": "x", "role": PLAN_ADMINISTRATOR}).status_code
            )
            if got != status:
                failures.append(f"POST {page} as {role}: expected {status}, got {got}")
    assert not failures, "\n".join(failures)
    assert history_snapshot() == before


def test_an_empty_post_is_a_form_error_and_writes_nothing(setup, clients):
    before = history_snapshot()
    for page, address in page_urls(setup).items():
        response = clients["admin"].post(address, {})
        if page in READ_ONLY:
            assert response.status_code == 405, page
        elif page == "setup_member_send_link":
            # Nothing to fill in: it sends the e-mail, and writes nothing.
            assert response.status_code == 302, page
        else:
            assert response.status_code == 400, page
            assert "govuk-error-summary" in response.content.decode(), page
    assert history_snapshot() == before


def test_operators_manage_every_plan(setup):
    operator = factories.UserFactory(username="operator", is_superuser=True, is_staff=True)
    assert client_for(operator).get(url("setup_members", setup)).status_code == 200


def test_the_navigation_offers_plan_set_up_to_plan_administrators_only(setup, clients):
    plan_page = reverse("plans:plan", args=[setup.plan.slug])
    assert "Plan set-up" in clients["admin"].get(plan_page).content.decode()
    for role in ("officer", "board", "scrutiny"):
        assert "Plan set-up" not in clients[role].get(plan_page).content.decode()


def test_every_button_guards_against_a_double_click(setup, clients):
    for page, address in page_urls(setup).items():
        html = clients["admin"].get(address).content.decode()
        for button in re.findall(r"<button[^>]*type=\"submit\"[^>]*>", html):
            if "app-link-button" in button:  # sign out, in the account bar
                continue
            assert 'data-prevent-double-click="true"' in button, (page, button)
            assert 'data-module="govuk-button"' in button, (page, button)
        assert 'action=""' not in html, page


# --- The plan's details ----------------------------------------------------------------------


def details_post(setup, client, **changes) -> dict:
    form = client.get(url("setup_details", setup)).context["form"]
    data = {
        "title": "Children's Services Improvement Plan",
        "inspection_name": "Inspection of services for children in need of help and protection",
        **date_fields("inspection_start", datetime.date(2014, 10, 6)),
        **date_fields("inspection_end", datetime.date(2014, 10, 30)),
        "judgement_areas": "Children who need help and protection\nLeadership",
        **date_fields("sent_to_inspectorate", datetime.date(2015, 4, 14)),
        "board_name": "Improvement Board",
        "board_description": "Chaired by the Chief Executive.",
        "overview": "The plan answers the inspection.",
        "officers_may_update_any_area": "yes",
        "officers_see_submitted_updates": "no",
        "escalate_overdue_after_days": "30",
        "reason": "Agreed at the first board",
        "version": form.initial["version"],
    }
    data.update(changes)
    return data


def test_plan_details_are_saved_with_history_and_reason(setup, clients):
    client = clients["admin"]
    response = client.post(url("setup_details", setup), details_post(setup, client))
    assert response.status_code == 302
    plan = Plan.objects.get(pk=setup.plan.pk)
    assert plan.title == "Children's Services Improvement Plan"
    assert plan.inspection_end == datetime.date(2014, 10, 30)
    assert plan.officers_may_update_any_area is True
    assert plan.officers_see_submitted_updates is False
    assert plan.escalate_overdue_after_days == 30
    row = latest_history(plan)
    assert row.history_user == setup.admin
    assert row.history_change_reason == "Agreed at the first board"


def test_plan_details_need_a_reason_and_sensible_dates(setup, clients):
    client = clients["admin"]
    data = details_post(
        setup,
        client,
        reason="",
        escalate_overdue_after_days="-1",
        **date_fields("inspection_end", datetime.date(2014, 9, 1)),
    )
    response = client.post(url("setup_details", setup), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "Enter the reason for the change" in html
    assert "Enter 0 or more days" in html
    assert "The inspection end date must be the same as or after its start" in html


def test_a_stale_plan_details_form_is_a_conflict_and_writes_nothing(setup, clients):
    client = clients["admin"]
    stale = details_post(setup, client, title="Mine")
    theirs = details_post(setup, client, title="Theirs", reason="Renamed by the board")
    assert client.post(url("setup_details", setup), theirs).status_code == 302
    response = client.post(url("setup_details", setup), stale)
    assert response.status_code == 409
    html = response.content.decode()
    assert "Someone else changed this while you were editing it" in html
    assert "Renamed by the board" in html
    assert Plan.objects.get(pk=setup.plan.pk).title == "Theirs"


# --- Themes --------------------------------------------------------------------------------


def test_themes_are_added_changed_and_removed_with_history(setup, clients):
    client = clients["admin"]
    response = client.post(url("setup_theme_new", setup), {"name": "Help and protection"})
    assert response.status_code == 400  # the position is required
    response = client.post(
        url("setup_theme_new", setup), {"name": "Help and protection", "order": "3"}
    )
    assert response.status_code == 302
    theme = Theme.objects.get(plan=setup.plan, name="Help and protection")
    assert theme.slug == "help-and-protection"
    assert latest_history(theme).history_user == setup.admin
    assert latest_history(theme).history_change_reason == "Theme added"

    version = theme.version
    response = client.post(
        url("setup_theme_edit", setup, theme.pk),
        {"name": "Help and protection of children", "order": "1", "version": version},
    )
    assert response.status_code == 302
    theme.refresh_from_db()
    assert (theme.name, theme.slug, theme.order) == (
        "Help and protection of children",
        "help-and-protection-of-children",
        1,
    )
    assert latest_history(theme).history_change_reason == "Theme changed"

    response = client.post(
        url("setup_theme_remove", setup, theme.pk), {"reason": "Merged into Leadership"}
    )
    assert response.status_code == 302
    assert not Theme.objects.filter(pk=theme.pk).exists()
    gone = Theme.history.filter(id=theme.pk, history_type="-").get()
    assert gone.history_user == setup.admin
    assert gone.history_change_reason == "Merged into Leadership"


def test_a_theme_in_use_is_not_removed_and_the_page_says_why(setup, clients):
    client = clients["admin"]
    address = url("setup_theme_remove", setup, setup.theme.pk)
    assert "area 1 uses it" in client.get(address).content.decode()
    response = client.post(address, {"reason": "Tidying up"})
    assert response.status_code == 400
    assert "area 1 uses it" in response.content.decode()
    assert Theme.objects.filter(pk=setup.theme.pk).exists()


def test_theme_names_are_unique_in_the_plan(setup, clients):
    response = clients["admin"].post(
        url("setup_theme_new", setup), {"name": "leadership!", "order": "0"}
    )
    assert response.status_code == 400
    assert "already has a theme called “Leadership”" in response.content.decode()


def test_another_plans_theme_is_not_found(setup, clients):
    theirs = factories.ThemeFactory(plan=setup.world.other_plan)
    for name in ("setup_theme_edit", "setup_theme_remove"):
        assert clients["admin"].get(url(name, setup, theirs.pk)).status_code == 404


# --- Owners and partners: the council's directory only -------------------------------------------


def test_owner_and_partner_lists_show_this_council_only(setup, clients):
    client = clients["admin"]
    owners = client.get(url("setup_owners", setup)).content.decode()
    assert "Head of Children&#x27;s Social Care" in owners
    assert "Chief Constable" not in owners
    partners = client.get(url("setup_partners", setup)).content.decode()
    assert "NHS Devon" in partners
    assert "Another police force" not in partners
    form = client.get(url("setup_owner_new", setup)).content.decode()
    assert "Another police force" not in form
    assert setup.world.users["outsider"].get_username() not in form


def test_owners_are_added_and_changed_with_history(setup, clients):
    client = clients["admin"]
    board = setup.world.users["board"]
    response = client.post(
        url("setup_owner_new", setup),
        {"job_title": "Designated Nurse", "organisation": setup.partner.pk, "user": board.pk},
    )
    assert response.status_code == 302
    owner = Owner.objects.get(job_title="Designated Nurse")
    assert (owner.organisation, owner.user) == (setup.partner, board)
    assert latest_history(owner).history_user == setup.admin
    assert latest_history(owner).history_change_reason == "Owner added"

    response = client.post(
        url("setup_owner_edit", setup, owner.pk),
        {
            "job_title": "Designated Nurse for Safeguarding",
            "organisation": setup.partner.pk,
            "user": "",
            "reason": "She has left",
            "version": owner.version,
        },
    )
    assert response.status_code == 302
    owner.refresh_from_db()
    assert owner.user is None
    assert latest_history(owner).history_change_reason == "She has left"


def test_another_councils_owner_or_organisation_is_refused(setup, clients):
    client = clients["admin"]
    before = history_snapshot()
    for data in (
        {"job_title": "Spy", "organisation": setup.other_partner.pk},
        {"job_title": "Spy", "organisation": setup.other_council.pk},
        # An account that is not a member of this plan.
        {
            "job_title": "Spy",
            "organisation": setup.council.pk,
            "user": setup.world.users["outsider"].pk,
        },
    ):
        response = client.post(url("setup_owner_new", setup), data)
        assert response.status_code == 400, data
        assert "govuk-error-summary" in response.content.decode()
    for name, pk in (
        ("setup_owner_edit", setup.other_owner.pk),
        ("setup_partner_edit", setup.other_partner.pk),
        ("setup_partner_edit", setup.other_council.pk),
        # The council itself is not one of its partners: operators look after it.
        ("setup_partner_edit", setup.council.pk),
    ):
        assert client.get(url(name, setup, pk)).status_code == 404
        assert client.post(url(name, setup, pk), {"name": "Taken"}).status_code == 404
    assert history_snapshot() == before


def test_the_services_refuse_another_councils_records_too(setup):
    with pytest.raises(Refused):
        directory.add_owner(
            plan=setup.plan,
            values={"job_title": "Spy", "organisation": setup.other_partner, "user": None},
            by=setup.admin,
            token=None,
        )
    with pytest.raises(Refused):
        directory.edit_partner(
            plan=setup.plan,
            organisation=setup.other_partner,
            values={"name": "Mine now"},
            by=setup.admin,
            reason="x",
            expected_version=None,
        )


def test_a_partner_joins_the_plans_council_with_a_unique_name(setup, clients):
    client = clients["admin"]
    data = {"name": "Devon and Cornwall Police", "short_name": "Police", "kind": "police"}
    assert client.post(url("setup_partner_new", setup), data).status_code == 302
    partner = Organisation.objects.get(name="Devon and Cornwall Police")
    assert partner.council == setup.council
    assert latest_history(partner).history_user == setup.admin

    response = client.post(url("setup_partner_new", setup), {**data, "name": "nhs devon"})
    assert response.status_code == 400
    assert "already has an organisation called “nhs devon”" in response.content.decode()
    # Another council may have a partner of the same name.
    data = {"name": "Another police force", "kind": "police"}
    assert client.post(url("setup_partner_new", setup), data).status_code == 302
    assert Organisation.objects.filter(name="Another police force").count() == 2

    response = client.post(
        url("setup_partner_edit", setup, partner.pk),
        {
            "name": "Devon and Cornwall Police",
            "short_name": "D&C Police",
            "kind": "police",
            "version": partner.version,
        },
    )
    assert response.status_code == 302
    partner.refresh_from_db()
    assert partner.short_name == "D&C Police"
    assert latest_history(partner).history_change_reason == "Partner organisation changed"


# --- Meetings ------------------------------------------------------------------------------


def meeting_data(**changes) -> dict:
    data = {
        "kind": Meeting.Kind.SCRUTINY_PANEL,
        "title": "Ambitious Plymouth Scrutiny Panel",
        **date_fields("date", datetime.date(2015, 5, 12)),
        "date_precision": "month",
    }
    return data | changes


def test_meetings_are_added_changed_cancelled_and_reinstated(setup, clients):
    from reporting.models import IssuedPaper

    client = clients["admin"]
    assert client.post(url("setup_meeting_new", setup), meeting_data()).status_code == 302
    meeting = Meeting.objects.get(title="Ambitious Plymouth Scrutiny Panel")
    # A month-only date stands for the month's last day.
    assert (meeting.date, meeting.date_precision) == (datetime.date(2015, 5, 31), "month")
    assert latest_history(meeting).history_change_reason == "Meeting added"

    data = meeting_data(
        **date_fields("date", datetime.date(2015, 5, 20)),
        date_precision="day",
        reason="Date fixed",
        version=meeting.version,
    )
    assert client.post(url("setup_meeting_edit", setup, meeting.pk), data).status_code == 302
    meeting.refresh_from_db()
    assert meeting.date == datetime.date(2015, 5, 20)
    assert latest_history(meeting).history_change_reason == "Date fixed"

    paper = IssuedPaper.objects.create(
        meeting=meeting,
        kind="scrutiny-summary",
        version=1,
        as_at=datetime.date(2015, 5, 1),
        title="Scrutiny summary",
        html="<p>Paper</p>",
        docx=b"",
        pdf=b"",
        issued_by=setup.admin,
        issued_at=datetime.datetime(2015, 5, 2, tzinfo=datetime.UTC),
    )
    cancel = url("setup_meeting_cancel", setup, meeting.pk)
    assert client.post(cancel, {}).status_code == 400  # a reason is required
    assert client.post(cancel, {"reason": "Not quorate"}).status_code == 302
    meeting.refresh_from_db()
    assert meeting.cancelled
    assert latest_history(meeting).history_change_reason == "Not quorate"
    assert latest_history(meeting).history_user == setup.admin
    assert IssuedPaper.objects.filter(pk=paper.pk).exists()
    listed = client.get(url("setup_meetings", setup)).content.decode()
    assert "Cancelled" in listed
    listed = client.get(reverse("reporting:meetings", args=[setup.plan.slug])).content.decode()
    assert "Cancelled" in listed

    reinstate = url("setup_meeting_reinstate", setup, meeting.pk)
    assert client.post(reinstate, {"reason": "Rearranged"}).status_code == 302
    meeting.refresh_from_db()
    assert not meeting.cancelled


def test_two_meetings_of_a_kind_on_one_day_are_refused(setup, clients):
    data = meeting_data(
        kind=Meeting.Kind.IMPROVEMENT_BOARD,
        title="Board",
        date_precision="day",
        **date_fields("date", setup.meeting.date),
    )
    response = clients["admin"].post(url("setup_meeting_new", setup), data)
    assert response.status_code == 400
    assert (
        "already has a meeting of the kind “Improvement Board” on 11 March 2015"
        in response.content.decode()
    )
    assert Meeting.objects.filter(plan=setup.plan).count() == 1


def test_the_meeting_date_is_shown_once_even_when_the_title_has_it(setup, clients):
    meeting = factories.MeetingFactory(
        plan=setup.plan, title="Improvement Board 30 June 2015", date=datetime.date(2015, 6, 30)
    )
    assert meeting.label == "Improvement Board 30 June 2015"
    assert str(meeting) == "Improvement Board 30 June 2015"
    month = factories.MeetingFactory(
        plan=setup.plan,
        kind=Meeting.Kind.SCRUTINY_PANEL,
        title="Scrutiny panel, June 2015",
        date=datetime.date(2015, 6, 30),
        date_precision="month",
    )
    assert month.label == "Scrutiny panel, June 2015"
    assert setup.meeting.label == "Improvement Board, 11 March 2015"
    assert str(setup.meeting) == "Improvement Board (11 March 2015)"
    client = clients["admin"]
    for address in (
        url("setup_meetings", setup),
        reverse("reporting:meetings", args=[setup.plan.slug]),
        reverse("reporting:meeting", args=[setup.plan.slug, meeting.pk]),
        reverse("reporting:papers", args=[setup.plan.slug]),
    ):
        html = client.get(address).content.decode()
        assert html.count("30 June 2015") == html.count("Improvement Board 30 June 2015"), address


def test_another_plans_meeting_is_not_found(setup, clients):
    theirs = factories.MeetingFactory(plan=setup.world.other_plan)
    for name in ("setup_meeting_edit", "setup_meeting_cancel", "setup_meeting_reinstate"):
        response = clients["admin"].post(url(name, setup, theirs.pk), {"reason": "x"})
        assert response.status_code == 404
    theirs.refresh_from_db()
    assert not theirs.cancelled


# --- Members -------------------------------------------------------------------------------


def membership(setup, name: str) -> Membership:
    return Membership.objects.get(plan=setup.plan, user=setup.world.users[name])


def test_members_are_listed_with_their_roles(setup, clients):
    html = clients["admin"].get(url("setup_members", setup)).content.decode()
    for name in ("officer", "admin", "board", "scrutiny"):
        assert setup.world.users[name].get_full_name() in html
    assert "Plan administrator" in html and "Scrutiny officer" in html
    assert setup.world.users["outsider"].get_full_name() not in html


def colleague(setup, username: str = "colleague"):
    """An account of the plan's council outside the plan: a member of another of its plans."""
    sister = factories.PlanFactory(organisation=setup.council, slug=f"sister-{username}")
    user = factories.UserFactory(username=username)
    factories.join(sister, {user: OFFICER})
    return user


def test_an_existing_account_is_added_by_user_name_or_e_mail(setup, clients):
    client = clients["admin"]
    joining = colleague(setup)
    response = client.post(
        url("setup_member_add", setup),
        {"account": joining.email.upper(), "role": BOARD_MEMBER, "reason": "Joins the board"},
    )
    assert response.status_code == 302
    added = Membership.objects.get(plan=setup.plan, user=joining)
    assert added.role == BOARD_MEMBER
    row = latest_history(added)
    assert (row.history_user, row.history_change_reason) == (setup.admin, "Joins the board")

    response = client.post(
        url("setup_member_add", setup), {"account": "colleague", "role": OFFICER}
    )
    assert response.status_code == 400
    assert "already a member of this plan, as board member" in response.content.decode()
    response = client.post(url("setup_member_add", setup), {"account": "nobody", "role": OFFICER})
    assert response.status_code == 400
    assert "No account in your council has this user name" in response.content.decode()

    newcomer = colleague(setup, "newcomer")
    response = client.post(url("setup_member_add", setup), {"account": "NEWCOMER", "role": OFFICER})
    assert response.status_code == 302
    assert (
        latest_history(Membership.objects.get(plan=setup.plan, user=newcomer)).history_change_reason
        == "Added to the plan"
    )


def new_account_data(**changes) -> dict:
    data = {
        "first_name": "Jo",
        "last_name": "Bloggs",
        "email": "jo.bloggs@plymouth.gov.uk",
        "username": "jbloggs",
        "role": OFFICER,
        "form_token": str(uuid.uuid4()),
    }
    return data | changes


def test_a_new_account_gets_an_e_mail_whose_link_sets_a_password(setup, clients):
    response = clients["admin"].post(
        url("setup_member_new_account", setup), new_account_data(reason="New head of service")
    )
    assert response.status_code == 302
    user = User.objects.get(username="jbloggs")
    assert not user.has_usable_password()
    assert not (user.is_staff or user.is_superuser)
    member = Membership.objects.get(plan=setup.plan, user=user)
    assert member.role == OFFICER
    row = latest_history(member)
    assert row.history_user == setup.admin
    assert row.history_change_reason == "New account: New head of service"

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["jo.bloggs@plymouth.gov.uk"]
    assert "jbloggs" in message.body
    link = re.search(r"https?://\S+", message.body).group(0)
    path = link.split("testserver", 1)[1]

    visitor = Client()
    response = visitor.get(path)
    assert response.status_code == 302  # the token moves into the session
    form_page = visitor.get(response["Location"])
    assert form_page.status_code == 200
    assert "Set your password" in form_page.content.decode()
    response = visitor.post(
        response["Location"],
        {
            "new_password1": "a-long-Plymouth-passphrase",
            "new_password2": "a-long-Plymouth-passphrase",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("login")
    user.refresh_from_db()
    assert user.check_password("a-long-Plymouth-passphrase")
    # The link works once.
    assert "This link no longer works" in Client().get(path).content.decode()
    # And now they can sign in.
    response = visitor.post(
        reverse("login"), {"username": "jbloggs", "password": "a-long-Plymouth-passphrase"}
    )
    assert response.status_code == 302
    assert visitor.get(reverse("plans:my_work")).status_code == 200


def test_a_bad_set_password_link_says_so(db):
    response = Client().get(reverse("set_password", args=["MQ", "nonsense-token"]))
    assert response.status_code == 200
    assert "This link no longer works" in response.content.decode()


def test_a_new_account_needs_a_unique_user_name_and_e_mail(setup, clients):
    client = clients["admin"]
    address = url("setup_member_new_account", setup)
    response = client.post(address, new_account_data(username="BOARD"))
    assert response.status_code == 400
    assert "An account with this user name already exists" in response.content.decode()
    response = client.post(address, new_account_data(email="board@example.org"))
    assert response.status_code == 400
    assert "An account with this e-mail address already exists" in response.content.decode()
    response = client.post(address, new_account_data(email="not an address", username="a b"))
    assert response.status_code == 400
    assert "correct format" in response.content.decode()
    assert "only letters, digits" in response.content.decode()
    assert not mail.outbox


def test_an_administrator_makes_nobody_an_operator(setup, clients):
    client = clients["admin"]
    data = new_account_data(is_superuser="on", is_staff="on", role="superuser")
    assert client.post(url("setup_member_new_account", setup), data).status_code == 400
    data = new_account_data(is_superuser="on", is_staff="on", role=PLAN_ADMINISTRATOR)
    assert client.post(url("setup_member_new_account", setup), data).status_code == 302
    user = User.objects.get(username="jbloggs")
    assert not (user.is_staff or user.is_superuser)
    board = membership(setup, "board")
    for role in ("superuser", "staff", "operator", ""):
        response = client.post(
            url("setup_member_role", setup, board.pk), {"role": role, "reason": "Promotion"}
        )
        assert response.status_code == 400
    board.refresh_from_db()
    assert board.role == BOARD_MEMBER
    with pytest.raises(Refused):
        members.change_role(
            plan=setup.plan, membership=board, role="superuser", by=setup.admin, reason="x"
        )
    user = board.user
    user.refresh_from_db()
    assert not (user.is_staff or user.is_superuser)


def test_roles_are_changed_with_history(setup, clients):
    board = membership(setup, "board")
    address = url("setup_member_role", setup, board.pk)
    assert clients["admin"].post(address, {"role": OFFICER}).status_code == 400  # reason
    response = clients["admin"].post(address, {"role": OFFICER, "reason": "Now leads area 3"})
    assert response.status_code == 302
    board.refresh_from_db()
    assert board.role == OFFICER
    row = latest_history(board)
    assert (row.history_user, row.history_change_reason) == (setup.admin, "Now leads area 3")


def test_another_plans_memberships_are_not_found(setup, clients):
    theirs = setup.other_membership
    client = clients["admin"]
    for name in ("setup_member_role", "setup_member_remove", "setup_member_send_link"):
        address = url(name, setup, theirs.pk)
        assert client.get(address).status_code == 404
        assert client.post(address, {"role": OFFICER, "reason": "x"}).status_code == 404
    assert Membership.objects.get(pk=theirs.pk).role == OFFICER
    with pytest.raises(Refused):
        members.remove_member(plan=setup.plan, membership=theirs, by=setup.admin, reason="x")
    assert not mail.outbox


def test_an_operators_account_is_not_changed_or_removed(setup, clients):
    operator = factories.UserFactory(username="operator", is_superuser=True, is_staff=True)
    held = Membership.objects.create(plan=setup.plan, user=operator, role=PLAN_ADMINISTRATOR)
    client = clients["admin"]
    for name, data in (
        ("setup_member_role", {"role": OFFICER, "reason": "x"}),
        ("setup_member_remove", {"reason": "x"}),
        ("setup_member_send_link", {}),
    ):
        response = client.post(url(name, setup, held.pk), data)
        assert response.status_code == 400, name
        assert "one of the service&#x27;s operators" in response.content.decode()
    held.refresh_from_db()
    assert held.role == PLAN_ADMINISTRATOR
    assert not mail.outbox
    with pytest.raises(Refused):
        members.remove_member(plan=setup.plan, membership=held, by=setup.admin, reason="x")
    # Adding an operator is refused too: they already see every plan.
    other = factories.UserFactory(username="operator2", is_superuser=True)
    response = client.post(
        url("setup_member_add", setup), {"account": "operator2", "role": OFFICER}
    )
    assert response.status_code == 400
    assert not Membership.objects.filter(user=other).exists()


def test_the_last_plan_administrator_cannot_leave_or_step_down(setup, clients):
    mine = membership(setup, "admin")
    client = clients["admin"]
    response = client.post(
        url("setup_member_role", setup, mine.pk), {"role": OFFICER, "reason": "Stepping down"}
    )
    assert response.status_code == 400
    assert "You are this plan&#x27;s only plan administrator" in response.content.decode()
    response = client.post(url("setup_member_remove", setup, mine.pk), {"reason": "Leaving"})
    assert response.status_code == 400
    assert "only plan administrator" in response.content.decode()
    mine.refresh_from_db()
    assert mine.role == PLAN_ADMINISTRATOR
    # An operator cannot leave the plan without one either.
    operator = factories.UserFactory(username="operator", is_superuser=True)
    with pytest.raises(Refused, match="only plan administrator"):
        members.remove_member(plan=setup.plan, membership=mine, by=operator, reason="x")

    # With a second plan administrator, they may.
    board = membership(setup, "board")
    members.change_role(
        plan=setup.plan, membership=board, role=PLAN_ADMINISTRATOR, by=setup.admin, reason="Cover"
    )
    response = client.post(
        url("setup_member_role", setup, mine.pk), {"role": OFFICER, "reason": "Stepping down"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("plans:plan", args=[setup.plan.slug])
    mine.refresh_from_db()
    assert mine.role == OFFICER
    assert client.get(url("setup", setup)).status_code == 403


def test_an_administrator_may_leave_when_another_remains(setup, clients):
    board = membership(setup, "board")
    members.change_role(
        plan=setup.plan, membership=board, role=PLAN_ADMINISTRATOR, by=setup.admin, reason="Cover"
    )
    mine = membership(setup, "admin")
    response = clients["admin"].post(
        url("setup_member_remove", setup, mine.pk), {"reason": "Moved to adult services"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("plans:plan_list")
    assert clients["admin"].get(url("setup", setup)).status_code == 404


def test_removing_a_member_keeps_the_reason_and_unlinks_their_owner_roles(setup, clients):
    officer = membership(setup, "officer")
    # The officer also holds a role used in another plan of the same council,
    # where they remain a member: that one stays theirs.
    sister = factories.PlanFactory(organisation=setup.council, slug="adults")
    factories.join(sister, {officer.user: OFFICER})
    shared = factories.OwnerFactory(
        job_title="Principal Social Worker", organisation=setup.council, user=officer.user
    )
    factories.ImprovementAreaFactory(plan=sister, number=1, lead=shared)
    address = url("setup_member_remove", setup, officer.pk)
    page = clients["admin"].get(address).content.decode()
    assert "Head of Children&#x27;s Social Care" in page
    assert "Principal Social Worker" not in page
    response = clients["admin"].post(address, {"reason": "Left the council"})
    assert response.status_code == 302
    assert not Membership.objects.filter(pk=officer.pk).exists()
    gone = Membership.history.filter(id=officer.pk, history_type="-").get()
    assert (gone.history_user, gone.history_change_reason) == (setup.admin, "Left the council")
    setup.owner.refresh_from_db()
    assert setup.owner.user is None
    assert "Left the council" in latest_history(setup.owner).history_change_reason
    shared.refresh_from_db()
    assert shared.user == officer.user
    # The plan no longer exists for them.
    assert client_for(officer.user).get(url("setup", setup)).status_code == 404


def test_a_set_password_e_mail_can_be_sent_again(setup, clients):
    board = membership(setup, "board")
    response = clients["admin"].post(url("setup_member_send_link", setup, board.pk), {})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [board.user.email]
    assert "/accounts/set-password/" in mail.outbox[0].body


# --- A double submit makes one record ------------------------------------------------------


CREATE_FORMS = {
    "setup_theme_new": (Theme, lambda s: {"name": "Early help", "order": "4"}),
    "setup_owner_new": (
        Owner,
        lambda s: {"job_title": "Head of Youth Services", "organisation": s.council.pk},
    ),
    "setup_partner_new": (Organisation, lambda s: {"name": "Plymouth CCG", "kind": "health"}),
    "setup_meeting_new": (Meeting, lambda s: meeting_data()),
    "setup_member_add": (Membership, lambda s: {"account": colleague(s).username, "role": OFFICER}),
    "setup_member_new_account": (User, lambda s: new_account_data()),
}


@pytest.mark.parametrize("page", sorted(CREATE_FORMS))
def test_a_double_submit_makes_one_record(setup, clients, page):
    model, data = CREATE_FORMS[page]
    client = clients["admin"]
    token = client.get(url(page, setup)).context["form"].initial["form_token"]
    payload = {**data(setup), "form_token": str(token)}
    before = model.objects.count()
    first = client.post(url(page, setup), payload)
    second = client.post(url(page, setup), payload)
    assert (first.status_code, second.status_code) == (302, 302)
    assert model.objects.count() == before + 1
    messages = [str(m) for m in second.wsgi_request._messages]
    assert any("already" in m for m in messages), messages
    if model is User:
        assert len(mail.outbox) == 1


# --- Queries: fixed whatever the data ------------------------------------------------------

# Every signed-in page pays 5: the session and the user (2) and the session's
# renewal (3); these pages ask no Django permissions (see test_budgets.py).
OVERHEAD = 5
BUDGETS = {
    "setup": OVERHEAD + 1,  # the plan with the user's role
    "setup_themes": OVERHEAD + 2,  # plan, themes with their area counts
    "setup_owners": OVERHEAD + 2,  # plan, owners with organisations and accounts
    "setup_partners": OVERHEAD + 2,  # plan, partners
    "setup_meetings": OVERHEAD + 2,  # plan, meetings
    "setup_members": OVERHEAD + 2,  # plan, members with accounts
}


def grow(setup, times: int, start: int) -> None:
    for i in range(start, start + times):
        theme = factories.ThemeFactory(plan=setup.plan, name=f"Theme {i}", slug=f"theme-{i}")
        factories.ImprovementAreaFactory(plan=setup.plan, number=i, theme=theme)
        partner = factories.OrganisationFactory(name=f"Partner {i}", council=setup.council)
        user = factories.UserFactory(username=f"member{i}")
        factories.join(setup.plan, {user: OFFICER})
        factories.OwnerFactory(job_title=f"Manager {i}", organisation=partner, user=user)
        factories.MeetingFactory(
            plan=setup.plan, date=datetime.date(2016, 1, 1) + datetime.timedelta(days=i)
        )


def count_queries(client, address: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(address)
    assert response.status_code == 200, address
    return len(ctx.captured_queries)


def test_list_pages_make_a_fixed_number_of_queries(setup, clients):
    client = clients["admin"]
    urls = {page: url(page, setup) for page in BUDGETS}
    grow(setup, 1, start=10)
    small = {page: count_queries(client, address) for page, address in urls.items()}
    grow(setup, 19, start=11)
    large = {page: count_queries(client, address) for page, address in urls.items()}
    assert large == small, "query counts grew with the data"
    over = {page: n for page, n in large.items() if n > BUDGETS[page]}
    assert not over, f"over budget: {over} (budgets {BUDGETS})"
    assert ImprovementArea.objects.filter(plan=setup.plan).count() > 20


# --- Hostile input ------------------------------------------------------------------------

HOSTILE = ["<script>alert('x')</script>", "a\x00b", "x" * 5000, "-1", "99999999999999999999", ""]


def test_hostile_input_never_breaks_a_set_up_form(setup, clients):
    """Every field of every form at once, as a plan administrator: never a
    500, never an unescaped script, and nothing written unless it was valid."""
    client = clients["admin"]
    for page, address in page_urls(setup).items():
        if page in READ_ONLY or page == "setup_member_remove":
            continue
        html = client.get(address).content.decode()
        names = set(re.findall(r'name="([^"]+)"', html)) - {"csrfmiddlewaretoken"}
        for value in HOSTILE:
            before = history_snapshot()
            response = client.post(address, {name: value for name in names})
            assert response.status_code < 500, (page, value)
            if response.status_code >= 400:
                assert history_snapshot() == before, (page, value)
            assert "<script>alert" not in response.content.decode(), (page, value)


def test_a_form_token_from_another_plan_is_refused(setup, clients):
    theirs = factories.MeetingFactory(plan=setup.world.other_plan)
    token = uuid.uuid4()
    UsedFormToken.objects.create(token=token, model="plans.Meeting", object_id=theirs.pk)
    response = clients["admin"].post(
        url("setup_meeting_new", setup), {**meeting_data(), "form_token": str(token)}
    )
    assert response.status_code == 400
    assert "This form has already been used" in response.content.decode()
    assert not Meeting.objects.filter(title="Ambitious Plymouth Scrutiny Panel").exists()
