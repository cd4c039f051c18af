"""The seed plan (Plymouth's, as the May 2015 paper had it) with members."""

from plans.models import Plan
from plans.roles import Role
from plans.seed import load_plan
from tests import factories


def seeded() -> Plan:
    load_plan()
    plan = Plan.objects.get(slug="childrens-services-2015")
    for name, role in (("board", Role.BOARD_MEMBER), ("scrutiny", Role.SCRUTINY_OFFICER)):
        factories.join(plan, {factories.UserFactory(username=name): role})
    return plan
