"""An area rated green or blue with an overdue milestone is flagged where its
status is shown: the area's page and the dashboard (its first screen, and
its areas section)."""

import pytest
from django.urls import reverse

from plans.models import Milestone
from plans.saving import save_with_history
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def test_green_with_an_overdue_milestone_is_flagged(world):
    # The world's area is rated Green; its milestone was due in June 2015.
    client = client_for(world.users["board"])
    area_page = reverse("plans:area", args=[world.plan.slug, world.area.number])
    dashboard = reverse("reporting:dashboard_section", args=[world.plan.slug, "areas"])
    summary = reverse("reporting:dashboard", args=[world.plan.slug])
    html = client.get(area_page).content.decode()
    assert "Rated Green – on track, but 1 milestone is overdue" in html
    html = client.get(dashboard).content.decode()
    assert (
        f"Area {world.area.number}</a> is rated Green – on track with 1 overdue milestone" in html
    )
    html = client.get(summary).content.decode()
    assert "in areas rated green or blue: " in html
    assert f'#milestones">{world.area.number}</a>' in html

    # Completed, it is no longer a contradiction.
    world.milestone.status = Milestone.Status.COMPLETE
    world.milestone.completed_date = world.milestone.due_date
    save_with_history(world.milestone, reason="Done", user=world.users["admin"])
    assert "milestone is overdue" not in client.get(area_page).content.decode()
    html = client.get(dashboard).content.decode()
    assert "No area rated green or blue has an overdue milestone." in html
    assert "in areas rated green or blue" not in client.get(summary).content.decode()
