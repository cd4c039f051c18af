"""A plan's members: who holds which role, accounts added or created for it,
and the e-mail with a link to set a password.

Memberships hold the plan administrators' rules: nobody is made an operator
(superuser or staff) here, an operator's account is left alone, and a plan
always keeps at least one plan administrator. Accounts are looked for only in
the plan's council (plans/accounts.py).
"""

from __future__ import annotations

import logging
import uuid

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import models, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from core.single_line import sender_address
from plans import accounts
from plans.models import Action, ImprovementArea, Membership, Owner, Plan
from plans.roles import DESCRIPTIONS, Role
from plans.saving import delete_with_history, save_version_checked, save_with_history

from .common import Refused, add_once, check, council_of, name_of, of_plan, with_history
from .directory import owners_for

log = logging.getLogger("plans.audit")
User = get_user_model()

ROLES = [Role(value) for value in Role.values]


def role_choices() -> list[tuple[str, str, str]]:
    """(value, label, what it is for) for each role a plan administrator may give."""
    return [(role.value, role.label, DESCRIPTIONS[role]) for role in ROLES]


def _valid_role(role: str) -> Role:
    # Plan administrator is the highest role anyone is given here: operators
    # (superusers and staff) are made by the service's operators, never here.
    if role not in Role.values:
        raise Refused("Select a role", "role")
    return Role(role)


def _not_an_operator(user: AbstractBaseUser) -> None:
    if user.is_superuser:
        raise Refused(
            f"{name_of(user)} is one of the service's operators: only operators change their "
            "account"
        )


def members_of(plan: Plan) -> models.QuerySet:
    return (
        Membership.objects.filter(plan=plan)
        .select_related("user")
        .order_by("user__first_name", "user__last_name", "user__username")
    )


def membership_in(plan: Plan, pk: int) -> Membership | None:
    """A membership of ``plan`` only: another plan's ids are not found."""
    return members_of(plan).filter(pk=pk).first()


# One answer for an account of another council and for none at all: a council's
# administrators learn nothing of who else uses the installation.
NO_SUCH_ACCOUNT = (
    "No account in your council has this user name or e-mail address: check it, or create "
    "a new account"
)


def find_account(text: str, *, plan: Plan) -> AbstractBaseUser:
    """The account of the plan's council (plans/accounts.py) with this user name,
    or else this e-mail address, as people read them (case and look-alike
    characters ignored). Refused alike whether it is another council's or nobody's."""
    key = accounts.folded(text.strip())
    ours = accounts.council_accounts(council_of(plan))
    user = ours.filter(account_key__username_key=key).first()
    if user is None and "@" in key:
        user = ours.filter(account_key__email_key=key).first()
    if user is None:
        raise Refused(NO_SUCH_ACCOUNT, "account")
    return user


def add_member(
    *,
    plan: Plan,
    user: AbstractBaseUser,
    role: str,
    by: AbstractBaseUser,
    reason: str,
    token: uuid.UUID | None,
) -> tuple[Membership, bool]:
    check(by, plan)

    def build() -> Membership:
        valid = _valid_role(role)
        if not accounts.council_accounts(council_of(plan)).filter(pk=user.pk).exists():
            raise Refused(NO_SUCH_ACCOUNT, "account")
        if user.is_superuser:
            raise Refused(
                f"{name_of(user)} is one of the service's operators and can already see every plan",
                "account",
            )
        if not user.is_active:
            raise Refused(
                f"{name_of(user)}'s account is switched off: ask the service's operators",
                "account",
            )
        existing = Membership.objects.filter(plan=plan, user=user).first()
        if existing is not None:
            raise Refused(
                f"{name_of(user)} is already a member of this plan, as "
                f"{existing.get_role_display().lower()}: change their role instead",
                "account",
            )
        return Membership(plan=plan, user=user, role=valid)

    membership, created = add_once(
        Membership,
        token=token,
        belongs=of_plan(plan),
        build=build,
        save=with_history(by, reason),
    )
    if created:
        log.info(
            "member added: %s to %s as %s by %s",
            user.get_username(),
            plan.slug,
            membership.role,
            by.get_username(),
        )
    return membership, created


