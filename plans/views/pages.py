"""Reading the plan: home, plan overview, area page, my work, public pages."""

from __future__ import annotations

import datetime

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import BooleanField, ExpressionWrapper, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from core.rag import RAG
from plans import page_parts
from plans import permissions as perms
from plans.models import (
    Action,
    ImprovementArea,
    Milestone,
    ProgressUpdate,
    action_overdue_in_query,
)
from plans.overview import OverviewForm, overview_page

# An area whose latest update is older than this is due a new one.
UPDATE_DUE_AFTER_DAYS = 30
UPDATES_PER_PAGE = 10
# "Due soon" on my work: milestones expected within this many days.
DUE_SOON_DAYS = 30


@require_GET
def accessibility(request: HttpRequest) -> HttpResponse:
    return render(request, "plans/accessibility.html")


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Send each user to where their work starts."""
    target, args = perms.landing(request.user)
    return redirect(target, *args)


@login_required
@require_GET
def plan_list(request: HttpRequest) -> HttpResponse:
    plans = perms.visible_plans(request.user).select_related("organisation")
    return render(request, "plans/plan_list.html", {"plans": plans})


@login_required
@require_GET
def plan_overview(request: HttpRequest, slug: str) -> HttpResponse:
    """The plan's areas, filtered and sorted as the address asks (plans/overview.py).
    A filter or sort that is not one of the plan's own is shown as an error
    (400), and the page shows what was valid of the rest."""
    plan = perms.get_plan_for_user(request.user, slug)
    today = timezone.localdate()
    form = OverviewForm(request.GET, plan=plan)
    valid = form.is_valid()
    areas = ImprovementArea.objects.filter(plan=plan).for_overview(today)
    areas = list(form.selection().apply(areas))
    awaiting = (
        ProgressUpdate.objects.filter(area__plan=plan, state=ProgressUpdate.State.SUBMITTED).count()
        if perms.can_sign_off(request.user, plan)
        else None
    )
    return render(
        request,
        "plans/plan_overview.html",
        {
            "plan": plan,
            "areas": areas,
            "today": today,
            "awaiting_sign_off": awaiting,
            "form": form,
            "overview": overview_page(form, request.path, len(areas)),
        },
        status=200 if valid else 400,
    )


@login_required
@require_GET
def area_detail(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    area = perms.get_area_for_user(request.user, slug, number)
    today = timezone.localdate()
    user = request.user
    actions = list(area.actions.select_related("owner__organisation").prefetch_related("partners"))
    milestones = list(area.milestones.select_related("action__owner"))
    updates = perms.visible_updates(
        user, area.plan, area.updates.select_related("author", "approved_by", "action")
    )
    current = area.updates.latest_approved_first().first()
    # Newest first, a page at a time: an area may gather hundreds of updates.
    page = Paginator(updates, UPDATES_PER_PAGE).get_page(request.GET.get("page"))
    for action in actions:
        action.overdue = action.is_overdue(today)
        action.editable = perms.can_edit_action(user, action)
    for milestone in milestones:
        milestone.overdue = milestone.is_overdue(today)
        milestone.editable = perms.can_edit_milestone(user, milestone)
    # Rated green or blue while a milestone or action is overdue: said, not left
    # to be noticed.
    overdue = {
        "milestones": sum(m.overdue for m in milestones),
        "actions": sum(a.overdue for a in actions),
    }
    rated_well = bool(current and current.rag in (RAG.GREEN, RAG.BLUE))
    contradiction = sum(overdue.values()) if rated_well else 0
    return render(
        request,
        "plans/area_detail.html",
        {
            "plan": area.plan,
            "area": area,
            "actions": actions,
            "milestones": milestones,
            "updates": page,
            "current": current,
            "contradiction": contradiction,  # how many are overdue, if rated green or blue
            "overdue": overdue,
            "can_record_update": perms.can_record_update(user, area),
            "can_edit_area": perms.can_edit_area(user, area),
            "can_add_action": perms.can_add_action(user, area),
            "can_add_milestone": perms.can_add_milestone(user, area),
            # What other apps add (plans/page_parts.py): measures' cards and charts.
            **page_parts.area_page(area, user, today),
        },
    )


@login_required
@require_GET
def my_work(request: HttpRequest) -> HttpResponse:
    """An officer's home: what they own, updates due or in draft, milestones
    overdue or due in the next 30 days, and their actions overdue."""
    user = request.user
    today = timezone.localdate()
    visible = perms.visible_plans(user)
    areas = list(
        ImprovementArea.objects.filter(plan__in=visible, lead__user=user)
        .select_related("plan")
        .with_status()
        .order_by("plan__title", "number")
    )
    due_before = today - datetime.timedelta(days=UPDATE_DUE_AFTER_DAYS)
    for area in areas:
        area.update_due = area.current_as_at is None or area.current_as_at < due_before
    actions = list(
        Action.objects.filter(area__plan__in=visible, owner__user=user)
        .select_related("area__plan")
        # ActionDates.is_overdue, worked out in the same query.
        .annotate(overdue=ExpressionWrapper(action_overdue_in_query(today), BooleanField()))
        .order_by("area__plan__title", "area__number", "reference")
    )
    overdue_actions = sorted((a for a in actions if a.overdue), key=lambda a: a.due_date)
    owned = Q(area__lead__user=user) | Q(action__owner__user=user)
    mine = Milestone.objects.filter(owned, area__plan__in=visible).select_related("area__plan")
    overdue = list(mine.overdue(today).order_by("due_date"))
    due_soon = list(mine.due_within(today, DUE_SOON_DAYS).order_by("due_date"))
    drafts = list(
        ProgressUpdate.objects.filter(
            author=user,
            area__plan__in=visible,
            state__in=[ProgressUpdate.State.DRAFT, ProgressUpdate.State.RETURNED],
        )
        .select_related("area__plan")
        .order_by("-created_at")
    )
    submitted = list(
        ProgressUpdate.objects.filter(
            author=user, area__plan__in=visible, state=ProgressUpdate.State.SUBMITTED
        )
        .select_related("area__plan")
        .order_by("-submitted_at")
    )
    return render(
        request,
        "plans/my_work.html",
        {
            "areas": areas,
            "actions": actions,
            "overdue": overdue,
            "overdue_actions": overdue_actions,
            "due_soon": due_soon,
            "drafts": drafts,
            "submitted": submitted,
            "today": today,
            "due_soon_days": DUE_SOON_DAYS,
            "update_due_days": UPDATE_DUE_AFTER_DAYS,
            # What other apps add (plans/page_parts.py): each area's return for
            # the next board (reminders) and the figures this officer owes (measures).
            **page_parts.my_work(user, today, areas),
        },
    )
