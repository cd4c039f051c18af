"""Milestones, actions and areas: editing by those allowed, with reasons, and
no lost updates when two people edit the same record."""

import datetime

import pytest
from django.urls import reverse

from plans.models import Action, Milestone
from tests import factories
from tests.plans.test_updates import date_fields

pytestmark = pytest.mark.django_db


def test_mark_milestone_complete(world, clients):
    url = reverse("plans:milestone_complete", args=[world.milestone.pk])
    response = clients["officer"].post(
        url, {**date_fields("completed_date", (3, 7, 2015)), "version": 1, "reason": "Signed off"}
    )
    assert response.status_code == 302
    m = Milestone.objects.get(pk=world.milestone.pk)
    assert (m.status, m.completed_date, m.version) == ("complete", datetime.date(2015, 7, 3), 2)
    row = m.history.first()
    assert row.history_user == world.users["officer"]
    assert row.history_change_reason == "Completed: Signed off"


def test_completion_date_cannot_be_in_the_future(world, clients):
    url = reverse("plans:milestone_complete", args=[world.milestone.pk])
    future = datetime.date.today() + datetime.timedelta(days=3)
    response = clients["officer"].post(url, {**date_fields("completed_date", future), "version": 1})
    assert response.status_code == 400
    assert "The date completed must be today or in the past" in response.content.decode()
    assert Milestone.objects.get(pk=world.milestone.pk).status == "open"


def test_reforecast_needs_a_reason(world, clients):
    url = reverse("plans:milestone_reforecast", args=[world.milestone.pk])
    new_date = date_fields("forecast_date", (30, 9, 2015))
    response = clients["officer"].post(url, {**new_date, "version": 1})
    assert response.status_code == 400
    assert "Enter the reason for the new date" in response.content.decode()
    response = clients["officer"].post(
        url, {**new_date, "version": 1, "reason": "Waiting for the CCG contract"}
    )
    assert response.status_code == 302
    m = Milestone.objects.get(pk=world.milestone.pk)
    assert m.forecast_date == datetime.date(2015, 9, 30)
    assert m.history.first().history_change_reason == "Waiting for the CCG contract"


def milestone_post(**extra) -> dict:
    return {
        "title": "Framework in place",
        "action": "",
        **date_fields("due_date", (30, 6, 2015)),
        "due_precision": "day",
        "note": "",
        "version": 1,
        **extra,
    }


def test_moving_a_due_date_needs_a_reason(world, clients):
    url = reverse("plans:milestone_edit", args=[world.milestone.pk])
    moved = milestone_post(**date_fields("due_date", (31, 7, 2015)))
    response = clients["admin"].post(url, moved)
    assert response.status_code == 400
    assert "Enter the reason the due date moves from 30 June 2015" in response.content.decode()
    response = clients["admin"].post(url, {**moved, "reason": "Board agreed a later date"})
    assert response.status_code == 302
    assert Milestone.objects.get(pk=world.milestone.pk).due_date == datetime.date(2015, 7, 31)


def test_month_only_due_dates_are_stored_as_the_months_end(world, clients):
    url = reverse("plans:milestone_new", args=[world.plan.slug, world.area.number])
    response = clients["officer"].post(
        url,
        milestone_post(
            title="Strategy published",
            due_precision="month",
            **date_fields("due_date", (1, 6, 2015)),
        ),
    )
    assert response.status_code == 302
    m = Milestone.objects.get(title="Strategy published")
    assert (m.due_date, m.due_display) == (datetime.date(2015, 6, 30), "June 2015")


def test_milestone_action_must_be_from_the_same_area(world, clients):
    elsewhere = factories.ActionFactory(area=world.other_area)
    url = reverse("plans:milestone_new", args=[world.plan.slug, world.area.number])
    response = clients["admin"].post(url, milestone_post(action=str(elsewhere.pk)))
    assert response.status_code == 400
    assert "Select an action from this improvement area" in response.content.decode()


