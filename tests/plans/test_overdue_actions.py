"""An action past its due date, neither complete nor cancelled, is overdue:
one rule (plans.models.ActionDates) for actions, their history rows and the
database, flagged on the area page and on My work."""

import datetime

import lxml.html
import pytest
from django.urls import reverse
from django.utils import timezone

from plans import snapshot as snap
from plans.models import Action
from plans.saving import save_with_history
from tests import factories

pytestmark = pytest.mark.django_db

ONE_DAY = datetime.timedelta(days=1)


def make_actions(area, owner) -> dict[str, Action]:
    """One action for each side of the rule, as at the test's today."""
    today = timezone.localdate()
    cases = {
        "due yesterday": (today - ONE_DAY, Action.Status.NOT_STARTED),
        "due yesterday, in progress": (today - ONE_DAY, Action.Status.IN_PROGRESS),
        "due a year ago": (today - 365 * ONE_DAY, Action.Status.IN_PROGRESS),
        "due today": (today, Action.Status.IN_PROGRESS),
        "due tomorrow": (today + ONE_DAY, Action.Status.NOT_STARTED),
        "complete, due yesterday": (today - ONE_DAY, Action.Status.COMPLETE),
        "cancelled, due yesterday": (today - ONE_DAY, Action.Status.CANCELLED),
        "no due date": (None, Action.Status.NOT_STARTED),
    }
    actions = {}
    for i, (title, (due, status)) in enumerate(cases.items()):
        action = Action(
            area=area,
            reference=f"{area.number}.{i + 10}",
            title=title,
            owner=owner,
            start_date=None,
            due_date=due,
            status=status,
        )
        save_with_history(action, reason="Added")
        actions[title] = action
    return actions


OVERDUE = {"due yesterday", "due yesterday, in progress", "due a year ago"}


def test_the_rule_is_the_same_for_actions_their_history_and_the_database(world):
    today = timezone.localdate()
    actions = make_actions(world.other_area, world.other_area.lead)
    assert {t for t, a in actions.items() if a.is_overdue(today)} == OVERDUE
    # History rows share the model's rule (HistoricalRecords(bases=...)).
    rows = {
        a.title: Action.history.filter(id=a.pk).latest("history_date") for a in actions.values()
    }
    assert {t for t, row in rows.items() if row.is_overdue(today)} == OVERDUE
    # … and so does the database (action_overdue_in_query).
    overdue = Action.objects.filter(area=world.other_area).overdue(today)
    assert set(overdue.values_list("title", flat=True)) == OVERDUE
    # … and the plan as at today, read from history (plans/snapshot.py).
    shot = snap.take(world.plan, today)
    assert {a.title for a in shot.actions if a.is_overdue(today)} == OVERDUE | {
        world.action.title  # the world's own, due in September 2015, not started
    }
    # Tomorrow, what was due today is overdue too.
    assert actions["due today"].is_overdue(today + ONE_DAY)
    assert not actions["no due date"].is_overdue(datetime.date.max)


def test_a_complete_or_cancelled_action_is_never_overdue(world):
    action = world.action  # due 30 September 2015
    assert action.is_overdue(datetime.date(2015, 10, 1))
    assert not action.is_overdue(datetime.date(2015, 9, 30))
    for status in Action.DONE:
        action.status = status
        assert not action.is_overdue(datetime.date(2026, 1, 1))


def _action_rows(html: str) -> dict[str, str]:
    """The area page's actions table: each action's title cell by reference."""
    root = lxml.html.document_fromstring(html)
    (table,) = root.xpath("//table[caption[starts-with(normalize-space(), 'Actions in area')]]")
    return {
        tr.xpath("./td")[0].text_content().strip(): tr.xpath("./td")[1].text_content()
        for tr in table.xpath("./tbody/tr")
    }


def test_the_area_page_tags_overdue_actions(world, clients):
    actions = make_actions(world.area, world.area.lead)
    url = reverse("plans:area", args=[world.plan.slug, world.area.number])
    html = clients["board"].get(url).content.decode()
    cells = _action_rows(html)
    tagged = {t for t, a in actions.items() if "Overdue" in cells[a.reference]}
    assert tagged == OVERDUE
    assert "Overdue" in cells[world.action.reference]
    assert "the service works this out from its due date and status" in html
    # Rated green: the contradiction counts the overdue actions (4) with the milestone.
    assert "Rated Green – on track, but 1 milestone and 4 actions are overdue" in html


