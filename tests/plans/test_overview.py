"""The plan overview's filters and sort (plans/overview.py): which areas it
lists and in what order, the links and form that keep both, and values that
are not the plan's own (refused with an error summary and a 400, never a 500
and never another plan's data)."""

from __future__ import annotations

import datetime
import html
import re
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from plans.models import Milestone, Owner, Plan, ProgressUpdate, Theme
from plans.roles import BOARD_MEMBER, OFFICER
from tests import factories
from tests.conftest import client_for
from tests.support.shared import module_data

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert('x')</script>"

# The plan's areas: number -> (recommendation, theme, lead, current RAG and its
# as-at date, overdue milestones). Themes and leads by their short names below.
AREAS = {
    1: ("Ensure reasonable workloads.", "leadership", "social care", "green", (5, 1), 1),
    2: ("Improve management oversight.", "leadership", "early help", "red", (4, 1), 0),
    # Lower case: sorting by the recommendation ignores case.
    3: ("audit case files every month.", "practice", "director", "amber", (6, 1), 2),
    4: ("Build a stable workforce.", "practice", None, None, None, 0),
    5: ("Strengthen early help.", None, "social care", "blue", (3, 1), 0),
    6: ("Listen to children.", "leadership", "director", "red", (6, 15), 1),
    7: ("Return home interviews.", "practice", "early help", "amber", (5, 20), 3),
}
LEADS = {
    "social care": "Head of Children's Social Care",
    "early help": "Head of Early Help",
    "director": "Assistant Director",
}
THEMES = {"leadership": "Leadership", "practice": "Practice"}


@module_data
def overview_plan():
    """The plan above, a board member and an officer in it, and another plan
    with a theme, a lead and an area of its own."""
    today = timezone.localdate()
    users = {
        name: factories.UserFactory(username=name)
        for name in ("board", "officer", "admin", "outsider")
    }
    plan = factories.PlanFactory(slug="childrens-services", title="Children's Services Plan")
    factories.join(plan, {users["board"]: BOARD_MEMBER, users["officer"]: OFFICER})
    council = plan.organisation
    leads = {
        key: factories.OwnerFactory(job_title=title, organisation=council)
        for key, title in LEADS.items()
    }
    themes = {
        key: factories.ThemeFactory(plan=plan, name=name, slug=key, order=i)
        for i, (key, name) in enumerate(THEMES.items())
    }
    for number, (text, theme, lead, rag, as_at, overdue) in AREAS.items():
        area = factories.ImprovementAreaFactory(
            plan=plan,
            number=number,
            recommendation=text,
            theme=themes.get(theme),
            lead=leads.get(lead),
        )
        if rag:
            factories.ProgressUpdateFactory(
                area=area, approved=True, rag=rag, as_at=datetime.date(2015, *as_at)
            )
        for _ in range(overdue):
            factories.MilestoneFactory(area=area, due_date=today - datetime.timedelta(days=30))
        # Neither complete milestones nor those expected later are overdue.
        factories.MilestoneFactory(
            area=area,
            due_date=today - datetime.timedelta(days=60),
            status=Milestone.Status.COMPLETE,
            completed_date=today - datetime.timedelta(days=61),
        )
        factories.MilestoneFactory(area=area, due_date=today + datetime.timedelta(days=90))
    # An update waiting for sign-off is no area's status: area 4 stays not rated.
    factories.ProgressUpdateFactory(
        area=plan.areas.get(number=4), rag="red", state=ProgressUpdate.State.SUBMITTED
    )
    # Area 6 was Green before it was Red: only the latest approved update counts.
    factories.ProgressUpdateFactory(
        area=plan.areas.get(number=6), approved=True, rag="green", as_at=datetime.date(2015, 1, 1)
    )
    other = factories.PlanFactory(slug="other-council", title="Another council's plan")
    factories.join(other, {users["outsider"]: OFFICER})
    factories.ThemeFactory(plan=other, name="Elsewhere theme", slug="elsewhere")
    factories.ImprovementAreaFactory(
        plan=other,
        number=1,
        recommendation="Another council's secret recommendation.",
        lead=factories.OwnerFactory(job_title="Elsewhere lead", organisation=other.organisation),
    )
    return plan.pk


@pytest.fixture
def overview(db, overview_plan):
    """(get, ids): ``get(query, user="board")`` fetches the overview with that
    query string; ``ids`` names the plans' themes and leads by their keys."""
    plan = Plan.objects.get(pk=overview_plan)
    ids = {f"theme:{t.slug}": str(t.pk) for t in Theme.objects.all()}
    ids.update({f"lead:{o.job_title}": str(o.pk) for o in Owner.objects.all()})
    users = {u.username: u for u in get_user_model().objects.all()}
    url = reverse("plans:plan", args=[plan.slug])

    def get(query: str = "", user: str = "board"):
        for key, value in ids.items():
            query = query.replace("{" + key + "}", value)
        client = client_for(users[user]) if user else Client()
        return client.get(f"{url}?{query}" if query else url)

    return get, ids


