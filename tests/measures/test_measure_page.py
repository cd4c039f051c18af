"""A success measure's own page and its figures CSV: on target and which way
first, every figure with the same period a year before, corrections with who,
when and why, as at any date, for those who may see the plan and nobody else,
in a fixed number of queries."""

import csv
import datetime
import io
import re
from decimal import Decimal
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from measures import periods, services
from measures.units import format_change
from plans.models import ImprovementArea, Plan
from plans.saving import save_with_history
from tests.support.pages import links, main_text

from .conftest import add_value, make_measure, moment

pytestmark = pytest.mark.django_db

d = datetime.date


def month(n: int) -> datetime.date:
    """The month ``n`` months before the last one ended."""
    return periods.shift(periods.last_ended(timezone.localdate(), "monthly"), "monthly", -n)


def label(n: int) -> str:
    return periods.label(month(n), "monthly")


def page_url(measure, **params) -> str:
    url = reverse("measures:measure", args=[measure.pk])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")


def csv_url(measure, **params) -> str:
    url = reverse("measures:measure_figures_csv", args=[measure.pk])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")


def text(html: str) -> str:
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))).strip()


def table(response, caption: str) -> list[list[str]]:
    """The body rows of the table with ``caption``, as the text of each cell."""
    html = response.content.decode()
    start = html.index(caption)
    body = html[html.index("<tbody", start) : html.index("</table>", start)]
    return [
        [text(cell) for cell in re.findall(r"<t[hd]\b[^>]*>(.*?)</t[hd]>", row, re.S)]
        for row in re.findall(r"<tr\b[^>]*>(.*?)</tr>", body, re.S)
    ]


def csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def with_figures(measure) -> None:
    """Six figures with gaps (target 90%, higher is better, tolerance 5% of
    the target: 85.5% is the edge of amber)."""
    add_value(measure, month(0), 72, comment="Two teams short")
    add_value(measure, month(1), 86)
    add_value(measure, month(2), 80)
    add_value(measure, month(12), 60)
    add_value(measure, month(13), 90)
    # Not a year before any of them (a month short of a year before the third).
    add_value(measure, month(15), 70)


def test_the_first_screen_says_whether_it_is_on_target_and_which_way_it_is_going(clients, measures):
    with_figures(measures.mine)
    response = clients["board"].get(page_url(measures.mine))
    assert response.status_code == 200
    body = main_text(response)
    first_screen = body[: body.index("Chart of the last 18 months")]
    assert f"72% for {label(0)}. Target: 90%." in first_screen
    assert "Against the target (calculated) Off target Short of target, beyond the tolerance" in (
        first_screen
    )
    assert f"On the period before (calculated) ▼ Worsening against {label(1)} (86%)" in first_screen
    assert f"On a year before (calculated) ▲ Improving against {label(12)} (60%)" in first_screen
    assert "Tolerance: 5% of the target (the plan's default). Higher is better." in first_screen
    assert "calculated from the figures" in first_screen and "no one sets them" in first_screen
    # Its name, area (linked), definition, source, unit, polarity and frequency.
    assert "Supervision within the local standard" in body
    area = reverse("plans:area", args=[measures.mine.area.plan.slug, 1])
    assert f"{area}#measure-{measures.mine.pk}" in links(response)
    about = body[body.index("About this measure") : body.index("Every figure, newest first")]
    for said in (
        "Unit Percentage",
        "Which way is better Higher is better",
        "How often Monthly; each figure is due 15 days after its period ends",
        "Target 90%",
        "Tolerance 5% of the target (the plan's default)",
    ):
        assert said in about, said
    # The chart, named, with its table of the same figures.
    html = response.content.decode()
    assert f'aria-labelledby="measure-chart-{measures.mine.pk}-title"' in html
    assert "Supervision within the local standard: the figures" in html


def test_every_figure_newest_first_beside_the_same_month_a_year_before(clients, measures):
    with_figures(measures.mine)
    rows = table(clients["scrutiny"].get(page_url(measures.mine)), "every figure recorded")
    assert rows == [
        [
            label(0),
            "72%",
            "Off target",
            f"60% {label(12)}",
            "12 percentage points higher ▲ Improving",
            "Two teams short",
        ],
        [
            label(1),
            "86%",
            "Near target",
            f"90% {label(13)}",
            "4 percentage points lower ▼ Worsening",
            "",
        ],
        # No figure a year before: none is made up.
        [label(2), "80%", "Off target", f"None recorded for {label(14)}", "–", ""],
        [label(12), "60%", "Off target", f"None recorded for {label(24)}", "–", ""],
        [label(13), "90%", "On target", f"None recorded for {label(25)}", "–", ""],
        [label(15), "70%", "Off target", f"None recorded for {label(27)}", "–", ""],
    ]