def test_the_area_page_says_nothing_when_no_action_is_overdue(world, clients):
    world.action.status = Action.Status.COMPLETE
    save_with_history(world.action, reason="Done")
    url = reverse("plans:area", args=[world.plan.slug, world.area.number])
    html = clients["board"].get(url).content.decode()
    assert "Overdue" not in _action_rows(html)[world.action.reference]
    assert "works this out from its due date" not in html
    assert "but 1 milestone is overdue" in html


def _between(html: str, start: str, end: str) -> str:
    return html[html.index(start) : html.index(end, html.index(start))]


def test_my_work_lists_the_officers_overdue_actions_with_the_milestones(world, clients):
    today = timezone.localdate()
    actions = make_actions(world.area, world.area.lead)  # the officer's
    theirs = factories.ActionFactory(
        area=world.other_area,
        reference="2.9",
        title="A late action of another officer",
        owner=world.other_area.lead,
        due_date=today - ONE_DAY,
    )
    html = clients["officer"].get(reverse("plans:my_work")).content.decode()
    section = _between(html, ">Actions overdue<", "Milestones due in the next")
    listed = lxml.html.fragment_fromstring(section, create_parent="div").xpath("//li/a")
    # The officer's own, most overdue first: the world's (2015), then a year ago, then yesterday's.
    assert [a.text_content() for a in listed] == [
        f"Action {world.action.reference}: {world.action.title}",
        f"Action {actions['due a year ago'].reference}: due a year ago",
        f"Action {actions['due yesterday'].reference}: due yesterday",
        f"Action {actions['due yesterday, in progress'].reference}: due yesterday, in progress",
    ]
    assert theirs.title not in html
    assert "the service works this out from its due date and status" in section
    # The section sits with the overdue milestones.
    assert html.index(">Milestones overdue<") < html.index(">Actions overdue<")
    # Each overdue action is tagged where the officer's actions are listed.
    owned = _between(html, ">Actions you own<", "</ul>")
    items = lxml.html.fragment_fromstring(owned + "</ul>", create_parent="div").xpath("//li")
    tagged = {
        li.xpath("./a")[0].text_content().split(" ", 1)[1]
        for li in items
        if "Overdue" in li.text_content()
    }
    assert tagged == OVERDUE | {world.action.title}

    # Another officer sees only theirs.
    html = clients["other_officer"].get(reverse("plans:my_work")).content.decode()
    section = _between(html, ">Actions overdue<", "Milestones due in the next")
    assert "A late action of another officer" in section and world.action.title not in section


def test_my_work_with_nothing_overdue_says_so(world, clients):
    world.action.status = Action.Status.CANCELLED
    save_with_history(world.action, reason="Cancelled")
    html = clients["officer"].get(reverse("plans:my_work")).content.decode()
    assert "No overdue actions." in _between(
        html, ">Actions overdue<", "Milestones due in the next"
    )


def test_the_overview_counts_and_filters_overdue_actions_too(world, clients):
    """An area whose only overdue item is an action is listed by the
    overview's "overdue" filter, with the action counted."""
    world.milestone.status, world.milestone.completed_date = "complete", world.milestone.due_date
    save_with_history(world.milestone, reason="Done", user=world.users["admin"])
    url = reverse("plans:plan", args=[world.plan.slug])
    html = clients["board"].get(url, {"overdue": "yes"}).content.decode()
    rows = lxml.html.fromstring(html).xpath("//tbody/tr")
    assert [r.xpath("td")[0].text_content() for r in rows] == [str(world.area.number)]
    assert "0 milestones, 1 action" in rows[0].text_content()
    # Complete, the action is no longer overdue: nothing is listed.
    world.action.status = Action.Status.COMPLETE
    save_with_history(world.action, reason="Done", user=world.users["admin"])
    html = clients["board"].get(url, {"overdue": "yes"}).content.decode()
    assert "No areas match the filters" in html
