"""A plan's workbook downloaded and filled in, as an officer would."""

import io

import openpyxl
from django.urls import reverse

from tests.workbook.helpers import cell, find_row


def download(client, plan) -> openpyxl.Workbook:
    response = client.get(reverse("workbook:progress", args=[plan.slug]))
    assert response.status_code == 200
    return openpyxl.load_workbook(io.BytesIO(response.content))


def fill(sheet, number: int, **values) -> None:
    row = find_row(sheet, "Area number", number)
    for header, value in values.items():
        cell(sheet, header, row).value = value


def pending_import(world):
    """The plan exported and uploaded again by its administrator: the preview page."""
    from workbook import engine
    from workbook.export import plan_workbook
    from workbook.models import PendingImport
    from workbook.reading import read_upload

    name, data = plan_workbook(world.plan)
    book = read_upload(name, data)
    preview = engine.check(engine.Context(world.plan, world.users["admin"], name), book)
    return PendingImport.objects.create(
        plan=world.plan,
        user=world.users["admin"],
        kind=PendingImport.Kind.PLAN,
        file_name=name,
        rows=engine.book_to_json(book),
        fingerprint=preview.fingerprint,
    )
