"""Recording progress updates and signing them off."""

from __future__ import annotations

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from plans import permissions as perms
from plans import services
from plans.forms import ProgressUpdateForm, ReviewForm, date_initial
from plans.models import ProgressUpdate

from .common import conflict_response, form_page, posted

log = logging.getLogger("plans.audit")

UPDATE_FIELDS = ["as_at", "rag", "narrative", "next_steps", "evidence", "rag_reason"]


def _values(form: ProgressUpdateForm) -> dict:
    return {name: form.cleaned_data[name] for name in UPDATE_FIELDS}


@login_required
@require_http_methods(["GET", "POST"])
def update_new(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    area = perms.get_area_for_user(request.user, slug, number)
    if not perms.can_record_update(request.user, area):
        raise PermissionDenied
    last_rag = services.last_approved_rag(area)
    form = ProgressUpdateForm(posted(request), last_rag=last_rag)
    if request.method == "POST" and form.is_valid():
        submit = "submit" in request.POST
        update = services.record_update(
            area=area, user=request.user, values=_values(form), submit=submit
        )
        messages.success(
            request,
            "Update submitted for sign-off" if submit else "Update saved as a draft",
        )
        return redirect("plans:update", update.pk)
    return form_page(
        request,
        form,
        "plans/update_form.html",
        title=f"Record a progress update on area {area.number}",
        plan=area.plan,
        area=area,
        last_rag=last_rag,
    )


@login_required
@require_http_methods(["GET", "POST"])
def update_edit(request: HttpRequest, pk: int) -> HttpResponse:
    update = perms.get_update_for_user(request.user, pk, edit=True)
    area = update.area
    last_rag = services.last_approved_rag(area)
    initial = {name: getattr(update, name) for name in UPDATE_FIELDS}
    initial["as_at"] = date_initial(update.as_at)
    initial["version"] = update.version
    form = ProgressUpdateForm(posted(request), initial=initial, last_rag=last_rag)
    if request.method == "POST" and form.is_valid():
        submit = "submit" in request.POST
        try:
            services.edit_update(
                update=update,
                user=request.user,
                values=_values(form),
                submit=submit,
                expected_version=form.cleaned_data["version"] or 0,
            )
        except services.EditConflict as conflict:
            return conflict_response(
                request,
                form,
                conflict,
                "plans/update_form.html",
                title=f"Edit your update on area {area.number}",
                plan=area.plan,
                area=area,
                update=update,
                last_rag=last_rag,
            )
        except services.InvalidTransition as refused:
            messages.error(request, str(refused))
            return redirect("plans:update", update.pk)
        messages.success(request, "Update submitted for sign-off" if submit else "Draft saved")
        return redirect("plans:update", update.pk)
    return form_page(
        request,
        form,
        "plans/update_form.html",
        title=f"Edit your update on area {area.number}",
        plan=area.plan,
        area=area,
        update=update,
        last_rag=last_rag,
    )


@login_required
@require_GET
def update_detail(request: HttpRequest, pk: int) -> HttpResponse:
    update = perms.get_update_for_user(request.user, pk)
    user = request.user
    return render(
        request,
        "plans/update_detail.html",
        {
            "plan": update.area.plan,
            "area": update.area,
            "update": update,
            "evidence_links": update.evidence.splitlines(),
            "can_edit": perms.can_edit_update(user, update),
            "can_review": perms.can_review_update(user, update),
            "review_form": ReviewForm(initial={"version": update.version}),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def update_review(request: HttpRequest, pk: int) -> HttpResponse:
    update = perms.get_update_for_user(request.user, pk, review=True)
    form = ReviewForm(posted(request), initial={"version": update.version})
    if request.method == "POST" and form.is_valid():
        approve = form.cleaned_data["decision"] == "approve"
        try:
            services.review_update(
                update=update,
                user=request.user,
                approve=approve,
                comment=form.cleaned_data["comment"],
                expected_version=form.cleaned_data["version"] or 0,
            )
        except services.EditConflict as conflict:
            return conflict_response(
                request,
                form,
                conflict,
                "plans/update_review.html",
                title=f"Sign off the update on area {update.area.number}",
                plan=update.area.plan,
                area=update.area,
                update=update,
            )
        except services.InvalidTransition as refused:
            messages.error(request, str(refused))
            return redirect("plans:update", update.pk)
        log.info(
            "update %s on area %s %s by %s",
            update.pk,
            update.area.number,
            "approved" if approve else "returned",
            request.user,
        )
        messages.success(
            request,
            f"Update on area {update.area.number} approved"
            if approve
            else f"Update on area {update.area.number} returned to its author",
        )
        return redirect("plans:sign_off", update.area.plan.slug)
    return form_page(
        request,
        form,
        "plans/update_review.html",
        title=f"Sign off the update on area {update.area.number}",
        plan=update.area.plan,
        area=update.area,
        update=update,
        evidence_links=update.evidence.splitlines(),
    )


@login_required
@require_GET
def sign_off(request: HttpRequest, slug: str) -> HttpResponse:
    plan = perms.get_plan_for_user(request.user, slug)
    perms.require(perms.can_sign_off(request.user, plan))
    waiting = (
        ProgressUpdate.objects.filter(area__plan=plan, state=ProgressUpdate.State.SUBMITTED)
        .select_related("area", "author")
        .order_by("submitted_at")
    )
    return render(request, "plans/sign_off.html", {"plan": plan, "waiting": waiting})
