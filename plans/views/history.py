"""History pages: every change to a record, and the plan's recent changes."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from plans import permissions as perms
from plans.history import history_of, recent_changes


def _page(request, *, plan, area, title, entries, intro="Every change"):
    return render(
        request,
        "plans/history.html",
        {"plan": plan, "area": area, "title": title, "entries": entries, "intro": intro},
    )


@login_required
@require_GET
def area_history(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    area = perms.get_area_for_user(request.user, slug, number)
    return _page(
        request,
        plan=area.plan,
        area=area,
        title=f"History of area {area.number}",
        intro="Every change to the area, its actions, milestones and progress updates",
        entries=recent_changes(area.plan, viewer=request.user, area=area, limit=500),
    )


@login_required
@require_GET
def action_history(request: HttpRequest, pk: int) -> HttpResponse:
    action = perms.get_action_for_user(request.user, pk)
    return _page(
        request,
        plan=action.area.plan,
        area=action.area,
        title=f"History of action {action.reference}",
        entries=history_of(action, action.area.plan.slug),
    )


@login_required
@require_GET
def milestone_history(request: HttpRequest, pk: int) -> HttpResponse:
    milestone = perms.get_milestone_for_user(request.user, pk)
    return _page(
        request,
        plan=milestone.area.plan,
        area=milestone.area,
        title=f"History of milestone: {milestone.title}",
        entries=history_of(milestone, milestone.area.plan.slug),
    )


@login_required
@require_GET
def plan_changes(request: HttpRequest, slug: str) -> HttpResponse:
    plan = perms.get_plan_for_user(request.user, slug)
    return _page(
        request,
        plan=plan,
        area=None,
        title="Recent changes",
        entries=recent_changes(plan, viewer=request.user),
        intro="The latest 100 changes to anything in the plan",
    )
