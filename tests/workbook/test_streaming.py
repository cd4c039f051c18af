"""The progress page of a big upload or import (workbook/streaming.py): the top
of the page first, then a line as the work proceeds, then the result; small
files keep the redirect and 4xx answers; refusals that can be decided first
keep their 4xx; a problem found on the way writes nothing; the headers (CSP
nonce, Cache-Control) are those of any page; and the pages are valid HTML."""

from __future__ import annotations

import datetime
import io
import logging
import re
import zipfile

import openpyxl
import pytest
from django.db import connection
from django.db.utils import OperationalError
from django.test import Client
from django.urls import reverse

from plans.models import Milestone, ProgressUpdate
from workbook import views
from workbook.models import PendingImport
from workbook.reading import Survey, survey
from workbook.registry import sheet_for

from .helpers import cell, export, find_row, history_count, to_bytes, upload

pytestmark = pytest.mark.django_db

CHECKING = "Checking your workbook…"


@pytest.fixture
def streaming(settings):
    """Every file streams, and every step is a line."""
    settings.WORKBOOK_PREVIEW_STREAM_ROWS = 1
    settings.WORKBOOK_IMPORT_STREAM_ROWS = 1
    settings.WORKBOOK_PROGRESS_SECONDS = 0
    return settings


def chunks(response) -> list[str]:
    """The streamed page's parts; iterating to the end closes the answer."""
    assert response.streaming, (response.status_code, response.content[:500])
    return [part.decode() for part in response.streaming_content]


def edited(client, plan, due=datetime.datetime(2016, 3, 31)) -> tuple[bytes, Milestone]:
    """The plan's workbook with one milestone's due date moved to ``due``."""
    milestone = Milestone.objects.filter(area__plan=plan).order_by("pk").first()
    book = export(client, plan)
    sheet = book["Milestones"]
    row = find_row(sheet, "Milestone reference", f"M{milestone.pk}")
    cell(sheet, "Due date", row).value = due
    return to_bytes(book), milestone


def test_a_big_upload_shows_its_progress_then_the_preview(world, clients, streaming):
    client = clients["admin"]
    data, milestone = edited(client, world.plan)
    before = history_count()
    response = upload(client, world.plan, data)
    assert response.status_code == 200
    # The headers every signed-in page has, and one for proxies.
    assert response["Cache-Control"] == "private, no-store"
    assert response["Content-Type"] == "text/html; charset=utf-8"
    assert response["X-Accel-Buffering"] == "no"
    # Nothing is read or kept until the page is under way.
    assert not PendingImport.objects.exists()
    parts = chunks(response)
    first, last = parts[0], parts[-1]
    assert CHECKING in first and "<h1" in first
    assert "Summary" not in first and "</html>" not in first
    # The page's one inline script carries the nonce that the header allows.
    nonce = re.search(r'<script nonce="([^"]+)">', first).group(1)
    assert f"'nonce-{nonce}'" in response["Content-Security-Policy"]
    lines = [p for p in parts[1:-1] if p.startswith("<li>")]
    assert any(re.match(r"<li>Read [\d,]+ of [\d,]+ rows</li>", line) for line in lines), lines
    assert any(re.match(r"<li>Checked [\d,]+ of [\d,]+ rows</li>", line) for line in lines)
    # Then the preview, and the end of the page.
    pending = PendingImport.objects.get()
    assert "→ 31 March 2016" in last and "Save these changes" in last
    assert f'action="{reverse("workbook:preview", args=[world.plan.slug, pending.pk])}"' in last
    assert last.rstrip().endswith("</html>")
    assert history_count() == before
    milestone.refresh_from_db()
    assert milestone.due_date != datetime.date(2016, 3, 31)


def test_only_a_file_with_enough_rows_streams(world, clients, settings):
    client = clients["admin"]
    data, _ = edited(client, world.plan)
    rows = survey("plan.xlsx", data).rows
    assert rows > 20
    settings.WORKBOOK_PREVIEW_STREAM_ROWS = rows + 1
    response = upload(client, world.plan, data)
    assert response.status_code == 302 and not response.streaming
    settings.WORKBOOK_PREVIEW_STREAM_ROWS = rows
    response = upload(client, world.plan, data)
    assert response.status_code == 200 and response.streaming
    assert CHECKING in "".join(chunks(response))


