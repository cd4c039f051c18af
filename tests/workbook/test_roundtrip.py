"""The whole plan out to Excel and back: an unchanged workbook changes
nothing; edited cells show exactly as those changes, field by field, and are
written with history and the import as the reason; removed rows wait for their
own confirmation, and records with progress updates are never deleted."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from plans.history import history_of
from plans.models import Action, ImprovementArea, Milestone, ProgressUpdate
from tests import factories
from workbook import engine
from workbook.models import PendingImport

from .helpers import cell, confirm, export, find_row, history_count, to_bytes, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(world):
    council = world.plan.organisation
    factories.OrganisationFactory(
        name="NHS Devon", short_name="NHS", council=council, kind="health"
    )
    factories.ThemeFactory(plan=world.plan, name="Leadership")
    return world.plan


def test_the_workbook_has_the_documented_layout(plan, clients):
    book = export(clients["admin"], plan)
    assert book.sheetnames[:4] == ["Read me", "Areas", "Actions", "Milestones"]
    assert {"Owners", "Partners", "Lists"} <= set(book.sheetnames)
    assert book["Lists"].sheet_state == "hidden"
    for name in ("Areas", "Actions", "Milestones", "Owners", "Partners"):
        sheet = book[name]
        assert sheet.freeze_panes == "A5"
        assert sheet["B1"].value == plan.title and sheet["D1"].value == plan.slug
        assert sheet["A2"].value == "Exported" and sheet["D2"].value == name
    actions = book["Actions"]
    row = find_row(actions, "Action reference", "1.1")
    assert cell(actions, "Owner", row).value == "Head of Children's Social Care"
    lists = {dv.formula1 for dv in actions.data_validations.dataValidation}
    assert len(lists) == 2  # owners and statuses
    areas = book["Areas"]
    assert cell(areas, "Latest RAG", 5).value == "Green – on track"
    assert cell(areas, "RAG as at", 5).value == datetime.datetime(2015, 5, 1)
    read_me = "\n".join(str(c.value) for row in book["Read me"].iter_rows() for c in row if c.value)
    assert "Milestone reference" in read_me and "Read-only" in read_me


def test_importing_the_file_just_exported_changes_nothing(plan, clients):
    client = clients["admin"]
    before = history_count()
    response = upload(client, plan, to_bytes(export(client, plan)))
    page = client.get(response["Location"])
    assert page.status_code == 200
    html = page.content.decode()
    assert "There is nothing to save: the file matches the plan" in html
    assert "Save these changes" not in html
    assert history_count() == before


def test_edited_cells_show_as_exactly_those_changes_and_are_written_with_history(
    plan, clients, world
):
    client = clients["admin"]
    other = factories.OwnerFactory(
        job_title="Head of Early Help Services", organisation=plan.organisation
    )
    book = export(client, plan)
    actions, areas, milestones = book["Actions"], book["Areas"], book["Milestones"]
    row = find_row(actions, "Action reference", "1.1")
    cell(actions, "Due date", row).value = datetime.datetime(2015, 12, 31)
    cell(areas, "Lead", find_row(areas, "Area number", 1)).value = str(other)
    # A new action, with a partner.
    actions.append(
        [
            1,
            "1.2",
            "Recruit permanent social workers",
            "",
            str(other),
            "NHS Devon",
            None,
            datetime.datetime(2015, 12, 31),
            "Not started",
        ]
    )
    mrow = find_row(milestones, "Milestone reference", f"M{world.milestone.pk}")
    cell(milestones, "Status", mrow).value = "Complete"
    cell(milestones, "Date completed", mrow).value = datetime.datetime(2015, 6, 20)
    response = upload(client, plan, to_bytes(book), "plans-2026-11-26.xlsx")
    page = client.get(response["Location"]).content.decode()
    assert "Due date:</strong> 30 September 2015 → 31 December 2015" in page
    assert f"Lead:</strong> Head of Children&#x27;s Social Care → {other}" in page
    assert "Status:</strong> Open → Complete" in page
    assert "Recruit permanent social workers" in page
    # Exactly those: 3 changed rows (area 1, action 1.1, the milestone) and 1 new.
    assert page.count("Changed (1)") == 3
    assert "New (1)" in page
    before = ImprovementArea.history.count()
    response = confirm(client, response)
    assert response.status_code == 302
    reason = "Imported from plans-2026-11-26.xlsx by Test " + world.users["admin"].last_name
    area = ImprovementArea.objects.get(pk=world.area.pk)
    assert area.lead == other and area.version == world.area.version + 1
    assert area.history.first().history_change_reason == reason
    assert ImprovementArea.history.count() == before + 1
    action = Action.objects.get(pk=world.action.pk)
    assert action.due_date == datetime.date(2015, 12, 31)
    assert action.history.first().history_change_reason == (
        f"{reason} (due date moved from 30 September 2015 to 31 December 2015)"
    )
    new = Action.objects.get(area=world.area, reference="1.2")
    assert [p.name for p in new.partners.all()] == ["NHS Devon"]
    assert new.history.first().history_user == world.users["admin"]
    milestone = Milestone.objects.get(pk=world.milestone.pk)
    assert milestone.status == "complete" and milestone.completed_date == datetime.date(2015, 6, 20)
    # The area's history page shows the change with the import as the reason.
    entries = history_of(area, plan.slug)
    assert any(e.reason == reason for e in entries)
    assert not PendingImport.objects.exists()
    # And importing the same file again now changes nothing.
    again = upload(client, plan, to_bytes(book))
    assert "There is nothing to save" in client.get(again["Location"]).content.decode()


def test_a_moved_due_date_is_said_in_the_reason(plan, clients, world):
    client = clients["admin"]
    book = export(client, plan)
    sheet = book["Milestones"]
    row = find_row(sheet, "Milestone reference", f"M{world.milestone.pk}")
    cell(sheet, "Due date", row).value = datetime.datetime(2015, 9, 30)
    confirm(client, upload(client, plan, to_bytes(book), "tracker.xlsx"))
    reason = Milestone.objects.get(pk=world.milestone.pk).history.first().history_change_reason
    assert reason.startswith("Imported from tracker.xlsx by ")
    assert reason.endswith("(due date moved from 30 June 2015 to 30 September 2015)")


def test_removed_rows_need_their_own_confirmation_and_updates_are_never_deleted(
    plan, clients, world
):
    client = clients["admin"]
    spare = factories.ImprovementAreaFactory(plan=plan, number=9)
    book = export(client, plan)
    areas = book["Areas"]
    # Take out area 9 (nothing under it) and area 1 (with an action, a milestone
    # and an approved update): the action row is still there, so that is an error.
    for number in (9, 1):
        areas.delete_rows(find_row(areas, "Area number", number))
    response = upload(client, plan, to_bytes(book))
    assert "There is no area 1 in the plan" in response.content.decode()
    for sheet, header, key in (
        ("Actions", "Action reference", "1.1"),
        ("Milestones", "Milestone reference", f"M{world.milestone.pk}"),
    ):
        book[sheet].delete_rows(find_row(book[sheet], header, key))
    response = upload(client, plan, to_bytes(book))
    page = client.get(response["Location"]).content.decode()
    assert page.count("Not in the file (1)") == 2 and "Not in the file (2)" in page
    assert "Kept: it has progress updates, which are never deleted" in page
    assert "Also delete the records listed as removed" in page
    # Confirmed without the separate tick: nothing is deleted.
    confirm(client, response)
    assert ImprovementArea.objects.filter(pk=spare.pk).exists()
    response = upload(client, plan, to_bytes(book))
    confirm(client, response, remove="on")
    assert not ImprovementArea.objects.filter(pk=spare.pk).exists()
    deleted = ImprovementArea.history.filter(id=spare.pk, history_type="-").get()
    assert deleted.history_change_reason.startswith("Imported from")
    assert ImprovementArea.objects.filter(pk=world.area.pk).exists()
    assert ProgressUpdate.objects.filter(pk=world.approved.pk, state="approved").exists()


def test_a_change_made_after_the_preview_is_not_overwritten(plan, clients, world):
    client = clients["admin"]
    book = export(client, plan)
    sheet = book["Areas"]
    cell(sheet, "Recommendation", find_row(sheet, "Area number", 1)).value = "From the workbook"
    response = upload(client, plan, to_bytes(book))
    area = ImprovementArea.objects.get(pk=world.area.pk)
    area.recommendation = "Changed meanwhile in the service"
    area.version += 1
    area.save()
    answer = confirm(client, response)
    assert answer.status_code == 409
    assert "The plan changed after you checked this file" in answer.content.decode()
    assert ImprovementArea.objects.get(pk=world.area.pk).recommendation == (
        "Changed meanwhile in the service"
    )
    # What it shows now is what a second confirmation writes.
    assert "Changed meanwhile in the service → From the workbook" in answer.content.decode()
    client.post(reverse("workbook:preview", args=[plan.slug, PendingImport.objects.get().pk]))
    assert ImprovementArea.objects.get(pk=world.area.pk).recommendation == "From the workbook"


def test_each_sheet_as_csv_round_trips(plan, clients, world):
    client = clients["admin"]
    world.action.title = '=HYPERLINK("http://evil")'
    world.action.save()
    response = client.get(reverse("workbook:export_csv", args=[plan.slug, "actions"]))
    assert response.status_code == 200
    text = response.content.decode("utf-8-sig")
    assert "'=HYPERLINK" in text  # neutralised against formula injection
    before = history_count()
    page = upload(client, plan, response.content, "actions.csv")
    assert "There is nothing to save" in client.get(page["Location"]).content.decode()
    edited = text.replace("Not started", "Complete").encode()
    page = upload(client, plan, edited, "actions.csv")
    confirm(client, page)
    assert Action.objects.get(pk=world.action.pk).status == "complete"
    assert Action.objects.get(pk=world.action.pk).title == '=HYPERLINK("http://evil")'
    assert history_count() == before + 1


def test_a_few_hundred_rows_round_trip(plan, clients, world):
    for number in range(10, 160):
        area = factories.ImprovementAreaFactory(plan=plan, number=number, lead=world.area.lead)
        factories.ActionFactory(area=area, reference=f"{number}.1")
        factories.MilestoneFactory(area=area, due_date=datetime.date(2015, 6, 30))
    client = clients["admin"]
    book = export(client, plan)
    response = upload(client, plan, to_bytes(book))
    assert "There is nothing to save" in client.get(response["Location"]).content.decode()
    sheet = book["Milestones"]
    for row in range(5, 55):
        cell(sheet, "Forecast date", row).value = datetime.datetime(2016, 1, 31)
    response = upload(client, plan, to_bytes(book))
    assert "Changed (50)" in client.get(response["Location"]).content.decode()
    confirm(client, response)
    assert Milestone.objects.filter(forecast_date=datetime.date(2016, 1, 31)).count() == 50


def test_a_change_saved_while_the_import_is_written_is_not_overwritten(
    plan, clients, world, monkeypatch
):
    client = clients["admin"]
    book = export(client, plan)
    sheet = book["Areas"]
    cell(sheet, "Recommendation", find_row(sheet, "Area number", 1)).value = "From the workbook"
    response = upload(client, plan, to_bytes(book))
    read, reads = engine.Context.__init__, []

    def saved_meanwhile() -> None:
        area = ImprovementArea.objects.get(pk=world.area.pk)
        area.recommendation = "Changed meanwhile in the service"
        area.version += 1
        area.save()

    def another_tab_saves(self, *args, **kwargs):
        # Another tab saves the area just after the import has read the plan.
        # One database connection here: that save is undone with the import's
        # transaction, so it is made again, as committed, before the re-check.
        if reads:
            saved_meanwhile()
        read(self, *args, **kwargs)
        if not reads:
            saved_meanwhile()
        reads.append(self)

    monkeypatch.setattr(engine.Context, "__init__", another_tab_saves)
    answer = confirm(client, response)
    assert answer.status_code == 409
    assert "The plan changed after you checked this file" in answer.content.decode()
    assert "Changed meanwhile in the service → From the workbook" in answer.content.decode()
    assert ImprovementArea.objects.get(pk=world.area.pk).recommendation == (
        "Changed meanwhile in the service"
    )