def check_new_account(username: str, email: str, *, plan: Plan) -> None:
    """Refuse a user name or e-mail address another account has, as people read
    them (plans/accounts.py: the database refuses them too). Of an account in the
    plan's council, say so; of any other, only that it cannot be used: user names
    and addresses are unique in the whole installation, so a clash is refused,
    but whose it is stays the other council's business."""
    taken = accounts.clashes(username, email)
    if not taken:
        return
    ours = set(
        accounts.council_accounts(council_of(plan))
        .filter(pk__in=taken.values())
        .values_list("pk", flat=True)
    )
    if "username" in taken:
        if taken["username"] in ours:
            raise Refused(
                "An account with this user name already exists: choose another, or add that "
                "account to the plan instead",
                "username",
            )
        raise Refused("This user name is not available: choose another user name", "username")
    if taken["email"] in ours:
        raise Refused(
            "An account with this e-mail address already exists: add it to the plan instead",
            "email",
        )
    raise Refused(
        "This e-mail address cannot be used for a new account: check it, or ask the "
        "service's operators",
        "email",
    )


def create_account(
    *,
    plan: Plan,
    values: dict,
    role: str,
    by: AbstractBaseUser,
    reason: str,
    token: uuid.UUID | None,
    link_base: str,
) -> tuple[AbstractBaseUser, bool, bool]:
    """A new account (never an operator's), a member of ``plan`` with ``role``,
    sent an e-mail with a link to set its password. Returns (user, created,
    e-mail sent); a double submit returns the first account and sends nothing."""
    check(by, plan)
    valid = _valid_role(role)

    def build() -> AbstractBaseUser:
        check_new_account(values["username"], values["email"], plan=plan)
        user = User(
            username=values["username"],
            email=values["email"],
            first_name=values["first_name"],
            last_name=values["last_name"],
            is_staff=False,
            is_superuser=False,
            is_active=True,
        )
        # No password until its holder sets one through the e-mailed link.
        user.set_unusable_password()
        return user

    def save(user: AbstractBaseUser) -> None:
        try:
            user.full_clean()
        except ValidationError as invalid:
            raise Refused(" ".join(invalid.messages)) from invalid
        user.save()
        save_with_history(
            Membership(plan=plan, user=user, role=valid),
            reason=f"New account: {reason}" if reason else "New account",
            user=by,
        )

    user, created = add_once(
        User,
        token=token,
        belongs=lambda user: Membership.objects.filter(plan=plan, user_id=user.pk).exists(),
        build=build,
        save=save,
    )
    if not created:
        return user, False, False
    log.info(
        "account created: %s in %s as %s by %s",
        user.get_username(),
        plan.slug,
        valid.value,
        by.get_username(),
    )
    sent = _send_set_password_email(user=user, plan=plan, by=by, link_base=link_base, new=True)
    return user, True, sent


def send_set_password_email(
    *, plan: Plan, membership: Membership, by: AbstractBaseUser, link_base: str
) -> bool:
    """Send a member a new set-password link (the first expired, or never came)."""
    check(by, plan)
    if membership.plan_id != plan.pk:
        raise Refused("This account is not a member of this plan")
    user = membership.user
    _not_an_operator(user)
    if not user.email:
        raise Refused(f"{name_of(user)}'s account has no e-mail address")
    return _send_set_password_email(user=user, plan=plan, by=by, link_base=link_base)


def set_password_link(user: AbstractBaseUser, link_base: str) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return link_base.rstrip("/") + reverse("set_password", args=[uid, token])