def numbers(response) -> list[int]:
    """The area numbers in the table, in the order shown."""
    body = response.content.decode()
    table = body[body.index('<tbody class="govuk-table__body">') :]
    return [int(n) for n in re.findall(r'data-label="No.">(\d+)<', table)]


def summary(response) -> str:
    text = re.search(r'<p class="govuk-body" id="areas-shown">(.*?)</p>', response.content.decode())
    return html.unescape(text.group(1))


def errors(response) -> list[str]:
    body = response.content.decode()
    if "govuk-error-summary" not in body:
        return []
    box = body[body.index("govuk-error-summary") :]
    box = box[: box.index("</ul>")]
    return [html.unescape(e) for e in re.findall(r'<li><a href="#[^"]+">(.*?)</a></li>', box)]


def filter_form(body: str) -> str:
    start = body.index('<form method="get"')
    return body[start : body.index("</form>", start)]


def headers(response) -> dict[str, dict]:
    """Each column heading's link (its query as a list of pairs) and aria-sort."""
    result = {}
    for attrs, href, label in re.findall(
        r'<th scope="col" class="[^"]*"( aria-sort="\w+")?><a class="govuk-link app-sort-link" '
        r'href="([^"]*)">([^<]+)<',
        response.content.decode(),
    ):
        result[label] = {
            "query": parse_qsl(urlsplit(html.unescape(href)).query),
            "aria_sort": attrs.split('"')[1] if attrs else None,
        }
    return result


# Filters, alone and together: the areas they leave, in number order.
FILTERS = {
    "": [1, 2, 3, 4, 5, 6, 7],
    "rag=red": [2, 6],
    "rag=red&rag=amber": [2, 3, 6, 7],
    "rag=blue": [5],
    "rag=green": [1],
    "rag=none": [4],
    "rag=green&rag=none": [1, 4],
    "rag=blue&rag=green&rag=amber&rag=red&rag=none": [1, 2, 3, 4, 5, 6, 7],
    "theme={theme:leadership}": [1, 2, 6],
    "theme={theme:practice}": [3, 4, 7],
    "theme=none": [5],
    "lead={lead:Head of Children's Social Care}": [1, 5],
    "lead={lead:Assistant Director}": [3, 6],
    "lead=none": [4],
    "overdue=yes": [1, 3, 6, 7],
    "rag=red&rag=amber&theme={theme:leadership}": [2, 6],
    "rag=amber&overdue=yes&lead={lead:Head of Early Help}": [7],
    "theme={theme:practice}&overdue=yes": [3, 7],
    "theme={theme:leadership}&lead={lead:Assistant Director}&overdue=yes&rag=red": [6],
    "rag=green&lead={lead:Head of Children's Social Care}&theme=none": [],
    "rag=none&overdue=yes": [],
    # An empty choice is no filter.
    "rag=&theme=&lead=&overdue=": [1, 2, 3, 4, 5, 6, 7],
}


@pytest.mark.parametrize("query", FILTERS)
def test_each_filter_and_combination_lists_its_areas(overview, query):
    get, _ = overview
    response = get(query)
    assert response.status_code == 200
    assert numbers(response) == FILTERS[query]
    assert not errors(response)


# Each column both ways: ties (the same lead, status or count) in number order,
# and areas with nothing in the column (no lead, not rated, no approved update)
# last either way.
SORTS = {
    ("number", "asc"): [1, 2, 3, 4, 5, 6, 7],
    ("number", "desc"): [7, 6, 5, 4, 3, 2, 1],
    ("recommendation", "asc"): [3, 4, 1, 2, 6, 7, 5],
    ("recommendation", "desc"): [5, 7, 6, 2, 1, 4, 3],
    ("lead", "asc"): [3, 6, 1, 5, 2, 7, 4],
    ("lead", "desc"): [2, 7, 1, 5, 3, 6, 4],
    # By severity (Blue, Green, Amber, Red), not alphabetically.
    ("rag", "asc"): [5, 1, 3, 7, 2, 6, 4],
    ("rag", "desc"): [2, 6, 3, 7, 1, 5, 4],
    ("updated", "asc"): [5, 2, 1, 7, 3, 6, 4],
    ("updated", "desc"): [6, 3, 7, 1, 2, 5, 4],
    ("overdue", "asc"): [2, 4, 5, 1, 6, 3, 7],
    ("overdue", "desc"): [7, 3, 1, 6, 2, 4, 5],
}


LABELS = {
    "number": "No.",
    "recommendation": "Recommendation",
    "lead": "Lead",
    "rag": "Current status",
    "updated": "Last update",
    "overdue": "Overdue",
}


