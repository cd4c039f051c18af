"""The seed plan (Plymouth's, as the May 2015 paper had it) with a member in
each role and an outsider, loaded once for each module that uses it."""

import pytest
from django.contrib.auth import get_user_model

from plans.models import Plan
from plans.roles import Role
from plans.seed import load_plan
from tests import factories
from tests.conftest import client_for
from tests.support.shared import module_data

SEED_ROLES = {
    "board": Role.BOARD_MEMBER,
    "scrutiny": Role.SCRUTINY_OFFICER,
    "admin": Role.PLAN_ADMINISTRATOR,
    "officer": Role.OFFICER,
}


@module_data
def seed_with_members():
    load_plan()
    plan = Plan.objects.get(slug="childrens-services-2015")
    users = {name: factories.UserFactory(username=name) for name in [*SEED_ROLES, "outsider"]}
    factories.join(plan, {users[name]: role for name, role in SEED_ROLES.items()})
    return plan.pk, {name: user.pk for name, user in users.items()}


@pytest.fixture
def seed(db, seed_with_members):
    """(plan, a signed-in client for each user, the users), read afresh for
    each test: what a test changes is rolled back after it."""
    plan_pk, user_pks = seed_with_members
    plan = Plan.objects.get(pk=plan_pk)
    users = {name: get_user_model().objects.get(pk=pk) for name, pk in user_pks.items()}
    return plan, {name: client_for(user) for name, user in users.items()}, users
