"""Every hostile or mistaken file is refused with its own message, a 4xx, and
no write: formulas, macros, zip bombs, files that are not workbooks, files over
the size limit, another plan's workbook, typos, duplicates and dates that are
not dates."""

from __future__ import annotations

import io
import zipfile

import pytest

from plans.models import Action
from tests import factories
from workbook.models import PendingImport

from .helpers import cell, export, find_row, history_count, to_bytes, upload

pytestmark = pytest.mark.django_db


def refused(client, plan, data: bytes, name: str = "plan.xlsx", status: int = 400) -> str:
    before = history_count()
    response = upload(client, plan, data, name)
    assert response.status_code == status, response.status_code
    assert history_count() == before
    assert not PendingImport.objects.exists()
    return response.content.decode()


def test_a_formula_is_refused_at_its_row_and_column(world, clients):
    client = clients["admin"]
    book = export(client, world.plan)
    sheet = book["Actions"]
    row = find_row(sheet, "Action reference", "1.1")
    cell(sheet, "Action", row).value = "=1+1"  # openpyxl stores this as a formula
    page = refused(client, world.plan, to_bytes(book))
    assert "Actions, row 5, C: The cell holds a formula: replace it with the value it shows" in page


def test_macros_are_refused(world, clients):
    client = clients["admin"]
    data = to_bytes(export(client, world.plan))
    page = refused(client, world.plan, data, "plan.xlsm")
    assert "The file contains macros" in page
    # A vbaProject.bin smuggled into an .xlsx.
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            target.writestr(item, source.read(item.filename))
        target.writestr("xl/vbaProject.bin", b"\x00" * 100)
    assert "The file contains macros" in refused(client, world.plan, out.getvalue())


def test_a_zip_bomb_is_refused_before_it_is_opened(world, clients, settings):
    settings.WORKBOOK_MAX_UNPACKED_BYTES = 5 * 1024 * 1024
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as bomb:
        bomb.writestr("[Content_Types].xml", "<Types/>")
        bomb.writestr("xl/worksheets/sheet1.xml", b"0" * (6 * 1024 * 1024))
    page = refused(clients["admin"], world.plan, out.getvalue())
    assert "would unpack to more than 5 MB" in page


def test_files_that_are_not_workbooks_are_refused(world, clients):
    client = clients["admin"]
    assert "must be an Excel workbook (.xlsx) or a CSV" in refused(
        client, world.plan, b"%PDF-1.4 not a workbook", "plan.pdf"
    )
    assert "old Excel (.xls) workbook" in refused(
        client, world.plan, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "plan.xls"
    )
    assert "must be an Excel workbook (.xlsx)" in refused(
        client, world.plan, b"PK\x03\x04 damaged", "plan.xlsx"
    )
    assert "The selected file is empty" in refused(client, world.plan, b"", "empty.xlsx")


def test_files_over_the_size_limit_are_refused(world, clients, settings):
    settings.WORKBOOK_MAX_UPLOAD_BYTES = 1000
    client = clients["admin"]
    page = refused(client, world.plan, b"PK\x03\x04" + b"x" * 5000)
    assert "The file must be smaller than" in page
    # A body far over the limit is refused before it is read (413).
    page = refused(client, world.plan, b"x" * 300_000, status=413)
    assert "The file must be smaller than" in page


def test_another_plans_workbook_is_refused(world, clients):
    other_admin = factories.UserFactory(username="other-admin")
    factories.join(world.other_plan, {other_admin: "plan_administrator"})
    from tests.conftest import client_for

    data = to_bytes(export(client_for(other_admin), world.other_plan))
    page = refused(clients["admin"], world.plan, data)
    assert "The Areas sheet is for another plan (“Another council&#x27;s plan”)" in page


def test_typos_duplicates_and_dates_that_are_not_dates(world, clients):
    client = clients["admin"]
    book = export(client, world.plan)
    actions = book["Actions"]
    row = find_row(actions, "Action reference", "1.1")
    cell(actions, "Due date", row).value = "next spring"
    cell(actions, "Owner", row).value = "Head of Childrens Social Care"
    cell(actions, "Status", row).value = "In progres"
    actions.append([1, "1.1", "Again", "", "", "", None, None, "Not started"])
    milestones = book["Milestones"]
    ref = f"M{world.milestone.pk}"
    mrow = find_row(milestones, "Milestone reference", ref)
    cell(milestones, "Milestone reference", mrow).value = f"{ref}0"
    before = Action.objects.get(pk=world.action.pk).version
    page = refused(client, world.plan, to_bytes(book))
    assert "Actions, row 5, Due date: “next spring” is not a date" in page
    assert "Did you mean “Head of Children&#x27;s Social Care”?" in page
    assert "Did you mean “In progress”?" in page
    assert "Action 1.1 is also on row 5: list it once" in page
    assert f"There is no milestone {ref}0 in this plan: did you mean {ref}?" in page
    assert Action.objects.get(pk=world.action.pk).version == before


def test_a_new_action_reference_that_looks_like_a_typo_is_an_error(world, clients):
    client = clients["admin"]
    book = export(client, world.plan)
    actions = book["Actions"]
    cell(actions, "Action reference", find_row(actions, "Action reference", "1.1")).value = "1.11"
    page = refused(client, world.plan, to_bytes(book))
    assert "Area 1 has no action 1.11: did you mean 1.1?" in page


def test_a_workbook_without_the_plans_sheets_is_refused(world, clients):
    import openpyxl

    book = openpyxl.Workbook()
    book.active["A1"] = "My own tracker"
    page = refused(clients["admin"], world.plan, to_bytes(book))
    assert "The file has none of the plan&#x27;s sheets" in page


def test_dates_as_text_are_read(world, clients):
    client = clients["admin"]
    book = export(client, world.plan)
    actions = book["Actions"]
    row = find_row(actions, "Action reference", "1.1")
    cell(actions, "Due date", row).value = "31/12/2015"
    response = upload(client, world.plan, to_bytes(book))
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "Due date:</strong> 30 September 2015 → 31 December 2015" in page