def _send_set_password_email(
    *, user: AbstractBaseUser, plan: Plan, by: AbstractBaseUser, link_base: str, new: bool = False
) -> bool:
    context = {
        "user": user,
        "plan": plan,
        "by": name_of(by),
        "link": set_password_link(user, link_base),
        "new": new,
        "days": max(1, settings.PASSWORD_RESET_TIMEOUT // 86400),
        "service_name": settings.SERVICE_NAME,
        "council_name": plan.council.name,
    }
    subject = render_to_string("registration/set_password_subject.txt", context)
    body = render_to_string("registration/set_password_email.txt", context)
    try:
        send_mail(" ".join(subject.split()), body, sender_address(plan.council.name), [user.email])
    except OSError:
        # The account stands; the administrator is told to send the e-mail again.
        log.exception("set-password e-mail to %s could not be sent", user.get_username())
        return False
    log.info("set-password e-mail sent: %s by %s", user.get_username(), by.get_username())
    return True


def _keeps_an_administrator(membership: Membership, by: AbstractBaseUser) -> None:
    """Refuse a change that would leave the plan without a plan administrator."""
    admins = list(
        Membership.objects.select_for_update()
        .filter(plan_id=membership.plan_id, role=Role.PLAN_ADMINISTRATOR)
        .values_list("pk", flat=True)
    )
    if admins != [membership.pk]:
        return
    if membership.user_id == by.pk:
        raise Refused(
            "You are this plan's only plan administrator: make someone else a plan "
            "administrator first"
        )
    raise Refused(
        f"{name_of(membership.user)} is this plan's only plan administrator: make someone "
        "else a plan administrator first"
    )


def change_role(
    *, plan: Plan, membership: Membership, role: str, by: AbstractBaseUser, reason: str
) -> bool:
    """Give a member another role. Returns False when they already held it."""
    check(by, plan)
    if membership.plan_id != plan.pk:
        raise Refused("This account is not a member of this plan")
    role = _valid_role(role)
    _not_an_operator(membership.user)
    with transaction.atomic():
        current = Membership.objects.select_for_update().get(pk=membership.pk)
        if current.role == role:
            return False
        if current.role == Role.PLAN_ADMINISTRATOR:
            _keeps_an_administrator(current, by)
        current.role = role
        save_with_history(current, reason=reason, user=by)
    membership.role = role
    log.info(
        "role changed: %s in %s to %s by %s",
        membership.user.get_username(),
        plan.slug,
        role.value,
        by.get_username(),
    )
    return True


def owner_roles_to_unlink(membership: Membership) -> list[Owner]:
    """The owner roles a member leaving the plan stops holding.

    Owner roles are in the council's directory and may serve several of its
    plans: a role stays linked only while it is used in another plan the person
    is still a member of. Otherwise it is left for the administrator to give to
    whoever takes the job on."""
    user_id, plan = membership.user_id, membership.plan
    other_plans = set(
        Membership.objects.filter(user_id=user_id)
        .exclude(plan_id=plan.pk)
        .values_list("plan_id", flat=True)
    )
    held = list(owners_for(plan).filter(user_id=user_id))
    if not held or not other_plans:
        return held
    used = set(
        ImprovementArea.objects.filter(lead__in=held, plan_id__in=other_plans).values_list(
            "lead_id", flat=True
        )
    ) | set(
        Action.objects.filter(owner__in=held, area__plan_id__in=other_plans).values_list(
            "owner_id", flat=True
        )
    )
    return [owner for owner in held if owner.pk not in used]


def remove_member(
    *, plan: Plan, membership: Membership, by: AbstractBaseUser, reason: str
) -> list[Owner]:
    """Remove a member from the plan, and unlink them from the owner roles they
    no longer hold (``owner_roles_to_unlink``). Returns those roles."""
    check(by, plan)
    if membership.plan_id != plan.pk:
        raise Refused("This account is not a member of this plan")
    _not_an_operator(membership.user)
    with transaction.atomic():
        current = Membership.objects.select_for_update().filter(pk=membership.pk).first()
        if current is None:
            return []
        if current.role == Role.PLAN_ADMINISTRATOR:
            _keeps_an_administrator(current, by)
        unlinked = owner_roles_to_unlink(current)
        who = name_of(membership.user)
        for owner in unlinked:
            owner.user = None
            save_version_checked(
                owner,
                expected_version=owner.version,
                reason=f"{who} removed from {plan.title}: {reason}",
                user=by,
            )
        delete_with_history(current, user=by, reason=reason)
    log.info(
        "member removed: %s from %s by %s",
        membership.user.get_username(),
        plan.slug,
        by.get_username(),
    )
    return unlinked
