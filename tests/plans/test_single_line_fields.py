"""Titles and names that reach e-mail subjects and senders' names are one line:
a line break (or a tab, or any other control character) is a form error, and
nothing is written."""

from __future__ import annotations

import uuid

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse

from core.single_line import is_single_line, single_line
from plans.models import Membership, Organisation, Plan
from plans.roles import OFFICER

pytestmark = pytest.mark.django_db
User = get_user_model()

BROKEN = ["Children's Services\r\nPlan", "Children's Services\nBcc: all@example.org", "A\tB"]


def written() -> dict:
    return {
        model.__name__: (model.objects.count(), model.history.count())
        for model in (Plan, Organisation, Membership)
    } | {"users": User.objects.count()}


def details(client, plan: Plan, **changes) -> dict:
    version = client.get(reverse("plans:setup_details", args=[plan.slug])).context["form"]
    return {
        "title": "Children's Services Improvement Plan",
        "inspection_name": "Inspection of services for children",
        "inspection_start_0": "6",
        "inspection_start_1": "10",
        "inspection_start_2": "2014",
        "inspection_end_0": "30",
        "inspection_end_1": "10",
        "inspection_end_2": "2014",
        "board_name": "Improvement Board",
        "officers_may_update_any_area": "no",
        "officers_see_submitted_updates": "no",
        "escalate_overdue_after_days": "0",
        "reason": "Agreed at the board",
        "version": version.initial["version"],
    } | changes


def refused(response, message: str, before: dict) -> None:
    assert response.status_code == 400
    html = response.content.decode()
    assert "There is a problem" in html
    assert message in html
    assert written() == before


@pytest.mark.parametrize("title", BROKEN)
def test_a_plans_title_is_one_line(world, clients, title):
    client, before = clients["admin"], written()
    address = reverse("plans:setup_details", args=[world.plan.slug])
    response = client.post(address, details(client, world.plan, title=title))
    refused(response, "Enter the title on one line", before)
    assert Plan.objects.get(pk=world.plan.pk).title == "Children's Services Plan"
    # Line breaks at either end are only white space, trimmed as ever.
    response = client.post(address, details(client, world.plan, title="\r\nNew title\r\n"))
    assert response.status_code == 302
    assert Plan.objects.get(pk=world.plan.pk).title == "New title"


def test_a_new_plans_title_is_one_line(world, clients):
    before = written()
    data = details(clients["admin"], world.plan, title=BROKEN[1])
    data.pop("version")
    response = clients["admin"].post(reverse("plans:start_plan"), data)
    refused(response, "Enter the plan title on one line", before)


def test_a_partners_names_are_one_line(world, clients):
    address = reverse("plans:setup_partner_new", args=[world.plan.slug])
    before = written()
    response = clients["admin"].post(address, {"name": "NHS\r\nDevon", "kind": "health"})
    refused(response, "Enter the name on one line", before)
    response = clients["admin"].post(
        address, {"name": "NHS Devon", "short_name": "NHS\n", "kind": "health"}
    )
    assert response.status_code == 302  # a trailing line break is trimmed
    response = clients["admin"].post(
        address, {"name": "Police", "short_name": "D&\nC", "kind": "police"}
    )
    assert response.status_code == 400
    assert "Enter the short name on one line" in response.content.decode()


@pytest.mark.parametrize("field", ["first_name", "last_name"])
def test_a_new_accounts_names_are_one_line(world, clients, field):
    data = {
        "first_name": "Jo",
        "last_name": "Bloggs",
        "email": "jo.bloggs@plymouth.gov.uk",
        "username": "jbloggs",
        "role": OFFICER,
        "form_token": str(uuid.uuid4()),
        field: "Jo\r\nBcc: all@example.org",
    }
    before = written()
    response = clients["admin"].post(
        reverse("plans:setup_member_new_account", args=[world.plan.slug]), data
    )
    label = field.replace("_", " ")
    refused(response, f"Enter the {label} on one line", before)
    assert not mail.outbox


def test_text_is_put_on_one_line():
    assert single_line(" Children's\r\n Services\tPlan\x1b\u2028 ") == "Children's Services Plan"
    assert is_single_line("Plymouth City Council — Children’s Services")
    assert not is_single_line("a\x85b")
