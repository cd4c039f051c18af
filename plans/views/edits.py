"""Editing areas, actions and milestones. The views parse the form and call a
service (plans/services.py), which does the write: version-checked edits, and
creates made once per form token so a double submit adds one record."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from core.forms import CreateForm, GovForm, date_initial
from plans import permissions as perms
from plans import saving, services
from plans.forms import (
    ActionForm,
    AreaForm,
    MilestoneCompleteForm,
    MilestoneForm,
    MilestoneReforecastForm,
)
from plans.models import Action, Milestone

from .common import conflict_response, form_page, posted

EDIT_FORM = "plans/edit_form.html"


def _area_url(area) -> str:
    return reverse("plans:area", args=[area.plan.slug, area.number])


def _version(form: GovForm) -> int:
    return form.cleaned_data["version"] or 0


def _page(request, form, title: str, area, **context) -> HttpResponse:
    return form_page(request, form, EDIT_FORM, title=title, plan=area.plan, area=area, **context)


def _conflict(request, form, conflict, title: str, area, **context) -> HttpResponse:
    return conflict_response(
        request, form, conflict, EDIT_FORM, title=title, plan=area.plan, area=area, **context
    )


def _show_clash(form: GovForm, clash: saving.DuplicateRecord) -> None:
    """A clash that slipped past the form's checks, as a form error against its
    field (or at the top): the page answers 400 with the error summary."""
    form.add_error(clash.field if clash.field in form.fields else None, clash.message)


def create_from_form(
    form: CreateForm,
    model: type[models.Model],
    area,
    create: Callable[[], tuple[models.Model, bool]],
    *,
    author=None,
) -> tuple[models.Model, bool] | None:
    """``(record, created)`` for a create form's post: the record its token
    already made (a repeated post lands where the first did, without the form's
    checks, which that record could now fail), else what ``create()`` makes from
    the valid form. None when the form has errors, a clash among them."""
    try:
        record = saving.made_with_token(model, form.token, belongs=services.in_area(area, author))
        if record is not None:
            return record, False
        if form.is_valid():
            return create()
    except saving.DuplicateRecord as clash:
        form.is_valid()  # add_error works on the cleaned form
        _show_clash(form, clash)
    return None


@login_required
@require_http_methods(["GET", "POST"])
def area_edit(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    area = perms.get_area_for_user(request.user, slug, number, edit=True)
    form = AreaForm(posted(request), area=area)
    title = f"Edit area {area.number}"
    if request.method == "POST" and form.is_valid():
        try:
            services.edit_area(
                area=area,
                user=request.user,
                values=form.values,
                reason=form.cleaned_data["reason"],
                expected_version=_version(form),
            )
        except saving.EditConflict as conflict:
            return _conflict(request, form, conflict, title, area)
        messages.success(request, f"Area {area.number} saved")
        return redirect(_area_url(area))
    return _page(request, form, title, area)


@login_required
@require_http_methods(["GET", "POST"])
def action_new(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    area = perms.get_area_for_user(request.user, slug, number)
    if not perms.can_add_action(request.user, area):
        raise PermissionDenied
    form = ActionForm(posted(request), area=area)
    if request.method == "POST":
        made = create_from_form(
            form,
            Action,
            area,
            lambda: services.create_action(
                area=area,
                user=request.user,
                values=form.values,
                partners=list(form.cleaned_data["partners"]),
                token=form.token,
            ),
        )
        if made is not None:
            action, created = made
            if created:
                messages.success(request, f"Action {action.reference} added")
            else:  # Back and submit again, a double click: where the first post went
                messages.info(request, f"Action {action.reference} has already been added")
            return redirect(_area_url(area))
    return _page(request, form, f"Add an action to area {area.number}", area)


@login_required
@require_http_methods(["GET", "POST"])
def action_edit(request: HttpRequest, pk: int) -> HttpResponse:
    action = perms.get_action_for_user(request.user, pk, edit=True)
    area = action.area
    form = ActionForm(posted(request), area=area, instance=action)
    title = f"Edit action {action.reference}"
    if request.method == "POST" and form.is_valid():
        try:
            services.edit_action(
                action=action,
                user=request.user,
                values=form.values,
                partners=list(form.cleaned_data["partners"]),
                reason=form.cleaned_data["reason"],
                expected_version=_version(form),
            )
        except saving.EditConflict as conflict:
            return _conflict(request, form, conflict, title, area, action=action)
        except saving.DuplicateRecord as clash:
            _show_clash(form, clash)
            return _page(request, form, title, area, action=action)
        messages.success(request, f"Action {action.reference} saved")
        return redirect(_area_url(area))
    return _page(request, form, title, area, action=action)


@login_required
@require_http_methods(["GET", "POST"])
def milestone_new(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    area = perms.get_area_for_user(request.user, slug, number)
    if not perms.can_add_milestone(request.user, area):
        raise PermissionDenied
    form = MilestoneForm(posted(request), area=area)
    if request.method == "POST":
        made = create_from_form(
            form,
            Milestone,
            area,
            lambda: services.create_milestone(
                area=area, user=request.user, values=form.values, token=form.token
            ),
        )
        if made is not None:
            milestone, created = made
            if created:
                messages.success(request, "Milestone added")
            else:
                messages.info(request, f"“{milestone.title}” has already been added")
            return redirect(_area_url(area))
    return _page(request, form, f"Add a milestone to area {area.number}", area)


@login_required
@require_http_methods(["GET", "POST"])
def milestone_edit(request: HttpRequest, pk: int) -> HttpResponse:
    milestone = perms.get_milestone_for_user(request.user, pk, edit=True)
    area = milestone.area
    form = MilestoneForm(posted(request), area=area, instance=milestone)
    title = "Edit milestone"
    if request.method == "POST" and form.is_valid():
        try:
            services.edit_milestone(
                milestone=milestone,
                user=request.user,
                values=form.values,
                reason=form.cleaned_data["reason"],
                expected_version=_version(form),
            )
        except saving.EditConflict as conflict:
            return _conflict(request, form, conflict, title, area, milestone=milestone)
        messages.success(request, "Milestone saved")
        return redirect(_area_url(area))
    return _page(request, form, title, area, milestone=milestone)


def _already_complete(request: HttpRequest, area) -> HttpResponse:
    messages.info(request, "That milestone is already complete")
    return redirect(_area_url(area))


def _change_open_milestone(
    request: HttpRequest, pk: int, *, form_class, initial, title: str, save, done: str
) -> HttpResponse:
    """Complete or re-forecast an open milestone: ``initial(milestone)`` fills
    the form, ``save(milestone, data, expected_version)`` calls the service and
    ``done`` ends the success message."""
    milestone = perms.get_milestone_for_user(request.user, pk, edit=True)
    area = milestone.area
    if milestone.status == Milestone.Status.COMPLETE:
        return _already_complete(request, area)
    form = form_class(posted(request), initial={"version": milestone.version, **initial(milestone)})
    if request.method == "POST" and form.is_valid():
        try:
            save(milestone, form.cleaned_data, _version(form))
        except services.AlreadyComplete:
            return _already_complete(request, area)
        except saving.EditConflict as conflict:
            return _conflict(request, form, conflict, title, area, milestone=milestone)
        messages.success(request, f"Milestone “{milestone.title}” {done}")
        return redirect(_area_url(area))
    return _page(request, form, title, area, milestone=milestone)


@login_required
@require_http_methods(["GET", "POST"])
def milestone_complete(request: HttpRequest, pk: int) -> HttpResponse:
    def save(milestone: Milestone, data: dict, expected_version: int) -> None:
        services.complete_milestone(
            milestone=milestone,
            user=request.user,
            completed_date=data["completed_date"],
            note=data["reason"],
            expected_version=expected_version,
        )

    return _change_open_milestone(
        request,
        pk,
        form_class=MilestoneCompleteForm,
        initial=lambda m: {},
        title="Mark milestone complete",
        save=save,
        done="marked complete",
    )


@login_required
@require_http_methods(["GET", "POST"])
def milestone_reforecast(request: HttpRequest, pk: int) -> HttpResponse:
    def save(milestone: Milestone, data: dict, expected_version: int) -> None:
        services.reforecast_milestone(
            milestone=milestone,
            user=request.user,
            forecast_date=data["forecast_date"],
            reason=data["reason"],
            expected_version=expected_version,
        )

    return _change_open_milestone(
        request,
        pk,
        form_class=MilestoneReforecastForm,
        initial=lambda m: {"forecast_date": date_initial(m.forecast_date)},
        title="Re-forecast milestone",
        save=save,
        done="re-forecast",
    )