def _zip_bomb() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as bomb:
        bomb.writestr("[Content_Types].xml", "<Types/>")
        bomb.writestr("xl/worksheets/sheet1.xml", b"<row>" * (2 * 1024 * 1024))
    return out.getvalue()


@pytest.mark.parametrize(
    "hostile, name, message",
    [
        ("formula", "plan.xlsx", "The cell holds a formula"),
        ("macros", "plan.xlsm", "The file contains macros"),
        ("bomb", "plan.xlsx", "compressed suspiciously tightly"),
        ("pdf", "plan.pdf", "must be an Excel workbook (.xlsx) or a CSV file"),
    ],
)
def test_refusals_decided_before_the_page_keep_their_400(
    world, clients, streaming, hostile, name, message
):
    client = clients["admin"]
    book = export(client, world.plan)
    if hostile == "formula":
        sheet = book["Actions"]
        cell(sheet, "Action", find_row(sheet, "Action reference", "1.1")).value = "=1+1"
    data = {"pdf": b"%PDF-1.4 not a workbook", "bomb": _zip_bomb()}.get(hostile) or to_bytes(book)
    before = history_count()
    response = upload(client, world.plan, data, name)
    assert response.status_code == 400 and not response.streaming
    assert message in response.content.decode()
    assert history_count() == before and not PendingImport.objects.exists()


def test_rows_with_errors_found_on_the_way_are_shown_and_nothing_is_kept(world, clients, streaming):
    client = clients["admin"]
    book = export(client, world.plan)
    sheet = book["Milestones"]
    cell(sheet, "Due date", 5).value = "soon"
    before = history_count()
    response = upload(client, world.plan, to_bytes(book))
    # The status went with the page's top, before the rows were checked.
    assert response.status_code == 200
    page = "".join(chunks(response))
    assert CHECKING in page
    assert "There is a problem with the file: nothing has been saved" in page
    assert "“soon” is not a date" in page
    assert "Save these changes" not in page
    assert history_count() == before and not PendingImport.objects.exists()


