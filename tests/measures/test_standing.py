"""Where each measure stands (measures/standing.py) is what its scorecard card
says: the same latest figure and the same RAG, today and as at any past day,
through corrections, deletions, changed targets and frequencies, figures
too old for a card and measures with no RAG to give. The dashboard's first
screen and its changes since the board count these, so they must agree with
the scorecard a click away."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from measures.readings import cards_at
from measures.standing import standings
from plans.saving import recorded, save_with_history
from tests.support.clock import test_day

from .conftest import add_value, make_measure, moment

d = datetime.date


def months(first: datetime.date, count: int) -> list[datetime.date]:
    out, year, month = [], first.year, first.month
    for _ in range(count):
        out.append(d(year, month, 1))
        month += 1
        if month == 13:
            year, month = year + 1, 1
    return out


@pytest.fixture
def varied(world):
    """Measures of every kind, with a history, in two areas."""
    area, other = world.area, world.other_area
    start = moment(2023, 1, 2)
    # Higher is better, 5% tolerance (the plan's default); target lowered in
    # March 2026; a figure for the month in progress; a correction.
    higher = make_measure(area, when=start, name="Visits on time")
    for i, period in enumerate(months(d(2023, 1, 1), 47)):
        add_value(higher, period, 80 + (i * 7) % 15, when=moment(period.year, period.month, 28))
    higher.target_value = Decimal("85")
    save_with_history(higher, reason="Target lowered", when=moment(2026, 3, 3))
    with recorded(higher, reason="Corrected", when=moment(2026, 9, 9)):
        value = higher.values.get(period=d(2026, 7, 1))
        value.value = Decimal("60")
        value.save()
    # Lower is better, an absolute tolerance, quarterly.
    lower = make_measure(
        other,
        when=start,
        name="Days to a plan",
        unit="days",
        polarity="lower",
        frequency="quarterly",
        target_value=Decimal("30"),
        tolerance=Decimal("4"),
        tolerance_kind="absolute",
    )
    for i, period in enumerate(months(d(2023, 1, 1), 46)[::3]):
        add_value(lower, period, 26 + (i * 3) % 12, when=moment(period.year, period.month, 20))
    # No target; context only.
    make_measure(area, when=start, name="Referrals", unit="number", target_value=None)
    context = make_measure(area, when=start, name="Population", unit="number", polarity="context")
    add_value(context, d(2026, 9, 1), 5000, when=moment(2026, 10, 2))
    # Its last figure is more than two and a half years old today.
    old = make_measure(area, when=start, name="Audit grades", order=2)
    add_value(old, d(2023, 2, 1), 40, when=moment(2023, 3, 1))
    # Its latest figure deleted in October 2026.
    gone = make_measure(area, when=start, name="Return interviews", order=1)
    add_value(gone, d(2026, 8, 1), 95, when=moment(2026, 9, 1))
    late = add_value(gone, d(2026, 9, 1), 50, when=moment(2026, 10, 1))
    with recorded(late, reason="Entered in error", when=moment(2026, 10, 10)):
        late.delete()
    # The measure itself deleted in June 2026.
    dropped = make_measure(area, when=start, name="Dropped")
    add_value(dropped, d(2026, 1, 1), 10, when=moment(2026, 2, 1))
    with recorded(dropped, reason="No longer measured", when=moment(2026, 6, 6)):
        dropped.delete()
    # Monthly until November 2026, then quarterly: its November figure is not
    # the start of a quarter.
    switched = make_measure(area, when=start, name="Switched", target_value=Decimal("50"))
    add_value(switched, d(2026, 10, 1), 20, when=moment(2026, 10, 30))
    add_value(switched, d(2026, 11, 1), 70, when=moment(2026, 11, 9))
    switched.frequency = "quarterly"
    save_with_history(switched, reason="Now quarterly", when=moment(2026, 11, 10))
    return {area.pk: area.number, other.pk: other.number}


DAYS = [
    d(2024, 6, 30),
    d(2025, 6, 30),
    d(2026, 3, 2),
    d(2026, 3, 3),
    d(2026, 6, 30),
    d(2026, 9, 30),
    d(2026, 10, 15),
    d(2026, 11, 9),
    d(2026, 11, 17),
]


def test_each_measure_stands_as_its_card_says(world, varied):
    # One build of the measures, read on every day (each a whole comparison).
    for as_at in [*DAYS, test_day().date()]:
        cards = cards_at(world.plan, varied, as_at, charts=False)
        found = standings(world.plan, varied, as_at)
        assert [(s.id, s.area_number, s.name, s.rag, s.latest_label) for s in found] == [
            (c.id, c.area_number, c.name, c.rag, c.latest_label) for c in cards
        ], as_at
        # Not a vacuous agreement: RAGs of two kinds, and measures with none.
        if as_at >= d(2026, 3, 2):
            assert len({s.rag for s in found}) >= 3 and None in {s.rag for s in found}


def test_what_the_cases_cover(world, varied):
    """The fixture's cases do what they are there for."""
    today = test_day().date()
    by_name = {s.name: s for s in standings(world.plan, varied, today)}
    assert by_name["Audit grades"].latest_label == "No figure yet"
    assert "Dropped" not in by_name
    assert by_name["Return interviews"].latest_label == "95%"
    assert by_name["Switched"].latest_label == "20%"  # October's: November's is no quarter
    assert by_name["Population"].rag is None and by_name["Referrals"].rag is None
    before = {s.name: s for s in standings(world.plan, varied, d(2026, 6, 5))}
    assert "Dropped" in before
    assert before["Audit grades"].latest_label == "No figure yet"
    assert {s.name: s for s in standings(world.plan, varied, d(2025, 6, 30))}[
        "Audit grades"
    ].latest_label == "40%"


@pytest.mark.parametrize("as_at", [d(2026, 10, 15), "today"])
def test_a_fixed_number_of_queries(world, varied, as_at):
    day = test_day().date() if as_at == "today" else as_at
    with CaptureQueriesContext(connection) as few:
        standings(world.plan, varied, day)
    for i in range(30):
        measure = make_measure(world.area, name=f"More {i}", when=moment(2024, 12, 1))
        for period in months(d(2025, 1, 1), 20):
            add_value(measure, period, 50, when=moment(period.year, period.month, 25))
    with CaptureQueriesContext(connection) as many:
        assert len(standings(world.plan, varied, day)) > 30
    # Settings, measures with their latest figures, and the odd measure's card
    # (four queries) when one has changed frequency.
    assert len(few) == len(many) <= 6
