"""The service's roles, kept as groups with model permissions.

Groups are brought up to date after every migrate (see apps.py), so a new
installation and an upgraded one have the same roles. Object-level rules (an
officer edits only what they own) are in plans/permissions.py.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import Group, Permission

OFFICER = "Officer"
PLAN_ADMINISTRATOR = "Plan administrator"
BOARD_MEMBER = "Board member"
SCRUTINY_OFFICER = "Scrutiny officer"

PLAN_MODELS = [
    "organisation",
    "owner",
    "plan",
    "theme",
    "improvementarea",
    "action",
    "milestone",
    "progressupdate",
    "meeting",
]


def _codenames() -> dict[str, set[str]]:
    view = {f"view_{m}" for m in PLAN_MODELS}
    everything = view | {f"{verb}_{m}" for m in PLAN_MODELS for verb in ("add", "change", "delete")}
    papers = {"view_issuedpaper"}
    issue = papers | {"add_issuedpaper"}
    return {
        OFFICER: papers
        | view
        | {
            "add_progressupdate",
            "change_progressupdate",
            "change_milestone",
            "add_milestone",
            "add_action",
            "change_action",
        },
        PLAN_ADMINISTRATOR: everything
        | issue
        | {"approve_progressupdate", "add_user", "change_user", "view_user", "view_group"},
        BOARD_MEMBER: papers | view,
        SCRUTINY_OFFICER: issue | view,
    }


def ensure_roles(**kwargs: Any) -> None:
    """Create the role groups and give each exactly its permissions."""
    wanted = _codenames()
    all_codenames = set().union(*wanted.values())
    perms = {
        p.codename: p
        for p in Permission.objects.filter(
            codename__in=all_codenames, content_type__app_label__in=["plans", "auth", "reporting"]
        )
    }
    if len(perms) < len(all_codenames):
        # Permissions are created after each app migrates; try again on the next signal.
        return
    for name, codenames in wanted.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.set([perms[c] for c in codenames])
