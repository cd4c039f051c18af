import datetime

import pytest

from measures import periods
from measures.readings import expected_period

d = datetime.date


def test_months_and_quarters():
    assert periods.start_of(d(2015, 5, 17), "monthly") == d(2015, 5, 1)
    assert periods.start_of(d(2015, 5, 17), "quarterly") == d(2015, 4, 1)
    assert periods.end_of(d(2015, 4, 1), "quarterly") == d(2015, 6, 30)
    assert periods.end_of(d(2016, 2, 1), "monthly") == d(2016, 2, 29)
    assert periods.shift(d(2015, 1, 1), "monthly", -1) == d(2014, 12, 1)
    assert periods.shift(d(2015, 10, 1), "quarterly", 1) == d(2016, 1, 1)
    assert periods.label(d(2015, 4, 1), "quarterly") == "Apr–Jun 2015"
    assert periods.label(d(2015, 3, 1), "monthly") == "March 2015"


def test_last_ended_and_the_figure_expected():
    assert periods.last_ended(d(2015, 5, 31), "monthly") == d(2015, 5, 1)
    assert periods.last_ended(d(2015, 5, 30), "monthly") == d(2015, 4, 1)
    # Due 15 days after the period ends: on 15 May, April's is due; on 14 May, March's.
    assert expected_period(d(2015, 5, 15), "monthly", 15) == d(2015, 4, 1)
    assert expected_period(d(2015, 5, 14), "monthly", 15) == d(2015, 3, 1)
    assert expected_period(d(2015, 8, 1), "quarterly", 15) == d(2015, 4, 1)


@pytest.mark.parametrize(
    "text, frequency, expected",
    [
        ("2015-03", "monthly", d(2015, 3, 1)),
        ("2015-03-31", "monthly", d(2015, 3, 1)),
        ("2015-03-31 00:00:00", "monthly", d(2015, 3, 1)),
        ("03/2015", "monthly", d(2015, 3, 1)),
        ("March 2015", "monthly", d(2015, 3, 1)),
        ("mar 2015", "monthly", d(2015, 3, 1)),
        ("2015-05", "quarterly", d(2015, 4, 1)),
    ],
)
def test_periods_as_people_write_them(text, frequency, expected):
    assert periods.parse(text, frequency) == expected


@pytest.mark.parametrize(
    "text", ["", "2015-13", "2015-02-30", "Smarch 2015", "1899-01", "2015", "=A1", "9" * 300]
)
def test_bad_periods(text):
    with pytest.raises(periods.BadPeriod):
        periods.parse(text, "monthly")