def test_corrections_say_who_when_and_why(world, clients, measures):
    admin, officer = world.users["admin"], world.users["officer"]
    services.record_value(
        measure=measures.mine, period=month(1), value=Decimal(12), comment="", user=officer
    )
    services.record_value(
        measure=measures.mine,
        period=month(1),
        value=Decimal(14),
        comment="",
        user=admin,
        reason="RECOUNT-AFTER-AUDIT",
    )
    services.record_value(
        measure=measures.mine, period=month(0), value=Decimal(20), comment="", user=officer
    )
    response = clients["board"].get(page_url(measures.mine))
    rows = table(response, "Figures changed after they were first recorded")
    when = timezone.localtime().strftime("%-d %B %Y")
    assert len(rows) == 1  # the figures entered once are not corrections
    period, change, at, who, why = rows[0]
    assert (period, change, why) == (label(1), "Corrected from 12% to 14%", "RECOUNT-AFTER-AUDIT")
    assert at.startswith(when)
    assert who == (admin.get_full_name() or admin.get_username())
    history = reverse("measures:measure_history", args=[measures.mine.pk])
    assert history in links(response)


def test_no_target_context_quarterly_and_no_figures_are_said_so(world, clients, measures):
    board = clients["board"]
    # No target (and lower is better, a count).
    add_value(measures.theirs, month(0), 17)
    body = main_text(board.get(page_url(measures.theirs)))
    assert f"17 for {label(0)}. Target: None set." in body
    assert "Against the target (calculated) No target" in body
    assert "(not used: no target)" in body
    # Context only, quarterly: up or down, never better or worse.
    quarter = periods.last_ended(timezone.localdate(), "quarterly")
    context = make_measure(
        world.area,
        name="Contacts",
        unit="number",
        polarity="context",
        frequency="quarterly",
        target_value=None,
    )
    add_value(context, quarter, 400)
    add_value(context, periods.shift(quarter, "quarterly", -4), 300)
    response = board.get(page_url(context))
    body = main_text(response)
    assert "Against the target (calculated) Context only" in body
    assert "Chart of the last 12 quarters" in body
    year_ago = periods.label(periods.shift(quarter, "quarterly", -4), "quarterly")
    assert f"On a year before (calculated) ↑ Up against {year_ago} (300)" in body
    assert table(response, "every figure recorded")[0][3:5] == [
        f"300 {year_ago}",
        "100 higher ↑ Up",
    ]
    # No figures at all.
    empty = make_measure(world.area, name="Reviews on time")
    body = main_text(board.get(page_url(empty)))
    assert "No figure recorded yet. Target: 90%." in body
    assert "No figures recorded by the end of" in body


def test_no_corrections_said_plainly(clients, measures):
    add_value(measures.mine, month(0), 72)
    body = main_text(clients["board"].get(page_url(measures.mine)))
    assert "No figure had been changed after it was first recorded" in body
    assert "Figures changed after they were first recorded" not in body


def plan_recorded_since(plan: Plan, when: datetime.datetime) -> None:
    """As if the plan and its areas had been set up on ``when`` (the world is
    made today)."""
    plan.history.filter(history_type="+").update(history_date=when)
    ImprovementArea.history.filter(plan_id=plan.pk, history_type="+").update(history_date=when)


def test_as_at_a_date_the_measure_its_target_and_figures_as_they_then_stood(
    world, clients, measures
):
    plan_recorded_since(world.plan, moment(2026, 1, 5))
    measure = make_measure(
        world.area, name="Visits on time", target_value=Decimal(90), when=moment(2026, 2, 1)
    )
    add_value(measure, d(2026, 3, 1), 80, when=moment(2026, 4, 10))
    add_value(measure, d(2026, 4, 1), 86, when=moment(2026, 5, 20))  # April's, entered in May
    services.record_value(
        measure=measure,
        period=d(2026, 3, 1),
        value=Decimal(60),
        comment="",
        user=world.users["admin"],
        reason="AGENCY-TEAMS-MISSED",
        today=d(2026, 6, 1),
        when=moment(2026, 6, 1),
    )
    measure.target_value, measure.version = Decimal(80), measure.version + 1
    save_with_history(measure, reason="Target revised", when=moment(2026, 7, 1))
    board = clients["board"]

    may = board.get(page_url(measure, as_at="2026-05-10"))
    assert may.status_code == 200
    body = main_text(may)
    assert "Figures as recorded by the end of 10 May 2026 (a past date" in body
    assert "80% for March 2026. Target: 90%." in body
    assert [r[0] for r in table(may, "every figure recorded")] == ["March 2026"]
    assert "AGENCY-TEAMS-MISSED" not in body
    assert "<title>Visits on time as at 10 May 2026" in may.content.decode()

    june = board.get(page_url(measure, as_at="2026-06-15"))
    assert [r[:3] for r in table(june, "every figure recorded")] == [
        ["April 2026", "86%", "Near target"],
        ["March 2026", "60%", "Off target"],
    ]
    assert table(june, "Figures changed after")[0][1:2] == ["Corrected from 80% to 60%"]

    july = main_text(board.get(page_url(measure, as_at="2026-07-15")))
    assert "86% for April 2026. Target: 80%." in july and "On target" in july


