"""A double submit makes one record: the create forms for progress updates,
actions and milestones carry a one-time token (plans.forms.CreateForm), and
plans.saving.create_once makes one record per token. The second post of the
same form lands where the first did; a clash with another record is a form
error (400), never a server error."""

import re
import threading
import uuid

import pytest
from django.db import connection, connections
from django.urls import reverse

from plans import saving, services
from plans.forms import ActionForm
from plans.models import Action, Milestone, ProgressUpdate, UsedFormToken
from tests.conftest import client_for, make_world
from tests.support.forms import action_post, milestone_post, update_post

pytestmark = pytest.mark.django_db


def token_of(page) -> str:
    """The token in a create form as the browser got it."""
    return re.search(r'name="form_token" value="([0-9a-f-]{36})"', page.content.decode()).group(1)


def forms(world) -> dict:
    """Each create form: its address, a valid post, and how to count what it made."""
    slug, n = world.plan.slug, world.area.number
    return {
        "update": (
            reverse("plans:update_new", args=[slug, n]),
            {**update_post(), "submit": "1"},
            lambda: ProgressUpdate.objects.filter(narrative__startswith="Audits").count(),
        ),
        "action": (
            reverse("plans:action_new", args=[slug, n]),
            action_post(),
            lambda: Action.objects.filter(reference="1.2").count(),
        ),
        "milestone": (
            reverse("plans:milestone_new", args=[slug, n]),
            milestone_post(title="Strategy published"),
            lambda: Milestone.objects.filter(title="Strategy published").count(),
        ),
    }


@pytest.mark.parametrize("kind", ["update", "action", "milestone"])
def test_the_same_form_posted_twice_makes_one_record_and_lands_in_the_same_place(
    world, clients, kind
):
    url, data, count = forms(world)[kind]
    client = clients["officer"]
    form = client.get(url)
    assert 'type="hidden" name="form_token"' in form.content.decode()
    data = {**data, "form_token": token_of(form)}
    first = client.post(url, data)
    again = client.post(url, data)  # a double click, or Back and submit again
    assert first.status_code == again.status_code == 302
    assert first["Location"] == again["Location"]
    assert count() == 1
    assert UsedFormToken.objects.count() == 1
    # A fresh form is a fresh token: adding another is still possible.
    assert token_of(client.get(url)) != data["form_token"]


def test_a_repeated_post_says_what_the_first_did(world, clients):
    """Back after submitting, and submit again: the page says it was done."""
    url, data, _ = forms(world)["update"]
    data = {**data, "form_token": str(uuid.uuid4())}
    first = clients["officer"].post(url, data, follow=True).content.decode()
    assert "Update submitted for sign-off" in first
    page = clients["officer"].post(url, data, follow=True).content.decode()
    assert "This update has already been submitted for sign-off: nothing more was saved." in page
    assert ProgressUpdate.objects.get(narrative__startswith="Audits").history.count() == 1
    url, data, _ = forms(world)["action"]
    data = {**data, "form_token": str(uuid.uuid4())}
    assert "Action 1.2 added" in clients["officer"].post(url, data, follow=True).content.decode()
    page = clients["officer"].post(url, data, follow=True).content.decode()
    assert "Action 1.2 has already been added" in page


def test_a_form_with_errors_keeps_its_token(world, clients):
    url, data, count = forms(world)["action"]
    token = str(uuid.uuid4())
    bad = clients["officer"].post(url, {**data, "title": "", "form_token": token})
    assert bad.status_code == 400
    assert token_of(bad) == token
    assert clients["officer"].post(url, {**data, "form_token": token}).status_code == 302
    assert count() == 1


def test_a_post_without_a_token_still_creates(world, clients):
    """Old pages and scripts post no token: they create, without the guard."""
    url, data, count = forms(world)["milestone"]
    assert clients["officer"].post(url, data).status_code == 302
    assert count() == 1 and not UsedFormToken.objects.exists()


def test_two_tabs_with_the_same_reference_the_second_is_told(world, clients):
    """Different tokens: two forms. The reference is taken by the first."""
    url, data, count = forms(world)["action"]
    first = clients["officer"].post(url, {**data, "form_token": str(uuid.uuid4())})
    second = clients["admin"].post(url, {**data, "form_token": str(uuid.uuid4())})
    assert first.status_code == 302
    assert second.status_code == 400
    page = second.content.decode()
    assert "Area 1 already has an action 1.2: enter another reference" in page
    assert "govuk-error-summary" in page
    assert count() == 1


