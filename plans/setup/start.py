"""Starting a plan, and its improvement areas from the inspection's recommendations."""

from __future__ import annotations

import logging
import re
import uuid

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils.text import slugify

from plans import permissions as perms
from plans.models import ImprovementArea, Membership, Organisation, Plan, Theme
from plans.roles import Role
from plans.saving import save_with_history

from .common import Refused, add_once, and_list, check
from .details import INSPECTION_ENDS_BEFORE_START

log = logging.getLogger("plans.audit")

START_FIELDS = (
    "title",
    "inspection_name",
    "inspection_start",
    "inspection_end",
    "judgement_areas",
    "sent_to_inspectorate",
    "board_name",
    "board_description",
)


def _new_plan_slug(title: str) -> str:
    base = slugify(title)[:90].strip("-") or "plan"
    slug, n = base, 1
    while Plan.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def judgement_area_lines(text: str) -> list[str]:
    """The judgement areas, one a line, without bullets, blanks or repeats."""
    seen, result = set(), []
    for line in text.splitlines():
        name = line.strip().lstrip("-*•").strip()[:200]
        if name and name.casefold() not in seen:
            seen.add(name.casefold())
            result.append(name)
    return result


def start_plan(
    *, council: Organisation, values: dict, by: AbstractBaseUser, token: uuid.UUID | None
) -> tuple[Plan, bool]:
    """A new plan for ``council``, started by ``by``, who becomes its plan
    administrator; a theme for each judgement area. One transaction, with
    history; once per form token."""
    perms.require(perms.councils_for_new_plans(by).filter(pk=council.pk).exists())
    if values["inspection_end"] < values["inspection_start"]:
        raise Refused(INSPECTION_ENDS_BEFORE_START, "inspection_end")

    def build() -> Plan:
        plan = Plan(organisation=council, slug=_new_plan_slug(values["title"]))
        for name in START_FIELDS:
            setattr(plan, name, values[name])
        return plan

    def save(plan: Plan) -> None:
        save_with_history(plan, reason="Plan started", user=by)
        if not by.is_superuser:
            save_with_history(
                Membership(plan=plan, user=by, role=Role.PLAN_ADMINISTRATOR),
                reason="Started the plan",
                user=by,
            )
        for order, name in enumerate(judgement_area_lines(values["judgement_areas"]), start=1):
            theme = Theme(plan=plan, name=name, order=order, slug=slugify(name)[:100] or "theme")
            save_with_history(theme, reason="From the inspection's judgement areas", user=by)

    plan, created = add_once(Plan, token=token, belongs=None, build=build, save=save)
    if created:
        log.info("plan started: %s by %s", plan.slug, by.get_username())
    return plan, created


# A recommendation's number at the start of a line: "1.", "1)", "(1)", "1:", "1 -",
# "Recommendation 1:". Two digits at most, so a year or a count is not taken for one.
_NUMBERED = re.compile(
    r"^\s*(?:recommendation\s+)?\(?(\d{1,2})(?:[.):]|\s+[-–])?\s+(\S.*)$", re.IGNORECASE
)


def parse_recommendations(text: str) -> tuple[list[tuple[int, str]], list[str]]:
    """A pasted numbered list as (number, recommendation) pairs, numbers kept;
    lines without a number continue the one before. Returns the pairs and what
    is wrong with them, in plain words."""
    items: list[list] = []
    errors: list[str] = []
    for line in text.replace("\r\n", "\n").split("\n"):
        match = _NUMBERED.match(line)
        if match:
            items.append([int(match.group(1)), match.group(2).strip()])
        elif line.strip():
            if not items:
                errors.append(
                    f"“{line.strip()[:60]}” comes before recommendation 1: start each "
                    "recommendation with its number, like 1. Ensure that…"
                )
                continue
            items[-1][1] = f"{items[-1][1]} {line.strip()}"
    if not items and not errors:
        errors.append(
            "Enter the recommendations as a numbered list, one on each line, like 1. Ensure that…"
        )
    seen: set[int] = set()
    for number, recommendation in items:
        if number == 0:
            errors.append("Number the recommendations from 1")
        if number in seen:
            errors.append(f"Recommendation {number} is listed twice: number each one once")
        seen.add(number)
        if len(recommendation) > 2000:
            errors.append(f"Recommendation {number} must be 2,000 characters or fewer")
    return [(n, r) for n, r in items], errors


def add_areas_from_recommendations(
    *, plan: Plan, items: list[tuple[int, str]], by: AbstractBaseUser
) -> list[ImprovementArea]:
    """An improvement area for each recommendation, with its number; refused
    (nothing written) if the plan already has any of the numbers."""
    check(by, plan)
    with transaction.atomic():
        Plan.objects.select_for_update().filter(pk=plan.pk).first()
        taken = sorted(
            ImprovementArea.objects.filter(plan=plan, number__in=[n for n, _ in items]).values_list(
                "number", flat=True
            )
        )
        if taken:
            listed = and_list([str(n) for n in taken])
            raise Refused(
                f"The plan already has area{'s' if len(taken) > 1 else ''} {listed}: "
                "renumber the list, or change those areas in the plan instead",
                "recommendations",
            )
        areas = []
        for number, recommendation in items:
            area = ImprovementArea(plan=plan, number=number, recommendation=recommendation)
            save_with_history(area, reason="From the inspection's recommendations", user=by)
            areas.append(area)
    log.info("areas added from recommendations: %s, %s by %s", plan.slug, len(areas), by)
    return areas