def test_dates_it_cannot_show_get_the_error_page(world, clients, measures):
    plan_recorded_since(world.plan, moment(2026, 1, 5))
    board = clients["board"]
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    for url in (page_url, csv_url):
        for bad, error in (
            ("2026-13-45", "as-at date must be a real date"),
            (tomorrow, "as-at date must be today or in the past"),
            ("2025-12-31", "when the plan was first recorded"),
            # The plan was recorded then; this measure was not (it was made today).
            ("2026-02-01", "when this measure was first recorded"),
        ):
            response = board.get(url(measures.mine, as_at=bad))
            assert response.status_code == 400, (url, bad)
            assert 'class="govuk-error-summary"' in response.content.decode(), bad
            assert error in main_text(response), (bad, main_text(response))


ROLES = ["officer", "other_officer", "admin", "board", "scrutiny"]


def test_for_anyone_who_may_see_the_plan_and_nobody_else(world, clients, measures):
    for url in (page_url(measures.mine), csv_url(measures.mine)):
        for role in ROLES:
            assert clients[role].get(url).status_code == 200, (role, url)
        # A member of another council's plan only: as if it did not exist.
        assert clients["outsider"].get(url).status_code == 404, url
        response = clients["anonymous"].get(url)
        assert response.status_code == 302 and "/login/" in response["Location"], url
        assert clients["board"].post(url).status_code == 405, url
    # Another council's measure: 404 even to this plan's administrator…
    for url in (page_url(measures.elsewhere), csv_url(measures.elsewhere)):
        assert clients["admin"].get(url).status_code == 404, url
        # … and there for its own council's member.
        assert clients["outsider"].get(url).status_code == 200, url
    missing = reverse("measures:measure", args=[999999])
    assert clients["admin"].get(missing).status_code == 404


def test_links_to_enter_and_change_only_for_those_who_may(clients, measures):
    enter = reverse("measures:figure", args=[measures.mine.pk])
    change = reverse("measures:measure_edit", args=[measures.mine.pk])
    for role, may_enter, may_change in (
        ("officer", True, True),  # owns the measure, leads its area
        ("admin", True, True),
        ("other_officer", False, False),
        ("board", False, False),
    ):
        found = links(clients[role].get(page_url(measures.mine)))
        assert (enter in found, change in found) == (may_enter, may_change), role


def test_the_figures_csv_has_the_tables_rows_made_safe(world, clients, measures):
    measures.mine.name = '=HYPERLINK("http://evil.example")'
    measures.mine.version += 1
    save_with_history(measures.mine, reason="Test")
    with_figures(measures.mine)
    add_value(measures.mine, month(3), 70, comment="@SUM(A1:A9)")
    response = clients["board"].get(csv_url(measures.mine))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    today = timezone.localdate().isoformat()
    assert response["Content-Disposition"].endswith(f'-figures-{today}.csv"')
    rows = csv_rows(response)
    # The title line names the measure (not at the start of its cell: safe as it is).
    assert rows[0][0].startswith("Children's Services Plan: =HYPERLINK(")
    assert rows[1] == [
        "Target: 90%. Tolerance: 5% of the target (the plan's default). Higher is better."
    ]
    header = rows[3]
    assert header[:5] == ["Measure ID", "Measure", "Period", "Period label", "Figure"]
    data = rows[4:]
    name = '\'=HYPERLINK("http://evil.example")'
    assert data[0] == [
        str(measures.mine.pk),
        name,
        month(0).strftime("%Y-%m"),
        label(0),
        "72.0",
        "Percentage",
        "Off target",
        label(12),
        "60.0",
        "12.0",
        "Improving",
        "Two teams short",
    ]
    assert data[1][4:11] == [
        "86.0",
        "Percentage",
        "Near target",
        label(13),
        "90.0",
        "-4.0",
        "Worsening",
    ]
    # No figure a year before: empty, not made up.
    assert data[2][7:11] == [label(14), "", "", ""]
    assert data[3][-1] == "'@SUM(A1:A9)"
    assert [r[2] for r in data] == [month(n).strftime("%Y-%m") for n in (0, 1, 2, 3, 12, 13, 15)]


