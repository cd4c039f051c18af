"""Overdue milestone nudges go to the account that answers for each milestone
(its action owner's, else its area lead's), from its expected date (the
forecast, else the due date): plans.models.answers_for_milestone and
expected_date_in_query, read in the database."""

from __future__ import annotations

import datetime

import pytest

from reminders.services import gather
from tests import factories

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2015, 9, 1)


def test_each_overdue_milestone_is_its_action_owners_else_its_area_leads(world):
    area, council = world.area, world.plan.organisation
    officer, other = world.users["officer"], world.users["other_officer"]  # officer leads the area
    with_account = factories.OwnerFactory(user=other, organisation=council)
    without_account = factories.OwnerFactory(user=None, organisation=council)

    def milestone(owner=..., **dates):
        action = None
        if owner is not ...:
            action = factories.ActionFactory(area=area, owner=owner)
        return factories.MilestoneFactory(area=area, action=action, **dates).pk

    expected = {
        milestone(with_account, due_date=datetime.date(2015, 8, 1)): (
            datetime.date(2015, 8, 1),
            other.pk,
        ),
        # The action's owner has no account: the area's lead is nudged.
        milestone(without_account, due_date=datetime.date(2015, 8, 2)): (
            datetime.date(2015, 8, 2),
            officer.pk,
        ),
        milestone(None, due_date=datetime.date(2015, 8, 3)): (
            datetime.date(2015, 8, 3),
            officer.pk,
        ),
        milestone(due_date=datetime.date(2015, 8, 4)): (datetime.date(2015, 8, 4), officer.pk),
        # Re-forecast: overdue from the forecast, not the due date.
        milestone(due_date=datetime.date(2015, 7, 1), forecast_date=datetime.date(2015, 8, 20)): (
            datetime.date(2015, 8, 20),
            officer.pk,
        ),
        world.milestone.pk: (datetime.date(2015, 6, 30), officer.pk),
    }
    # Not overdue: re-forecast past today.
    milestone(due_date=datetime.date(2015, 7, 1), forecast_date=datetime.date(2015, 9, 2))

    (facts,) = gather(TODAY, [world.plan.pk])
    assert {pk: (when, owner) for pk, _, when, owner in facts.overdue} == expected
