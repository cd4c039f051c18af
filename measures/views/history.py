"""A measure's history: every change to its definition, target and tolerance,
and to each of its figures, newest first, a page at a time (plans/history/)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from plans import permissions as perms
from plans.history import ChangeFilter, change_page
from plans.views.history import PER_PAGE, _page_number, _pagination

from ..models import Measure


@login_required
@require_GET
def measure_history(request: HttpRequest, pk: int) -> HttpResponse:
    measure = perms.get_measure_for_user(request.user, Measure.objects.filter(pk=pk))
    area, plan = measure.area, measure.area.plan
    try:
        number = _page_number(request.GET)
    except ValidationError as error:
        raise Http404(error.message) from None
    result = change_page(
        plan,
        viewer=request.user,
        filters=ChangeFilter(record=measure),
        page=number,
        per_page=PER_PAGE,
    )
    if number > result.num_pages:
        raise Http404(f"There is no page {number}")
    return render(
        request,
        "plans/history.html",
        {
            "plan": plan,
            "area": area,
            "title": f"History of measure: {measure.name}",
            "intro": "Every change to the measure and its figures",
            "form": None,
            "page": result,
            "entries": result.entries,
            "pagination": _pagination(request.path, request.GET, result),
        },
    )
