"""As at any date, honestly: a figure shows from the end of the day it was
recorded, a correction only from its correction, a target as it then stood."""

import datetime
from decimal import Decimal

from measures.readings import cards_at
from measures.services import ReasonNeeded, record_value
from plans.saving import save_with_history

from .conftest import add_value, make_measure, moment

d = datetime.date


def card_at(world, as_at):
    cards = cards_at(world.plan, {world.area.pk: world.area.number}, as_at)
    assert len(cards) == 1
    return cards[0]


def test_a_late_figure_is_not_in_an_earlier_paper(world):
    measure = make_measure(world.area, when=moment(2015, 1, 5))
    add_value(measure, d(2015, 2, 1), 70, when=moment(2015, 3, 10))
    # The March figure was entered in May.
    add_value(measure, d(2015, 3, 1), 80, when=moment(2015, 5, 20))
    april = card_at(world, d(2015, 4, 30))
    assert april.latest.period == d(2015, 2, 1)
    assert april.latest.value == Decimal("70")
    assert [p.value for p in april.points if p.period == d(2015, 3, 1)] == [None]
    may = card_at(world, d(2015, 5, 31))
    assert may.latest.period == d(2015, 3, 1)
    assert may.latest.value == Decimal("80")
    assert may.direction == "Improving"
    # The day it was entered counts to its end; the day before does not.
    assert card_at(world, d(2015, 5, 19)).latest.period == d(2015, 2, 1)
    assert card_at(world, d(2015, 5, 20)).latest.period == d(2015, 3, 1)


def test_a_correction_shows_only_from_its_correction(world):
    measure = make_measure(world.area, when=moment(2015, 1, 5))
    add_value(measure, d(2015, 3, 1), 80, when=moment(2015, 4, 10))
    try:
        record_value(
            measure=measure,
            period=d(2015, 3, 1),
            value=Decimal("60"),
            comment="",
            user=world.users["admin"],
            today=d(2015, 6, 1),
            when=moment(2015, 6, 1),
        )
    except ReasonNeeded:
        pass
    else:
        raise AssertionError("a correction without a reason was accepted")
    record_value(
        measure=measure,
        period=d(2015, 3, 1),
        value=Decimal("60"),
        comment="",
        user=world.users["admin"],
        reason="The first count missed the agency teams",
        today=d(2015, 6, 1),
        when=moment(2015, 6, 1),
    )
    assert card_at(world, d(2015, 5, 31)).latest.value == Decimal("80")
    assert card_at(world, d(2015, 6, 1)).latest.value == Decimal("60")
    # History keeps both, with the reason.
    rows = list(measure.values.get().history.order_by("history_date"))
    assert [r.value for r in rows] == [Decimal("80"), Decimal("60")]
    assert "missed the agency teams" in rows[-1].history_change_reason


def test_the_target_as_it_then_stood(world):
    measure = make_measure(world.area, when=moment(2015, 1, 5), target_value=Decimal("90"))
    add_value(measure, d(2015, 3, 1), 86, when=moment(2015, 4, 10))
    assert card_at(world, d(2015, 4, 30)).rag == "amber"  # within 5% of 90
    measure.target_value = Decimal("80")
    measure.version += 1
    save_with_history(measure, reason="Target revised by the board", when=moment(2015, 6, 1))
    assert card_at(world, d(2015, 4, 30)).rag == "amber"
    assert card_at(world, d(2015, 4, 30)).target == Decimal("90")
    assert card_at(world, d(2015, 6, 30)).rag == "green"


def test_a_measure_added_later_is_not_there_before(world):
    make_measure(world.area, when=moment(2015, 6, 1))
    assert cards_at(world.plan, {world.area.pk: 1}, d(2015, 5, 31)) == []
    assert len(cards_at(world.plan, {world.area.pk: 1}, d(2015, 6, 1))) == 1


def test_a_missing_latest_figure_is_noticed(world):
    measure = make_measure(world.area, when=moment(2015, 1, 5))
    add_value(measure, d(2015, 3, 1), 86, when=moment(2015, 4, 10))
    # April's figure is due on 15 May (15 days after April ends).
    assert card_at(world, d(2015, 5, 14)).missing is False
    late = card_at(world, d(2015, 5, 15))
    assert late.missing is True
    assert late.expected_label == "April 2015"
