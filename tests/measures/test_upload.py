"""Uploading figures: a preview with row errors, nothing written until
confirmed, the same file twice changes nothing, hostile files refused."""

import io
import re
import zipfile
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from measures import periods
from measures.models import MeasureValue

pytestmark = pytest.mark.django_db


def month(n: int = 1) -> str:
    last = periods.last_ended(timezone.localdate(), "monthly")
    return periods.shift(last, "monthly", 1 - n).strftime("%Y-%m")


def csv_file(lines: list[str], name: str = "figures.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, ("\n".join(lines) + "\n").encode("utf-8"), "text/csv")


def xlsx_file(rows: list[list], name: str = "figures.xlsx") -> SimpleUploadedFile:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return SimpleUploadedFile(name, out.getvalue())


def upload(client, world, file, reason: str = ""):
    url = reverse("measures:upload", args=[world.plan.slug])
    return client.post(url, {"file": file, "reason": reason})


def confirm(client, world, response):
    token = re.search(r'name="token" value="([^"]+)"', response.content.decode()).group(1)
    return client.post(reverse("measures:upload_confirm", args=[world.plan.slug]), {"token": token})


def test_preview_then_confirm_then_the_same_file_changes_nothing(clients, world, measures):
    admin = clients["admin"]
    lines = [
        "Measure ID,Area,Measure,Period,Figure,Comment",
        f"{measures.mine.pk},1,x,{month(2)},71.5,Audit",
        f"{measures.mine.pk},1,x,{month(1)},74,",
        f"{measures.theirs.pk},2,y,{month(1)},12,",
    ]
    preview = upload(admin, world, csv_file(lines))
    assert preview.status_code == 200
    body = preview.content.decode()
    assert "3 new figures" in body and "Nothing" not in body.split("<h2")[0]
    assert not MeasureValue.objects.exists()  # nothing written by the preview
    done = confirm(admin, world, preview)
    assert done.status_code == 302
    assert MeasureValue.objects.count() == 3
    history = MeasureValue.history.count()
    again = upload(admin, world, csv_file(lines))
    assert "3 already recorded" in again.content.decode()
    assert "already recorded: saving it would change nothing" in again.content.decode()
    assert MeasureValue.history.count() == history
    # Confirming an old preview again is refused, and writes nothing.
    replay = confirm(admin, world, preview)
    assert replay.status_code == 409
    assert "have already been saved" in replay.content.decode()
    assert MeasureValue.history.count() == history


def test_xlsx_is_read_and_corrections_need_a_reason(clients, world, measures):
    admin = clients["admin"]
    rows = [["Measure ID", "Period", "Figure"], [measures.mine.pk, month(1), 60]]
    confirm(admin, world, upload(admin, world, xlsx_file(rows)))
    assert MeasureValue.objects.get().value == Decimal("60")
    rows[1][2] = 65.5
    refused = upload(admin, world, xlsx_file(rows))
    assert refused.status_code == 400
    assert "Enter the reason for the corrections" in refused.content.decode()
    accepted = upload(admin, world, xlsx_file(rows), reason="Recounted")
    assert "1 correction" in accepted.content.decode()
    assert MeasureValue.objects.get().value == Decimal("60")
    confirm(admin, world, accepted)
    value = MeasureValue.objects.get()
    assert value.value == Decimal("65.5")
    assert "Recounted" in value.history.first().history_change_reason


def test_row_errors_are_listed_and_nothing_is_written(clients, world, measures):
    lines = [
        "Measure ID,Period,Figure",
        f"{measures.mine.pk},{month(1)},NaN",
        f"{measures.mine.pk},{month(2)},inf",
        f"{measures.mine.pk},{month(3)},1e308",
        f"{measures.mine.pk},{month(4)},101",
        f"{measures.mine.pk},2099-01,50",
        f"{measures.mine.pk},Smarch 2015,50",
        f"{measures.mine.pk},{month(5)},=1+1",
        f"{measures.elsewhere.pk},{month(1)},50",  # another council's measure
        f"999999999999999999999999,{month(1)},50",
        f"abc,{month(1)},50",
        f"{measures.mine.pk},{month(6)},-4",
        f"{measures.mine.pk},{month(7)},50",
        f"{measures.mine.pk},{month(7)},51",  # the same period twice
        f"{measures.mine.pk},{month(8)},99999999999999",
    ]
    response = upload(clients["admin"], world, csv_file(lines))
    assert response.status_code == 400
    body = response.content.decode()
    assert "govuk-error-summary" in body
    for expected in (
        "Row 2: Enter a number",
        "Row 3: Enter a number",
        "Row 4: Enter a number",
        "Row 5: A percentage must be between 0 and 100",
        "Row 6: January 2099 has not started yet",
        "Row 7: enter the period as a month and year",
        "Row 8: Enter a number",
        f"Row 9: “{measures.elsewhere.pk}” is not the ID of a measure in this plan",
        "Row 10: “99999999999999999999” is not the ID",
        "Row 11: “abc” is not the ID",
        "Row 12: The figure must be 0 or more",
        "Row 14: a second figure",
        "Row 15: The figure must be less than 1,000,000,000",
    ):
        assert expected in body, expected
    assert 'name="token"' not in body
    assert not MeasureValue.objects.exists()


def test_officers_may_upload_only_their_own_measures(clients, world, measures):
    lines = ["Measure ID,Period,Figure", f"{measures.theirs.pk},{month(1)},5"]
    response = upload(clients["officer"], world, csv_file(lines))
    assert response.status_code == 400
    assert "you do not enter the figures of measure" in response.content.decode()
    for role in ("board", "scrutiny"):
        assert upload(clients[role], world, csv_file(lines)).status_code == 403
    assert upload(clients["outsider"], world, csv_file(lines)).status_code == 404
    assert not MeasureValue.objects.exists()


def test_formulae_and_macros_in_workbooks_are_refused(clients, world, measures):
    rows = [["Measure ID", "Period", "Figure"], [measures.mine.pk, month(1), "=40+2"]]
    response = upload(clients["admin"], world, xlsx_file(rows))
    assert response.status_code == 400
    assert "Row 2: contains a formula" in response.content.decode()
    # A macro-enabled workbook, even named .xlsx.
    good = xlsx_file([["Measure ID", "Period", "Figure"]]).read()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(good)) as source, zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            target.writestr(item, source.read(item.filename))
        target.writestr("xl/vbaProject.bin", b"\x00" * 64)
    macro = SimpleUploadedFile("figures.xlsx", out.getvalue())
    response = upload(clients["admin"], world, macro)
    assert response.status_code == 400
    assert "contains macros" in response.content.decode()
    assert not MeasureValue.objects.exists()


