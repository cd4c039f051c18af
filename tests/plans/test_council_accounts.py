"""A council's directory is its own: its plan administrators find, add and see
only their council's accounts, and learn nothing of any other council's, not
even whether an address or user name is in use there beyond what creating an
account cannot help saying. One name is one account: user names and e-mail
addresses are compared as people read them."""

from __future__ import annotations

import re
import uuid

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse
from django.utils.html import escape

from plans.models import Membership, Plan
from plans.roles import OFFICER
from plans.setup import members
from plans.setup.common import Refused
from tests import factories
from workbook.models import CouncilAdministrator

pytestmark = pytest.mark.django_db
User = get_user_model()


def url(name: str, plan: Plan) -> str:
    return reverse(f"plans:{name}", args=[plan.slug])


def written() -> tuple[int, int, int]:
    return User.objects.count(), Membership.objects.count(), Membership.history.count()


def error_text(response) -> str:
    """The form's error for the account, as the error summary shows it."""
    html = response.content.decode()
    summary = html.split('class="govuk-error-summary"', 1)[1].split(">", 1)[1].split("</div>")[0]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", summary)).strip()


def same_page(response, typed: str) -> str:
    """The page without what was typed and what changes with every response
    (the CSRF token, the scripts' nonce)."""
    html = response.content.decode().replace(escape(typed), "TYPED")
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)
    return re.sub(r'nonce="[^"]*"', "", html)


def sister_plan_member(world, username: str) -> object:
    """An account of the world's council outside its plan: a member of another of its plans."""
    sister = factories.PlanFactory(organisation=world.plan.organisation, slug=f"sister-{username}")
    user = factories.UserFactory(username=username)
    factories.join(sister, {user: OFFICER})
    return user


# --- Finding and adding an account ---------------------------------------------------------


def test_another_councils_account_is_answered_as_if_it_did_not_exist(world, clients):
    outsider = world.users["outsider"]  # an officer of the other council's plan
    assert world.other_plan.organisation != world.plan.organisation
    client, address = clients["admin"], url("setup_member_add", world.plan)
    before = written()
    answers, pages = {}, set()
    for account in (
        "outsider",
        "OUTSIDER",
        "ｏutsider",  # a full-width o
        outsider.email,
        outsider.email.upper(),
        "nobody-at-all",
        "nobody-at-all@example.org",
    ):
        response = client.post(address, {"account": account, "role": OFFICER, "reason": "x"})
        answers[account] = (response.status_code, error_text(response))
        pages.add(same_page(response, account))
    assert len(pages) == 1  # the whole page, but for what was typed
    assert set(answers.values()) == {
        (
            400,
            "There is a problem No account in your council has this user name or e-mail "
            "address: check it, or create a new account",
        )
    }, answers
    assert written() == before
    assert not Membership.objects.filter(plan=world.plan, user=outsider).exists()


def test_an_account_of_the_council_is_found_and_added(world, clients):
    colleague = sister_plan_member(world, "colleague")
    client, address = clients["admin"], url("setup_member_add", world.plan)
    response = client.post(address, {"account": "ＣＯＬＬＥＡＧＵＥ", "role": OFFICER})
    assert response.status_code == 302
    membership = Membership.objects.get(plan=world.plan, user=colleague)
    assert membership.history.get().history_user == world.users["admin"]
    # And the members page shows their address, as it does every member's.
    page = client.get(url("setup_members", world.plan)).content.decode()
    assert colleague.email in page


def test_an_account_named_to_start_the_councils_plans_is_the_councils(world, clients):
    """create_council's account belongs to its council before it is in any plan."""
    council, other = world.plan.organisation, world.other_plan.organisation
    ours = factories.UserFactory(username="starter")
    theirs = factories.UserFactory(username="their-starter")
    CouncilAdministrator.objects.create(council=council, user=ours)
    CouncilAdministrator.objects.create(council=other, user=theirs)
    client, address = clients["admin"], url("setup_member_add", world.plan)
    refused = client.post(address, {"account": theirs.email, "role": OFFICER})
    assert refused.status_code == 400
    assert "No account in your council" in refused.content.decode()
    assert client.post(address, {"account": ours.email, "role": OFFICER}).status_code == 302
    assert Membership.objects.filter(plan=world.plan, user=ours).exists()


def test_the_service_refuses_another_councils_account_too(world):
    before = written()
    with pytest.raises(Refused) as refused:
        members.add_member(
            plan=world.plan,
            user=world.users["outsider"],
            role=OFFICER,
            by=world.users["admin"],
            reason="x",
            token=None,
        )
    assert refused.value.message == members.NO_SUCH_ACCOUNT
    assert written() == before


def test_no_set_up_or_history_page_shows_another_councils_addresses(world, clients):
    outsider = world.users["outsider"]
    client = clients["admin"]
    pages = [
        url(name, world.plan)
        for name in (
            "setup_members",
            "setup_member_add",
            "setup_owners",
            "setup_owner_new",
            "plan_changes",
        )
    ]
    for address in pages:
        response = client.get(address)
        assert response.status_code == 200, address
        html = response.content.decode()
        assert outsider.email not in html, address
        assert outsider.get_username() not in html, address


# --- Creating an account ---------------------------------------------------------------------


def new_account(**changes) -> dict:
    return {
        "first_name": "Jo",
        "last_name": "Bloggs",
        "email": "jo.bloggs@plymouth.gov.uk",
        "username": "jbloggs",
        "role": OFFICER,
        "form_token": str(uuid.uuid4()),
    } | changes


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        # Another council's account: refused, without saying whose it is.
        ({"username": "outsider"}, "username", "This user name is not available"),
        ({"username": "ｏutsider"}, "username", "This user name is not available"),
        ({"email": "OUTSIDER@example.org"}, "email", "This e-mail address cannot be used"),
        # One of the council's own: say so, and how to add it instead.
        ({"username": "ｏfficer"}, "username", "An account with this user name already exists"),
        ({"username": "OFFICER"}, "username", "An account with this user name already exists"),
        ({"email": "Officer@Example.org"}, "email", "An account with this e-mail address"),
    ],
)
def test_a_new_account_needs_a_name_and_address_nobody_has(world, clients, changes, field, message):
    before = written()
    response = clients["admin"].post(
        url("setup_member_new_account", world.plan), new_account(**changes)
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert f'id="id_{field}-error"' in html or f'href="#id_{field}"' in html
    assert "outsider@example.org" not in html  # (what was typed is shown as typed)
    assert written() == before
    assert not mail.outbox


def test_a_new_account_is_refused_alike_whichever_council_has_the_name(world, clients):
    """Taken in another council or in several: the same words, nothing more."""
    factories.UserFactory(username="taken-elsewhere")  # in no council at all
    address = url("setup_member_new_account", world.plan)
    answers = {
        name: error_text(clients["admin"].post(address, new_account(username=name)))
        for name in ("outsider", "taken-elsewhere", "TAKEN-ELSEWHERE")
    }
    assert len(set(answers.values())) == 1, answers
