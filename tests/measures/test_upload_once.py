"""A figures upload's preview confirms once: for the user who made it, in its
plan, within the hour, and only if none of the figures it would write changed
after it. Everything else is refused with its own message and writes nothing.
(A confirmation re-posted after an administrator's correction used to put the
uploaded figure back, silently.)"""

import datetime
import hashlib
import re
import uuid
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from measures import services
from measures.models import MeasureValue, UploadConfirmation
from tests import factories
from tests.support.forms import last_month, post_figure

pytestmark = pytest.mark.django_db


def csv_bytes(measure, value) -> bytes:
    return f"Measure ID,Period,Figure\n{measure.pk},{last_month():%Y-%m},{value}\n".encode()


def preview(client, plan, data: bytes, reason: str = "") -> str:
    """Upload ``data``; the preview's token."""
    url = reverse("measures:upload", args=[plan.slug])
    response = client.post(url, {"file": SimpleUploadedFile("f.csv", data), "reason": reason})
    assert response.status_code == 200, response.content.decode()[:3000]
    return re.search(r'name="token" value="([^"]+)"', response.content.decode()).group(1)


def confirm(client, plan, token: str):
    return client.post(reverse("measures:upload_confirm", args=[plan.slug]), {"token": token})


def said(response) -> str:
    body = response.content.decode()
    assert "govuk-error-summary" in body
    return body


def test_a_used_confirmation_cannot_undo_a_later_correction(clients, world, measures, time_machine):
    officer, admin = clients["officer"], clients["admin"]
    token = preview(officer, world.plan, csv_bytes(measures.mine, "25"))
    assert confirm(officer, world.plan, token).status_code == 302
    assert MeasureValue.objects.get().value == Decimal("25")
    time_machine.shift(datetime.timedelta(minutes=20))
    fixed = post_figure(admin, measures.mine, "21", version=1, reason="Recounted from the system")
    assert fixed.status_code == 302
    history = MeasureValue.history.count()
    replay = confirm(officer, world.plan, token)
    assert replay.status_code == 409
    assert "The figures from this preview have already been saved" in said(replay)
    assert MeasureValue.objects.get().value == Decimal("21")
    assert MeasureValue.history.count() == history


def test_the_confirmation_is_recorded_with_its_user_plan_and_file(clients, world, measures):
    data = csv_bytes(measures.mine, "25")
    assert confirm(clients["officer"], world.plan, preview(clients["officer"], world.plan, data))
    claimed = UploadConfirmation.objects.get()
    assert claimed.user == world.users["officer"] and claimed.plan == world.plan
    assert claimed.digest == hashlib.sha256(data).hexdigest()


def test_another_users_confirmation_is_refused(clients, world, measures):
    token = preview(clients["officer"], world.plan, csv_bytes(measures.mine, "25"))
    history = MeasureValue.history.count()
    borrowed = confirm(clients["admin"], world.plan, token)
    assert borrowed.status_code == 400
    assert "This preview was made by someone else" in said(borrowed)
    assert MeasureValue.history.count() == history and not UploadConfirmation.objects.exists()
    # Still the officer's to confirm.
    assert confirm(clients["officer"], world.plan, token).status_code == 302


def test_another_plans_confirmation_is_refused(clients, world, measures):
    factories.join(world.other_plan, {world.users["admin"]: "plan_administrator"})
    token = preview(clients["admin"], world.plan, csv_bytes(measures.mine, "25"))
    history = MeasureValue.history.count()
    elsewhere = confirm(clients["admin"], world.other_plan, token)
    assert elsewhere.status_code == 400
    assert "This preview is for another plan" in said(elsewhere)
    assert MeasureValue.history.count() == history and not UploadConfirmation.objects.exists()


def test_an_expired_confirmation_is_refused(clients, world, measures, time_machine):
    token = preview(clients["officer"], world.plan, csv_bytes(measures.mine, "25"))
    time_machine.shift(datetime.timedelta(minutes=61))
    clients["officer"].force_login(world.users["officer"])  # the session idled out meanwhile
    late = confirm(clients["officer"], world.plan, token)
    assert late.status_code == 400
    assert "This preview has expired" in said(late)
    assert not MeasureValue.objects.exists() and not UploadConfirmation.objects.exists()


def test_a_forged_or_damaged_token_is_refused(clients, world, measures):
    token = preview(clients["officer"], world.plan, csv_bytes(measures.mine, "25"))
    for bad in (token[:-2], "", "x" * 5000):
        response = confirm(clients["officer"], world.plan, bad)
        assert response.status_code == 400
        assert "This preview is not valid" in said(response)
    assert not MeasureValue.objects.exists()


def test_a_correction_made_after_the_preview_is_a_conflict(clients, world, measures):
    officer, admin = clients["officer"], clients["admin"]
    assert post_figure(officer, measures.mine, "20").status_code == 302
    token = preview(officer, world.plan, csv_bytes(measures.mine, "25"), reason="Late returns")
    assert post_figure(admin, measures.mine, "21", version=1, reason="Audit").status_code == 302
    history = MeasureValue.history.count()
    conflict = confirm(officer, world.plan, token)
    assert conflict.status_code == 409
    body = said(conflict)
    assert "Someone changed 1 figure in it after you checked this file" in body
    assert "What changed after you checked the file" in body
    assert "Reason: Audit" in body and "corrected from 20% to 21%" in body
    assert MeasureValue.objects.get().value == Decimal("21")
    assert MeasureValue.history.count() == history and not UploadConfirmation.objects.exists()
    # Not used up, but no more confirmable: the figure is still not what the preview saw.
    assert confirm(officer, world.plan, token).status_code == 409
    assert MeasureValue.objects.get().value == Decimal("21")


def test_a_figure_entered_after_the_preview_is_a_conflict(clients, world, measures):
    token = preview(clients["officer"], world.plan, csv_bytes(measures.mine, "25"))
    assert post_figure(clients["admin"], measures.mine, "30").status_code == 302
    history = MeasureValue.history.count()
    conflict = confirm(clients["officer"], world.plan, token)
    assert conflict.status_code == 409
    assert "What changed after you checked the file" in said(conflict)
    assert MeasureValue.objects.get().value == Decimal("30")
    assert MeasureValue.history.count() == history


def test_a_second_claim_of_the_same_preview_writes_nothing(world, measures):
    """Two posts of one confirmation: the second (even one that waited on the
    first's transaction) finds the claim and writes nothing."""
    confirmation, user = uuid.uuid4(), world.users["officer"]
    rows = [(measures.mine, last_month(), Decimal("25"), "", None)]
    args = {"confirmation": confirmation, "plan": world.plan, "user": user, "digest": "d"}
    assert services.save_upload(**args, rows=rows, reason="Uploaded").created == 1
    history = MeasureValue.history.count()
    with pytest.raises(services.PreviewUsed):
        services.save_upload(
            **args, rows=[(measures.mine, last_month(), Decimal("26"), "", None)], reason="x"
        )
    assert MeasureValue.history.count() == history
    assert MeasureValue.objects.get().value == Decimal("25")