def test_two_people_editing_a_milestone_the_second_is_told_and_nothing_is_lost(world, clients):
    url = reverse("plans:milestone_edit", args=[world.milestone.pk])
    officer, admin = clients["officer"], clients["admin"]
    # Both open the form at version 1.
    assert 'name="version" value="1"' in officer.get(url).content.decode()
    assert 'name="version" value="1"' in admin.get(url).content.decode()

    first = admin.post(url, milestone_post(note="Agreed at the board"))
    assert first.status_code == 302

    second = officer.post(url, milestone_post(note="Officer's note"))
    assert second.status_code == 409
    page = second.content.decode()
    assert "Someone else changed this while you were editing it" in page
    assert "What changed while you were editing" in page
    assert "Agreed at the board" in page  # their change, shown
    assert "Officer&#x27;s note" in page  # the officer's answer, kept in the form
    assert 'name="version" value="2"' in page
    m = Milestone.objects.get(pk=world.milestone.pk)
    assert (m.note, m.version) == ("Agreed at the board", 2)

    # Saving again knowingly re-applies the officer's change.
    third = officer.post(url, milestone_post(note="Officer's note", version=2))
    assert third.status_code == 302
    m.refresh_from_db()
    assert (m.note, m.version) == ("Officer's note", 3)
    users = [row.history_user.username for row in m.history.order_by("history_id")[1:]]
    assert users == ["admin", "officer"]


def action_post(**extra) -> dict:
    return {
        "reference": "1.2",
        "title": "Service area action plans",
        "description": "",
        "owner": "",
        "status": "in_progress",
        "version": 1,
        **extra,
    }


def test_add_and_edit_an_action_with_partners(world, clients):
    police = factories.OrganisationFactory(name="Devon and Cornwall Police")
    url = reverse("plans:action_new", args=[world.plan.slug, world.area.number])
    response = clients["officer"].post(url, action_post(partners=[police.pk]))
    assert response.status_code == 302
    action = Action.objects.get(reference="1.2")
    assert list(action.partners.all()) == [police]
    assert action.history.first().history_user == world.users["officer"]

    edit = reverse("plans:action_edit", args=[action.pk])
    response = clients["officer"].post(edit, action_post(title="Renamed", partners=[]))
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.title == "Renamed" and not action.partners.exists()
    history = clients["board"].get(reverse("plans:action_history", args=[action.pk]))
    text = history.content.decode()
    assert "Devon and Cornwall Police" in text and "Renamed" in text


def test_action_reference_clash_and_dates_in_order(world, clients):
    url = reverse("plans:action_new", args=[world.plan.slug, world.area.number])
    response = clients["officer"].post(url, action_post(reference="1.1"))
    assert "Area 1 already has an action 1.1" in response.content.decode()
    response = clients["officer"].post(
        url,
        action_post(
            **date_fields("start_date", (1, 6, 2015)), **date_fields("due_date", (1, 5, 2015))
        ),
    )
    assert "The due date must be the same as or after the start date" in response.content.decode()
    assert Action.objects.filter(area=world.area).count() == 1


def test_two_people_editing_an_action_the_second_is_told(world, clients):
    url = reverse("plans:action_edit", args=[world.action.pk])
    base = action_post(
        reference="1.1",
        title=world.action.title,
        version=1,
        **date_fields("start_date", world.action.start_date),
        **date_fields("due_date", world.action.due_date),
    )
    assert clients["admin"].post(url, {**base, "status": "complete"}).status_code == 302
    response = clients["officer"].post(url, {**base, "title": "Officer's title"})
    assert response.status_code == 409
    world.action.refresh_from_db()
    assert (world.action.status, world.action.title) != ("in_progress", "Officer's title")


def test_administrator_edits_an_area_with_a_reason(world, clients):
    url = reverse("plans:area_edit", args=[world.plan.slug, world.area.number])
    post = {
        "recommendation": "Ensure that practitioners have reasonable workloads.",
        "theme": "",
        "lead": world.area.lead_id,
        "version": 1,
    }
    response = clients["admin"].post(url, post)
    assert response.status_code == 400
    assert "Enter the reason for the change" in response.content.decode()
    response = clients["admin"].post(url, {**post, "reason": "Wording agreed with Ofsted"})
    assert response.status_code == 302
    world.area.refresh_from_db()
    assert world.area.recommendation.startswith("Ensure that practitioners")
    history = clients["board"].get(reverse("plans:area_history", args=[world.plan.slug, 1]))
    text = history.content.decode()
    assert "Wording agreed with Ofsted" in text
    assert "Ensure reasonable workloads." in text  # the old value
    assert "Ensure that practitioners have reasonable workloads." in text  # the new one
