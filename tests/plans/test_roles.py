"""Roles are held per plan, and who sees which updates is decided once.

A plan administrator of one plan is nobody in another; board members and
scrutiny officers read approved updates only, on every page that shows them.
"""

import pytest
from django.urls import reverse

from plans import permissions as perms
from plans.models import FrozenRecord, ProgressUpdate
from plans.roles import Role
from tests import factories
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def test_a_role_is_held_in_one_plan_only(world):
    # The other plan's officer is made a plan administrator of a third plan:
    # that gives them nothing in this one.
    outsider = world.users["outsider"]
    third = factories.PlanFactory(slug="third")
    factories.join(third, {outsider: Role.PLAN_ADMINISTRATOR})
    client = client_for(outsider)
    assert client.get(reverse("plans:sign_off", args=[third.slug])).status_code == 200
    assert client.get(reverse("plans:sign_off", args=[world.plan.slug])).status_code == 404
    assert perms.role_in(outsider, world.plan) is None
    assert perms.role_in(outsider, world.other_plan) == Role.OFFICER
    assert not perms.can_sign_off(outsider, world.other_plan)


def test_the_same_person_holds_different_roles_in_different_plans(world):
    admin = world.users["admin"]
    factories.join(world.other_plan, {admin: Role.BOARD_MEMBER})
    client = client_for(admin)
    assert client.get(reverse("plans:sign_off", args=[world.plan.slug])).status_code == 200
    assert client.get(reverse("plans:sign_off", args=[world.other_plan.slug])).status_code == 403
    area_edit = reverse("plans:area_edit", args=[world.other_plan.slug, 1])
    assert client.get(area_edit).status_code == 403


@pytest.mark.parametrize(
    "role, landing",
    [
        ("officer", "/my-work/"),
        ("admin", "/plans/childrens-services/sign-off/"),
        ("scrutiny", "/plans/childrens-services/papers/"),
        ("board", "/plans/childrens-services/dashboard/"),
    ],
)
def test_each_role_lands_where_its_work_is(world, clients, role, landing):
    response = clients[role].get("/")
    assert response.status_code == 302
    assert response["Location"] == landing


def test_someone_in_several_plans_lands_on_the_list_of_plans(world):
    board = world.users["board"]
    factories.join(world.other_plan, {board: Role.BOARD_MEMBER})
    assert client_for(board).get("/")["Location"] == reverse("plans:plan_list")


def returned_update(world) -> ProgressUpdate:
    return factories.ProgressUpdateFactory(
        area=world.area,
        author=world.users["officer"],
        state=ProgressUpdate.State.RETURNED,
        narrative="Draft wording the board must not read",
        review_comment="Reviewer's comment for the author only",
    )


def test_board_and_scrutiny_never_see_a_returned_update_or_its_comment(world, clients):
    update = returned_update(world)
    area_url = reverse("plans:area", args=[world.plan.slug, world.area.number])
    for role in ("board", "scrutiny", "other_officer"):
        page = clients[role].get(area_url).content.decode()
        assert "Draft wording" not in page, role
        assert "Reviewer's comment" not in page, role
        assert reverse("plans:update", args=[update.pk]) not in page, role
        assert clients[role].get(reverse("plans:update", args=[update.pk])).status_code == 404
    # Its author and the plan administrators see it, with the comment.
    for role in ("officer", "admin"):
        page = clients[role].get(reverse("plans:update", args=[update.pk])).content.decode()
        assert "Reviewer&#x27;s comment for the author only" in page, role


def test_officers_see_others_submitted_updates_only_where_the_plan_allows(world, clients):
    submitted = factories.ProgressUpdateFactory(
        area=world.area, author=world.users["officer"], state=ProgressUpdate.State.SUBMITTED
    )
    url = reverse("plans:update", args=[submitted.pk])
    assert clients["other_officer"].get(url).status_code == 404
    world.plan.officers_see_submitted_updates = True
    world.plan.save()
    assert clients["other_officer"].get(url).status_code == 200
    # Board members still see approved updates only.
    assert clients["board"].get(url).status_code == 404


def test_drafts_are_their_authors_alone(world, clients):
    draft = factories.ProgressUpdateFactory(area=world.area, author=world.users["officer"])
    url = reverse("plans:update", args=[draft.pk])
    assert clients["officer"].get(url).status_code == 200
    for role in ("admin", "other_officer", "board", "scrutiny", "outsider"):
        assert clients[role].get(url).status_code == 404, role


def test_an_approved_update_is_frozen_whatever_path_saves_it(world):
    update = world.approved
    update.narrative = "Rewritten after the board saw it"
    with pytest.raises(FrozenRecord):
        update.save()
    with pytest.raises(FrozenRecord):
        update.delete()
    update.refresh_from_db()
    assert update.narrative != "Rewritten after the board saw it"


def test_every_role_visibility_rule_matches_the_history_filter(world):
    """The filter used for pages and for history rows agrees with the
    one-record check, for every role and state."""
    updates = [world.approved]
    for state in ("draft", "submitted", "returned"):
        for author in ("officer", "other_officer", "admin"):
            updates.append(
                factories.ProgressUpdateFactory(
                    area=world.area, author=world.users[author], state=state
                )
            )
    for name, user in world.users.items():
        if name == "outsider":
            continue
        plan = type(world.plan).objects.get(pk=world.plan.pk)
        listed = set(
            perms.visible_updates(user, plan).filter(area=world.area).values_list("pk", flat=True)
        )
        for update in updates:
            update = ProgressUpdate.objects.select_related("area__plan").get(pk=update.pk)
            assert (update.pk in listed) == perms.can_view_update(user, update), (name, update)


def test_a_sign_off_comment_is_for_the_author_and_administrators(world, clients):
    update = factories.ProgressUpdateFactory(
        area=world.area,
        author=world.users["officer"],
        approved=True,
        approved_by=world.users["admin"],
        review_comment="Approved, but chase the audit figures",
    )
    url = reverse("plans:update", args=[update.pk])
    for role, sees in [
        ("officer", True),
        ("admin", True),
        ("other_officer", False),
        ("board", False),
        ("scrutiny", False),
    ]:
        page = clients[role].get(url).content.decode()
        assert ("chase the audit figures" in page) == sees, role
