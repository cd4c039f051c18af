"""The change log's kinds of record: the plan's own, and those other apps add
through its registry (measures, reminders), listed in the filter in one order
whoever registered them."""

from __future__ import annotations

import pytest

from plans.history import kinds_for

pytestmark = pytest.mark.django_db


def test_the_filter_lists_every_kind_of_record_in_the_plans_order(world):
    admin, board = world.users["admin"], world.users["board"]
    assert [s.key for s in kinds_for(admin, world.plan)] == [
        "area",
        "action",
        "milestone",
        "update",
        "measure",
        "figure",
        "meeting",
        "theme",
        "plan",
        "measure_settings",
        "return_settings",
        "membership",
        "owner",
        "organisation",
    ]
    # In one area, the kinds that belong to an area; set-up is the administrators'.
    assert [s.key for s in kinds_for(board, world.plan, area=True)] == [
        "area",
        "action",
        "milestone",
        "update",
        "measure",
        "figure",
    ]
