"""Upgrading an installation whose roles were global groups: every member keeps
their role, in each plan they belonged to, and partners land in their
council's directory."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("plans", "0003_history_index_for_as_at"), ("reporting", "0001_issued_papers")]
AFTER = [("plans", "0005_remove_plan_members")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture
def back_to_latest():
    yield
    # Leave the schema as every other test expects it.
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


def test_group_roles_become_memberships_in_each_plan(back_to_latest):
    old = migrate(BEFORE)
    Group = old.get_model("auth", "Group")
    User = old.get_model("auth", "User")
    Organisation = old.get_model("plans", "Organisation")
    Owner = old.get_model("plans", "Owner")
    Plan = old.get_model("plans", "Plan")
    Area = old.get_model("plans", "ImprovementArea")

    groups = {n: Group.objects.create(name=n) for n in ("Officer", "Plan administrator")}
    officer = User.objects.create(username="o")
    officer.groups.add(groups["Officer"])
    admin = User.objects.create(username="a")
    admin.groups.add(groups["Plan administrator"], groups["Officer"])
    nobody = User.objects.create(username="n")

    council = Organisation.objects.create(name="Plymouth City Council")
    police = Organisation.objects.create(name="Police")
    plan = Plan.objects.create(
        title="P",
        slug="p",
        organisation=council,
        inspection_name="I",
        inspection_start=datetime.date(2014, 10, 1),
        inspection_end=datetime.date(2014, 11, 1),
    )
    plan.members.add(officer, admin, nobody)
    inspector = Owner.objects.create(job_title="Inspector", organisation=police)
    Area.objects.create(plan=plan, number=1, recommendation="R", lead=inspector)

    new = migrate(AFTER)
    Membership = new.get_model("plans", "Membership")
    roles = dict(Membership.objects.values_list("user__username", "role"))
    # The strongest group wins; a member with no role group may only read.
    assert roles == {"o": "officer", "a": "plan_administrator", "n": "board_member"}
    assert new.get_model("plans", "HistoricalMembership").objects.count() == 3
    Organisation = new.get_model("plans", "Organisation")
    assert Organisation.objects.get(name="Police").council_id == council.pk
    assert Organisation.objects.get(name="Plymouth City Council").council_id is None
    assert not new.get_model("auth", "Group").objects.filter(name="Officer").exists()