def test_the_figures_csv_as_at_a_past_date(world, clients, measures):
    plan_recorded_since(world.plan, moment(2026, 1, 5))
    measure = make_measure(world.area, name="Visits on time", when=moment(2026, 2, 1))
    add_value(measure, d(2026, 3, 1), 80, when=moment(2026, 4, 10))
    add_value(measure, d(2026, 4, 1), 86, when=moment(2026, 5, 20))
    response = clients["board"].get(csv_url(measure, as_at="2026-05-10"))
    assert response["Content-Disposition"].endswith('-figures-2026-05-10.csv"')
    rows = csv_rows(response)
    assert "as recorded by the end of 10 May 2026" in rows[0][0]
    assert [r[2:5] for r in rows[4:]] == [["2026-03", "March 2026", "80.0"]]


def test_the_scorecard_the_area_page_and_the_figures_page_link_to_it(world, clients, measures):
    add_value(measures.mine, month(0), 72)
    url = page_url(measures.mine)
    slug = world.plan.slug
    scorecard = reverse("reporting:dashboard_section", args=[slug, "measures"])
    dashboard = clients["board"].get(scorecard)
    today = timezone.localdate().isoformat()
    assert f"{url}?as_at={today}" in links(dashboard)
    # On a past day's scorecard, to the measure as at that day.
    plan_recorded_since(world.plan, moment(2026, 1, 5))
    older = make_measure(world.area, name="Visits on time", when=moment(2026, 2, 1))
    add_value(older, d(2026, 2, 1), 70, when=moment(2026, 3, 10))
    dashboard = clients["board"].get(scorecard, {"as_at": "2026-06-30"})
    # Its row, and the list of measures missing their latest figure (May's).
    assert links(dashboard).count(f"{page_url(older)}?as_at=2026-06-30") == 2
    assert url not in "".join(links(dashboard))  # not yet recorded then
    assert url in links(clients["board"].get(reverse("plans:area", args=[slug, 1])))
    assert url in links(clients["admin"].get(reverse("measures:figures", args=[slug])))


@pytest.mark.parametrize(
    ("change", "unit", "said"),
    [
        ("12", "percentage", "12 percentage points higher"),
        ("-1", "percentage", "1 percentage point lower"),
        ("-0.5", "days", "0.5 days lower"),
        ("3", "number", "3 higher"),
        ("1.25", "rate", "1.25 per 10,000 higher"),
        ("0", "number", "No change"),
    ],
)
def test_a_change_in_words(change, unit, said):
    assert format_change(Decimal(change), unit) == said


# --- Queries ---------------------------------------------------------------------------

# Session and user; the session's renewal (savepoint, update, release). No
# permission tables: the plan's role comes with the measure.
OVERHEAD = 5
BUDGETS = {
    # the measure with its area, plan, owner, action and the viewer's role; the
    # day the plan was first recorded; the plan's measure settings; the figures;
    # the figures' history rows, each with who made it
    "today": OVERHEAD + 5,
    # … the measure's history row as at the date first, and the settings then
    "past": OVERHEAD + 6,
    "csv": OVERHEAD + 5,
}


def grow(measure, start: int, count: int, *, when: datetime.datetime) -> None:
    """``count`` more months of figures, going back from ``start`` months
    before the last, each corrected once by someone."""
    for n in range(start, start + count):
        value = add_value(measure, month(n), 50 + n % 40, when=when)
        services.record_value(
            measure=measure,
            period=value.period,
            value=value.value + 1,
            comment="",
            user=measure.owner.user,
            reason=f"Recount {n}",
        )


@pytest.mark.parametrize("role", ["board", "officer"])
def test_a_fixed_number_of_queries_whatever_the_number_of_figures(world, clients, role):
    plan_recorded_since(world.plan, moment(2020, 1, 5))
    measure = make_measure(world.area, world.area.lead, when=moment(2020, 2, 1))
    past = (timezone.localdate() - datetime.timedelta(days=1)).isoformat()
    urls = {
        "today": page_url(measure),
        "past": page_url(measure, as_at=past),
        "csv": csv_url(measure),
    }

    def counts() -> dict[str, int]:
        found = {}
        for name, url in urls.items():
            with CaptureQueriesContext(connection) as ctx:
                response = clients[role].get(url)
            assert response.status_code == 200, url
            found[name] = len(ctx.captured_queries)
        return found

    grow(measure, 0, 2, when=moment(2020, 3, 1))
    few = counts()
    grow(measure, 2, 70, when=moment(2020, 3, 1))
    many = counts()
    assert len(table(clients[role].get(urls["today"]), "every figure recorded")) == 72
    assert many == few, f"query counts grew with the figures: {few} → {many}"
    over = {name: n for name, n in many.items() if n > BUDGETS[name]}
    assert not over, f"over budget: {over} (budgets {BUDGETS})"
