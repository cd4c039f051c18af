"""Milestones, actions and areas: editing by those allowed, with reasons, and
no lost updates when two people edit the same record."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from plans import saving, services
from plans.forms import ActionForm
from plans.models import Action, ImprovementArea, Milestone
from tests import factories
from tests.support.forms import action_post, date_fields, milestone_post

pytestmark = pytest.mark.django_db


def today() -> datetime.date:
    """The test's day (tests/conftest.py pins the clock): read when the test
    runs, never at import, when the clock is still the real one."""
    return timezone.localdate()


def next_quarter() -> datetime.date:
    return today() + datetime.timedelta(days=90)


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
    future = today() + datetime.timedelta(days=3)
    response = clients["officer"].post(url, {**date_fields("completed_date", future), "version": 1})
    assert response.status_code == 400
    assert "The date completed must be today or in the past" in response.content.decode()
    assert Milestone.objects.get(pk=world.milestone.pk).status == "open"


def test_reforecast_needs_a_reason(world, clients):
    url = reverse("plans:milestone_reforecast", args=[world.milestone.pk])
    new_date = date_fields("forecast_date", next_quarter())
    response = clients["officer"].post(url, {**new_date, "version": 1})
    assert response.status_code == 400
    assert "Enter the reason for the new date" in response.content.decode()
    response = clients["officer"].post(
        url, {**new_date, "version": 1, "reason": "Waiting for the CCG contract"}
    )
    assert response.status_code == 302
    m = Milestone.objects.get(pk=world.milestone.pk)
    assert (m.forecast_date, m.version) == (next_quarter(), 2)
    row = m.history.first()
    assert (row.history_user, row.history_change_reason) == (
        world.users["officer"],
        "Waiting for the CCG contract",
    )


def test_a_new_forecast_date_is_today_or_later(world, clients):
    url = reverse("plans:milestone_reforecast", args=[world.milestone.pk])
    yesterday = today() - datetime.timedelta(days=1)
    for past in (yesterday, datetime.date(2015, 9, 30)):
        response = clients["officer"].post(
            url, {**date_fields("forecast_date", past), "version": 1, "reason": "Late"}
        )
        assert response.status_code == 400
        assert "The new forecast date must be today or in the future" in response.content.decode()
    assert Milestone.objects.get(pk=world.milestone.pk).forecast_date is None
    response = clients["officer"].post(
        url, {**date_fields("forecast_date", today()), "version": 1, "reason": "Late"}
    )
    assert response.status_code == 302
    assert Milestone.objects.get(pk=world.milestone.pk).forecast_date == today()


def test_a_complete_milestone_says_so_and_takes_no_more_changes(world, clients):
    complete = reverse("plans:milestone_complete", args=[world.milestone.pk])
    posted = {**date_fields("completed_date", (3, 7, 2015)), "version": 1}
    assert clients["officer"].post(complete, posted).status_code == 302
    rows = Milestone.history.count()
    # Back and submit again, or a re-forecast from a page opened before it was completed.
    reforecast = reverse("plans:milestone_reforecast", args=[world.milestone.pk])
    again = {**date_fields("forecast_date", next_quarter()), "version": 1, "reason": "Late"}
    for url, data in ((complete, posted), (reforecast, again)):
        response = clients["officer"].post(url, data, follow=True)
        assert response.redirect_chain[-1][0] == reverse(
            "plans:area", args=[world.plan.slug, world.area.number]
        )
        assert "That milestone is already complete" in response.content.decode()
    assert Milestone.history.count() == rows


def test_the_service_refuses_to_change_a_milestone_completed_meanwhile(world):
    """The race past the view's own check: completed between opening and saving."""
    stale = Milestone.objects.get(pk=world.milestone.pk)
    services.complete_milestone(
        milestone=Milestone.objects.get(pk=world.milestone.pk),
        user=world.users["admin"],
        completed_date=datetime.date(2015, 7, 3),
        note="",
        expected_version=1,
    )
    with pytest.raises(services.AlreadyComplete):
        services.reforecast_milestone(
            milestone=stale,
            user=world.users["officer"],
            forecast_date=next_quarter(),
            reason="Late",
            expected_version=1,
        )
    stored = Milestone.objects.get(pk=world.milestone.pk)
    assert (stored.forecast_date, stored.version) == (None, 2)


def test_moving_a_due_date_needs_a_reason(world, clients):
    url = reverse("plans:milestone_edit", args=[world.milestone.pk])
    form = clients["admin"].get(url).content.decode()
    assert "required if the due date moves from 30 June 2015" in form
    moved = milestone_post(**date_fields("due_date", (30, 9, 2015)))
    response = clients["admin"].post(url, moved)
    assert response.status_code == 400
    page = response.content.decode()
    said = "due date moved from 30 June 2015 to 30 September 2015"
    assert f"Enter the reason the {said}" in page
    assert f"Reason the {said}" in page  # the field's label
    response = clients["admin"].post(url, {**moved, "reason": "Board agreed a later date"})
    assert response.status_code == 302
    m = Milestone.objects.get(pk=world.milestone.pk)
    assert m.due_date == datetime.date(2015, 9, 30)
    assert m.history.first().history_change_reason == f"Board agreed a later date ({said})"


def test_editing_a_milestone_without_moving_its_date_needs_no_reason(world, clients):
    url = reverse("plans:milestone_edit", args=[world.milestone.pk])
    response = clients["officer"].post(url, milestone_post(note="Draft shared with partners"))
    assert response.status_code == 302
    m = Milestone.objects.get(pk=world.milestone.pk)
    assert (m.note, m.history.first().history_change_reason) == (
        "Draft shared with partners",
        "Milestone edited",
    )


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


