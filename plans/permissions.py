"""Who may see and do what: the one place the plan's rules of access live.

A user's role is held in one plan (a Membership); superusers (operators) act as
plan administrators in every plan. Every view fetches its objects through the
``get_*_for_user`` helpers below, which load the object together with the
user's role in its plan (one query), raise 404 when the user may not see it (a
plan they hold no role in, a draft that is not theirs, an unknown id) and 403
when they may see it but not do what they asked. A hidden button is never the
permission: the checks here are the permission. Templates ask the same
questions through the ``rules`` template filters (plans/templatetags).

On top of the role, an officer edits only what they own: an area they lead
(through an owner role linked to their account), an action they own, and the
milestones under either.

Progress updates are seen by role and state (``update_visibility``): board
members and scrutiny officers see approved updates only; officers see approved
updates, their own in any state and, where the plan allows, others' submitted
ones; plan administrators see everything but other people's drafts. The same
rule filters history rows, so no change list or history page shows what the
record's own page would not.
"""

from __future__ import annotations

import uuid

from django.core.exceptions import PermissionDenied
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.http import Http404

from .models import Action, ImprovementArea, Membership, Milestone, Plan, ProgressUpdate
from .roles import Role

State = ProgressUpdate.State


class AlreadyDone(Exception):
    """The user may do this kind of thing, but this record has moved on (it was
    submitted, approved or withdrawn meanwhile). Not a refusal: the page says
    what happened and links on, and nothing is logged as refused."""

    def __init__(self, message: str, url: str) -> None:
        super().__init__(message)
        self.message = message
        self.url = url


# --- Roles -------------------------------------------------------------------


def _role_subquery(user, plan_ref: str) -> Subquery:
    return Subquery(
        Membership.objects.filter(plan=OuterRef(plan_ref), user_id=user.pk).values("role")[:1]
    )


def _remember(plan: Plan, user, role: str | None) -> None:
    if user.is_superuser:
        role = Role.PLAN_ADMINISTRATOR
    plan.__dict__.setdefault("_viewer_roles", {})[user.pk] = role


def role_in(user, plan: Plan) -> str | None:
    """The user's role in ``plan``, or None. Read once per plan object."""
    if not user.is_authenticated:
        return None
    cached = plan.__dict__.get("_viewer_roles", {})
    if user.pk not in cached:
        role = (
            Membership.objects.filter(plan=plan, user_id=user.pk)
            .values_list("role", flat=True)
            .first()
        )
        _remember(plan, user, role)
    return plan.__dict__["_viewer_roles"][user.pk]


def roles_by_plan(user) -> dict[int, str]:
    """Each plan the user holds a role in, with the role (one query)."""
    if not user.is_authenticated:
        return {}
    if user.is_superuser:
        return {pk: Role.PLAN_ADMINISTRATOR for pk in Plan.objects.values_list("pk", flat=True)}
    return dict(Membership.objects.filter(user_id=user.pk).values_list("plan_id", "role"))


def visible_plans(user, qs: QuerySet | None = None) -> QuerySet:
    """The plans (of ``qs``) the user may see: those they hold a role in (every
    plan, for an operator)."""
    qs = Plan.objects.all() if qs is None else qs
    if not user.is_authenticated:
        return qs.none()
    if user.is_superuser:
        return qs
    return qs.filter(memberships__user=user)


def administers(user, plan: Plan) -> bool:
    """Plan administrators (and operators) edit and sign off everything in their plan."""
    return is_administrator_role(role_in(user, plan))


def is_administrator_role(role: str | None) -> bool:
    """A member in this role runs the plan: edits and signs off everything in
    it, and is told what needs their attention (a digest, a failed e-mail)."""
    return role == Role.PLAN_ADMINISTRATOR


def is_officer(user, plan: Plan) -> bool:
    return role_in(user, plan) == Role.OFFICER


def can_sign_off(user, plan: Plan) -> bool:
    return administers(user, plan)


def can_manage_plan(user, plan: Plan) -> bool:
    """The plan's set-up: details, themes, owners, partners, meetings, members."""
    return administers(user, plan)


def can_issue_papers(user, plan: Plan) -> bool:
    return role_in(user, plan) in (Role.PLAN_ADMINISTRATOR, Role.SCRUTINY_OFFICER)


def sees_housekeeping(user, plan: Plan) -> bool:
    """Membership changes and other set-up in the plan's change lists."""
    return administers(user, plan)


