"""A success measure's own page, and its figures as a CSV, as at a date
(``?as_at=``): for anyone who may see the measure's plan (measures/measure_page.py)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.text import slugify
from django.views.decorators.http import require_GET

from core.asat import AsAtForm
from core.dates import long_date
from core.downloads import FORMATS
from plans import permissions as perms
from plans.views.common import as_at_or_form, bad_as_at

from .. import rag as mrag
from ..measure_page import MeasurePage, first_recorded, measure_at
from ..models import Measure
from .downloads import csv_file

FIGURES_COLUMNS = [
    "Measure ID",
    "Measure",
    "Period",
    "Period label",
    "Figure",
    "Unit",
    "RAG (calculated)",
    "Period a year before",
    "Figure a year before",
    "Change on a year before",
    "On a year before (calculated)",
    "Comment",
]


def _shown(
    request: HttpRequest, pk: int, what: str
) -> tuple[Measure, MeasurePage | HttpResponse, AsAtForm]:
    """The measure (404 unless the user may see its plan), the page as at the
    date asked for (or the 400 page that says why that date cannot be shown)
    and the as-at form."""
    measure = perms.get_measure_for_user(request.user, Measure.objects.filter(pk=pk))
    plan = measure.area.plan
    title = f"{what}: {measure.name}"
    as_at, form = as_at_or_form(request, plan)
    if as_at is None:
        return measure, bad_as_at(request, plan, form, title), form
    shown = measure_at(measure, as_at)
    if shown is None:
        # A date the plan has, but before this measure was added to it.
        first = first_recorded(measure)
        form.add_error(
            "as_at",
            f"The as-at date must be on or after {long_date(first)}, "
            "when this measure was first recorded",
        )
        return measure, bad_as_at(request, plan, form, title), form
    return measure, shown, form


@login_required
@require_GET
def measure(request: HttpRequest, pk: int) -> HttpResponse:
    record, shown, form = _shown(request, pk, "Measure")
    if isinstance(shown, HttpResponse):
        return shown
    plan = record.area.plan
    card = shown.card
    return render(
        request,
        "measures/measure.html",
        {
            "plan": plan,
            "area": shown.area,
            "shown": shown,
            "card": card,
            "as_at": shown.as_at,
            "as_at_iso": shown.as_at.isoformat(),
            "title": card.name if shown.live else f"{card.name} as at {long_date(shown.as_at)}",
            "form": form,
            "derived_note": mrag.DERIVED_NOTE,
            # Links to today's forms, for those who may use them.
            "can_enter": shown.live and perms.can_enter_figures(request.user, record),
            "can_define": shown.live and perms.can_define_measures(request.user, record.area),
        },
    )


def figure_row(measure_id: int, name: str, unit: str, row) -> list[object]:
    """A figure's row of the CSV: numbers as numbers, text made safe by csv_file."""
    return [
        measure_id,
        name,
        row.period.strftime("%Y-%m"),
        row.label,
        float(row.value),
        unit,
        row.rag_label,
        row.year_ago_label,
        float(row.year_ago) if row.year_ago is not None else "",
        float(row.change) if row.change is not None else "",
        row.year_on_year,
        row.comment,
    ]


@login_required
@require_GET
def measure_figures_csv(request: HttpRequest, pk: int) -> HttpResponse:
    """The measure's figures, newest first, as the page's table has them."""
    record, shown, _ = _shown(request, pk, "Figures")
    if isinstance(shown, HttpResponse):
        return shown
    plan, card, as_at = record.area.plan, shown.card, shown.as_at
    target = card.target_label + (f" by {card.target_by}" if card.target_by else "")
    title = [
        f"{plan.title}: {card.name}: figures as recorded by the end of {long_date(as_at)}",
        f"Target: {target}. Tolerance: {card.tolerance_label}. {card.polarity_label}.",
        mrag.DERIVED_NOTE,
    ]
    rows = [figure_row(card.id, card.name, card.unit_label, r) for r in shown.figures]
    response = HttpResponse(
        csv_file(title, FIGURES_COLUMNS, rows), content_type=FORMATS["csv"].content_type
    )
    name = slugify(card.name)[:60] or "measure"
    response["Content-Disposition"] = (
        f'attachment; filename="{plan.file_prefix}-{name}-figures-{as_at.isoformat()}.csv"'
    )
    return response
