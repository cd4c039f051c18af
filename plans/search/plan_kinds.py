"""The plan's own records in its search: improvement areas, actions,
milestones and approved progress updates. Registered from PlansConfig.ready;
other apps register theirs from their own ready() (success measures)."""

from __future__ import annotations

from django.urls import reverse

from plans.models import Action, ImprovementArea, Milestone, ProgressUpdate, format_plan_date

from .query import title
from .registry import Kind, Place, register


def area_url(area: ImprovementArea, anchor: str = "") -> str:
    """The area's page, at ``anchor`` (a record on it) if given."""
    url = reverse("plans:area", args=[area.plan.slug, area.number])
    return f"{url}#{anchor}" if anchor else url


def in_area(area: ImprovementArea, action: Action | None) -> str:
    """ "area 5, action 5.2", or "area 5"."""
    return f"area {area.number}, action {action.reference}" if action else f"area {area.number}"


def _area(area: ImprovementArea) -> Place:
    return Place(title(area.recommendation), area_url(area), f"Improvement area {area.number}")


def _action(action: Action) -> Place:
    return Place(
        f"{action.reference} {action.title}",
        area_url(action.area, f"action-{action.pk}"),
        f"Action {action.reference} in area {action.area.number}",
    )


def _milestone(milestone: Milestone) -> Place:
    return Place(
        milestone.title,
        area_url(milestone.area, f"milestone-{milestone.pk}"),
        f"Milestone in {in_area(milestone.area, milestone.action)}",
    )


def _update(update: ProgressUpdate) -> Place:
    where = in_area(update.area, update.action)
    return Place(
        title(update.narrative),
        reverse("plans:update", args=[update.pk]),
        f"Approved update on {where}, as at {format_plan_date(update.as_at)}",
    )


register(
    Kind(
        key="areas",
        heading="Improvement areas",
        plural="improvement areas",
        singular="improvement area",
        order=10,
        fields=("number", "recommendation"),
        records=lambda plan: ImprovementArea.objects.filter(plan=plan).select_related("plan"),
        place=_area,
        excerpt_fields=("recommendation",),
        ordering=("number",),
    )
)
register(
    Kind(
        key="actions",
        heading="Actions",
        plural="actions",
        singular="action",
        order=20,
        fields=("reference", "title", "description"),
        records=lambda plan: Action.objects.filter(area__plan=plan).select_related("area__plan"),
        place=_action,
        excerpt_fields=("description",),
        ordering=("area__number", "reference", "pk"),
    )
)
register(
    Kind(
        key="milestones",
        heading="Milestones",
        plural="milestones",
        singular="milestone",
        order=30,
        fields=("title", "note"),
        records=lambda plan: Milestone.objects.filter(area__plan=plan).select_related(
            "area__plan", "action"
        ),
        place=_milestone,
        excerpt_fields=("note",),
        ordering=("area__number", "due_date", "pk"),
    )
)
register(
    Kind(
        key="updates",
        heading="Approved progress updates",
        plural="approved progress updates",
        singular="approved progress update",
        order=40,
        fields=("narrative", "next_steps"),
        # Approved updates only: every member of the plan may read them.
        # Drafts, returned and submitted texts are never searched.
        records=lambda plan: ProgressUpdate.objects.filter(
            area__plan=plan, state=ProgressUpdate.State.APPROVED
        ).select_related("area__plan", "action"),
        place=_update,
        excerpt_fields=("narrative", "next_steps"),
        ordering=("-as_at", "area__number", "-pk"),
    )
)
