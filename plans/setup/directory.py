"""The council's directory: owners (roles, not people) and partner
organisations. An administrator sees and picks only their own council's."""

from __future__ import annotations

import uuid

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import models
from django.db.models import Q

from plans.models import Membership, Organisation, Owner, Plan
from plans.saving import Belongs

from .common import Refused, add_once, check, council_of, save_checked, with_history

User = get_user_model()


def organisations_for(plan: Plan) -> models.QuerySet:
    """The organisations an owner may belong to: the plan's council and its partners."""
    return Organisation.objects.of_council(council_of(plan)).order_by("name")


def partners_of(plan: Plan) -> models.QuerySet:
    return Organisation.objects.filter(council_id=council_of(plan)).order_by("name")


def owners_for(plan: Plan) -> models.QuerySet:
    return (
        Owner.objects.of_council(council_of(plan))
        .select_related("user")
        .order_by("job_title", "organisation__name")
    )


def members_for_owners(plan: Plan, owner: Owner | None = None) -> models.QuerySet:
    """Accounts that may hold an owner role: this plan's members (and whoever
    holds the role now, so that saving it unchanged is never refused)."""
    users = Q(memberships__plan=plan)
    if owner is not None and owner.user_id:
        users |= Q(pk=owner.user_id)
    return User.objects.filter(users).distinct().order_by("first_name", "last_name", "username")


# --- Owners --------------------------------------------------------------------------


def _in_directory(plan: Plan) -> Belongs:
    return lambda owner: owners_for(plan).filter(pk=owner.pk).exists()


def _check_owner(plan: Plan, owner: Owner, previous_user_id: int | None) -> None:
    if not organisations_for(plan).filter(pk=owner.organisation_id).exists():
        raise Refused("Select an organisation from the list", "organisation")
    if owner.user_id and owner.user_id != previous_user_id:
        if not Membership.objects.filter(plan=plan, user_id=owner.user_id).exists():
            raise Refused("Select a member of this plan", "user")
    clash = Owner.objects.filter(job_title=owner.job_title, organisation_id=owner.organisation_id)
    if owner.pk:
        clash = clash.exclude(pk=owner.pk)
    if clash.exists():
        raise Refused(
            f"{owner.organisation.name} already has an owner “{owner.job_title}”: "
            "enter a different job title",
            "job_title",
        )


def add_owner(
    *, plan: Plan, values: dict, by: AbstractBaseUser, token: uuid.UUID | None
) -> tuple[Owner, bool]:
    check(by, plan)

    def build() -> Owner:
        owner = Owner(**values)
        _check_owner(plan, owner, None)
        return owner

    return add_once(
        Owner,
        token=token,
        belongs=_in_directory(plan),
        build=build,
        save=with_history(by, "Owner added"),
    )


def edit_owner(
    *,
    plan: Plan,
    owner: Owner,
    values: dict,
    by: AbstractBaseUser,
    reason: str,
    expected_version: int,
) -> None:
    check(by, plan)
    if not owners_for(plan).filter(pk=owner.pk).exists():
        raise Refused("This owner is not in your council's directory")
    previous_user_id = owner.user_id
    for name, value in values.items():
        setattr(owner, name, value)
    _check_owner(plan, owner, previous_user_id)
    save_checked(owner, expected_version=expected_version, by=by, reason=reason)


# --- Partner organisations -------------------------------------------------------------


def _check_partner(plan: Plan, organisation: Organisation) -> None:
    clash = Organisation.objects.of_council(council_of(plan)).filter(name__iexact=organisation.name)
    if organisation.pk:
        clash = clash.exclude(pk=organisation.pk)
    if clash.exists():
        raise Refused(
            f"Your council already has an organisation called “{organisation.name}”: "
            "enter a different name",
            "name",
        )


def add_partner(
    *, plan: Plan, values: dict, by: AbstractBaseUser, token: uuid.UUID | None
) -> tuple[Organisation, bool]:
    check(by, plan)
    council = council_of(plan)

    def build() -> Organisation:
        # A partner is in the directory of the plan's council, and only that council's.
        organisation = Organisation(council_id=council, **values)
        _check_partner(plan, organisation)
        return organisation

    return add_once(
        Organisation,
        token=token,
        belongs=lambda organisation: organisation.council_id == council,
        build=build,
        save=with_history(by, "Partner organisation added"),
    )


def edit_partner(
    *,
    plan: Plan,
    organisation: Organisation,
    values: dict,
    by: AbstractBaseUser,
    reason: str,
    expected_version: int,
) -> None:
    check(by, plan)
    if organisation.council_id != council_of(plan):
        raise Refused("This organisation is not one of your council's partners")
    for name, value in values.items():
        setattr(organisation, name, value)
    _check_partner(plan, organisation)
    save_checked(organisation, expected_version=expected_version, by=by, reason=reason)