def landing(user) -> tuple[str, list]:
    """Where the user's work starts: (URL name, args) for ``redirect``."""
    roles = roles_by_plan(user)
    if any(role == Role.OFFICER for role in roles.values()):
        return "plans:my_work", []
    if len(roles) != 1:
        return "plans:plan_list", []
    ((plan_id, role),) = roles.items()
    slug = Plan.objects.values_list("slug", flat=True).get(pk=plan_id)
    target = {
        Role.PLAN_ADMINISTRATOR: "plans:sign_off",
        Role.SCRUTINY_OFFICER: "reporting:papers",
        Role.BOARD_MEMBER: "reporting:dashboard",
    }[role]
    return target, [slug]


# --- Ownership -----------------------------------------------------------------


def owns_area(user, area: ImprovementArea) -> bool:
    return area.lead is not None and area.lead.user_id == user.pk


def owns_action(user, action: Action) -> bool:
    return action.owner is not None and action.owner.user_id == user.pk


# --- Progress updates ------------------------------------------------------------


def update_visibility(user, plan: Plan) -> Q:
    """The updates (or update history rows) the user may read in ``plan``, as a
    filter on ``state`` and ``author_id``; both ProgressUpdate and its history
    rows have these fields, so pages and history use the same rule."""
    role = role_in(user, plan)
    mine = Q(author_id=user.pk)
    if role == Role.PLAN_ADMINISTRATOR:
        return ~Q(state=State.DRAFT) | mine
    if role == Role.OFFICER:
        seen = Q(state=State.APPROVED) | mine
        if plan.officers_see_submitted_updates:
            seen |= Q(state=State.SUBMITTED)
        return seen
    if role in (Role.BOARD_MEMBER, Role.SCRUTINY_OFFICER):
        return Q(state=State.APPROVED)
    return Q(pk__in=[])


def sees_workings(user, plan: Plan, author_id: int | None) -> bool:
    """How an update got to approval (its drafts, returns and reviewers'
    comments) is for its author and the plan administrators; everyone else who
    may read it sees it as published. Used by pages and history alike."""
    return author_id == user.pk or administers(user, plan)


def sees_review_comment(user, update: ProgressUpdate) -> bool:
    return sees_workings(user, update.area.plan, update.author_id)


def visible_updates(user, plan: Plan, qs: QuerySet | None = None) -> QuerySet:
    qs = ProgressUpdate.objects.all() if qs is None else qs
    return qs.filter(update_visibility(user, plan))


def can_view_update(user, update: ProgressUpdate) -> bool:
    plan = update.area.plan
    role = role_in(user, plan)
    if role is None:
        return False
    if update.author_id == user.pk:
        return True
    if update.state == State.APPROVED:
        return True
    if role == Role.PLAN_ADMINISTRATOR:
        return update.state != State.DRAFT
    if role == Role.OFFICER:
        return update.state == State.SUBMITTED and plan.officers_see_submitted_updates
    return False


def can_record_update(user, area: ImprovementArea) -> bool:
    plan = area.plan
    return administers(user, plan) or (
        is_officer(user, plan) and (owns_area(user, area) or plan.officers_may_update_any_area)
    )


def may_edit_updates_of(user, update: ProgressUpdate) -> bool:
    """The author, while they may still record updates on the area."""
    return update.author_id == user.pk and can_record_update(user, update.area)


def can_edit_update(user, update: ProgressUpdate) -> bool:
    """Authors edit (and submit) their own drafts and returned updates."""
    editable = update.state in (State.DRAFT, State.RETURNED)
    return editable and may_edit_updates_of(user, update)


def may_review(role: str | None, user_id: int | None, update: ProgressUpdate) -> bool:
    """Sign-off, by role: a plan administrator, on a submitted update they did
    not write. Pages ask it of the user (``can_review_update``); the sign-off
    e-mails of each member of the plan (reminders/events.py)."""
    return (
        update.state == State.SUBMITTED
        and is_administrator_role(role)
        and update.author_id != user_id
    )


def can_review_update(user, update: ProgressUpdate) -> bool:
    # The role is read only for a submitted update.
    if update.state != State.SUBMITTED:
        return False
    return may_review(role_in(user, update.area.plan), user.pk, update)


# --- Areas, actions, milestones ----------------------------------------------------


def can_edit_area(user, area: ImprovementArea) -> bool:
    return administers(user, area.plan)


def can_add_action(user, area: ImprovementArea) -> bool:
    return administers(user, area.plan) or (is_officer(user, area.plan) and owns_area(user, area))


