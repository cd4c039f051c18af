"""Adding and changing measures, and the plan's measure settings."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from plans import permissions as perms
from plans.saving import DuplicateRecord, EditConflict
from plans.views.common import posted

from .. import services
from ..forms import MeasureForm, SettingsForm
from ..models import Measure, MeasureSettings
from .common import CONFLICT, page

FORM = "measures/measure_form.html"


def area_url(area, measure_id: int | None = None) -> str:
    url = reverse("plans:area", args=[area.plan.slug, area.number])
    return f"{url}#measure-{measure_id}" if measure_id else f"{url}#measures"


@login_required
@require_http_methods(["GET", "POST"])
def measure_new(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    area = perms.get_area_for_user(request.user, slug, number)
    perms.require(perms.can_define_measures(request.user, area))
    form = MeasureForm(posted(request), area=area)
    context = {"plan": area.plan, "area": area, "title": f"Add a measure to area {area.number}"}
    if request.method == "POST" and form.is_valid():
        try:
            measure, _ = services.create_measure(
                area=area, values=form.values, user=request.user, token=form.token
            )
        except DuplicateRecord as clash:
            form.add_error(None, clash.message)
        else:
            messages.success(request, f"Measure added: {measure.name}")
            return redirect(area_url(area, measure.pk))
    return page(request, FORM, context, form=form)


@login_required
@require_http_methods(["GET", "POST"])
def measure_edit(request: HttpRequest, pk: int) -> HttpResponse:
    measure = perms.get_measure_for_user(request.user, Measure.objects.filter(pk=pk), define=True)
    area = measure.area
    form = MeasureForm(posted(request), area=area, instance=measure)
    context = {
        "plan": area.plan,
        "area": area,
        "measure": measure,
        "title": f"Change {measure.name}",
    }
    if request.method == "POST" and form.is_valid():
        try:
            services.edit_measure(
                measure=measure,
                values=form.values,
                user=request.user,
                reason=form.cleaned_data["reason"],
                expected_version=form.cleaned_data["version"] or 0,
            )
        except EditConflict as conflict:
            form = MeasureForm(
                {**request.POST.dict(), "version": conflict.current.version},
                area=area,
                instance=conflict.current,
            )
            form.is_valid()
            form.add_error(None, CONFLICT)
            response = page(request, FORM, context, form=form)
            response.status_code = 409
            return response
        messages.success(request, f"Measure saved: {measure.name}")
        return redirect(area_url(area, measure.pk))
    return page(request, FORM, context, form=form)


@login_required
@require_http_methods(["GET", "POST"])
def measure_settings(request: HttpRequest, slug: str) -> HttpResponse:
    plan = perms.get_plan_for_user(request.user, slug)
    perms.require(perms.can_manage_measure_settings(request.user, plan))
    current = MeasureSettings.defaults(plan)
    initial = {
        "default_tolerance": f"{current.default_tolerance.normalize():f}",
        "default_tolerance_kind": current.default_tolerance_kind,
        "figures_due_days": current.figures_due_days,
        "version": current.version,
    }
    form = SettingsForm(posted(request), initial=initial)
    context = {"plan": plan, "title": "Measure settings"}
    if request.method == "POST" and form.is_valid():
        try:
            services.save_settings(
                plan=plan,
                values=form.values,
                user=request.user,
                expected_version=form.cleaned_data["version"],
            )
        except EditConflict as conflict:
            data = request.POST.copy()
            data["version"] = conflict.current.version
            form = SettingsForm(data, initial=initial)
            form.is_valid()
            form.add_error(None, CONFLICT)
            response = page(request, "measures/settings.html", context, form=form)
            response.status_code = 409
            return response
        messages.success(request, "Measure settings saved")
        return redirect(reverse("measures:settings", args=[plan.slug]))
    return page(request, "measures/settings.html", context, form=form)
