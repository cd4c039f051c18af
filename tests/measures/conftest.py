"""Measures on top of the shared world (tests/conftest.py): a measure in the
officer's area that the officer owns, one in the other officer's area, and one
in another council's plan."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.utils import timezone

from measures.models import Measure, MeasureValue
from plans.saving import save_with_history


@dataclass
class Measures:
    mine: Measure  # in world.area, owned by the officer's owner role
    theirs: Measure  # in world.other_area, owned by the other officer
    elsewhere: Measure  # in world.other_plan


def make_measure(area, owner=None, *, when=None, **values) -> Measure:
    fields = {
        "name": "Supervision within the local standard",
        "unit": "percentage",
        "polarity": "higher",
        "frequency": "monthly",
        "target_value": Decimal("90"),
        **values,
    }
    measure = Measure(area=area, owner=owner, **fields)
    save_with_history(measure, reason="Test", when=when)
    return measure


def add_value(measure, period, value, *, when=None, user=None, comment="") -> MeasureValue:
    record = MeasureValue(
        measure=measure,
        period=period,
        value=Decimal(str(value)),
        comment=comment,
        entered_by=user,
        entered_at=when or timezone.now(),
    )
    save_with_history(record, reason="Figure entered", user=user, when=when)
    return record


def moment(year: int, month: int, day: int, hour: int = 12) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(year, month, day, hour))


@pytest.fixture
def measures(world) -> Measures:
    return Measures(
        mine=make_measure(world.area, world.area.lead),
        theirs=make_measure(
            world.other_area,
            world.other_area.lead,
            name="Caseload",
            unit="number",
            polarity="lower",
            target_value=None,
        ),
        elsewhere=make_measure(world.other_plan_area, world.other_plan_area.lead),
    )
