"""The plan's own records in its change log: areas, actions, milestones,
progress updates, meetings, themes, the plan itself, and the set-up its
administrators keep (memberships, owners, organisations). Registered from
PlansConfig.ready; other apps register theirs from their own ready()."""

from __future__ import annotations

from django.db.models import Q
from django.urls import reverse

from plans.models import (
    Action,
    ImprovementArea,
    Meeting,
    Membership,
    Milestone,
    Organisation,
    Owner,
    Plan,
    ProgressUpdate,
    Theme,
    format_plan_date,
    history_rows,
)

from .registry import Source, register
from .wording import UPDATE_HIDDEN, Context


def _area(row, context: Context) -> tuple[str, str]:
    # Link by the area's number now: it may have been renumbered since.
    current = context.lookups.get(ImprovementArea, row.id)
    number = current.number if current is not None else row.number
    may_link = context.may_link(ImprovementArea, row.id)
    url = reverse("plans:area", args=[context.plan_slug, number]) if may_link else ""
    return f"Area {row.number}", url


def _action(row, context: Context) -> tuple[str, str]:
    may_link = context.may_link(Action, row.id)
    url = reverse("plans:action_history", args=[row.id]) if may_link else ""
    return f"Action {row.reference} {row.title}", url


def _milestone(row, context: Context) -> tuple[str, str]:
    may_link = context.may_link(Milestone, row.id)
    url = reverse("plans:milestone_history", args=[row.id]) if may_link else ""
    return f"Milestone: {row.title}", url


def _update(row, context: Context) -> tuple[str, str]:
    area = context.lookups.get(ImprovementArea, row.area_id)
    number = area.number if area is not None else "?"
    return (
        f"Update on area {number} as at {format_plan_date(row.as_at)}",
        reverse("plans:update", args=[row.id]) if context.may_open_update(row.id) else "",
    )


def _membership(row, context: Context) -> tuple[str, str]:
    user_model = Membership._meta.get_field("user").related_model
    return f"Membership: {context.lookups.name(user_model, row.user_id)}", ""


def _in_council(plan: Plan) -> Q:
    # Owners and organisations are kept per council: the plan's council's own.
    council = plan.organisation.council_id_or_own
    return Q(id=council) | Q(council_id=council)


def _owners_in_council(plan: Plan) -> Q:
    return Q(organisation_id__in=history_rows(Organisation).filter(_in_council(plan)).values("id"))


for _kind in (
    Source(
        "area",
        "Improvement areas",
        ImprovementArea,
        order=10,
        plan_field="plan_id",
        area_field="id",
        subject=_area,
        linked=True,
    ),
    Source(
        "action",
        "Actions",
        Action,
        order=20,
        area_field="area_id",
        subject=_action,
        linked=True,
    ),
    Source(
        "milestone",
        "Milestones",
        Milestone,
        order=30,
        area_field="area_id",
        subject=_milestone,
        linked=True,
    ),
    Source(
        "update",
        "Progress updates",
        ProgressUpdate,
        order=40,
        area_field="area_id",
        subject=_update,
        hidden=UPDATE_HIDDEN,
    ),
    # Success measures and their figures come here (measures/change_log.py).
    Source(
        "meeting",
        "Meetings",
        Meeting,
        order=70,
        plan_field="plan_id",
        subject=lambda row, context: (f"Meeting: {row.title}", ""),
        labels={"kind": "Type of meeting"},
    ),
    Source(
        "theme",
        "Themes",
        Theme,
        order=80,
        plan_field="plan_id",
        subject=lambda row, context: (f"Theme: {row.name}", ""),
    ),
    Source(
        "plan",
        "The plan's details",
        Plan,
        order=90,
        in_plan=lambda plan: Q(id=plan.pk),
        subject=lambda row, context: (
            f"Plan: {row.title}",
            reverse("plans:plan", args=[context.plan_slug]),
        ),
        labels={"organisation": "Council"},
    ),
    # Measure settings and return settings come here (measures/, reminders/).
    Source(
        "membership",
        "Memberships (who holds which role)",
        Membership,
        order=120,
        housekeeping=True,
        plan_field="plan_id",
        subject=_membership,
        labels={"user": "Person"},
    ),
    Source(
        "owner",
        "Owners",
        Owner,
        order=130,
        housekeeping=True,
        in_plan=_owners_in_council,
        subject=lambda row, context: (f"Owner: {row.job_title}", ""),
        labels={"user": "Linked account"},
    ),
    Source(
        "organisation",
        "Organisations",
        Organisation,
        order=140,
        housekeeping=True,
        in_plan=_in_council,
        subject=lambda row, context: (f"Organisation: {row.name}", ""),
        labels={"kind": "Type of organisation", "council": "Partner of"},
    ),
):
    register(_kind)
