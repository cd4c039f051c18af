"""An area rated green or blue with an overdue milestone or action is flagged
where its status is shown: the area's page and the dashboard (its first
screen, and its areas section), which counts milestones only until it shows
actions (reporting/papers.py AreaLine)."""

import pytest
from django.urls import reverse

from plans.models import Action, Milestone
from plans.saving import save_with_history
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def test_green_with_an_overdue_milestone_or_action_is_flagged(world):
    # The world's area is rated Green; its milestone was due in June 2015 and
    # its action, not started, in September 2015.
    client = client_for(world.users["board"])
    area_page = reverse("plans:area", args=[world.plan.slug, world.area.number])
    dashboard = reverse("reporting:dashboard_section", args=[world.plan.slug, "areas"])
    summary = reverse("reporting:dashboard", args=[world.plan.slug])
    html = client.get(area_page).content.decode()
    assert "Rated Green – on track, but 1 milestone and 1 action are overdue" in html
    html = client.get(dashboard).content.decode()
    assert (
        f"Area {world.area.number}</a> is rated Green – on track with 1 overdue milestone "
        "and 1 overdue action" in html
    )
    html = client.get(summary).content.decode()
    assert "in areas rated green or blue: " in html
    assert f'#milestones">{world.area.number}</a>' in html

    # The milestone completed, the action still flags the area.
    world.milestone.status = Milestone.Status.COMPLETE
    world.milestone.completed_date = world.milestone.due_date
    save_with_history(world.milestone, reason="Done", user=world.users["admin"])
    html = client.get(area_page).content.decode()
    assert "Rated Green – on track, but 1 action is overdue" in html
    assert "milestone is overdue" not in html
    html = client.get(dashboard).content.decode()
    assert "is rated Green – on track with 1 overdue action." in html
    assert f'#milestones">{world.area.number}</a>' in client.get(summary).content.decode()

    # Completed too, it is no longer a contradiction.
    world.action.status = Action.Status.COMPLETE
    save_with_history(world.action, reason="Done", user=world.users["admin"])
    html = client.get(area_page).content.decode()
    assert "govuk-warning-text" not in html and "overdue" not in html.lower()
    html = client.get(dashboard).content.decode()
    assert "No area rated green or blue has an overdue milestone or action." in html
    assert "in areas rated green or blue" not in client.get(summary).content.decode()
