"""Who may see and do what: one place per object type.

Every view fetches its objects through the ``get_*_for_user`` helpers below,
which load the object with what the check needs (one query), raise 404 when the
user may not see it (a plan they are not a member of, an unknown id) and 403
when they may see it but not do what they asked. A hidden button is never the
permission: the checks here are the permission.

Roles are groups with model permissions (plans/roles.py): officers and plan
administrators have ``add``/``change`` permissions, board members and scrutiny
officers only ``view``. On top of that, an officer edits only what they own: an
area they lead (through an owner role linked to their account), an action they
own, and the milestones under either.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404

from .models import Action, ImprovementArea, Milestone, Plan, ProgressUpdate


def administers(user, plan: Plan) -> bool:
    """Plan administrators (and superusers) edit and approve everything in their plan."""
    return user.has_perm("plans.change_improvementarea")


def owns_area(user, area: ImprovementArea) -> bool:
    return area.lead is not None and area.lead.user_id == user.pk


def owns_action(user, action: Action) -> bool:
    return action.owner is not None and action.owner.user_id == user.pk


def can_record_update(user, area: ImprovementArea) -> bool:
    if not user.has_perm("plans.add_progressupdate"):
        return False
    return (
        administers(user, area.plan)
        or owns_area(user, area)
        or area.plan.officers_may_update_any_area
    )


def can_edit_update(user, update: ProgressUpdate) -> bool:
    """Authors edit their own drafts and returned updates; nothing once submitted."""
    editable = update.state in (ProgressUpdate.State.DRAFT, ProgressUpdate.State.RETURNED)
    return (
        editable
        and update.author_id == user.pk
        and user.has_perm("plans.change_progressupdate")
        and can_record_update(user, update.area)
    )


def can_review_update(user, update: ProgressUpdate) -> bool:
    """Sign-off: a plan administrator, on a submitted update they did not write."""
    return (
        update.state == ProgressUpdate.State.SUBMITTED
        and user.has_perm("plans.approve_progressupdate")
        and update.author_id != user.pk
    )


def can_edit_area(user, area: ImprovementArea) -> bool:
    return administers(user, area.plan)


def can_add_action(user, area: ImprovementArea) -> bool:
    return user.has_perm("plans.add_action") and (
        administers(user, area.plan) or owns_area(user, area)
    )


def can_edit_action(user, action: Action) -> bool:
    return user.has_perm("plans.change_action") and (
        administers(user, action.area.plan)
        or owns_area(user, action.area)
        or owns_action(user, action)
    )


def can_add_milestone(user, area: ImprovementArea) -> bool:
    return user.has_perm("plans.add_milestone") and (
        administers(user, area.plan) or owns_area(user, area)
    )


def can_edit_milestone(user, milestone: Milestone) -> bool:
    return user.has_perm("plans.change_milestone") and (
        administers(user, milestone.area.plan)
        or owns_area(user, milestone.area)
        or (milestone.action is not None and owns_action(user, milestone.action))
    )


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def get_plan_for_user(user, slug: str) -> Plan:
    plan = Plan.objects.visible_to(user).filter(slug=slug).select_related("organisation").first()
    if plan is None:
        raise Http404("No such plan")
    return plan


def get_area_for_user(user, slug: str, number: int, *, edit: bool = False) -> ImprovementArea:
    area = (
        ImprovementArea.objects.filter(plan__slug=slug, number=number)
        .filter(plan__in=Plan.objects.visible_to(user))
        .select_related("plan__organisation", "lead__organisation", "theme")
        .first()
    )
    if area is None:
        raise Http404("No such improvement area")
    if edit:
        _require(can_edit_area(user, area))
    return area


def get_action_for_user(user, pk: int, *, edit: bool = False) -> Action:
    action = (
        Action.objects.filter(pk=pk, area__plan__in=Plan.objects.visible_to(user))
        .select_related("area__plan", "area__lead", "owner__organisation")
        .first()
    )
    if action is None:
        raise Http404("No such action")
    if edit:
        _require(can_edit_action(user, action))
    return action


def get_milestone_for_user(user, pk: int, *, edit: bool = False) -> Milestone:
    milestone = (
        Milestone.objects.filter(pk=pk, area__plan__in=Plan.objects.visible_to(user))
        .select_related("area__plan", "area__lead", "action__owner")
        .first()
    )
    if milestone is None:
        raise Http404("No such milestone")
    if edit:
        _require(can_edit_milestone(user, milestone))
    return milestone


def get_update_for_user(
    user, pk: int, *, edit: bool = False, review: bool = False
) -> ProgressUpdate:
    update = (
        ProgressUpdate.objects.filter(pk=pk, area__plan__in=Plan.objects.visible_to(user))
        .select_related("area__plan", "area__lead", "action", "author", "approved_by")
        .first()
    )
    if update is None:
        raise Http404("No such progress update")
    if edit:
        _require(can_edit_update(user, update))
    if review:
        _require(can_review_update(user, update))
    return update
