"""Starting a plan: the inspection, the plan's title and board, themes from
the judgement areas, then the areas from the recommendations pasted as a
numbered list (previewed before saving), all with history."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.urls import reverse

from plans.models import ImprovementArea, Membership, Plan, Theme
from plans.setup import start
from tests.conftest import client_for
from workbook.models import CouncilAdministrator

pytestmark = pytest.mark.django_db

START = {
    "title": "Adult Social Care Improvement Plan",
    "inspection_name": "CQC assessment of adult social care",
    "inspection_start_0": "3",
    "inspection_start_1": "3",
    "inspection_start_2": "2025",
    "inspection_end_0": "14",
    "inspection_end_1": "3",
    "inspection_end_2": "2025",
    "judgement_areas": "Working with people\nProviding support\n\nEnsuring safety\n- Leadership",
    "board_name": "Improvement Board",
    "board_description": "Monthly; chaired by the Chief Executive.",
}
RECOMMENDATIONS = """1. Ensure that social workers have reasonable workloads
so that they can do good work.
2) Improve the quality of supervision.
(3) Ensure that assessments are timely.
"""


def test_a_plan_administrator_starts_a_plan_with_themes_and_history(world, clients):
    client = clients["admin"]
    assert client.get(reverse("plans:start_plan")).status_code == 200
    response = client.post(reverse("plans:start_plan"), START)
    plan = Plan.objects.get(title=START["title"])
    assert response["Location"] == reverse("plans:areas_from_recommendations", args=[plan.slug])
    assert plan.organisation == world.plan.organisation
    assert plan.history.get().history_change_reason == "Plan started"
    assert Membership.objects.get(plan=plan).user == world.users["admin"]
    themes = list(Theme.objects.filter(plan=plan).values_list("name", flat=True))
    assert themes == ["Working with people", "Providing support", "Ensuring safety", "Leadership"]
    assert Theme.history.filter(plan_id=plan.pk).count() == 4
    # A double submit makes one plan.
    form_token = "7d4b0f53-6a2c-4bb0-9d6b-2a1f3c9e8b11"
    client.post(reverse("plans:start_plan"), {**START, "title": "Twice", "form_token": form_token})
    client.post(reverse("plans:start_plan"), {**START, "title": "Twice", "form_token": form_token})
    assert Plan.objects.filter(title="Twice").count() == 1


def test_start_a_plan_errors_and_refusals(world, clients):
    bad = {**START, "inspection_end_2": "2024", "title": ""}
    response = clients["admin"].post(reverse("plans:start_plan"), bad)
    assert response.status_code == 400
    page = response.content.decode()
    assert "Enter the plan&#x27;s title" in page
    assert "The inspection end date must be the same as or after its start" in page
    for role in ("officer", "board", "scrutiny", "outsider"):
        assert clients[role].get(reverse("plans:start_plan")).status_code == 403
        assert clients[role].post(reverse("plans:start_plan"), START).status_code == 403
    assert not Plan.objects.filter(title=START["title"]).exists()


def test_recommendations_are_previewed_then_saved_with_their_numbers(world, clients):
    client = clients["admin"]
    plan = world.plan
    url = reverse("plans:areas_from_recommendations", args=[plan.slug])
    text = RECOMMENDATIONS.replace("1.", "11.").replace("2)", "12)").replace("(3)", "(13)")
    response = client.post(url, {"recommendations": text, "preview": "yes"})
    page = response.content.decode()
    assert response.status_code == 200 and "Check the 3 improvement areas" in page
    assert "reasonable workloads so that they can do good work" in page
    assert not ImprovementArea.objects.filter(plan=plan, number=11).exists()
    checked = page.split('name="checked" value="')[1].split('"')[0]
    # A list changed after its check is shown again, not saved.
    client.post(url, {"recommendations": text + "14. More", "save": "yes", "checked": checked})
    assert not ImprovementArea.objects.filter(plan=plan, number=11).exists()
    response = client.post(url, {"recommendations": text, "save": "yes", "checked": checked})
    assert response.status_code == 302
    area = ImprovementArea.objects.get(plan=plan, number=12)
    assert area.recommendation == "Improve the quality of supervision."
    assert area.history.get().history_change_reason == "From the inspection's recommendations"
    # Numbers the plan already has are refused, naming them.
    response = client.post(url, {"recommendations": text, "preview": "yes"})
    assert response.status_code == 400
    assert "The plan already has areas 11, 12 and 13" in response.content.decode()


def test_pasted_lists_that_are_not_numbered_lists_are_errors(world, clients):
    url = reverse("plans:areas_from_recommendations", args=[world.plan.slug])
    for text, message in (
        ("Ensure that workloads are reasonable", "comes before recommendation 1"),
        ("4. One\n4. Two", "Recommendation 4 is listed twice"),
        ("", "Paste the recommendations as a numbered list"),
    ):
        response = clients["admin"].post(url, {"recommendations": text, "preview": "yes"})
        assert response.status_code == 400
        assert message in response.content.decode()
    assert clients["officer"].get(url).status_code == 403
    assert clients["outsider"].get(url).status_code == 404


def test_parse_keeps_the_numbers_and_joins_continued_lines():
    items, errors = start.parse_recommendations(
        "Recommendation 1: Ensure that\n  workloads are reasonable.\n7 - Improve supervision"
    )
    assert errors == []
    assert items == [(1, "Ensure that workloads are reasonable."), (7, "Improve supervision")]


def test_an_operator_creates_a_council_and_its_first_plan_administrator(db):
    call_command(
        "create_council",
        "Exeter City Council",
        "--admin",
        "jsmith",
        "--email",
        "j.smith@exeter.gov.uk",
    )
    starter = CouncilAdministrator.objects.get()
    assert starter.council.name == "Exeter City Council" and starter.council.council_id is None
    assert starter.history.get().history_change_reason.startswith("Council set up")
    client = client_for(starter.user)
    page = client.get(reverse("plans:start_plan")).content.decode()
    assert "Council" not in page.split("<h1")[1].split("Plan title")[0]  # only one council
    client.post(reverse("plans:start_plan"), START)
    plan = Plan.objects.get(title=START["title"])
    assert plan.organisation == starter.council
    assert Membership.objects.get(plan=plan).role == "plan_administrator"
