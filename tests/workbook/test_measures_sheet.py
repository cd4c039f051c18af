"""The plan workbook's Measures sheet (measures/workbook_sheet.py): exported
with the other sheets, taken back like them (new, changed field by field,
unchanged, errors with row and column, removals that wait for their own
confirmation), written through measures/services.py with the import as the
reason; figures are shown but never imported, and a measure with figures is
never deleted, nor the area or action such a measure belongs to."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from measures.models import Measure, MeasureValue
from plans.models import ImprovementArea
from tests import factories
from tests.measures.conftest import add_value, make_measure
from workbook import engine, steps
from workbook.layout import GREY

from .helpers import cell, confirm, export, find_row, history_count, to_bytes, upload

pytestmark = pytest.mark.django_db

HEADERS = [
    "Measure ID",
    "Area number",
    "Action reference",
    "Measure",
    "Definition",
    "Source",
    "Unit",
    "Polarity",
    "Frequency",
    "Owner",
    "Baseline",
    "Baseline period",
    "Target",
    "Target date",
    "Tolerance",
    "Tolerance is",
    "Latest figure",
    "Latest period",
]


def all_history() -> int:
    return history_count() + Measure.history.count() + MeasureValue.history.count()


@pytest.fixture
def measures(world):
    """A monthly percentage in area 1 with figures, and a quarterly number in
    area 2, under no action, with no figures."""
    supervision = make_measure(
        world.area,
        world.area.lead,
        action=world.action,
        definition="Children seen by their social worker within 20 working days",
        source="Case management system",
        baseline_value=Decimal("61.5"),
        baseline_period=datetime.date(2015, 3, 1),
        target_date=datetime.date(2016, 3, 31),
        tolerance=Decimal("5"),
        tolerance_kind="percent",
    )
    add_value(supervision, datetime.date(2015, 4, 1), "64")
    add_value(supervision, datetime.date(2015, 5, 1), "66.5", comment="Up again")
    caseload = make_measure(
        world.other_area,
        None,
        name="Average caseload",
        unit="number",
        polarity="lower",
        frequency="quarterly",
        target_value=Decimal("18"),
        baseline_value=Decimal("24"),
        baseline_period=datetime.date(2015, 1, 1),
    )
    return supervision, caseload


def page_of(client, response) -> str:
    assert response.status_code == 302, response.content.decode()[:3000]
    return client.get(response["Location"]).content.decode()


def test_the_measures_sheet_has_a_row_per_measure_and_the_documented_columns(
    world, clients, measures
):
    supervision, caseload = measures
    book = export(clients["admin"], world.plan)
    assert book.sheetnames.index("Measures") == book.sheetnames.index("Milestones") + 1
    sheet = book["Measures"]
    assert sheet.freeze_panes == "A5"
    assert sheet["D1"].value == world.plan.slug and sheet["D2"].value == "Measures"
    assert [c.value for c in sheet[4]] == HEADERS
    row = find_row(sheet, "Measure ID", supervision.pk)
    expected = {
        "Area number": 1,
        "Action reference": "1.1",
        "Measure": "Supervision within the local standard",
        "Source": "Case management system",
        "Unit": "Percentage",
        "Polarity": "Higher is better",
        "Frequency": "Monthly",
        "Owner": "Head of Children's Social Care",
        "Baseline": 61.5,
        "Baseline period": "March 2015",
        "Target": 90,
        "Target date": datetime.datetime(2016, 3, 31),
        "Tolerance": 5,
        "Tolerance is": "Per cent of the target",
        "Latest figure": "66.5%",
        "Latest period": "May 2015",
    }
    assert {h: cell(sheet, h, row).value for h in expected} == expected
    other = find_row(sheet, "Measure ID", caseload.pk)
    assert cell(sheet, "Baseline period", other).value == "Jan–Mar 2015"
    assert cell(sheet, "Latest figure", other).value is None
    assert cell(sheet, "Tolerance is", other).value is None
    # Read-only columns are grey, the others not.
    assert cell(sheet, "Latest figure", row).fill.fgColor.rgb.endswith(GREY.fgColor.rgb[-6:])
    assert (
        cell(sheet, "Target", row).fill.fgColor.rgb
        != cell(sheet, "Latest figure", row).fill.fgColor.rgb
    )
    # Drop-down lists for unit, polarity, frequency, owner and tolerance kind.
    lists = book["Lists"]
    names = [c.value for c in lists[1]]
    by_column = {}
    for validation in sheet.data_validations.dataValidation:
        letter = re.match(r"Lists!\$([A-Z]+)\$", validation.formula1).group(1)
        list_name = lists[f"{letter}1"].value
        for ref in str(validation.sqref).split():
            by_column[sheet[ref.split(":")[0]].column] = list_name
    column = {h: HEADERS.index(h) + 1 for h in HEADERS}
    assert by_column == {
        column["Unit"]: "measure_units",
        column["Polarity"]: "measure_polarities",
        column["Frequency"]: "measure_frequencies",
        column["Owner"]: "owners",
        column["Tolerance is"]: "measure_tolerance_kinds",
    }
    units = [c.value for c in lists[chr(64 + names.index("measure_units") + 1)][1:] if c.value]
    assert units == ["Number", "Percentage", "Days", "Rate per 10,000 children"]
    read_me = "\n".join(str(c.value) for r in book["Read me"].iter_rows() for c in r if c.value)
    assert "Sheet “Measures”" in read_me
    for header in ("Measure ID", "Tolerance is", "Latest figure", "Baseline period"):
        assert header in read_me
    assert "Figures are not imported from this sheet" in read_me


def test_importing_the_exported_measures_changes_nothing(world, clients, measures):
    client = clients["admin"]
    before = all_history()
    page = page_of(client, upload(client, world.plan, to_bytes(export(client, world.plan))))
    assert "There is nothing to save: the file matches the plan" in page
    assert "Unchanged (2)" in page
    assert all_history() == before


def test_an_edited_target_shows_as_exactly_that_change_and_is_written_with_history(
    world, clients, measures
):
    supervision, caseload = measures
    client = clients["admin"]
    book = export(client, world.plan)
    sheet = book["Measures"]
    row = find_row(sheet, "Measure ID", supervision.pk)
    cell(sheet, "Target", row).value = 85
    # Figures are read-only here: an edited latest figure is not imported.
    cell(sheet, "Latest figure", row).value = "99%"
    before = all_history()
    response = upload(client, world.plan, to_bytes(book), "plans-2026-11-26.xlsx")
    page = page_of(client, response)
    assert page.count("Changed (1)") == 1
    assert "Target:</strong> 90 → 85</li></ul>" in page
    # No other change anywhere: the table's heading "(old → new)" and this one.
    assert page.count("→") == 2
    assert "New (" not in page and "Not in the file" not in page
    confirm(client, response)
    measure = Measure.objects.get(pk=supervision.pk)
    assert measure.target_value == Decimal("85")
    assert measure.version == supervision.version + 1
    last = measure.history.first()
    reason = "Imported from plans-2026-11-26.xlsx by Test " + world.users["admin"].last_name
    assert last.history_change_reason == reason
    assert last.history_user == world.users["admin"]
    assert measure.history.all()[1].target_value == Decimal("90")
    assert all_history() == before + 1  # that one measure's history row only
    assert MeasureValue.objects.get(measure=measure, period=datetime.date(2015, 5, 1)).value == (
        Decimal("66.5")
    )
    # Importing the same file again changes nothing.
    again = upload(client, world.plan, to_bytes(book))
    assert "There is nothing to save" in page_of(client, again)


def test_every_column_of_a_measure_can_change_and_a_new_row_adds_a_measure(
    world, clients, measures
):
    supervision, caseload = measures
    client = clients["admin"]
    action = factories.ActionFactory(area=world.other_area, reference="2.1")
    book = export(client, world.plan)
    sheet = book["Measures"]
    row = find_row(sheet, "Measure ID", caseload.pk)
    edits = {
        "Action reference": "2.1",
        "Measure": "Average caseload per social worker",
        "Definition": "Open cases divided by social workers",
        "Source": "Workforce return",
        "Polarity": "Context",
        "Owner": "Head of Early Help",
        "Baseline": "25",
        "Baseline period": "Apr–Jun 2015",
        "Target": 16.5,
        "Target date": datetime.datetime(2016, 3, 31),
        "Tolerance": 2,
        "Tolerance is": "In the measure's own unit (for a percentage: percentage points)",
    }
    for header, value in edits.items():
        cell(sheet, header, row).value = value
    sheet.append(
        [
            None,
            1,
            None,
            "Re-referrals within 12 months",
            "",
            "",
            "Percentage",
            "Lower is better",
            "Quarterly",
            "",
            None,
            None,
            "22%",
            None,
            None,
            None,
            "12%",  # read-only: not a figure to import
            "Apr–Jun 2015",
        ]
    )
    response = upload(client, world.plan, to_bytes(book), "tracker.xlsx")
    page = page_of(client, response)
    for change in (
        "Action:</strong> (blank) → 2.1",
        "Measure:</strong> Average caseload → Average caseload per social worker",
        "Polarity:</strong> Lower is better → Context: watched for change, no better direction",
        "Owner:</strong> (blank) → Head of Early Help",
        "Baseline:</strong> 24 → 25",
        "Baseline period:</strong> Jan–Mar 2015 → Apr–Jun 2015",
        "Target:</strong> 18 → 16.5",
        "Target date:</strong> (blank) → 31 March 2016",
        "Tolerance:</strong> (blank) → 2",
        "Re-referrals within 12 months",
    ):
        assert change in page, change
    assert "Changed (1)" in page and "New (1)" in page
    confirm(client, response)
    changed = Measure.objects.get(pk=caseload.pk)
    assert (changed.action, changed.owner.job_title) == (action, "Head of Early Help")
    assert changed.baseline_period == datetime.date(2015, 4, 1)
    assert (changed.target_value, changed.tolerance, changed.tolerance_kind) == (
        Decimal("16.5"),
        Decimal("2"),
        "absolute",
    )
    assert changed.polarity == "context" and changed.source == "Workforce return"
    new = Measure.objects.get(area=world.area, name="Re-referrals within 12 months")
    assert (new.unit, new.polarity, new.frequency, new.target_value) == (
        "percentage",
        "lower",
        "quarterly",
        Decimal("22"),
    )
    assert not new.values.exists()
    created = new.history.get()
    assert created.history_type == "+"
    assert created.history_change_reason.startswith("Imported from tracker.xlsx by ")


def test_bad_cells_are_errors_with_row_column_and_reason_and_nothing_is_written(
    world, clients, measures
):
    supervision, caseload = measures
    client = clients["admin"]
    book = export(client, world.plan)
    sheet = book["Measures"]
    first = find_row(sheet, "Measure ID", supervision.pk)
    second = find_row(sheet, "Measure ID", caseload.pk)
    cell(sheet, "Unit", first).value = "Percentge"
    cell(sheet, "Frequency", first).value = "Quarterly"  # it has monthly figures
    cell(sheet, "Target", second).value = "lots"
    cell(sheet, "Tolerance", second).value = 3  # with no “Tolerance is”
    cell(sheet, "Action reference", second).value = "1.1"  # area 1's, not area 2's
    sheet.append([None, 1, None, "Supervision within the local standard", "", "", "Percentage"])
    sheet.append([987654, 9, None, "Ghost", "", "", "Number", "Higher is better", "Monthly"])
    new_rows = (sheet.max_row - 1, sheet.max_row)
    before = all_history()
    response = upload(client, world.plan, to_bytes(book))
    assert response.status_code == 400
    html = response.content.decode().replace("&#x27;", "'").replace("&quot;", '"')
    errors = re.findall(
        r"<td class=\"govuk-table__cell\">Measures</td>\s*<td class=\"govuk-table__cell\">(\d+)"
        r"</td>\s*<td class=\"govuk-table__cell\">([^<]*)</td>\s*"
        r"<td class=\"govuk-table__cell\">([^<]*)</td>",
        html,
    )
    found = {(int(r), c): m for r, c, m in errors}
    assert found[(first, "Unit")] == (
        "“Percentge” is not in the list: select the unit from the list. Did you mean “Percentage”?"
    )
    assert found[(first, "Frequency")] == (
        f"Measure {supervision.pk} has figures recorded monthly: its frequency cannot change"
    )
    assert found[(second, "Target")] == "Enter a number, like 12 or 72.5"
    assert found[(second, "Tolerance is")] == "Select how the tolerance is measured"
    assert found[(second, "Action reference")] == "Area 2 has no action 1.1"
    assert found[(new_rows[0], "Polarity")] == "Select which direction is better"
    assert found[(new_rows[0], "Measure")].startswith(
        f"Area 1's measure “Supervision within the local standard” is also on row {first}"
    )
    assert found[(new_rows[1], "Measure ID")].startswith("There is no measure 987654 in this plan")
    assert found[(new_rows[1], "Area number")] == "There is no area 9 in the plan"
    assert all_history() == before


def test_a_percentage_over_100_and_a_date_without_its_figure_are_refused(world, clients, measures):
    supervision, _ = measures
    client = clients["admin"]
    book = export(client, world.plan)
    sheet = book["Measures"]
    row = find_row(sheet, "Measure ID", supervision.pk)
    cell(sheet, "Target", row).value = 120
    cell(sheet, "Baseline", row).value = None  # its period is still there
    response = upload(client, world.plan, to_bytes(book))
    html = response.content.decode()
    assert "A percentage must be between 0 and 100" in html
    assert "Enter the baseline, or leave its period empty" in html
    assert Measure.objects.get(pk=supervision.pk).target_value == Decimal("90")


def test_a_removed_measure_waits_for_its_confirmation_and_one_with_figures_is_kept(
    world, clients, measures
):
    supervision, caseload = measures
    client = clients["admin"]
    book = export(client, world.plan)
    sheet = book["Measures"]
    for pk in (supervision.pk, caseload.pk):
        sheet.delete_rows(find_row(sheet, "Measure ID", pk))
    response = upload(client, world.plan, to_bytes(book))
    page = page_of(client, response)
    assert "Not in the file (2)" in page
    assert "Kept: it has figures, which are never deleted" in page
    confirm(client, response)  # without the separate tick
    assert Measure.objects.filter(pk__in=[supervision.pk, caseload.pk]).count() == 2
    response = upload(client, world.plan, to_bytes(book))
    confirm(client, response, remove="on")
    assert not Measure.objects.filter(pk=caseload.pk).exists()
    deleted = Measure.history.get(id=caseload.pk, history_type="-")
    assert deleted.history_change_reason.startswith("Imported from ")
    assert deleted.history_user == world.users["admin"]
    assert Measure.objects.filter(pk=supervision.pk).exists()
    assert MeasureValue.objects.filter(measure=supervision).count() == 2


def test_an_area_or_action_a_measure_stays_in_is_never_deleted(world, clients, measures):
    supervision, caseload = measures
    client = clients["admin"]
    spare = factories.ImprovementAreaFactory(plan=world.plan, number=9)
    # The Areas sheet alone (as CSV), without area 2 (where the caseload is) and area 9.
    response = client.get(reverse("workbook:export_csv", args=[world.plan.slug, "areas"]))
    lines = response.content.decode("utf-8-sig").splitlines(keepends=True)
    kept = [line for line in lines if not line.startswith(("2,", "9,"))]
    assert len(kept) == len(lines) - 2
    response = upload(client, world.plan, "".join(kept).encode(), "areas.csv")
    page = page_of(client, response)
    assert f"Kept: success measure {caseload.pk} still belongs to it" in page
    confirm(client, response, remove="on")
    assert ImprovementArea.objects.filter(pk=world.other_area.pk).exists()
    assert not ImprovementArea.objects.filter(pk=spare.pk).exists()
    assert Measure.objects.filter(pk=caseload.pk).exists()
    # The whole workbook without action 1.1, its milestone and the measure with
    # figures that belongs to it: the measure stays, so the action stays too.
    book = export(client, world.plan)
    for name, header, key in (
        ("Actions", "Action reference", "1.1"),
        ("Milestones", "Milestone reference", f"M{world.milestone.pk}"),
        ("Measures", "Measure ID", supervision.pk),
    ):
        book[name].delete_rows(find_row(book[name], header, key))
    response = upload(client, world.plan, to_bytes(book))
    page = page_of(client, response)
    assert f"Kept: success measure {supervision.pk} still belongs to it" in page
    confirm(client, response, remove="on")
    assert Measure.objects.get(pk=supervision.pk).action_id == world.action.pk


def test_measures_are_written_in_batches_in_one_transaction(world, clients, measures, monkeypatch):
    supervision, caseload = measures
    spare = make_measure(world.area, None, name="Spare", unit="number")
    calls = []
    real = steps.batches

    def one_at_a_time(rows):
        for batch in real(rows, 1):
            calls.append(len(batch))
            yield batch

    monkeypatch.setattr(engine, "batches", one_at_a_time)
    client = clients["admin"]
    book = export(client, world.plan)
    sheet = book["Measures"]
    for pk in (supervision.pk, caseload.pk):
        cell(sheet, "Target", find_row(sheet, "Measure ID", pk)).value = 10
    sheet.delete_rows(find_row(sheet, "Measure ID", spare.pk))
    confirm(client, upload(client, world.plan, to_bytes(book)), remove="on")
    assert Measure.objects.get(pk=supervision.pk).target_value == Decimal("10")
    assert Measure.objects.get(pk=caseload.pk).target_value == Decimal("10")
    assert not Measure.objects.filter(pk=spare.pk).exists()
    assert calls.count(1) >= 3


def test_the_measures_sheet_round_trips_as_csv(world, clients, measures):
    supervision, _ = measures
    client = clients["admin"]
    response = client.get(reverse("workbook:export_csv", args=[world.plan.slug, "measures"]))
    assert response.status_code == 200
    text = response.content.decode("utf-8-sig")
    assert "Jan–Mar 2015" in text and "66.5%" in text
    before = all_history()
    page = page_of(client, upload(client, world.plan, response.content, "measures.csv"))
    assert "There is nothing to save" in page
    assert all_history() == before
    edited = text.replace(",Higher is better,", ",Lower is better,").encode()
    response = upload(client, world.plan, edited, "measures.csv")
    assert "Polarity:</strong> Higher is better → Lower is better" in page_of(client, response)
    confirm(client, response)
    assert Measure.objects.get(pk=supervision.pk).polarity == "lower"
    assert all_history() == before + 1


def test_a_new_row_may_not_take_the_name_of_a_measure_left_out_of_the_sheet(
    world, clients, measures
):
    _, caseload = measures
    client = clients["admin"]
    book = export(client, world.plan)
    sheet = book["Measures"]
    sheet.delete_rows(find_row(sheet, "Measure ID", caseload.pk))
    sheet.append(
        [None, 2, None, "Average caseload", "", "", "Number", "Lower is better", "Monthly"]
    )
    response = upload(client, world.plan, to_bytes(book))
    assert response.status_code == 400
    assert (
        f"Area 2 already has a measure called “Average caseload” (measure {caseload.pk}), "
        "which is not in this sheet"
    ) in response.content.decode()
    assert Measure.objects.filter(area=world.other_area).count() == 1
