"""Recording progress updates, submitting them and signing them off.

The views parse the form and call a service (plans/services.py). A request on
an update that has moved on (submitted, approved or returned meanwhile: Back
and submit again, a second tab) is answered by AlreadyDone from
plans.permissions: the update's page, with a message saying what happened."""

from __future__ import annotations

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import OuterRef, Subquery
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.forms import GovForm
from plans import permissions as perms
from plans import saving, services
from plans.forms import ProgressUpdateForm, ReviewForm
from plans.models import ProgressUpdate

from .common import conflict_response, form_page, posted
from .edits import create_from_form

log = logging.getLogger("plans.audit")

UPDATE_FORM = "plans/update_form.html"
REVIEW_FORM = "plans/update_review.html"


State = ProgressUpdate.State

# A create form posted again (Back and submit, a double click) says what the
# first post did, as AlreadyDone does for edits and sign-off.
ALREADY = {
    State.DRAFT: "This update has already been saved as a draft",
    State.SUBMITTED: "This update has already been submitted for sign-off",
    State.RETURNED: "This update has already been submitted and was returned to you",
    State.APPROVED: "This update has already been submitted and approved",
}


@login_required
@require_http_methods(["GET", "POST"])
def update_new(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    area = perms.get_area_for_user(request.user, slug, number)
    if not perms.can_record_update(request.user, area):
        raise PermissionDenied
    last_rag = services.last_approved_rag(area)
    form = ProgressUpdateForm(posted(request), last_rag=last_rag)
    title = f"Record a progress update on area {area.number}"
    if request.method == "POST":
        made = create_from_form(
            form,
            ProgressUpdate,
            area,
            lambda: services.create_update(
                area=area,
                user=request.user,
                values=form.values,
                submit="submit" in request.POST,
                token=form.token,
            ),
            author=request.user,
        )
        if made is not None:
            update, created = made
            if not created:
                messages.info(request, f"{ALREADY[update.state]}: nothing more was saved.")
            elif update.state == State.SUBMITTED:
                messages.success(request, "Update submitted for sign-off")
            else:
                messages.success(request, "Update saved as a draft")
            return redirect("plans:update", update.pk)
    return form_page(
        request, form, UPDATE_FORM, title=title, plan=area.plan, area=area, last_rag=last_rag
    )


@login_required
@require_http_methods(["GET", "POST"])
def update_edit(request: HttpRequest, pk: int) -> HttpResponse:
    update = perms.get_update_for_user(request.user, pk, edit=True)
    area = update.area
    last_rag = services.last_approved_rag(area)
    form = ProgressUpdateForm(posted(request), last_rag=last_rag, instance=update)
    title = f"Edit your update on area {area.number}"
    if request.method == "POST" and form.is_valid():
        submit = "submit" in request.POST
        try:
            services.edit_update(
                update=update,
                user=request.user,
                values=form.values,
                submit=submit,
                expected_version=form.cleaned_data["version"] or 0,
            )
        except saving.EditConflict as conflict:
            return conflict_response(
                request,
                form,
                conflict,
                UPDATE_FORM,
                title=title,
                plan=area.plan,
                area=area,
                update=update,
                last_rag=last_rag,
            )
        except saving.InvalidTransition as refused:
            messages.error(request, str(refused))
            return redirect("plans:update", update.pk)
        messages.success(request, "Update submitted for sign-off" if submit else "Draft saved")
        return redirect("plans:update", update.pk)
    return form_page(
        request,
        form,
        UPDATE_FORM,
        title=title,
        plan=area.plan,
        area=area,
        update=update,
        last_rag=last_rag,
    )


@login_required
@require_POST
def update_submit(request: HttpRequest, pk: int) -> HttpResponse:
    """Submit a draft (or returned update) as it stands, from its own page."""
    update = perms.get_update_for_user(request.user, pk, edit=True)
    form = GovForm(request.POST)
    version = form.cleaned_data["version"] if form.is_valid() else None
    try:
        services.submit_update(update=update, user=request.user, expected_version=version or 0)
    except saving.EditConflict:
        messages.error(
            request, "This update changed after you opened it: check it, then submit it again"
        )
    except saving.InvalidTransition as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, "Update submitted for sign-off")
    return redirect("plans:update", update.pk)


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
            "show_review_comment": perms.sees_review_comment(user, update),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def update_review(request: HttpRequest, pk: int) -> HttpResponse:
    update = perms.get_update_for_user(request.user, pk, review=True)
    area = update.area
    form = ReviewForm(posted(request), initial={"version": update.version})
    title = f"Sign off the update on area {area.number}"
    context = {
        "plan": area.plan,
        "area": area,
        "update": update,
        "last_rag": services.last_approved_rag(area),
        "evidence_links": update.evidence.splitlines(),
    }
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
        except saving.EditConflict as conflict:
            return conflict_response(request, form, conflict, REVIEW_FORM, title=title, **context)
        except saving.InvalidTransition as refused:
            messages.error(request, str(refused))
            return redirect("plans:update", update.pk)
        log.info(
            "update %s on area %s %s by %s",
            update.pk,
            area.number,
            "approved" if approve else "returned",
            request.user,
        )
        messages.success(
            request,
            f"Update on area {area.number} approved"
            if approve
            else f"Update on area {area.number} returned to its author",
        )
        return redirect("plans:sign_off", area.plan.slug)
    return form_page(request, form, REVIEW_FORM, title=title, **context)


@login_required
@require_GET
def sign_off(request: HttpRequest, slug: str) -> HttpResponse:
    plan = perms.get_plan_for_user(request.user, slug)
    perms.require(perms.can_sign_off(request.user, plan))
    # Each update's area's current status, for "Amber → Red": one subquery in
    # the same query, so the queue costs the same however long it is.
    last_approved = ProgressUpdate.objects.filter(area=OuterRef("area")).latest_approved_first()
    waiting = (
        ProgressUpdate.objects.filter(area__plan=plan, state=ProgressUpdate.State.SUBMITTED)
        .select_related("area", "author")
        .annotate(last_rag=Subquery(last_approved.values("rag")[:1]))
        .order_by("submitted_at")
    )
    return render(request, "plans/sign_off.html", {"plan": plan, "waiting": waiting})