def can_edit_action(user, action: Action) -> bool:
    plan = action.area.plan
    return administers(user, plan) or (
        is_officer(user, plan) and (owns_area(user, action.area) or owns_action(user, action))
    )


def can_add_milestone(user, area: ImprovementArea) -> bool:
    return can_add_action(user, area)


def can_edit_milestone(user, milestone: Milestone) -> bool:
    plan = milestone.area.plan
    return administers(user, plan) or (
        is_officer(user, plan)
        and (
            owns_area(user, milestone.area)
            or (milestone.action is not None and owns_action(user, milestone.action))
        )
    )


# --- Fetching objects for a user ------------------------------------------------------


def require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def _visible(qs: QuerySet, user, plan_ref: str) -> QuerySet:
    """Annotate the user's role in the object's plan; keep objects in plans they hold one in."""
    qs = qs.annotate(viewer_role=_role_subquery(user, plan_ref))
    return qs if user.is_superuser else qs.filter(viewer_role__isnull=False)


def get_plan_for_user(user, slug: str) -> Plan:
    plan = _visible(Plan.objects.filter(slug=slug), user, "pk").select_related("organisation")
    plan = plan.first()
    if plan is None:
        raise Http404("No such plan")
    _remember(plan, user, plan.viewer_role)
    return plan


def get_area_for_user(user, slug: str, number: int, *, edit: bool = False) -> ImprovementArea:
    area = (
        _visible(ImprovementArea.objects.filter(plan__slug=slug, number=number), user, "plan")
        .select_related("plan__organisation", "lead__organisation", "theme")
        .first()
    )
    if area is None:
        raise Http404("No such improvement area")
    _remember(area.plan, user, area.viewer_role)
    if edit:
        require(can_edit_area(user, area))
    return area


def get_action_for_user(user, pk: int, *, edit: bool = False) -> Action:
    action = (
        _visible(Action.objects.filter(pk=pk), user, "area__plan")
        .select_related("area__plan__organisation", "area__lead", "owner__organisation")
        .first()
    )
    if action is None:
        raise Http404("No such action")
    _remember(action.area.plan, user, action.viewer_role)
    if edit:
        require(can_edit_action(user, action))
    return action


def get_milestone_for_user(user, pk: int, *, edit: bool = False) -> Milestone:
    milestone = (
        _visible(Milestone.objects.filter(pk=pk), user, "area__plan")
        .select_related("area__plan__organisation", "area__lead", "action__owner")
        .first()
    )
    if milestone is None:
        raise Http404("No such milestone")
    _remember(milestone.area.plan, user, milestone.viewer_role)
    if edit:
        require(can_edit_milestone(user, milestone))
    return milestone


def get_update_for_user(
    user, pk: int, *, edit: bool = False, review: bool = False
) -> ProgressUpdate:
    """An update the user may read (404 otherwise: a draft that is not theirs
    does not exist for them). ``edit``/``review``: AlreadyDone when the update
    has moved on past what the user could have done, 403 when they never could."""
    from django.urls import reverse

    update = (
        _visible(ProgressUpdate.objects.filter(pk=pk), user, "area__plan")
        .select_related("area__plan__organisation", "area__lead", "action", "author", "approved_by")
        .first()
    )
    if update is None:
        raise Http404("No such progress update")
    _remember(update.area.plan, user, update.viewer_role)
    if not can_view_update(user, update):
        raise Http404("No such progress update")
    url = reverse("plans:update", args=[update.pk])
    if edit and not can_edit_update(user, update):
        if may_edit_updates_of(user, update):
            raise AlreadyDone(_moved_on(update, "edited"), url)
        raise PermissionDenied
    if review and not can_review_update(user, update):
        if can_sign_off(user, update.area.plan) and update.author_id != user.pk:
            raise AlreadyDone(_moved_on(update, "signed off"), url)
        raise PermissionDenied
    return update


def _moved_on(update: ProgressUpdate, verb: str) -> str:
    said = {
        State.DRAFT: "This update is still a draft: it has not been submitted for sign-off",
        State.SUBMITTED: "This update has already been submitted for sign-off",
        State.RETURNED: "This update has been returned to its author",
        State.APPROVED: "This update has already been approved",
    }[update.state]
    return f"{said}, so it cannot be {verb} now."


# --- Returns and reminders (reminders/) ------------------------------------------------


def can_see_returns(user, plan: Plan) -> bool:
    """The returns page for the next board, its "Remind now" actions, the
    plan's e-mail history and its return settings: plan administrators."""
    return administers(user, plan)


