"""Editing areas, actions and milestones, each save checked against the
version the user opened so nothing is overwritten silently."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_http_methods

from plans import permissions as perms
from plans import services
from plans.forms import (
    ActionForm,
    AreaForm,
    MilestoneCompleteForm,
    MilestoneForm,
    MilestoneReforecastForm,
    date_initial,
    milestone_initial,
)
from plans.models import Action, Milestone

from .common import conflict_response, form_page, posted


def _area_url(area) -> str:
    from django.urls import reverse

    return reverse("plans:area", args=[area.plan.slug, area.number])


@login_required
@require_http_methods(["GET", "POST"])
def area_edit(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    area = perms.get_area_for_user(request.user, slug, number, edit=True)
    initial = {
        "recommendation": area.recommendation,
        "theme": area.theme_id,
        "lead": area.lead_id,
        "version": area.version,
    }
    form = AreaForm(posted(request), initial=initial, area=area)
    title = f"Edit area {area.number}"
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        area.recommendation, area.theme, area.lead = (
            data["recommendation"],
            data["theme"],
            data["lead"],
        )
        failed = _save_checked(request, area, form, title, data["reason"], area=area)
        if failed:
            return failed
        messages.success(request, f"Area {area.number} saved")
        return redirect(_area_url(area))
    return form_page(request, form, "plans/edit_form.html", title=title, plan=area.plan, area=area)


@login_required
@require_http_methods(["GET", "POST"])
def action_new(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    area = perms.get_area_for_user(request.user, slug, number)
    if not perms.can_add_action(request.user, area):
        raise PermissionDenied
    form = ActionForm(posted(request), area=area)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        action = Action(area=area, **_action_values(data))
        services.save_action(
            action=action,
            partners=list(data["partners"]),
            user=request.user,
            reason="Action added",
            expected_version=None,
        )
        messages.success(request, f"Action {action.reference} added")
        return redirect(_area_url(area))
    return form_page(
        request,
        form,
        "plans/edit_form.html",
        title=f"Add an action to area {area.number}",
        plan=area.plan,
        area=area,
    )


def _action_values(data: dict) -> dict:
    names = ["reference", "title", "description", "owner", "start_date", "due_date", "status"]
    return {name: data[name] for name in names}


@login_required
@require_http_methods(["GET", "POST"])
def action_edit(request: HttpRequest, pk: int) -> HttpResponse:
    action = perms.get_action_for_user(request.user, pk, edit=True)
    area = action.area
    initial = {
        "reference": action.reference,
        "title": action.title,
        "description": action.description,
        "owner": action.owner_id,
        "partners": [p.pk for p in action.partners.all()],
        "start_date": date_initial(action.start_date),
        "due_date": date_initial(action.due_date),
        "status": action.status,
        "version": action.version,
    }
    form = ActionForm(posted(request), initial=initial, area=area, instance=action)
    title = f"Edit action {action.reference}"
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        for name, value in _action_values(data).items():
            setattr(action, name, value)
        try:
            services.save_action(
                action=action,
                partners=list(data["partners"]),
                user=request.user,
                reason=data["reason"] or "Action edited",
                expected_version=data["version"] or 0,
            )
        except services.EditConflict as conflict:
            return conflict_response(
                request,
                form,
                conflict,
                "plans/edit_form.html",
                title=title,
                plan=area.plan,
                area=area,
                action=action,
            )
        messages.success(request, f"Action {action.reference} saved")
        return redirect(_area_url(area))
    return form_page(
        request,
        form,
        "plans/edit_form.html",
        title=title,
        plan=area.plan,
        area=area,
        action=action,
    )


@login_required
@require_http_methods(["GET", "POST"])
def milestone_new(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    area = perms.get_area_for_user(request.user, slug, number)
    if not perms.can_add_milestone(request.user, area):
        raise PermissionDenied
    form = MilestoneForm(posted(request), area=area)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        milestone = Milestone(
            area=area,
            title=data["title"],
            action=data["action"],
            due_date=data["due_date"],
            due_precision=data["due_precision"],
            note=data["note"],
        )
        services.save_with_history(milestone, reason="Milestone added", user=request.user)
        messages.success(request, "Milestone added")
        return redirect(_area_url(area))
    return form_page(
        request,
        form,
        "plans/edit_form.html",
        title=f"Add a milestone to area {area.number}",
        plan=area.plan,
        area=area,
    )


def _save_checked(request, obj, form, title, reason, **context) -> HttpResponse | None:
    """Save an edited area or milestone, or answer with the conflict page
    (``context``: the page's area and milestone)."""
    try:
        services.save_version_checked(
            obj,
            expected_version=form.cleaned_data["version"] or 0,
            reason=reason,
            user=request.user,
        )
    except services.EditConflict as conflict:
        return conflict_response(
            request,
            form,
            conflict,
            "plans/edit_form.html",
            title=title,
            plan=context["area"].plan,
            **context,
        )
    return None


@login_required
@require_http_methods(["GET", "POST"])
def milestone_edit(request: HttpRequest, pk: int) -> HttpResponse:
    milestone = perms.get_milestone_for_user(request.user, pk, edit=True)
    area = milestone.area
    form = MilestoneForm(
        posted(request), initial=milestone_initial(milestone), area=area, instance=milestone
    )
    title = "Edit milestone"
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        for name in ("title", "action", "due_date", "due_precision", "note"):
            setattr(milestone, name, data[name])
        failed = _save_checked(
            request,
            milestone,
            form,
            title,
            data["reason"] or "Milestone edited",
            area=area,
            milestone=milestone,
        )
        if failed:
            return failed
        messages.success(request, "Milestone saved")
        return redirect(_area_url(area))
    return form_page(
        request,
        form,
        "plans/edit_form.html",
        title=title,
        plan=area.plan,
        area=area,
        milestone=milestone,
    )


def _change_open_milestone(
    request: HttpRequest, pk: int, *, form_class, initial: dict, title: str, apply, done: str
) -> HttpResponse:
    """Complete or re-forecast an open milestone: ``apply(milestone, data)``
    sets the fields and returns the reason kept in history."""
    milestone = perms.get_milestone_for_user(request.user, pk, edit=True)
    area = milestone.area
    if milestone.status == Milestone.Status.COMPLETE:
        messages.info(request, "That milestone is already complete")
        return redirect(_area_url(area))
    form = form_class(posted(request), initial={"version": milestone.version, **initial(milestone)})
    if request.method == "POST" and form.is_valid():
        reason = apply(milestone, form.cleaned_data)
        failed = _save_checked(
            request, milestone, form, title, reason, area=milestone.area, milestone=milestone
        )
        if failed:
            return failed
        messages.success(request, f"Milestone “{milestone.title}” {done}")
        return redirect(_area_url(area))
    return form_page(
        request,
        form,
        "plans/edit_form.html",
        title=title,
        plan=area.plan,
        area=area,
        milestone=milestone,
    )


def _complete(milestone: Milestone, data: dict) -> str:
    milestone.status = Milestone.Status.COMPLETE
    milestone.completed_date = data["completed_date"]
    return "Completed" + (f": {data['reason']}" if data["reason"] else "")


def _reforecast(milestone: Milestone, data: dict) -> str:
    milestone.forecast_date = data["forecast_date"]
    return data["reason"]


@login_required
@require_http_methods(["GET", "POST"])
def milestone_complete(request: HttpRequest, pk: int) -> HttpResponse:
    return _change_open_milestone(
        request,
        pk,
        form_class=MilestoneCompleteForm,
        initial=lambda m: {},
        title="Mark milestone complete",
        apply=_complete,
        done="marked complete",
    )


@login_required
@require_http_methods(["GET", "POST"])
def milestone_reforecast(request: HttpRequest, pk: int) -> HttpResponse:
    return _change_open_milestone(
        request,
        pk,
        form_class=MilestoneReforecastForm,
        initial=lambda m: {"forecast_date": date_initial(m.forecast_date)},
        title="Re-forecast milestone",
        apply=_reforecast,
        done="re-forecast",
    )
