"""Tolerance RAG for both polarities, at and around its boundaries, and the
direction of travel."""

from decimal import Decimal as D

import pytest

from measures import rag
from measures.checks import FigureError, parse_figure

P, A = "percent", "absolute"


@pytest.mark.parametrize(
    "value, expected",
    [
        ("95", "green"),  # better than target
        ("90", "green"),  # exactly on target
        ("89.99", "amber"),  # just short
        ("85.5", "amber"),  # exactly on the tolerance's edge (5% of 90 = 4.5)
        ("85.49", "red"),  # just beyond
        ("0", "red"),
    ],
)
def test_higher_is_better_with_a_percent_tolerance(value, expected):
    assert rag.tolerance_rag(D(value), D("90"), "higher", D("5"), P) == expected


@pytest.mark.parametrize(
    "value, expected",
    [
        ("15", "green"),
        ("18", "green"),  # on target
        ("18.01", "amber"),
        ("18.9", "amber"),  # edge: 18 + 5% = 18.9
        ("18.91", "red"),
    ],
)
def test_lower_is_better_with_a_percent_tolerance(value, expected):
    assert rag.tolerance_rag(D(value), D("18"), "lower", D("5"), P) == expected


def test_absolute_tolerance_is_in_the_measures_unit():
    # Agency rate: target 15%, amber up to 3 percentage points above.
    assert rag.tolerance_rag(D("18"), D("15"), "lower", D("3"), A) == "amber"
    assert rag.tolerance_rag(D("18.01"), D("15"), "lower", D("3"), A) == "red"
    assert rag.tolerance_rag(D("12"), D("15"), "higher", D("3"), A) == "amber"
    assert rag.tolerance_rag(D("11.99"), D("15"), "higher", D("3"), A) == "red"


def test_a_zero_tolerance_has_no_amber_and_a_zero_target_works():
    assert rag.tolerance_rag(D("89.99"), D("90"), "higher", D("0"), P) == "red"
    assert rag.tolerance_rag(D("0"), D("0"), "lower", D("5"), P) == "green"
    assert rag.tolerance_rag(D("0.01"), D("0"), "lower", D("5"), P) == "red"


def test_nothing_to_judge_gives_no_rag():
    assert rag.tolerance_rag(None, D("90"), "higher", D("5"), P) is None
    assert rag.tolerance_rag(D("50"), None, "higher", D("5"), P) is None
    assert rag.tolerance_rag(D("50"), D("90"), "context", D("5"), P) is None


def test_band_is_between_the_target_and_the_edge():
    assert rag.band(D("90"), "higher", D("5"), P) == (D("85.5"), D("90"))
    assert rag.band(D("18"), "lower", D("5"), P) == (D("18"), D("18.9"))


@pytest.mark.parametrize(
    "now, before, polarity, expected",
    [
        ("80", "70", "higher", "Improving"),
        ("60", "70", "higher", "Worsening"),
        ("16", "18", "lower", "Improving"),
        ("19", "18", "lower", "Worsening"),
        ("18", "18", "lower", "No change"),
        ("9", "11", "context", "Down"),
        ("12", "11", "context", "Up"),
    ],
)
def test_direction_of_travel_by_polarity(now, before, polarity, expected):
    assert rag.direction(D(now), D(before), polarity) == expected


def test_no_direction_without_a_previous_figure():
    assert rag.direction(D("5"), None, "higher") == ""


@pytest.mark.parametrize(
    "raw, unit, message",
    [
        ("NaN", "number", "Enter a number"),
        ("nan", "number", "Enter a number"),
        ("inf", "number", "Enter a number"),
        ("-inf", "number", "Enter a number"),
        ("Infinity", "number", "Enter a number"),
        (float("nan"), "number", "Enter a number"),
        (float("inf"), "number", "Enter a number"),
        ("1e3", "number", "Enter a number"),
        ("=1+1", "number", "Enter a number"),
        ("-5", "number", "0 or more"),
        ("101", "percentage", "between 0 and 100"),
        ("100.01", "percentage", "between 0 and 100"),
        ("1000000000", "number", "less than 1,000,000,000"),
        ("9" * 400, "number", "less than 1,000,000,000"),
        (10**30, "number", "less than 1,000,000,000"),
        ("12.345", "number", "2 decimal places"),
        ("", "number", "Enter the figure"),
        ("12%", "number", "not a percentage"),
        (True, "number", "Enter a number"),
    ],
)
def test_hostile_figures_are_refused_with_a_message(raw, unit, message):
    with pytest.raises(FigureError) as error:
        parse_figure(raw, unit)
    assert message in error.value.message


@pytest.mark.parametrize(
    "raw, unit, expected",
    [
        ("72.5", "percentage", "72.50"),
        ("72.5%", "percentage", "72.50"),
        ("1,234", "number", "1234.00"),
        (" 17 ", "number", "17.00"),
        (17.5, "number", "17.50"),
        (0, "number", "0.00"),
        ("100", "percentage", "100.00"),
        ("12.30", "number", "12.30"),
    ],
)
def test_good_figures_are_read(raw, unit, expected):
    assert parse_figure(raw, unit) == D(expected)