def get_plan_for_returns(user, slug: str) -> Plan:
    """The plan, for its returns pages: 404 to non-members, 403 to other roles."""
    plan = get_plan_for_user(user, slug)
    require(can_see_returns(user, plan))
    return plan


# --- Success measures (measures/) -------------------------------------------------------


def owns_measure(user, measure) -> bool:
    return measure.owner is not None and measure.owner.user_id == user.pk


def can_define_measures(user, area: ImprovementArea) -> bool:
    """Add a measure to an area, or change one's definition, target and tolerance:
    plan administrators, and officers leading the area."""
    return administers(user, area.plan) or (is_officer(user, area.plan) and owns_area(user, area))


def can_enter_figures(user, measure) -> bool:
    """Enter or correct a measure's figures: its owner (an officer holding the
    owner role) and plan administrators."""
    plan = measure.area.plan
    return administers(user, plan) or (is_officer(user, plan) and owns_measure(user, measure))


def may_enter_any_figures(user, plan: Plan) -> bool:
    """The figures page and the upload: officers (for the measures they own)
    and plan administrators (for every measure)."""
    return role_in(user, plan) in (Role.PLAN_ADMINISTRATOR, Role.OFFICER)


def can_manage_measure_settings(user, plan: Plan) -> bool:
    """The plan's default tolerance and when figures are due."""
    return administers(user, plan)


def get_measure_for_user(user, measures: QuerySet, *, define: bool = False, enter: bool = False):
    """The measure of ``measures`` (one, by id: ``Measure.objects.filter(pk=…)``)
    if the user may see it (404 otherwise), with its area, plan and owner in the
    same query; 403 if ``define``/``enter`` and they may not."""
    measure = (
        _visible(measures, user, "area__plan")
        .select_related("area__plan__organisation", "area__lead", "owner__organisation", "action")
        .first()
    )
    if measure is None:
        raise Http404("No such measure")
    _remember(measure.area.plan, user, measure.viewer_role)
    if define:
        require(can_define_measures(user, measure.area))
    if enter:
        require(can_enter_figures(user, measure))
    return measure


def enterable_measures(user, plan: Plan, qs: QuerySet) -> QuerySet:
    """The measures (of ``qs``, in ``plan``) whose figures the user may enter."""
    if administers(user, plan):
        return qs
    if is_officer(user, plan):
        return qs.filter(owner__user_id=user.pk)
    return qs.none()


# --- Starting a plan, and the plan as a workbook (workbook/) ------------------------------


def councils_for_new_plans(user) -> QuerySet:
    """The councils the user may start a plan for: any, for an operator; else
    those whose plans they administer, and those the operators named them for
    (workbook.CouncilAdministrator, ``manage.py create_council``)."""
    from .models import Organisation

    councils = Organisation.objects.filter(council__isnull=True).order_by("name")
    if not user.is_authenticated:
        return councils.none()
    if user.is_superuser:
        return councils
    administered = Membership.objects.filter(user_id=user.pk, role=Role.PLAN_ADMINISTRATOR).values(
        "plan__organisation"
    )
    return councils.filter(Q(pk__in=administered) | Q(plan_starters__user_id=user.pk)).distinct()


def can_start_plan(user) -> bool:
    return councils_for_new_plans(user).exists()


def can_exchange_plan_workbook(user, plan: Plan) -> bool:
    """Export the whole plan to a workbook and import it back: plan administrators."""
    return administers(user, plan)


def can_bulk_update(user, plan: Plan) -> bool:
    """The progress updates workbook: officers (for their areas) and plan
    administrators (for any area)."""
    return administers(user, plan) or is_officer(user, plan)


def get_plan_for_workbook(user, slug: str, *, whole_plan: bool) -> Plan:
    """The plan, for its workbook pages: 404 to non-members, 403 to roles
    without the right (``whole_plan``: export and import of the plan itself)."""
    plan = get_plan_for_user(user, slug)
    allowed = can_exchange_plan_workbook if whole_plan else can_bulk_update
    require(allowed(user, plan))
    return plan


def get_pending_import_for_user(user, plan: Plan, waiting: QuerySet, pk):
    """A checked import waiting for confirmation (of ``waiting``: those not yet
    expired): the user's own, in this plan; anyone else's, or another plan's,
    is not found."""
    try:
        pk = uuid.UUID(str(pk))
    except ValueError:
        raise Http404("No such import") from None
    pending = waiting.filter(pk=pk, plan=plan, user_id=user.pk).first()
    if pending is None:
        raise Http404("No such import")
    return pending
