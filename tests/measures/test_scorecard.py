"""The dashboard's scorecard, its contradictions, its downloads, and the area
page's chart: its table gives exactly the chart's figures."""

import csv
import datetime
import io
import re
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from measures import periods
from measures.readings import cards_now
from tests.conftest import on_day

from .conftest import add_value, make_measure

pytestmark = pytest.mark.django_db


def months_back(n: int) -> datetime.date:
    return periods.shift(periods.last_ended(timezone.localdate(), "monthly"), "monthly", -n)


def dashboard(client, world, **params) -> str:
    """The dashboard's measures section (the scorecard)."""
    url = reverse("reporting:dashboard_section", args=[world.plan.slug, "measures"])
    response = client.get(url, params)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize(
    ("latest", "day"),
    [
        # October's figures were due by 15 November: the latest due is the last month ended.
        pytest.param(datetime.date(2026, 10, 1), "2026-11-18", marks=on_day("2026-11-18")),
        # November has ended, but its figures are not due until 15 December.
        pytest.param(datetime.date(2026, 10, 1), "2026-12-07", marks=on_day("2026-12-07")),
        # They are due by the end of 15 December: that day, November's is the latest.
        pytest.param(datetime.date(2026, 11, 1), "2026-12-15", marks=on_day("2026-12-15")),
    ],
)
def test_counts_contradictions_and_missing_figures(clients, world, measures, latest, day):
    """A plan's figures are due 15 days after each month ends: on each day, the
    latest figure due is the one the scorecard asks for."""
    board = clients["board"]
    before = periods.shift(latest, "monthly", -1)
    # world.area is rated green (its approved update); its measure is red.
    add_value(measures.mine, before, 50)
    add_value(measures.mine, latest, 40)
    # The other area has no approved update: a red measure there is no contradiction.
    add_value(measures.theirs, latest, 10)
    on = make_measure(world.area, name="Reviews on time", target_value=Decimal("80"))
    add_value(on, latest, 85)
    body = dashboard(board, world)
    section = body[body.index('id="scorecard"') :]
    counts = re.findall(
        r'app-count__number">(\d+)</span> <strong class="app-rag app-rag--(\w+)', section
    )
    assert counts == [("1", "green"), ("0", "amber"), ("1", "red"), ("1", "none")]
    assert "Area 1</a> is rated Green – on track, but 1 of its measures is off target" in section
    assert "Supervision within the local standard (40%)" in section
    assert "Area 2</a> is rated" not in section
    # Caseload has no target: no RAG. Every latest figure that is due is in...
    assert "missing" not in section.split("<table")[0]
    # ...until a measure is added that has none.
    make_measure(world.other_area, name="Medicals within timescale")
    section = dashboard(board, world).split('id="scorecard"')[1]
    today = datetime.date.fromisoformat(day)
    assert (
        f"1 measure is missing its latest figure (due by the end of {today.day} {today:%B %Y}): "
    ) in section
    assert f"Medicals within timescale</a> ({latest:%B %Y})." in section
    off = dashboard(board, world, measures="off").split('id="scorecard"')[1]
    assert "Showing the 1 measure off target" in off
    assert "Reviews on time" not in off and "Supervision within" in off


def test_worsening_is_by_polarity(world, measures):
    lower = make_measure(
        world.area,
        name="Caseload per social worker",
        unit="number",
        polarity="lower",
        target_value=Decimal("18"),
    )
    add_value(lower, months_back(1), 17)
    add_value(lower, months_back(0), 18.5)
    add_value(measures.mine, months_back(1), 80)
    add_value(measures.mine, months_back(0), 85)
    cards = {c.name: c for c in cards_now(world.area, timezone.localdate())}
    assert cards["Caseload per social worker"].direction == "Worsening"
    assert cards["Caseload per social worker"].rag == "amber"  # within 5% above 18
    assert cards["Supervision within the local standard"].direction == "Improving"


def test_the_charts_table_gives_the_charts_figures(clients, world, measures):
    figures = {months_back(i): 40 + i * 2.5 for i in range(0, 20, 3)}
    for period, value in figures.items():
        add_value(measures.mine, period, value)
    url = reverse("plans:area", args=[world.plan.slug, world.area.number])
    body = clients["board"].get(url).content.decode()
    chart = body[body.index(f'id="measure-chart-{measures.mine.pk}-title"') :]
    svg = chart[: chart.index("</svg>")]
    table = chart[chart.index("<table") : chart.index("</table>")]
    cells = re.findall(r'data-value="([^"]*)"', table)
    heads = re.findall(r'header--numeric app-nowrap">([^<]+)</th>', table)
    card = next(c for c in cards_now(world.area, timezone.localdate()) if c.id == measures.mine.pk)
    geometry = card.chart
    # One point in the chart for each column of the table, in the same order,
    # with the same value; a circle drawn exactly where the table has a figure.
    assert heads == [p.short_label for p in card.points]
    assert [Decimal(c) if c else None for c in cells] == [p.value for p in geometry.points]
    assert (
        svg.count("<circle")
        == sum(1 for c in cells if c)
        == len([p for p in card.points if p.period in figures])
    )
    shown = {p.period: p.value for p in card.points if p.value is not None}
    assert shown == {k: Decimal(str(v)) for k, v in figures.items() if k in shown}
    # The drawn heights are the figures on the chart's scale.
    for point in geometry.points:
        if point.value is not None:
            expected = 200 - float(point.value) / float(geometry.top) * 200
            assert abs(point.y - expected) < 0.01
            assert f'cx="{point.x:g}" cy="{point.y:g}"' in svg.replace('.0"', '"')
    assert geometry.target_y == 200 - 90 / float(geometry.top) * 200