def test_a_reference_clash_past_the_forms_check_is_a_400_not_a_500(world, clients, monkeypatch):
    """The other tab saved between this form's check and its save."""
    url, data, count = forms(world)["action"]
    clients["officer"].post(url, {**data, "form_token": str(uuid.uuid4())})
    monkeypatch.setattr(ActionForm, "clean_reference", lambda form: form.cleaned_data["reference"])
    response = clients["admin"].post(url, {**data, "form_token": str(uuid.uuid4())})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Area 1 already has an action 1.2: enter another reference" in page
    assert 'href="#id_reference"' in page
    assert count() == 1
    assert UsedFormToken.objects.count() == 1


def test_the_losing_post_of_a_race_gets_the_winners_record(world, monkeypatch):
    """create_once's IntegrityError path: the token's first look-up missed (the
    other request had not committed yet), so this post saves, then finds the
    token taken when it stores it; its own record is rolled back and the
    winner's returned."""
    token = uuid.uuid4()
    values = {"reference": "1.2", "title": "Service area action plans", "status": "in_progress"}

    def create():
        return services.create_action(
            area=world.area, user=world.users["officer"], values=values, partners=[], token=token
        )

    winner, created = create()
    assert created
    real_filter = UsedFormToken.objects.filter
    looked = []

    def first_look_misses(*args, **kwargs):
        looked.append(kwargs)
        found = real_filter(*args, **kwargs)
        return found.none() if len(looked) == 1 else found

    monkeypatch.setattr(UsedFormToken.objects, "filter", first_look_misses)
    # A different reference, so the record saves and only the token clashes.
    values["reference"] = "1.3"
    record, created = create()
    assert (record, created) == (winner, False)
    assert len(looked) == 2
    assert list(Action.objects.filter(area=world.area).values_list("reference", flat=True)) == [
        "1.1",
        "1.2",
    ]


def test_a_used_token_from_another_area_or_a_removed_record_is_an_error(world, clients):
    token = str(uuid.uuid4())
    slug = world.plan.slug
    first = reverse("plans:milestone_new", args=[slug, world.area.number])
    clients["admin"].post(first, milestone_post(title="Strategy published", form_token=token))
    # The same token posted to another area's form must not claim its milestone.
    other = reverse("plans:milestone_new", args=[slug, world.other_area.number])
    response = clients["admin"].post(other, milestone_post(title="Other", form_token=token))
    assert response.status_code == 400
    assert "This form has already been used" in response.content.decode()
    # The milestone removed since: posting the old form again neither crashes nor re-adds it.
    Milestone.objects.get(title="Strategy published").delete()
    response = clients["admin"].post(first, milestone_post(title="Again", form_token=token))
    assert response.status_code == 400
    assert "has since been removed" in response.content.decode()
    assert not Milestone.objects.filter(title__in=["Other", "Again"]).exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("kind", ["update", "action"])
def test_two_posts_of_the_same_form_at_once_make_one_record(kind, monkeypatch):
    """Two requests really at once (PostgreSQL): both pass the token check
    before either saves. SQLite takes its write lock when a transaction starts,
    so there the posts cannot overlap; the tests above cover it."""
    if connection.vendor == "sqlite":
        pytest.skip("SQLite serialises writing transactions: see the sequential tests")
    world = make_world()
    url, data, count = forms(world)[kind]
    data = {**data, "form_token": str(uuid.uuid4())}
    both_inside = threading.Barrier(2, timeout=10)
    real_save = saving.save_with_history

    def save_when_both_are_inside(obj, **kwargs):
        if isinstance(obj, ProgressUpdate | Action):
            both_inside.wait()
        return real_save(obj, **kwargs)

    monkeypatch.setattr(services, "save_with_history", save_when_both_are_inside)
    answers = []

    def post():
        try:
            answers.append(client_for(world.users["officer"]).post(url, data))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=post) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert [a.status_code for a in answers] == [302, 302]
    assert answers[0]["Location"] == answers[1]["Location"]
    assert count() == 1
