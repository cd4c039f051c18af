"""The scorecard as a spreadsheet (CSV or Excel), as at a date, and a figures
template to fill in and upload. Cells are made safe against formula injection
(core.cells.safe_cell)."""

from __future__ import annotations

import csv
import io

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from core.cells import clean_text, safe_cell
from core.downloads import FORMATS
from plans import permissions as perms
from plans.views.common import as_at_or_form, bad_as_at

from .. import periods
from .. import rag as mrag
from ..models import Frequency, Measure
from ..scorecard import at
from .figures import _figures_month

SCORECARD_COLUMNS = [
    "Measure ID",
    "Area",
    "Theme",
    "Measure",
    "Unit",
    "Polarity",
    "Frequency",
    "Owner",
    "Baseline",
    "Target",
    "Target date",
    "Tolerance",
    "Latest period",
    "Latest figure",
    "Previous figure",
    "RAG (calculated)",
    "Direction of travel (calculated)",
    "Period a year before",
    "Figure a year before",
    "On a year before (calculated)",
    "Figure due",
    "Comment",
]


def scorecard_rows(card) -> list[list[object]]:
    themes = {a.id: a.theme for a in card.areas}
    rows = []
    for c in card.cards:
        rows.append(
            [
                c.id,
                c.area_number,
                themes.get(c.area_id, ""),
                c.name,
                c.unit_label,
                c.polarity_label,
                c.frequency_label,
                c.owner,
                c.baseline_label,
                c.target_label,
                c.target_by,
                c.tolerance_label,
                c.latest.label if c.latest else "",
                float(c.latest.value) if c.latest and c.latest.value is not None else "",
                float(c.previous.value) if c.previous and c.previous.value is not None else "",
                c.rag_label,
                c.direction,
                c.year_ago_label,
                float(c.year_ago.value) if c.year_ago and c.year_ago.value is not None else "",
                c.year_on_year,
                f"Missing: {c.expected_label}" if c.missing else "",
                c.latest.comment if c.latest else "",
            ]
        )
    return rows


def csv_file(title: list[str], columns: list[str], rows: list[list[object]]) -> bytes:
    """A CSV download: its title lines, the column headings, the rows; every
    text cell made safe (numbers stay numbers)."""
    out = io.StringIO()
    writer = csv.writer(out)
    for line in title:
        writer.writerow([safe_cell(clean_text(line))])
    writer.writerow(columns)
    for row in rows:
        writer.writerow([safe_cell(clean_text(v)) if isinstance(v, str) else v for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _xlsx(title: list[str], rows: list[list[object]]) -> bytes:
    import openpyxl
    from openpyxl.styles import Font

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Scorecard"
    for line in title:
        sheet.append([safe_cell(clean_text(line))])
    sheet.append(SCORECARD_COLUMNS)
    header_row = sheet.max_row
    for cell in sheet[header_row]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([safe_cell(clean_text(v)) if isinstance(v, str) else v for v in row])
    for cell in sheet["A"]:
        if isinstance(cell.value, str):
            cell.data_type = "s"
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@login_required
@require_GET
def scorecard_download(request: HttpRequest, slug: str, fmt: str) -> HttpResponse:
    if fmt not in ("csv", "xlsx"):
        raise Http404("No such format")
    plan = perms.get_plan_for_user(request.user, slug)
    as_at, form = as_at_or_form(request, plan)
    if as_at is None:
        return bad_as_at(request, plan, form, "Scorecard")
    card = at(plan, as_at)
    title = [
        f"{plan.title}: measures scorecard as at {as_at:%d %B %Y}",
        mrag.DERIVED_NOTE,
    ]
    rows = scorecard_rows(card)
    content = csv_file(title, SCORECARD_COLUMNS, rows) if fmt == "csv" else _xlsx(title, rows)
    response = HttpResponse(content, content_type=FORMATS[fmt].content_type)
    response["Content-Disposition"] = (
        f'attachment; filename="{plan.file_prefix}-measures-scorecard-{as_at.isoformat()}.{fmt}"'
    )
    return response


@login_required
@require_GET
def figures_template(request: HttpRequest, slug: str) -> HttpResponse:
    """A CSV of the measures the user enters, for a month, ready to fill in."""
    plan = perms.get_plan_for_user(request.user, slug)
    perms.require(perms.may_enter_any_figures(request.user, plan))
    month, chooser = _figures_month(request)
    if month is None:
        month = periods.last_ended(chooser.day, Frequency.MONTHLY)
    measures = (
        perms.enterable_measures(request.user, plan, Measure.objects.filter(area__plan=plan))
        .select_related("area")
        .order_by("area__number", "order", "name")
    )
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["Measure ID", "Area", "Measure", "Unit", "Period", "Figure", "Comment"])
    for m in measures:
        period = periods.start_of(month, m.frequency)
        writer.writerow(
            [
                m.pk,
                m.area.number,
                safe_cell(clean_text(m.name)),
                m.get_unit_display(),
                period.strftime("%Y-%m"),
                "",
                "",
            ]
        )
    response = HttpResponse(
        ("\ufeff" + out.getvalue()).encode("utf-8"), content_type=FORMATS["csv"].content_type
    )
    response["Content-Disposition"] = (
        f'attachment; filename="{plan.file_prefix}-figures-{month.strftime("%Y-%m")}.csv"'
    )
    return response
