"""Bulk progress updates: one row per area, each filled-in row checked as the
update form checks it and saved as a draft or submitted, after a preview."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from plans.models import ProgressUpdate
from tests.support.workbooks import download, fill

from .helpers import cell, confirm, history_count, to_bytes, upload

pytestmark = pytest.mark.django_db


def test_an_officer_gets_their_own_areas_and_an_administrator_all(world, clients):
    officer = download(clients["officer"], world.plan)["Progress updates"]
    numbers = [r[0].value for r in officer.iter_rows(min_row=5)]
    assert numbers == [world.area.number]
    admin = download(clients["admin"], world.plan)["Progress updates"]
    assert [r[0].value for r in admin.iter_rows(min_row=5)] == [1, 2]


def test_rows_become_updates_exactly_as_from_the_form(world, clients):
    client = clients["officer"]
    book = download(client, world.plan)
    sheet = book["Progress updates"]
    fill(
        sheet,
        1,
        **{
            "As-at date": datetime.datetime(2015, 6, 30),
            "RAG": "Green – on track",
            "Progress": "Caseloads are down to 18.",
            "Next steps": "Keep it so.",
            "Save as": "Submit for sign-off",
        },
    )
    response = upload(client, world.plan, to_bytes(book), "returns-june.xlsx", progress=True)
    page = client.get(response["Location"]).content.decode()
    assert "Caseloads are down to 18." in page and "Save these updates" in page
    confirm(client, response)
    update = ProgressUpdate.objects.get(narrative="Caseloads are down to 18.")
    assert update.state == "submitted" and update.author == world.users["officer"]
    assert update.submitted_at is not None and update.as_at == datetime.date(2015, 6, 30)
    reason = update.history.first().history_change_reason
    assert reason.startswith("Submitted for sign-off: imported from returns-june.xlsx by ")


def test_a_worse_status_needs_a_reason_as_in_the_form(world, clients):
    client = clients["officer"]
    book = download(client, world.plan)
    sheet = book["Progress updates"]
    fill(sheet, 1, **{"As-at date": "30/06/2015", "RAG": "Red", "Progress": "Worse."})
    before = history_count()
    response = upload(client, world.plan, to_bytes(book), progress=True)
    assert response.status_code == 400
    assert "Enter why the status is worse than the last approved status" in (
        response.content.decode()
    )
    assert history_count() == before
    fill(sheet, 1, **{"Reason for the status": "Two team managers left."})
    response = upload(client, world.plan, to_bytes(book), progress=True)
    # Red needs its next steps too, as the form asks.
    assert response.status_code == 400
    assert "Enter the next steps" in response.content.decode()
    fill(sheet, 1, **{"Next steps": "Agency cover from July."})
    confirm(client, upload(client, world.plan, to_bytes(book), progress=True))
    update = ProgressUpdate.objects.get(narrative="Worse.")
    assert update.state == "draft" and update.rag == "red"
    assert update.rag_reason == "Two team managers left."


def test_a_workbook_downloaded_before_the_reason_column_was_renamed_is_still_read(world, clients):
    client = clients["officer"]
    book = download(client, world.plan)
    sheet = book["Progress updates"]
    # The reason column under its old heading, as workbooks downloaded earlier have it.
    cell(sheet, "Reason for the status", 4).value = "Reason if worse"
    fill(
        sheet,
        1,
        **{
            "As-at date": "30/06/2015",
            "RAG": "Red",
            "Progress": "Worse.",
            "Reason if worse": "Two team managers left.",
            "Next steps": "Agency cover from July.",
        },
    )
    confirm(client, upload(client, world.plan, to_bytes(book), progress=True))
    update = ProgressUpdate.objects.get(narrative="Worse.")
    assert (update.rag_reason, update.next_steps) == (
        "Two team managers left.",
        "Agency cover from July.",
    )


def test_future_dates_and_other_peoples_areas_are_errors(world, clients):
    client = clients["officer"]
    book = download(client, world.plan)
    sheet = book["Progress updates"]
    fill(sheet, 1, **{"As-at date": datetime.datetime(2099, 1, 1), "RAG": "Green", "Progress": "x"})
    sheet.append([2, "", "", "", None, datetime.datetime(2015, 6, 1), "Green", "Not mine"])
    response = upload(client, world.plan, to_bytes(book), progress=True)
    assert response.status_code == 400
    page = response.content.decode()
    assert "The as-at date must be today or in the past" in page
    assert "“2” is not one of your areas" in page
    assert not ProgressUpdate.objects.filter(narrative__in=["x", "Not mine"]).exists()


def test_board_members_cannot_use_workbooks_and_outsiders_see_nothing(world, clients):
    slug = world.plan.slug
    for name in ("hub", "progress", "progress_import"):
        url = reverse(f"workbook:{name}", args=[slug])
        assert clients["board"].get(url).status_code == 403
        assert clients["outsider"].get(url).status_code == 404
    for name in ("export", "import"):
        url = reverse(f"workbook:{name}", args=[slug])
        assert clients["officer"].get(url).status_code == 403
        assert clients["admin"].get(url).status_code == 200
    assert (
        clients["admin"].get(reverse("workbook:export_csv", args=[slug, "nope"])).status_code == 404
    )


def test_a_pending_import_is_its_uploaders_only(world, clients):
    client = clients["officer"]
    book = download(client, world.plan)
    fill(
        book["Progress updates"],
        1,
        **{"As-at date": "1/6/2015", "RAG": "Green", "Progress": "Fine."},
    )
    url = upload(client, world.plan, to_bytes(book), progress=True)["Location"]
    assert client.get(url).status_code == 200
    assert clients["admin"].get(url).status_code == 404
    assert clients["admin"].post(url).status_code == 404
    bad = reverse("workbook:preview", args=[world.plan.slug, "not-a-uuid"])
    assert client.get(bad).status_code == 404
    cancel = url + "cancel/"
    assert client.post(cancel).status_code == 302
    assert client.get(url).status_code == 404
    assert not ProgressUpdate.objects.filter(narrative="Fine.").exists()
