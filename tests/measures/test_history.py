"""Success measures in the plan's change lists and on their own history page:
who, when, why, and old → new in the measure's own unit and periods."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from measures import services
from measures.models import Measure
from plans.saving import save_with_history
from tests.measures.conftest import make_measure
from tests.support.budgets import BUDGETS, grow
from tests.support.pages import links, listed, main_text

pytestmark = pytest.mark.django_db

MARCH = datetime.date(2015, 3, 1)


def name(user) -> str:
    return user.get_full_name() or user.get_username()


def change_target_and_tolerance(measure: Measure, user) -> None:
    measure.target_value = Decimal("85")
    measure.tolerance, measure.tolerance_kind = Decimal("3"), "absolute"
    measure.baseline_value, measure.baseline_period = Decimal("61.5"), MARCH
    measure.version += 1
    save_with_history(measure, reason="AGREED-AT-BOARD", user=user)


def enter_and_correct(measure: Measure, user, *, period=MARCH, old=12, new=14) -> None:
    services.record_value(measure=measure, period=period, value=Decimal(old), comment="", user=user)
    services.record_value(
        measure=measure,
        period=period,
        value=Decimal(new),
        comment="",
        user=user,
        reason="RECOUNT-AFTER-AUDIT",
    )


def test_measure_and_figure_changes_are_told_in_the_plans_words(world, clients, measures):
    admin, officer = world.users["admin"], world.users["officer"]
    change_target_and_tolerance(measures.mine, admin)
    enter_and_correct(measures.mine, officer)

    url = reverse("plans:plan_changes", args=[world.plan.slug])
    for role in ("admin", "officer", "board", "scrutiny"):
        # (Without the space the tags leave before "<strong>name</strong>.")
        text = listed(clients[role].get(url)).replace(" .", ".")
        assert "Changed: Measure: Supervision within the local standard" in text, role
        assert "Target: 90% → 85%" in text, role
        assert "Tolerance: the plan's default → 3 percentage points" in text, role
        assert "Baseline set to 61.5%" in text, role
        assert "Baseline period set to March 2015" in text, role
        assert f"by {name(admin)}. Reason: AGREED-AT-BOARD" in text, role
        assert "Corrected: Figure for March 2015: Supervision within the local standard" in text
        assert "Figure for March 2015 corrected from 12% to 14%" in text, role
        assert f"by {name(officer)}. Reason: RECOUNT-AFTER-AUDIT" in text, role
        assert "Entered: Figure for March 2015" in text and "Figure for March 2015: 12%" in text
        # No bookkeeping, and the reason in the user's own words only.
        for hidden in ("Version", "Entered at", "Entered by", "Tolerance kind", "Period:"):
            assert hidden not in text, (role, hidden)
        assert "Corrected from 12" not in text and "Reason: Figure entered" not in text
        # The other council's plan's measure is not this plan's.
        assert text.count("Created: Measure:") == 2, role  # mine and theirs


def test_units_and_quarters_in_the_measures_own_words(world, clients):
    admin = world.users["admin"]
    measure = make_measure(
        world.area, name="Days to adoption", unit="days", frequency="quarterly", target_value=400
    )
    enter_and_correct(measure, admin, period=datetime.date(2015, 4, 1), old=420, new=1)
    text = main_text(clients["board"].get(reverse("measures:measure_history", args=[measure.pk])))
    assert "Target: 400 days" in text
    assert "Figure for Apr–Jun 2015 corrected from 420 days to 1 day" in text
    assert "Frequency: Quarterly" in text and "Unit: Days" in text


def test_filtered_by_kind_and_by_area(world, clients, measures):
    admin = world.users["admin"]
    change_target_and_tolerance(measures.mine, admin)
    enter_and_correct(measures.mine, admin)
    measures.theirs.name = "THEIR-MEASURE-RENAMED"
    save_with_history(measures.theirs, reason="THEIRS-CHANGE", user=admin)
    url = reverse("plans:plan_changes", args=[world.plan.slug])
    client = clients["board"]

    text = listed(client.get(url, {"kind": "measure"}))
    assert "AGREED-AT-BOARD" in text and "THEIRS-CHANGE" in text
    assert "RECOUNT-AFTER-AUDIT" not in text and "Figure for" not in text
    text = listed(client.get(url, {"kind": "figure"}))
    assert "RECOUNT-AFTER-AUDIT" in text and "AGREED-AT-BOARD" not in text
    assert "Measure:" not in text
    text = listed(client.get(url, {"area": world.other_area.number}))
    assert "THEIRS-CHANGE" in text and "AGREED-AT-BOARD" not in text and "Figure for" not in text
    text = listed(client.get(url, {"area": world.area.number, "kind": "figure"}))
    assert "RECOUNT-AFTER-AUDIT" in text and "THEIRS-CHANGE" not in text

    area_url = reverse("plans:area_history", args=[world.plan.slug, world.area.number])
    response = client.get(area_url)
    assert '<option value="measure">Measures</option>' in response.content.decode()
    assert '<option value="figure">Figures</option>' in response.content.decode()
    text = listed(response)
    assert "AGREED-AT-BOARD" in text and "RECOUNT-AFTER-AUDIT" in text
    assert "THEIRS-CHANGE" not in text
    text = listed(client.get(area_url, {"kind": "figure"}))
    assert "RECOUNT-AFTER-AUDIT" in text and "AGREED-AT-BOARD" not in text


def test_a_measure_has_its_own_history_page(world, clients, measures):
    admin = world.users["admin"]
    change_target_and_tolerance(measures.mine, admin)
    enter_and_correct(measures.mine, admin)
    services.record_value(
        measure=measures.theirs, period=MARCH, value=Decimal(7), comment="", user=admin
    )
    url = reverse("measures:measure_history", args=[measures.mine.pk])

    area_page = clients["board"].get(reverse("plans:area", args=[world.plan.slug, 1]))
    assert url in links(area_page)
    response = clients["board"].get(url)
    assert response.status_code == 200
    text = main_text(response)
    assert "History of measure: Supervision within the local standard" in text
    assert "4 changes" in text  # created, changed; the figure entered and corrected
    assert "Target: 90% → 85%" in text and "corrected from 12% to 14%" in text
    assert "Caseload" not in text
    # Every entry leads to this page; the change lists link to it too.
    assert links(response).count(url) == 4
    plan_changes = clients["board"].get(reverse("plans:plan_changes", args=[world.plan.slug]))
    assert url in links(plan_changes)

    for role, status in (("outsider", 404), ("officer", 200), ("scrutiny", 200)):
        assert clients[role].get(url).status_code == status, role
    elsewhere = reverse("measures:measure_history", args=[measures.elsewhere.pk])
    assert clients["admin"].get(elsewhere).status_code == 404
    assert clients["board"].get(url, {"page": "2"}).status_code == 404
    assert clients["board"].get(url, {"page": "x"}).status_code == 404


def test_a_deleted_measure_stays_listed_without_a_link(world, clients, measures):
    admin = world.users["admin"]
    enter_and_correct(measures.mine, admin)
    gone = reverse("measures:measure_history", args=[measures.mine.pk])
    measures.mine.delete()
    response = clients["admin"].get(reverse("plans:plan_changes", args=[world.plan.slug]))
    text = listed(response)
    assert "Deleted: Measure: Supervision within the local standard" in text
    assert "Deleted: Figure for March 2015: (deleted measure)" in text
    assert gone not in links(response)


def grow_measures(world, times: int, start: int = 0) -> None:
    """``times`` measures in the world's area with a figure entered and
    corrected, and a change to the target: every kind of measure history."""
    admin = world.users["admin"]
    for i in range(start, start + times):
        measure = make_measure(world.area, world.area.lead, name=f"Measure {i}")
        measure.target_value, measure.version = Decimal("80"), 2
        save_with_history(measure, reason=f"Target {i}", user=admin)
        enter_and_correct(measure, admin)


@pytest.mark.parametrize("role", ["admin", "board"])
def test_change_lists_with_measures_make_a_fixed_number_of_queries(world, clients, role):
    measure = make_measure(world.area, world.area.lead)
    slug = world.plan.slug
    urls = {
        "plan_changes": [
            reverse("plans:plan_changes", args=[slug]) + q
            for q in ("", "?kind=figure", f"?area={world.area.number}")
        ],
        "area_history": [
            reverse("plans:area_history", args=[slug, world.area.number]) + q
            for q in ("", "?kind=measure")
        ],
        "measure_history": [reverse("measures:measure_history", args=[measure.pk])],
    }

    def counts() -> dict[str, int]:
        found = {}
        for budget, pages in urls.items():
            for url in pages:
                with CaptureQueriesContext(connection) as ctx:
                    response = clients[role].get(url)
                assert response.status_code == 200, url
                found[url] = len(ctx.captured_queries)
                assert found[url] <= BUDGETS[budget], (role, url, found[url])
        return found

    # Measures' changes interleaved with every other kind's, newest first, so
    # that a page holds every kind of record at once.
    enter_and_correct(measure, world.users["admin"])
    grow(world, 1)
    grow_measures(world, 1)
    first_page = listed(clients[role].get(urls["plan_changes"][0]))
    assert "Measure:" in first_page and "Figure for" in first_page and "Milestone:" in first_page
    small = counts()
    for i in range(1, 20):
        for month in (1, 2):
            enter_and_correct(
                measure, world.users["admin"], period=datetime.date(2000 + i, month, 1)
            )
        grow(world, 1, start=10 + i)
        grow_measures(world, 1, start=i)
    first_page = listed(clients[role].get(urls["plan_changes"][0]))
    assert "Measure:" in first_page and "Figure for" in first_page and "Milestone:" in first_page
    large = counts()
    assert large.keys() == small.keys()
    # Further pages too, now that there are some.
    urls = {budget: [pages[0] + "?page=2"] for budget, pages in urls.items()}
    counts()


def test_measure_settings_changes_are_in_the_plans_changes(world, clients):
    admin = world.users["admin"]
    settings = services.save_settings(
        plan=world.plan,
        values={"default_tolerance": Decimal("5"), "figures_due_days": 15},
        user=admin,
        expected_version=None,
    )
    services.save_settings(
        plan=world.plan,
        values={"default_tolerance": Decimal("10"), "default_tolerance_kind": "absolute"},
        user=admin,
        expected_version=settings.version,
    )
    url = reverse("plans:plan_changes", args=[world.plan.slug])
    for role in ("admin", "board"):
        text = listed(clients[role].get(url)).replace(" .", ".")
        assert "Changed: Measure settings (default tolerance, when figures are due)" in text
        assert "Default tolerance: 5% of the target → 10 in each measure's own unit" in text, text
        assert "Measure settings changed" in text
    # Filtered to the kind; and not in another plan's changes.
    only = listed(clients["admin"].get(url, {"kind": "measure_settings"}))
    assert "Default tolerance" in only and "Measure:" not in only
    other = reverse("plans:plan_changes", args=[world.other_plan.slug])
    assert "Measure settings" not in listed(clients["outsider"].get(other))
