"""One bounded reader for every upload: a sheet that holds, or claims to
hold, more rows or columns than a workbook may have is refused in well under a
second, with its own message and nothing written, by the plan workbook, the
progress workbook and the figures upload alike. (A 1.5 KB progress workbook
claiming A1:XFD1048576 used to be walked cell by cell until the worker was
killed: a 500 after 61 s.)"""

from __future__ import annotations

import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from measures.models import MeasureValue, UploadConfirmation
from workbook import reading
from workbook.models import PendingImport

from .helpers import history_count
from .hostile_sheets import crafted_xlsx

pytestmark = pytest.mark.django_db

# (endpoint, the sheet the upload expects, what the refusal says)
ENDPOINTS = [
    ("workbook:import", "Areas", "has more than 100,000 rows"),
    ("workbook:progress_import", "Progress updates", "has more than 100,000 rows"),
    ("measures:upload", "Figures", "must have 5,000 rows or fewer"),
]
# Generous: the refusal takes well under a second. Counted in this process's
# CPU seconds, not on the wall clock, so that the test command's two passes
# running side by side on two cores cannot make a refusal look slow.
BOUND_SECONDS = 2


def post(client, plan, endpoint: str, data: bytes):
    url = reverse(endpoint, args=[plan.slug])
    started = time.process_time()
    response = client.post(url, {"file": SimpleUploadedFile("book.xlsx", data)})
    return response, time.process_time() - started


def nothing_written(before: int) -> None:
    assert history_count() == before
    assert MeasureValue.history.count() == 0
    assert not PendingImport.objects.exists()
    assert not UploadConfirmation.objects.exists()


def refused(response, said: str) -> None:
    """The form page with its error summary: 400 (never a 500, never a 200 without errors)."""
    assert response.status_code == 400, response.status_code
    body = response.content.decode()
    assert "govuk-error-summary" in body
    assert said in body


@pytest.mark.parametrize("endpoint, sheet, said", ENDPOINTS)
def test_a_sheet_claiming_the_whole_grid_is_refused_at_once(world, clients, endpoint, sheet, said):
    data = crafted_xlsx(sheet, dimension="A1:XFD1048576", cells=(("A1048576", "x"),))
    assert len(data) < 2000
    before = history_count()
    response, seconds = post(clients["admin"], world.plan, endpoint, data)
    assert seconds < BOUND_SECONDS
    refused(response, said)
    nothing_written(before)


@pytest.mark.parametrize("endpoint, sheet, said", ENDPOINTS)
def test_a_cell_a_million_rows_down_is_refused_without_a_claim(
    world, clients, endpoint, sheet, said
):
    # No <dimension>: the rows are counted as the XML holds them, up to the limit.
    data = crafted_xlsx(sheet, dimension=None, cells=(("A1", "Area number"), ("A1048576", "x")))
    before = history_count()
    response, seconds = post(clients["admin"], world.plan, endpoint, data)
    assert seconds < BOUND_SECONDS
    refused(response, said)
    nothing_written(before)


@pytest.mark.parametrize("endpoint, sheet, _", ENDPOINTS)
def test_a_cell_in_the_last_column_is_refused(world, clients, endpoint, sheet, _):
    data = crafted_xlsx(sheet, dimension="A1:B2", cells=(("A1", "a"), ("XFD2", "x")))
    before = history_count()
    response, seconds = post(clients["admin"], world.plan, endpoint, data)
    assert seconds < BOUND_SECONDS
    refused(response, "has more than 200 columns: the most a workbook may have is 200")
    nothing_written(before)


def test_the_progress_workbook_says_which_sheet_and_the_limit(world, clients):
    data = crafted_xlsx("Progress updates")
    response, _ = post(clients["officer"], world.plan, "workbook:progress_import", data)
    refused(
        response,
        "The sheet “Progress updates” has more than 100,000 rows: the most a workbook may "
        "have is 100,000",
    )


def test_a_csv_is_held_to_the_same_limits(world, clients, settings):
    settings.WORKBOOK_SHEET_LIMITS = reading.Limits(rows=10, columns=5)
    lines = "\n".join(["Area number,x"] * 11).encode()
    url = reverse("workbook:import", args=[world.plan.slug])
    response = clients["admin"].post(url, {"file": SimpleUploadedFile("areas.csv", lines)})
    refused(response, "The file has more than 10 rows: the most a workbook may have is 10")
    wide = b"a,b,c,d,e,f\n"
    response = clients["admin"].post(url, {"file": SimpleUploadedFile("areas.csv", wide)})
    refused(response, "The file has more than 5 columns")
    # Empty cells at the end of a row, as Excel writes them, are not columns.
    assert list(reading.csv_rows("a,b,,,,,,,,,\n", reading.Limits(10, 5))) == [(1, ["a", "b"])]


def test_rows_are_numbered_as_the_sheet_numbers_them_and_gaps_cost_nothing():
    data = crafted_xlsx("S", dimension="A1:A1", cells=(("A1", "first"), ("A90000", "last")))
    book = reading.open_xlsx(data)
    try:
        started = time.perf_counter()
        rows = [
            (n, [c.value for c in cells])
            for n, cells in reading.sheet_rows(
                book.worksheets[0], reading.Limits(rows=100_000, columns=10)
            )
        ]
        assert time.perf_counter() - started < BOUND_SECONDS
    finally:
        book.close()
    # The claim of A1:A1 did not hide the last row.
    assert rows == [(1, ["first"]), (90000, ["last"])]
