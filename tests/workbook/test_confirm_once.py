"""A workbook import confirms once: the pending import is claimed inside the
transaction that writes, for its own user and plan, before it expires. A
replayed, expired, cancelled, someone else's or another plan's confirmation
gets a page that says so, a 4xx, and writes nothing; a stale one (the plan
changed after the preview) gets the new preview, writes nothing and stays
confirmable."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from plans.models import ImprovementArea, ProgressUpdate
from tests import factories
from tests.support.workbooks import download, fill
from workbook import engine
from workbook.models import AlreadyConfirmed, PendingImport, claim

from .helpers import cell, export, find_row, history_count, to_bytes, upload

pytestmark = pytest.mark.django_db

GONE = "This import is no longer waiting to be confirmed"


def progress_preview(client, plan) -> str:
    """An officer's progress workbook with one update, uploaded: its preview's address."""
    book = download(client, plan)
    fill(
        book["Progress updates"], 1, **{"As-at date": "1/6/2015", "RAG": "Green", "Progress": "Ok"}
    )
    response = upload(client, plan, to_bytes(book), progress=True)
    assert response.status_code == 302, response.content.decode()[:2000]
    return response["Location"]


def plan_preview(client, plan, recommendation: str) -> str:
    book = export(client, plan)
    sheet = book["Areas"]
    cell(sheet, "Recommendation", find_row(sheet, "Area number", 1)).value = recommendation
    response = upload(client, plan, to_bytes(book))
    assert response.status_code == 302, response.content.decode()[:2000]
    return response["Location"]


def gone(response, status: int = 404) -> None:
    assert response.status_code == status, response.status_code
    body = response.content.decode()
    assert "govuk-error-summary" in body and GONE in body


def test_a_confirmed_progress_import_cannot_be_confirmed_again(world, clients):
    client = clients["officer"]
    url = progress_preview(client, world.plan)
    assert client.post(url).status_code == 302
    assert ProgressUpdate.objects.filter(narrative="Ok").count() == 1
    before = history_count()
    gone(client.post(url))
    gone(client.get(url))
    assert history_count() == before
    assert ProgressUpdate.objects.filter(narrative="Ok").count() == 1


def test_a_confirmed_plan_import_cannot_be_confirmed_again(world, clients):
    client = clients["admin"]
    url = plan_preview(client, world.plan, "From the workbook")
    assert client.post(url).status_code == 302
    area = ImprovementArea.objects.get(pk=world.area.pk)
    area.recommendation = "Corrected afterwards"
    area.version += 1
    area.save()
    before = history_count()
    gone(client.post(url))
    assert history_count() == before
    assert ImprovementArea.objects.get(pk=world.area.pk).recommendation == "Corrected afterwards"


def test_someone_elses_import_is_refused(world, clients):
    url = progress_preview(clients["officer"], world.plan)
    before = history_count()
    gone(clients["admin"].post(url))
    gone(clients["other_officer"].post(url))
    assert history_count() == before
    assert PendingImport.objects.count() == 1  # still the officer's to confirm
    assert clients["officer"].post(url).status_code == 302


def test_an_import_confirmed_in_another_plan_is_refused(world, clients):
    factories.join(world.other_plan, {world.users["admin"]: "plan_administrator"})
    url = plan_preview(clients["admin"], world.plan, "From the workbook")
    pk = PendingImport.objects.get().pk
    before = history_count()
    gone(clients["admin"].post(reverse("workbook:preview", args=[world.other_plan.slug, pk])))
    assert history_count() == before
    assert clients["admin"].post(url).status_code == 302


def test_an_expired_import_is_refused(world, clients, time_machine):
    url = progress_preview(clients["officer"], world.plan)
    time_machine.shift(datetime.timedelta(hours=2, minutes=1))
    clients["officer"].force_login(world.users["officer"])  # the session idled out meanwhile
    before = history_count()
    gone(clients["officer"].post(url))
    assert history_count() == before
    assert not ProgressUpdate.objects.filter(narrative="Ok").exists()


def test_a_cancelled_import_is_refused(world, clients):
    url = progress_preview(clients["officer"], world.plan)
    assert clients["officer"].post(url + "cancel/").status_code == 302
    gone(clients["officer"].post(url))
    gone(clients["officer"].post(url + "cancel/"))
    assert not ProgressUpdate.objects.filter(narrative="Ok").exists()


def test_a_stale_import_writes_nothing_and_stays_confirmable(world, clients):
    client = clients["admin"]
    url = plan_preview(client, world.plan, "From the workbook")
    area = ImprovementArea.objects.get(pk=world.area.pk)
    area.recommendation = "Changed meanwhile"
    area.version += 1
    area.save()
    before = history_count()
    stale = client.post(url)
    assert stale.status_code == 409
    assert "Changed meanwhile → From the workbook" in stale.content.decode()
    assert history_count() == before
    # The claim was rolled back with everything else: the new preview confirms.
    assert PendingImport.objects.count() == 1
    assert client.post(url).status_code == 302
    assert ImprovementArea.objects.get(pk=world.area.pk).recommendation == "From the workbook"


def test_a_second_claim_in_the_writing_transaction_writes_nothing(world, clients):
    """Two posts of one confirmation: the second (even one that waited on the
    first's lock) claims nothing and writes nothing."""
    plan_preview(clients["admin"], world.plan, "From the workbook")
    pending = PendingImport.objects.get()
    user = world.users["admin"]
    book = engine.book_from_json(pending.rows)
    args = {"plan": world.plan, "user": user, "file_name": "f.xlsx", "book": book}
    engine.confirm(**args, fingerprint=pending.fingerprint, remove=False, pending=pending.pk)
    before = history_count()
    with pytest.raises(AlreadyConfirmed):
        engine.confirm(**args, fingerprint=pending.fingerprint, remove=False, pending=pending.pk)
    with pytest.raises(AlreadyConfirmed):
        claim(pending.pk, user=user, plan=world.plan)
    assert history_count() == before