def partner_of(world, name: str):
    """An organisation in the directory of the plan's council."""
    return factories.OrganisationFactory(name=name, council=world.plan.organisation)


def owner_in(world, job_title: str):
    return factories.OwnerFactory(job_title=job_title, organisation=world.plan.organisation)


def test_add_and_edit_an_action_with_partners(world, clients):
    police = partner_of(world, "Devon and Cornwall Police")
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
    assert response.status_code == 400
    assert "Area 1 already has an action 1.1: enter another reference" in response.content.decode()
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


def action_edit_post(world, **extra) -> dict:
    action = world.action
    return {
        **action_post(
            reference=action.reference,
            title=action.title,
            owner=action.owner_id,
            status=action.status,
            version=action.version,
            **date_fields("start_date", action.start_date),
        ),
        **extra,
    }


def test_an_actions_first_due_date_needs_no_reason_moving_it_does(world, clients):
    world.action.due_date = None
    saving.save_with_history(world.action, reason="No date yet", user=world.users["admin"])
    url = reverse("plans:action_edit", args=[world.action.pk])
    assert "Reason for the change (optional)" in clients["officer"].get(url).content.decode()
    first = action_edit_post(world, **date_fields("due_date", (30, 6, 2015)))
    assert clients["officer"].post(url, first).status_code == 302
    world.action.refresh_from_db()
    assert world.action.due_date == datetime.date(2015, 6, 30)
    assert world.action.history.first().history_change_reason == "Action edited"

    moved = action_edit_post(world, version=2, **date_fields("due_date", (30, 9, 2015)))
    response = clients["officer"].post(url, moved)
    assert response.status_code == 400
    said = "due date moved from 30 June 2015 to 30 September 2015"
    assert f"Enter the reason the {said}" in response.content.decode()
    response = clients["officer"].post(url, {**moved, "reason": "Recruitment took longer"})
    assert response.status_code == 302
    world.action.refresh_from_db()
    assert world.action.history.first().history_change_reason == (
        f"Recruitment took longer ({said})"
    )
    # Taking the date away is a move too.
    response = clients["officer"].post(url, action_edit_post(world, version=3))
    assert "Enter the reason the due date moved from 30 September 2015 to no date" in (
        response.content.decode()
    )


def test_owners_and_partners_come_from_the_plans_council_only(world, clients):
    ours = owner_in(world, "Head of Service")
    partner = partner_of(world, "Plymouth Hospitals NHS Trust")
    elsewhere = factories.OrganisationFactory(name="Another Council")
    their_partner = factories.OrganisationFactory(name="Their CCG", council=elsewhere)
    their_owner = factories.OwnerFactory(job_title="Their Director", organisation=their_partner)
    new = reverse("plans:action_new", args=[world.plan.slug, world.area.number])

    form = clients["officer"].get(new).content.decode()
    assert "Head of Service" in form and "Plymouth Hospitals NHS Trust" in form
    assert "Their Director" not in form and "Their CCG" not in form
    assert "Another Council" not in form

    refused = [
        (action_post(owner=their_owner.pk), "Select an owner from the list"),
        (action_post(partners=[their_partner.pk]), "Select partners from the list"),
        (action_post(partners=[partner.pk, elsewhere.pk]), "Select partners from the list"),
    ]
    for data, message in refused:
        response = clients["officer"].post(new, data)
        assert response.status_code == 400, data
        assert message in response.content.decode()
    assert not Action.objects.filter(reference="1.2").exists()

    ok = clients["officer"].post(new, action_post(owner=ours.pk, partners=[partner.pk]))
    assert ok.status_code == 302
    action = Action.objects.get(reference="1.2")
    assert (action.owner, list(action.partners.all())) == (ours, [partner])

    area_edit = reverse("plans:area_edit", args=[world.plan.slug, world.area.number])
    post = {"recommendation": "Reasonable workloads.", "theme": "", "reason": "Lead changes"}
    response = clients["admin"].post(area_edit, {**post, "lead": their_owner.pk, "version": 1})
    assert response.status_code == 400
    assert "Select a lead from the list" in response.content.decode()
    response = clients["admin"].post(area_edit, {**post, "lead": ours.pk, "version": 1})
    assert response.status_code == 302
    assert ImprovementArea.objects.get(pk=world.area.pk).lead == ours


def test_a_value_set_before_choices_were_scoped_is_kept_not_cleared(world, clients):
    """The world's lead and action owner are in no council's directory (recorded
    before scoping): editing something else keeps them, shown as selected."""
    url = reverse("plans:action_edit", args=[world.action.pk])
    form = clients["officer"].get(url).content.decode()
    assert f'<option value="{world.action.owner_id}" selected>' in form
    data = action_edit_post(world, title="Renamed", **date_fields("due_date", (30, 9, 2015)))
    assert clients["officer"].post(url, data).status_code == 302
    world.action.refresh_from_db()
    assert (world.action.title, world.action.owner_id) == ("Renamed", world.area.lead_id)


def test_a_reference_clash_that_slips_past_the_form_is_a_form_error(world, clients, monkeypatch):
    """Another tab saved the same reference between the form's check and the
    save: a GOV.UK error on the reference (400), never a server error."""
    factories.ActionFactory(area=world.area, reference="1.3")
    monkeypatch.setattr(ActionForm, "clean_reference", lambda form: form.cleaned_data["reference"])
    url = reverse("plans:action_edit", args=[world.action.pk])
    data = action_edit_post(world, reference="1.3", **date_fields("due_date", (30, 9, 2015)))
    response = clients["officer"].post(url, data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "Area 1 already has an action 1.3: enter another reference" in page
    assert 'href="#id_reference"' in page  # the error summary links to the field
    world.action.refresh_from_db()
    assert (world.action.reference, world.action.version) == ("1.1", 1)