@pytest.mark.parametrize(("sort", "direction"), SORTS)
def test_sort_by_each_column_both_ways(overview, sort, direction):
    get, _ = overview
    response = get(f"sort={sort}&dir={direction}")
    assert response.status_code == 200
    assert numbers(response) == SORTS[sort, direction]
    # aria-sort on the sorted heading only.
    sorted_by = {k: v["aria_sort"] for k, v in headers(response).items() if v["aria_sort"]}
    expected = "ascending" if direction == "asc" else "descending"
    assert sorted_by == {LABELS[sort]: expected}


def test_the_page_opens_in_number_order_and_says_so(overview):
    get, _ = overview
    response = get()
    assert numbers(response) == [1, 2, 3, 4, 5, 6, 7]
    assert summary(response) == "Showing all 7 areas. Sorted by area number, lowest first."
    links = headers(response)
    assert links["No."]["aria_sort"] == "ascending"
    # Following a heading sorts by it ascending; the sorted one, the other way.
    assert links["Current status"]["query"] == [("sort", "rag"), ("dir", "asc")]
    assert links["No."]["query"] == [("sort", "number"), ("dir", "desc")]
    assert "Clear filters" not in response.content.decode()


def test_sort_links_keep_the_filters_and_following_them_sorts(overview):
    get, ids = overview
    theme = ids["theme:leadership"]
    response = get("rag=red&rag=amber&rag=green&theme={theme:leadership}&sort=rag&dir=asc")
    assert numbers(response) == [1, 2, 6]
    links = headers(response)
    filters = [("rag", "green"), ("rag", "amber"), ("rag", "red"), ("theme", theme)]
    assert links["Current status"]["query"] == [*filters, ("sort", "rag"), ("dir", "desc")]
    assert links["Overdue"]["query"] == [*filters, ("sort", "overdue"), ("dir", "asc")]
    # The first column's ascending order is the page as it opens: no sort in the address.
    assert get("rag=red&sort=number&dir=desc").status_code == 200
    assert headers(get("rag=red&sort=number&dir=desc"))["No."]["query"] == [("rag", "red")]
    # Following the link: the same areas, the other way round.
    following = get("&".join(f"{k}={v}" for k, v in links["Current status"]["query"]))
    assert numbers(following) == [2, 6, 1]
    assert summary(following) == (
        "Showing 3 of 7 areas: Green, Amber or Red, theme Leadership. "
        "Sorted by current status, Red to Blue."
    )


def test_filter_form_keeps_the_sort_and_clear_filters_keeps_it_too(overview):
    get, _ = overview
    body = get("rag=red&overdue=yes&sort=updated&dir=desc").content.decode()
    form = filter_form(body)
    assert '<input type="hidden" name="sort" value="updated">' in form
    assert '<input type="hidden" name="dir" value="desc">' in form
    assert "csrfmiddlewaretoken" not in form
    # The filters applied are the ones ticked and chosen.
    assert re.search(r'value="red" checked', form) and not re.search(r'value="amber" checked', form)
    assert re.search(r'name="overdue"[^>]*checked|checked[^>]*name="overdue"', form)
    assert "Apply filters</button>" in form
    clear = re.search(r'<a class="govuk-link" href="([^"]*)">Clear filters</a>', form).group(1)
    assert html.unescape(clear) == reverse("plans:plan", args=["childrens-services"]) + (
        "?sort=updated&dir=desc"
    )
    # Without a sort, the form carries none.
    form = filter_form(get("rag=red").content.decode())
    assert 'name="sort"' not in form and 'name="dir"' not in form


def test_the_summary_names_the_filters_applied(overview):
    get, _ = overview
    cases = {
        "rag=red&rag=amber&theme={theme:leadership}": (
            "Showing 2 of 7 areas: Amber or Red, theme Leadership."
        ),
        "rag=none&lead=none": "Showing 1 of 7 areas: not yet rated, no lead yet.",
        "theme=none&lead={lead:Head of Children's Social Care}&overdue=yes": (
            "Showing 0 of 7 areas: no theme, lead Head of Children's Social Care, "
            "with an overdue milestone or action."
        ),
    }
    for query, text in cases.items():
        assert summary(get(query)).startswith(text), query


def test_no_areas_match(overview):
    get, _ = overview
    body = get("rag=none&overdue=yes").content.decode()
    assert "No areas match the filters." in body
    assert "This plan has no improvement areas yet" not in body


