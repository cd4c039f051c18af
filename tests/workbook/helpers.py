"""Exporting, editing and uploading workbooks in tests."""

from __future__ import annotations

import io

import openpyxl
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from plans.models import (
    Action,
    ImprovementArea,
    Membership,
    Milestone,
    Organisation,
    Owner,
    Plan,
    ProgressUpdate,
    Theme,
)

TRACKED = (
    Plan,
    ImprovementArea,
    Action,
    Milestone,
    Owner,
    Organisation,
    Theme,
    ProgressUpdate,
    Membership,
)


def history_count() -> int:
    """Every history row of every tracked model: a refused import adds none."""
    return sum(model.history.count() for model in TRACKED)


def export(client, plan) -> openpyxl.Workbook:
    response = client.get(reverse("workbook:export", args=[plan.slug]))
    assert response.status_code == 200, response.status_code
    return openpyxl.load_workbook(io.BytesIO(response.content))


def to_bytes(book: openpyxl.Workbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload(client, plan, data: bytes, name: str = "plans-2026-11-26.xlsx", *, progress=False):
    url = reverse("workbook:progress_import" if progress else "workbook:import", args=[plan.slug])
    return client.post(url, {"file": SimpleUploadedFile(name, data)})


def cell(sheet, header: str, row: int):
    """The cell under ``header`` on sheet row ``row``."""
    headers = [c.value for c in sheet[4]]
    return sheet.cell(row=row, column=headers.index(header) + 1)


def find_row(sheet, header: str, value) -> int:
    column = [c.value for c in sheet[4]].index(header) + 1
    for row in range(5, sheet.max_row + 1):
        if sheet.cell(row=row, column=column).value == value:
            return row
    raise AssertionError(f"no row with {header} = {value!r}")


def confirm(client, response, **data):
    """Follow an upload's redirect to its preview and confirm it."""
    assert response.status_code == 302, (response.status_code, response.content[:2000])
    url = response["Location"]
    return client.post(url, data)