def test_a_sheet_found_damaged_on_the_way_is_refused_and_nothing_is_kept(world, clients, streaming):
    client = clients["admin"]
    source = zipfile.ZipFile(io.BytesIO(to_bytes(export(client, world.plan))))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet3.xml":
                data = data[: len(data) // 2]  # the XML stops half-way
            target.writestr(item, data)
    response = upload(client, world.plan, out.getvalue())
    page = "".join(chunks(response))
    assert "could not be read as an Excel workbook: it may be damaged" in page
    assert "Upload a corrected file" in page
    assert not PendingImport.objects.exists()


def checked(client, plan, data: bytes) -> str:
    """Upload (without streaming) and return the preview's address."""
    response = upload(client, plan, data)
    assert response.status_code == 302, response.content[:1000]
    return response["Location"]


def test_a_big_import_shows_its_progress_and_writes_in_one_go_with_history(
    world, clients, settings
):
    client = clients["admin"]
    data, milestone = edited(client, world.plan)
    preview_url = checked(client, world.plan, data)
    settings.WORKBOOK_IMPORT_STREAM_ROWS = 1
    settings.WORKBOOK_PROGRESS_SECONDS = 0
    response = client.post(preview_url, {})
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    parts = chunks(response)
    assert "Saving the changes…" in parts[0]
    assert "<li>Saved 1 of 1 changes</li>\n" in parts
    page = "".join(parts)
    assert "Imported: 0 new and 1 changed record" in page
    assert f'href="{reverse("plans:plan", args=[world.plan.slug])}">Go to the plan' in page
    milestone.refresh_from_db()
    assert milestone.due_date == datetime.date(2016, 3, 31)
    last = milestone.history.first()
    assert last.history_change_reason.startswith("Imported from plans-2026-11-26.xlsx by ")
    assert last.history_user == world.users["admin"]
    assert not PendingImport.objects.exists()


def test_leaving_a_big_import_before_it_ends_saves_nothing(world, clients, settings, monkeypatch):
    client = clients["admin"]
    data, milestone = edited(client, world.plan)
    preview_url = checked(client, world.plan, data)
    settings.WORKBOOK_IMPORT_STREAM_ROWS = 1
    settings.WORKBOOK_PROGRESS_SECONDS = 0
    before = history_count()
    response = client.post(preview_url, {})
    stream = iter(response.streaming_content)
    # Every row written, the transaction not yet committed: the browser goes away.
    while b"Saved 1 of 1" not in next(stream):
        pass
    # Closed as the WSGI server closes it. Its request-finished signal would
    # close the database connection, which here holds the test's transaction
    # (PostgreSQL would lose it): the connection is kept for the test.
    with monkeypatch.context() as m:
        m.setattr(connection, "close_if_unusable_or_obsolete", lambda: None)
        response.close()
    milestone.refresh_from_db()
    assert milestone.due_date != datetime.date(2016, 3, 31)
    assert history_count() == before
    assert PendingImport.objects.count() == 1


@pytest.mark.parametrize(
    "error, logged",
    [
        (OperationalError("server closed the connection unexpectedly"), "database unavailable"),
        (RuntimeError("a fault"), "failed after its progress page began"),
    ],
)
def test_an_import_that_fails_on_the_way_writes_nothing(
    world, clients, settings, monkeypatch, caplog, error, logged
):
    client = clients["admin"]
    book = export(client, world.plan)
    areas = book["Areas"]
    cell(areas, "Recommendation", 5).value = "A changed recommendation"
    milestones = book["Milestones"]
    cell(milestones, "Due date", 5).value = datetime.datetime(2016, 3, 31)
    preview_url = checked(client, world.plan, to_bytes(book))
    settings.WORKBOOK_IMPORT_STREAM_ROWS = 1
    settings.WORKBOOK_PROGRESS_SECONDS = 0

    def fail(ctx, rows):  # the areas are written by now; then the database goes
        raise error

    monkeypatch.setattr(sheet_for("milestones"), "apply", fail)
    before = history_count()
    caplog.set_level(logging.WARNING)
    response = client.post(preview_url, {})
    page = "".join(chunks(response))
    assert "<li>Saved 1 of 2 changes</li>" in page
    assert "<li>Stopped: nothing has been saved</li>" in page
    assert "The import could not be finished, so nothing has been saved" in page
    assert f'href="{preview_url}">Back to the changes' in page
    assert page.rstrip().endswith("</html>")
    assert logged in caplog.text
    assert history_count() == before
    assert not world.plan.areas.filter(recommendation="A changed recommendation").exists()
    assert PendingImport.objects.count() == 1


def test_an_import_whose_plan_changed_shows_the_new_preview_and_writes_nothing(
    world, clients, settings
):
    client = clients["admin"]
    data, milestone = edited(client, world.plan)
    preview_url = checked(client, world.plan, data)
    milestone.title = "Renamed meanwhile"
    milestone.save()
    settings.WORKBOOK_IMPORT_STREAM_ROWS = 1
    before = history_count()
    response = client.post(preview_url, {})
    page = "".join(chunks(response))
    assert "There is a problem" in page
    assert views.STALE in page
    assert "Renamed meanwhile → " in page and "Save these changes" in page
    assert history_count() == before
    milestone.refresh_from_db()
    assert milestone.due_date != datetime.date(2016, 3, 31)


def test_progress_updates_stream_too(world, clients, streaming):
    client = clients["officer"]
    response = client.get(reverse("workbook:progress", args=[world.plan.slug]))
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = book["Progress updates"]
    row = find_row(sheet, "Area number", 1)
    cell(sheet, "As-at date", row).value = datetime.datetime(2015, 6, 30)
    cell(sheet, "RAG", row).value = "Green – on track"
    cell(sheet, "Progress", row).value = "Caseloads are down to 18."
    response = upload(client, world.plan, to_bytes(book), "returns.xlsx", progress=True)
    page = "".join(chunks(response))
    assert CHECKING in page and "Caseloads are down to 18." in page
    pending = PendingImport.objects.get()
    response = client.post(reverse("workbook:preview", args=[world.plan.slug, pending.pk]), {})
    page = "".join(chunks(response))
    assert "Saving the progress updates…" in page and "<li>Saved 1 of 1 updates</li>" in page
    assert "1 progress update saved" in page
    assert f'href="{reverse("plans:my_work")}">Go to your work' in page
    assert ProgressUpdate.objects.filter(narrative="Caseloads are down to 18.").exists()


def test_a_database_outage_before_the_page_begins_is_the_usual_503(world, streaming, monkeypatch):
    client = Client(raise_request_exception=False)
    client.force_login(world.users["admin"])
    data, _ = edited(client, world.plan)

    def down(name, content):
        raise OperationalError("could not connect to server")

    monkeypatch.setattr(views, "survey", down)
    response = upload(client, world.plan, data)
    assert response.status_code == 503 and not response.streaming
    assert response["Retry-After"]


def test_the_progress_pages_are_valid_html(world, clients, settings, tmp_path, monkeypatch):
    from tests.support.html import validate

    client = clients["admin"]
    settings.WORKBOOK_PREVIEW_STREAM_ROWS = 1
    settings.WORKBOOK_PROGRESS_SECONDS = 0
    data, milestone = edited(client, world.plan)
    pages = {"preview": "".join(chunks(upload(client, world.plan, data)))}
    book = export(client, world.plan)
    cell(book["Milestones"], "Due date", 5).value = "soon"
    pages["errors"] = "".join(chunks(upload(client, world.plan, to_bytes(book))))
    settings.WORKBOOK_PREVIEW_STREAM_ROWS = 10**6
    settings.WORKBOOK_IMPORT_STREAM_ROWS = 1
    pages["imported"] = "".join(chunks(client.post(checked(client, world.plan, data), {})))
    url = checked(client, world.plan, edited(client, world.plan, datetime.datetime(2016, 4, 30))[0])
    milestone.refresh_from_db()
    milestone.title = "Renamed meanwhile"
    milestone.save()
    pages["stale"] = "".join(chunks(client.post(url, {})))

    def fail(ctx, rows):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(sheet_for("milestones"), "apply", fail)
    url = checked(client, world.plan, edited(client, world.plan, datetime.datetime(2016, 5, 31))[0])
    pages["failed"] = "".join(chunks(client.post(url, {})))
    assert "Imported: 0 new and 1 changed record" in pages["imported"]
    assert views.STALE in pages["stale"]
    assert "could not be finished" in pages["failed"]
    errors = validate(pages, tmp_path)
    assert not errors, "\n".join(errors)


def test_losing_the_database_after_the_commit_still_says_it_was_saved(
    world, clients, settings, monkeypatch
):
    client = clients["admin"]
    data, milestone = edited(client, world.plan)
    preview_url = checked(client, world.plan, data)
    settings.WORKBOOK_IMPORT_STREAM_ROWS = 1

    def down(self, *args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(PendingImport, "delete", down)
    page = "".join(chunks(client.post(preview_url, {})))
    assert "Imported: 0 new and 1 changed record" in page
    assert "nothing has been saved" not in page
    milestone.refresh_from_db()
    assert milestone.due_date == datetime.date(2016, 3, 31)


def test_a_big_csv_streams_too(world, clients, streaming):
    client = clients["admin"]
    url = reverse("workbook:export_csv", args=[world.plan.slug, "milestones"])
    data = client.get(url).content
    page = "".join(chunks(upload(client, world.plan, data, "milestones.csv")))
    assert CHECKING in page and re.search(r"<li>Read \d+ of \d+ rows</li>", page)
    assert "There is nothing to save: the file matches the plan" in page


def test_the_survey_counts_rows_and_finds_formulas_in_a_big_sheet():
    book = openpyxl.Workbook()
    sheet = book.active
    for n in range(30_000):
        sheet.append([n, f"Row {n} of a sheet long enough to span several reads", "x"])
    data = to_bytes(book)
    # The sheet's XML is read in 1 MB pieces: this one takes several.
    assert zipfile.ZipFile(io.BytesIO(data)).getinfo("xl/worksheets/sheet1.xml").file_size > 2**21
    assert survey("big.xlsx", data) == Survey(30_000, False)
    sheet["B29999"] = "=1+1"
    assert survey("big.xlsx", to_bytes(book)) == Survey(30_000, True)
    assert survey("big.csv", b"a,b\n1,2\n3,4\n").rows == 4


def test_the_survey_finds_a_formula_whatever_the_namespace_prefix():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as book:
        book.writestr("[Content_Types].xml", "<Types/>")
        book.writestr(
            "xl/worksheets/sheet1.xml",
            '<x:worksheet xmlns:x="s"><x:sheetData><x:row r="1"><x:c r="A1">'
            "<x:f>SUM(B1:B2)</x:f><x:v>3</x:v></x:c></x:row></x:sheetData></x:worksheet>",
        )
    assert survey("odd.xlsx", out.getvalue()) == Survey(1, True)