def test_choices_are_the_plans_own(overview):
    get, _ = overview
    body = get().content.decode()
    form = filter_form(body)
    options = re.findall(r"<option[^>]*>([^<]*)</option>", form)
    assert [html.unescape(o).strip() for o in options] == [
        "All themes",
        "Leadership",
        "Practice",
        "No theme",
        "All leads",
        "Assistant Director",
        "Head of Children's Social Care",
        "Head of Early Help",
        "No lead yet",
    ]
    labels = re.findall(r'govuk-checkboxes__label" for="(id_rag[_\d]*)">([^<]+)<', form)
    assert labels == [
        ("id_rag", "Blue – complete"),
        ("id_rag_2", "Green – on track"),
        ("id_rag_3", "Amber – at risk"),
        ("id_rag_4", "Red – off track"),
        ("id_rag_5", "Not yet rated"),
    ]
    assert "Elsewhere" not in body


# Values that are not the plan's: each an error in the summary, with the
# message, a 400, and whatever else was valid still applied.
HOSTILE = {
    "rag=purple": "Select current statuses from the list",
    "rag=Red": "Select current statuses from the list",
    f"rag={SCRIPT}": "Select current statuses from the list",
    "theme={theme:elsewhere}": "Select a theme from the list",
    "theme=leadership": "Select a theme from the list",
    "theme=99999999999999999999": "Select a theme from the list",
    "theme=-1": "Select a theme from the list",
    "lead={lead:Elsewhere lead}": "Select a lead from the list",
    "lead=' OR 1=1 --": "Select a lead from the list",
    "lead=a%00b": "Select a lead from the list",
    "overdue=1": "Select ‘Only areas with an overdue milestone or action’, or leave it unselected",
    f"overdue={SCRIPT}": (
        "Select ‘Only areas with an overdue milestone or action’, or leave it unselected"
    ),
    "sort=name": "Sort the areas by selecting a column heading in the table",
    f"sort={SCRIPT}": "Sort the areas by selecting a column heading in the table",
    "sort=rag&dir=up": "Sort the areas by selecting a column heading in the table",
    "dir=" + "x" * 20_000: "Sort the areas by selecting a column heading in the table",
}


@pytest.mark.parametrize("query", HOSTILE)
def test_values_not_the_plans_own_are_errors(overview, query):
    get, _ = overview
    response = get(query)
    assert response.status_code == 400
    assert errors(response) == [HOSTILE[query]]
    body = response.content.decode()
    assert "<title>Error: " in body
    # The page still lists this plan's areas, in number order, unfiltered…
    assert numbers(response) == [1, 2, 3, 4, 5, 6, 7]
    # …and nothing of the other plan, nor the value unescaped.
    assert "Elsewhere" not in body and "secret recommendation" not in body
    assert SCRIPT not in body


def test_the_valid_filters_apply_beside_an_error(overview):
    get, _ = overview
    response = get("rag=red&rag=amber&theme={theme:elsewhere}&sort=overdue&dir=desc")
    assert response.status_code == 400
    assert errors(response) == ["Select a theme from the list"]
    assert numbers(response) == [7, 3, 6, 2]
    assert summary(response) == (
        "Showing 4 of 7 areas: Amber or Red. Sorted by overdue milestones and actions, most first."
    )
    # The links carry only what was valid.
    assert headers(response)["Lead"]["query"] == [
        ("rag", "amber"),
        ("rag", "red"),
        ("sort", "lead"),
        ("dir", "asc"),
    ]


def test_error_summary_links_to_the_field(overview):
    get, _ = overview
    body = get("rag=purple&lead=x").content.decode()
    assert '<a href="#id_rag">' in body and 'id="id_rag"' in body
    assert '<a href="#id_lead">' in body and 'id="id_lead"' in body


def test_every_role_in_the_plan_may_filter_and_nobody_else(overview):
    get, _ = overview
    query = "rag=red&theme={theme:leadership}&sort=rag&dir=desc"
    assert numbers(get(query, user="officer")) == [2, 6]
    # Another plan's officer: this plan does not exist for them, filters or not.
    assert get(query, user="outsider").status_code == 404
    assert get(query, user="admin").status_code == 404  # not a member of this plan
    anonymous = get(query, user="")
    assert anonymous.status_code == 302 and "/login/" in anonymous["Location"]


def test_a_plan_without_themes_has_no_theme_filter(world, clients):
    url = reverse("plans:plan", args=[world.plan.slug])
    body = clients["board"].get(url).content.decode()
    assert 'name="theme"' not in body and 'name="lead"' in body
    # A theme asked for all the same is no filter, and no error.
    response = clients["board"].get(f"{url}?theme=1")
    assert response.status_code == 200
    assert "Showing all 2 areas." in response.content.decode()


def test_a_plan_without_areas(db):
    plan = factories.PlanFactory()
    board = factories.UserFactory()
    factories.join(plan, {board: BOARD_MEMBER})
    body = client_for(board).get(reverse("plans:plan", args=[plan.slug]) + "?sort=rag")
    assert body.status_code == 200
    assert "This plan has no improvement areas yet." in body.content.decode()
    assert "Showing all 0 areas." in body.content.decode()
