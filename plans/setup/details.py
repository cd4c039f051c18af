"""The plan's details and its themes."""

from __future__ import annotations

import uuid

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils.text import slugify

from plans.models import ImprovementArea, Plan, Theme
from plans.saving import delete_with_history

from .common import Refused, add_once, and_list, check, of_plan, save_checked, with_history

PLAN_DETAIL_FIELDS = (
    "title",
    "inspection_name",
    "inspection_start",
    "inspection_end",
    "judgement_areas",
    "sent_to_inspectorate",
    "board_name",
    "board_description",
    "overview",
    "officers_may_update_any_area",
    "officers_see_submitted_updates",
    "escalate_overdue_after_days",
)

INSPECTION_ENDS_BEFORE_START = "The inspection end date must be the same as or after its start date"


def save_plan_details(
    *, plan: Plan, values: dict, by: AbstractBaseUser, reason: str, expected_version: int
) -> None:
    check(by, plan)
    if values["inspection_end"] < values["inspection_start"]:
        raise Refused(INSPECTION_ENDS_BEFORE_START, "inspection_end")
    for name in PLAN_DETAIL_FIELDS:
        setattr(plan, name, values[name])
    save_checked(plan, expected_version=expected_version, by=by, reason=reason)


# --- Themes ------------------------------------------------------------------------


def _theme_slug(plan: Plan, name: str, theme: Theme | None) -> str:
    slug = slugify(name)[:100].strip("-") or "theme"
    clash = Theme.objects.filter(plan=plan, slug=slug)
    if theme is not None:
        clash = clash.exclude(pk=theme.pk)
    other = clash.first()
    if other is not None:
        raise Refused(
            f"This plan already has a theme called “{other.name}”: enter a different name", "name"
        )
    return slug


def add_theme(
    *, plan: Plan, name: str, order: int, by: AbstractBaseUser, token: uuid.UUID | None
) -> tuple[Theme, bool]:
    check(by, plan)
    return add_once(
        Theme,
        token=token,
        belongs=of_plan(plan),
        build=lambda: Theme(plan=plan, name=name, order=order, slug=_theme_slug(plan, name, None)),
        save=with_history(by, "Theme added"),
    )


def edit_theme(
    *,
    theme: Theme,
    name: str,
    order: int,
    by: AbstractBaseUser,
    reason: str,
    expected_version: int,
) -> None:
    check(by, theme.plan)
    # The slug follows the name; nothing links to a theme by its slug.
    theme.slug = _theme_slug(theme.plan, name, theme)
    theme.name, theme.order = name, order
    save_checked(theme, expected_version=expected_version, by=by, reason=reason)


def areas_using(theme: Theme) -> list[int]:
    return list(
        ImprovementArea.objects.filter(theme=theme)
        .order_by("number")
        .values_list("number", flat=True)
    )


def remove_theme(*, theme: Theme, by: AbstractBaseUser, reason: str) -> None:
    """A theme goes only when no area uses it; otherwise say which areas do."""
    check(by, theme.plan)
    with transaction.atomic():
        Theme.objects.select_for_update().get(pk=theme.pk)
        numbers = areas_using(theme)
        if numbers:
            raise Refused(in_use_message(numbers))
        delete_with_history(theme, user=by, reason=reason)


def in_use_message(numbers: list[int]) -> str:
    listed = and_list([str(n) for n in numbers])
    if len(numbers) == 1:
        return f"This theme cannot be removed: area {listed} uses it. Give it another theme first."
    return f"This theme cannot be removed: areas {listed} use it. Give them another theme first."