def test_scorecard_downloads_are_as_at_and_safe(clients, world, measures):
    measures.mine.name = '=HYPERLINK("http://evil")'
    measures.mine.version += 1
    measures.mine.save()
    add_value(measures.mine, months_back(0), 40, comment="+cmd|' /C calc'!A0")
    url = reverse("measures:scorecard_download", args=[world.plan.slug, "csv"])
    response = clients["board"].get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('.csv"')
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    header = rows.index(next(r for r in rows if r and r[0] == "Measure ID"))
    data = rows[header + 1 :]
    mine = next(r for r in data if r[0] == str(measures.mine.pk))
    assert mine[3].startswith("'=")
    assert mine[-1].startswith("'+")
    assert mine[15] == "Off target"
    xlsx = clients["board"].get(url.replace(".csv", ".xlsx"))
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert any(r[3] == '\'=HYPERLINK("http://evil")' for r in values if r[0] == measures.mine.pk)
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)
    # As at a day before the figure was entered, it is not there.
    yesterday = (timezone.localdate() - datetime.timedelta(days=1)).isoformat()
    past = clients["board"].get(url, {"as_at": yesterday}).content.decode("utf-8-sig")
    assert "Off target" not in past
    assert clients["board"].get(url, {"as_at": "2015-02-30"}).status_code == 400
    assert clients["outsider"].get(url).status_code == 404
    bad_format = reverse("measures:scorecard_download", args=[world.plan.slug, "exe"])
    assert clients["board"].get(bad_format).status_code == 404


@pytest.mark.parametrize("past", [False, True], ids=["today", "as at a past day"])
def test_a_late_measure_keeps_its_old_latest_figure_and_direction(world, past):
    """The scorecard reads the last year first and then, for late measures
    only, the months before: a figure 14 months old is still the latest, with
    its direction against the one before, and the missing period is named."""
    from measures.readings import cards_at

    earlier = timezone.now() - datetime.timedelta(days=5)
    late = make_measure(world.area, when=earlier)
    add_value(late, months_back(15), 70, when=earlier)
    add_value(late, months_back(14), 60, when=earlier)
    # A measure up to date, read in the first step.
    prompt = make_measure(world.area, name="Reviews on time", when=earlier)
    add_value(prompt, months_back(1), 30, when=earlier)
    add_value(prompt, months_back(0), 35, when=earlier)
    as_at = timezone.localdate() - datetime.timedelta(days=1 if past else 0)
    if past:
        # Entered after the day: not there as at the day before.
        add_value(late, months_back(0), 99)
    cards = {c.name: c for c in cards_at(world.plan, {world.area.pk: 1}, as_at, charts=False)}
    card = cards[late.name]
    assert card.latest is not None and card.latest.period == months_back(14)
    assert card.latest.value == Decimal("60")
    assert card.previous is not None and card.previous.value == Decimal("70")
    assert card.direction == "Worsening"
    assert card.missing
    assert cards["Reviews on time"].latest.value == Decimal("35")


def test_each_measure_is_compared_with_the_same_period_a_year_before(clients, world, measures):
    """By polarity, on the area page, the scorecard and its download; a
    quarterly measure's year before is read too (beyond the scorecard's
    first read), and a measure with no figure then says so."""
    from measures.readings import cards_at

    # Higher is better: 85 now, 80 a year before: improving on the year.
    add_value(measures.mine, months_back(12), 80)
    add_value(measures.mine, months_back(1), 90)
    add_value(measures.mine, months_back(0), 85)
    lower = make_measure(world.area, name="Re-referrals", polarity="lower", frequency="quarterly")
    latest_quarter = periods.last_ended(timezone.localdate(), "quarterly")
    add_value(lower, periods.shift(latest_quarter, "quarterly", -4), 20)
    add_value(lower, latest_quarter, 24)
    fresh = make_measure(world.area, name="Visits on time")
    add_value(fresh, months_back(0), 70)
    today = timezone.localdate()
    for cards in (
        cards_now(world.area, today),
        cards_at(world.plan, {world.area.pk: 1}, today, charts=False),
    ):
        by_name = {c.name: c for c in cards}
        mine = by_name[measures.mine.name]
        assert (mine.direction, mine.year_on_year) == ("Worsening", "Improving")
        assert mine.year_ago.value == Decimal("80")
        assert mine.year_ago_label == periods.label(months_back(12), "monthly")
        assert by_name["Re-referrals"].year_on_year == "Worsening"  # lower is better
        assert by_name["Visits on time"].year_ago is None
    area = clients["board"].get(reverse("plans:area", args=[world.plan.slug, 1])).content.decode()
    label = periods.label(months_back(12), "monthly")
    assert "Against a year before (calculated)" in area
    assert "Improving</dd>" not in area  # the period and figure are said with it
    assert f"against {label} (80%)" in area
    assert (
        f"No figure for {periods.label(periods.shift(months_back(0), 'monthly', -12), 'monthly')}"
        in area
    )
    body = dashboard(clients["board"], world)
    section = body[body.index('id="scorecard"') :]
    assert "On a year before" in section and label in section
    url = reverse("measures:scorecard_download", args=[world.plan.slug, "csv"])
    rows = list(csv.reader(io.StringIO(clients["board"].get(url).content.decode("utf-8-sig"))))
    header = next(r for r in rows if r and r[0] == "Measure ID")
    row = next(r for r in rows if r and r[0] == str(measures.mine.pk))
    found = dict(zip(header, row, strict=True))
    assert found["Period a year before"] == label
    assert found["Figure a year before"] == "80.0"
    assert found["On a year before (calculated)"] == "Improving"
