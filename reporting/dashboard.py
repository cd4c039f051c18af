"""The Improvement Board dashboard as at any date: a first screen that answers
"how are we doing, what got worse, what must we decide", and its detail in
sections one click away (areas, milestones, measures, charts, the changes since
the last board). Each section reads only what it shows."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from core.asat import AsAtForm, today
from core.forms import date_initial
from measures.pages import dashboard_scorecard
from measures.standing import standings
from plans import permissions as perms
from plans.views.common import as_at_or_form, bad_as_at

from .board_changes import board_changes
from .build import build_dashboard, previous_board
from .glance import at_a_glance

DEFAULT_STALE_DAYS = 90

# (key in the URL, name): the summary first, then the sections in reading order.
SECTIONS = [
    ("", "At a glance"),
    ("areas", "Areas"),
    ("milestones", "Milestones and actions"),
    ("measures", "Measures"),
    ("charts", "Charts"),
    ("changes", "Changes since the last board"),
]
NAMES = dict(SECTIONS)


def stale_days_from(request: HttpRequest) -> int | None:
    raw = request.GET.get("stale_days", "")
    if raw == "":
        return DEFAULT_STALE_DAYS
    # ASCII digits only: int() also reads "١٢", " 12" and "1_2".
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 4:
        return None
    days = int(raw)
    return days if 1 <= days <= 3650 else None


@login_required
@require_GET
def dashboard(request: HttpRequest, slug: str, section: str = "") -> HttpResponse:
    if section not in NAMES:
        raise Http404("No such part of the dashboard")
    plan = perms.get_plan_for_user(request.user, slug)
    as_at, form = as_at_or_form(request, plan)
    if as_at is None:
        return bad_as_at(request, plan, form, "Dashboard")
    stale_days = stale_days_from(request)
    if stale_days is None:
        form = AsAtForm(
            {f"as_at_{i}": part for i, part in enumerate(date_initial(as_at))},
            first_day=form.first_day,
        )
        form.is_valid()
        form.add_error(None, "Enter the number of days as a whole number from 1 to 3650")
        return bad_as_at(request, plan, form, "Dashboard")
    if section == "measures":
        # The scorecard reads the areas' status and the measures alone.
        built = None
        board = previous_board(plan, as_at)
    else:
        built = build_dashboard(
            plan,
            as_at,
            stale_days=stale_days,
            viewer=request.user,
            first_day=form.first_day,
            with_charts=section == "charts",
            with_changes=False,
            with_reforecast=section == "changes",
        )
        board = built.state.board
    is_today = as_at == today()
    context = {
        "plan": plan,
        "form": form,
        "dashboard": built,
        "board": board,
        "as_at": as_at,
        "as_at_iso": as_at.isoformat(),
        # Links between the sections keep the date being read.
        "as_at_query": "" if is_today else f"?as_at={as_at.isoformat()}",
        "is_today": is_today,
        # The as-at form asks for it where it is used.
        "stale_days": stale_days if section == "areas" else None,
        "section": section,
        "section_name": NAMES[section],
        "sections": SECTIONS,
    }
    if section == "measures":
        context["scorecard"] = dashboard_scorecard(plan, as_at, request)
    if section in ("", "changes"):
        # Counted and compared, not shown as cards: each measure's latest figure only.
        areas = {a.id: a.number for a in built.state.snapshot.areas}
        measures = standings(plan, areas, as_at)
    if section == "":
        context["glance"] = at_a_glance(built.state, measures, request.user)
    if section == "changes":
        context["changes"] = board_changes(built.state, measures, request.user)
    return render(request, f"reporting/dashboard/{section or 'summary'}.html", context)
