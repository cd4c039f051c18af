"""Set-up pages: starting a plan, and its areas from the inspection's
recommendations. Their own shapes: a plan not yet made, and a list checked
before it is saved."""

from __future__ import annotations

import hashlib

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from plans import permissions as perms
from plans.forms_setup.start import RecommendationsForm, StartPlanForm
from plans.setup import start as service
from plans.setup.common import and_list

from ..common import posted
from .common import REFUSALS, plan_to_manage, show_refusal

GET_POST = require_http_methods(["GET", "POST"])


@login_required
@GET_POST
def start_plan(request: HttpRequest) -> HttpResponse:
    """A new plan, by someone who may start plans for a council (plans/permissions.py)."""
    councils = perms.councils_for_new_plans(request.user)
    perms.require(bool(councils))  # evaluated once: the form's choices reuse the rows
    form = StartPlanForm(posted(request), councils=councils)
    context = {"form": form, "title": "Start a plan", "councils": councils}
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            plan, created = service.start_plan(
                council=data["council"], values=data, by=request.user, token=form.token
            )
        except REFUSALS as refusal:
            show_refusal(form, refusal)
        else:
            messages.success(
                request,
                f"Plan “{plan.title}” started: now add its improvement areas"
                if created
                else f"Plan “{plan.title}” was already started",
            )
            return redirect("plans:areas_from_recommendations", plan.slug)
    status = 400 if request.method == "POST" else 200
    return render(request, "plans/setup/start.html", context, status=status)


@login_required
@GET_POST
def areas_paste(request: HttpRequest, slug: str) -> HttpResponse:
    """Improvement areas from the inspection's recommendations, pasted as a
    numbered list: previewed first, saved on a second, explicit step."""
    plan = plan_to_manage(request, slug)
    form = RecommendationsForm(posted(request))
    context = {"plan": plan, "form": form, "title": "Add areas from the recommendations"}
    status = 200
    if request.method == "POST" and form.is_valid():
        text = form.cleaned_data["recommendations"]
        items, errors = service.parse_recommendations(text)
        for error in errors:
            form.add_error("recommendations", error)
        # Saved only as checked: a list changed after its check is shown again first.
        context["checked"] = hashlib.sha256(text.encode()).hexdigest()
        as_checked = request.POST.get("checked") == context["checked"]
        if not errors and "save" in request.POST and not as_checked:
            messages.info(request, "The list changed after it was checked: check it again")
        elif not errors and "save" in request.POST:
            try:
                areas = service.add_areas_from_recommendations(
                    plan=plan, items=items, by=request.user
                )
            except REFUSALS as refusal:
                show_refusal(form, refusal)
            else:
                messages.success(request, f"{len(areas)} improvement areas added")
                return redirect("plans:plan", plan.slug)
        if not form.errors:
            taken = set(
                plan.areas.filter(number__in=[n for n, _ in items]).values_list("number", flat=True)
            )
            if taken:
                form.add_error(
                    "recommendations",
                    f"The plan already has area{'s' if len(taken) > 1 else ''} "
                    f"{and_list([str(n) for n in sorted(taken)])}: renumber the list",
                )
            context["items"] = items
    if request.method == "POST" and form.errors:
        status = 400
    context["existing"] = plan.areas.count()
    return render(request, "plans/setup/areas_paste.html", context, status=status)
