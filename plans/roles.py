"""The service's roles. A role is held in one plan (a Membership), never
globally: the plan administrator of one plan is nobody in another.

What each role may do is decided in plans/permissions.py, and only there.
"""

from __future__ import annotations

from django.db import models


class Role(models.TextChoices):
    OFFICER = "officer", "Officer"
    PLAN_ADMINISTRATOR = "plan_administrator", "Plan administrator"
    BOARD_MEMBER = "board_member", "Board member"
    SCRUTINY_OFFICER = "scrutiny_officer", "Scrutiny officer"


OFFICER = Role.OFFICER
PLAN_ADMINISTRATOR = Role.PLAN_ADMINISTRATOR
BOARD_MEMBER = Role.BOARD_MEMBER
SCRUTINY_OFFICER = Role.SCRUTINY_OFFICER

# What each role is for, shown where roles are chosen.
DESCRIPTIONS = {
    Role.OFFICER: "Records progress on the areas and actions they own.",
    Role.PLAN_ADMINISTRATOR: "Sets the plan up, manages its members and signs updates off.",
    Role.BOARD_MEMBER: "Reads the dashboard, approved updates and papers.",
    Role.SCRUTINY_OFFICER: "Produces and issues the papers; reads approved updates.",
}