@pytest.mark.parametrize(
    "file, message",
    [
        (SimpleUploadedFile("f.csv", b"\xff\xfe\x00bad"), "CSV UTF-8"),
        (SimpleUploadedFile("f.xlsx", b"not a zip"), "must be an Excel workbook (.xlsx)"),
        (SimpleUploadedFile("f.txt", b"Measure ID,Period,Figure\n"), "must be a CSV or an Excel"),
        (SimpleUploadedFile("f.csv", b"a,b,c\n1,2,3\n"), "must name the columns"),
        (SimpleUploadedFile("f.csv", b"Measure ID,Period,Figure\n"), "no figures"),
        (SimpleUploadedFile("f.csv", b"x" * (1024 * 1024 + 1)), "smaller than 1 MB"),
        (SimpleUploadedFile("f.csv", b""), "empty"),
    ],
)
def test_hostile_or_broken_files(clients, world, measures, file, message):
    response = upload(clients["admin"], world, file)
    assert response.status_code == 400
    assert message in response.content.decode()


def test_too_many_rows(clients, world, measures):
    lines = ["Measure ID,Period,Figure"] + [f"{measures.mine.pk},{month(1)},1"] * 5001
    response = upload(clients["admin"], world, csv_file(lines))
    assert response.status_code == 400
    assert "5,000 rows or fewer" in response.content.decode()


def test_a_zip_bomb_is_refused_before_it_is_opened(clients, world, measures):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\x00" * (40 * 1024 * 1024))
    response = upload(clients["admin"], world, SimpleUploadedFile("f.xlsx", out.getvalue()))
    assert response.status_code == 400
    assert "would unpack to more than 30 MB" in response.content.decode()


def test_a_tampered_or_borrowed_preview_is_refused(clients, world, measures):
    lines = ["Measure ID,Period,Figure", f"{measures.mine.pk},{month(1)},50"]
    preview = upload(clients["officer"], world, csv_file(lines))
    token = re.search(r'name="token" value="([^"]+)"', preview.content.decode()).group(1)
    url = reverse("measures:upload_confirm", args=[world.plan.slug])
    assert clients["officer"].post(url, {"token": token + "x"}).status_code == 400
    # The administrator cannot confirm the officer's preview.
    assert clients["admin"].post(url, {"token": token}).status_code == 400
    assert clients["board"].post(url, {"token": token}).status_code == 403
    assert clients["officer"].get(url).status_code == 405
    assert not MeasureValue.objects.exists()
    assert clients["officer"].post(url, {"token": token}).status_code == 302
    assert MeasureValue.objects.count() == 1


def test_figures_template_lists_the_users_measures(clients, world, measures):
    url = reverse("measures:figures_template", args=[world.plan.slug])
    body = clients["officer"].get(url).content.decode("utf-8-sig")
    assert body.splitlines()[0] == "Measure ID,Area,Measure,Unit,Period,Figure,Comment"
    assert str(measures.mine.pk) in body and measures.theirs.name not in body
    assert clients["board"].get(url).status_code == 403
