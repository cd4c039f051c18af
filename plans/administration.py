"""Setting a plan up, by its plan administrators: the plan's details, themes,
owners, partner organisations, meetings and members.

The views only read forms and call these functions; the rules live here. Each
function checks that ``by`` may manage the plan (plans/permissions.py), and
every write goes through ``save()`` or ``delete()`` with ``by`` and a reason,
so history says who changed what and why.

Owners and partner organisations are in the directory of the plan's council:
an administrator sees and picks only their own council's. Memberships hold the
plan administrators' rules: nobody is made an operator (superuser or staff)
here, an operator's account is left alone, and a plan always keeps at least one
plan administrator.
"""

from __future__ import annotations

import logging
import re
import uuid

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import models, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.text import slugify

from core.single_line import sender_address

from . import accounts
from . import permissions as perms
from .models import (
    Action,
    DatePrecision,
    ImprovementArea,
    Meeting,
    Membership,
    Organisation,
    Owner,
    Plan,
    Theme,
    UsedFormToken,
    end_of_month,
)
from .roles import DESCRIPTIONS, Role
from .services import (
    DuplicateRecord,
    EditConflict,
    create_once,
    delete_with_history,
    save_with_history,
)

log = logging.getLogger("plans.audit")
User = get_user_model()


class Refused(Exception):
    """What was asked breaks one of the plan's rules. Nothing was written;
    ``message`` says why, against the form's ``field`` (None: the whole form)."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class Changed(EditConflict):
    """Someone else saved the record after the user opened it; nothing was written.
    For set-up records the versions are history ids (``history_version``)."""


def _check(by: AbstractBaseUser, plan: Plan) -> None:
    perms.require(perms.can_manage_plan(by, plan))


def council_of(plan: Plan) -> int:
    """The council whose directory the plan's owners and partners are in."""
    return plan.organisation.council_id_or_own


# --- Versions from history ---------------------------------------------------------
#
# Plans, themes, owners, organisations and meetings keep no version field: their
# newest history row's id serves instead, so a stale form is still refused.


def history_version(obj: models.Model) -> int:
    return (
        type(obj)
        .history.filter(id=obj.pk)
        .order_by("-history_id")
        .values_list("history_id", flat=True)
        .first()
        or 0
    )


def _save_checked(
    obj: models.Model, *, expected_version: int | None, by: AbstractBaseUser, reason: str
) -> None:
    with transaction.atomic():
        current = type(obj)._default_manager.select_for_update().get(pk=obj.pk)
        if expected_version is not None and history_version(current) != expected_version:
            current.version = history_version(current)
            raise Changed(current, expected_version)
        try:
            save_with_history(obj, reason=reason, user=by)
        except ValidationError as invalid:
            # A clash the checks above could not see (saved meanwhile): say so, never a 500.
            raise Refused(" ".join(invalid.messages)) from invalid


FORM_USED = "This form has already been used: open it again to add another"


def created_with(
    token: uuid.UUID | None, model: type[models.Model], plan: Plan
) -> models.Model | None:
    """The record a create form's token already made (a repeated post), if any.

    Only a record of this plan (or its council's directory) is returned: a token
    that made something elsewhere, or something since removed, is refused."""
    if token is None:
        return None
    used = UsedFormToken.objects.filter(token=token, model=model._meta.label).first()
    if used is None:
        return None
    record = model._default_manager.filter(pk=used.object_id).first()
    if record is None or not _belongs(record, plan):
        raise Refused(FORM_USED)
    return record


def _belongs(record: models.Model, plan: Plan) -> bool:
    if isinstance(record, Theme | Meeting | Membership):
        return record.plan_id == plan.pk
    if isinstance(record, Owner):
        return owners_for(plan).filter(pk=record.pk).exists()
    if isinstance(record, Organisation):
        return record.council_id == council_of(plan)
    return Membership.objects.filter(plan=plan, user_id=record.pk).exists()


def _create(obj: models.Model, *, token, by, reason: str) -> tuple[models.Model, bool]:
    """Create ``obj`` with history, once per form token."""
    try:
        return create_once(
            obj, token=token, save=lambda: save_with_history(obj, reason=reason, user=by)
        )
    except DuplicateRecord as clash:
        raise Refused(clash.message) from clash


# --- The plan's details ------------------------------------------------------------

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


def save_plan_details(
    *, plan: Plan, values: dict, by: AbstractBaseUser, reason: str, expected_version: int | None
) -> None:
    _check(by, plan)
    if values["inspection_end"] < values["inspection_start"]:
        raise Refused(
            "The inspection end date must be the same as or after its start date", "inspection_end"
        )
    for name in PLAN_DETAIL_FIELDS:
        setattr(plan, name, values[name])
    _save_checked(plan, expected_version=expected_version, by=by, reason=reason)


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
    _check(by, plan)
    done = created_with(token, Theme, plan)
    if done is not None:
        return done, False
    theme = Theme(plan=plan, name=name, order=order, slug=_theme_slug(plan, name, None))
    return _create(theme, token=token, by=by, reason="Theme added")


def edit_theme(
    *,
    theme: Theme,
    name: str,
    order: int,
    by: AbstractBaseUser,
    reason: str,
    expected_version: int | None,
) -> None:
    _check(by, theme.plan)
    # The slug follows the name; nothing links to a theme by its slug.
    theme.slug = _theme_slug(theme.plan, name, theme)
    theme.name, theme.order = name, order
    _save_checked(theme, expected_version=expected_version, by=by, reason=reason)


def areas_using(theme: Theme) -> list[int]:
    return list(
        ImprovementArea.objects.filter(theme=theme)
        .order_by("number")
        .values_list("number", flat=True)
    )


def remove_theme(*, theme: Theme, by: AbstractBaseUser, reason: str) -> None:
    """A theme goes only when no area uses it; otherwise say which areas do."""
    _check(by, theme.plan)
    with transaction.atomic():
        Theme.objects.select_for_update().get(pk=theme.pk)
        numbers = areas_using(theme)
        if numbers:
            raise Refused(in_use_message(numbers))
        delete_with_history(theme, user=by, reason=reason)


def in_use_message(numbers: list[int]) -> str:
    listed = _and_list([str(n) for n in numbers])
    if len(numbers) == 1:
        return f"This theme cannot be removed: area {listed} uses it. Give it another theme first."
    return f"This theme cannot be removed: areas {listed} use it. Give them another theme first."


def _and_list(items: list[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


# --- Owners and partner organisations (the council's directory) ----------------------


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
    _check(by, plan)
    done = created_with(token, Owner, plan)
    if done is not None:
        return done, False
    owner = Owner(**values)
    _check_owner(plan, owner, None)
    return _create(owner, token=token, by=by, reason="Owner added")


def edit_owner(
    *,
    plan: Plan,
    owner: Owner,
    values: dict,
    by: AbstractBaseUser,
    reason: str,
    expected_version: int | None,
) -> None:
    _check(by, plan)
    if not owners_for(plan).filter(pk=owner.pk).exists():
        raise Refused("This owner is not in your council's directory")
    previous_user_id = owner.user_id
    for name, value in values.items():
        setattr(owner, name, value)
    _check_owner(plan, owner, previous_user_id)
    _save_checked(owner, expected_version=expected_version, by=by, reason=reason)


def _check_partner(plan: Plan, organisation: Organisation) -> None:
    council = council_of(plan)
    clash = Organisation.objects.of_council(council).filter(name__iexact=organisation.name)
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
    _check(by, plan)
    done = created_with(token, Organisation, plan)
    if done is not None:
        return done, False
    # A partner is in the directory of the plan's council, and only that council's.
    organisation = Organisation(council_id=council_of(plan), **values)
    _check_partner(plan, organisation)
    return _create(organisation, token=token, by=by, reason="Partner organisation added")


def edit_partner(
    *,
    plan: Plan,
    organisation: Organisation,
    values: dict,
    by: AbstractBaseUser,
    reason: str,
    expected_version: int | None,
) -> None:
    _check(by, plan)
    if organisation.council_id != council_of(plan):
        raise Refused("This organisation is not one of your council's partners")
    for name, value in values.items():
        setattr(organisation, name, value)
    _check_partner(plan, organisation)
    _save_checked(organisation, expected_version=expected_version, by=by, reason=reason)


# --- Meetings ------------------------------------------------------------------------


def _meeting_values(meeting: Meeting, values: dict) -> None:
    for name in ("kind", "title", "date", "date_precision"):
        setattr(meeting, name, values[name])
    # A month-only date stands for the month's last day, as milestones' do.
    if meeting.date_precision == DatePrecision.MONTH:
        meeting.date = end_of_month(meeting.date)


def _check_meeting(meeting: Meeting) -> None:
    clash = Meeting.objects.filter(plan=meeting.plan, kind=meeting.kind, date=meeting.date)
    if meeting.pk:
        clash = clash.exclude(pk=meeting.pk)
    if clash.exists():
        raise Refused(
            f"This plan already has a meeting of the kind “{meeting.get_kind_display()}” on "
            f"{meeting.date_display}: change the date or the kind of meeting",
            "date",
        )


def add_meeting(
    *, plan: Plan, values: dict, by: AbstractBaseUser, token: uuid.UUID | None
) -> tuple[Meeting, bool]:
    _check(by, plan)
    done = created_with(token, Meeting, plan)
    if done is not None:
        return done, False
    meeting = Meeting(plan=plan)
    _meeting_values(meeting, values)
    _check_meeting(meeting)
    return _create(meeting, token=token, by=by, reason="Meeting added")


def edit_meeting(
    *,
    meeting: Meeting,
    values: dict,
    by: AbstractBaseUser,
    reason: str,
    expected_version: int | None,
) -> None:
    _check(by, meeting.plan)
    _meeting_values(meeting, values)
    _check_meeting(meeting)
    _save_checked(meeting, expected_version=expected_version, by=by, reason=reason)


def set_meeting_cancelled(
    *, meeting: Meeting, cancelled: bool, by: AbstractBaseUser, reason: str
) -> bool:
    """Cancel (or reinstate) a meeting. It is never deleted: papers issued to it
    stay. Returns False when it already was as asked (a double submit)."""
    _check(by, meeting.plan)
    with transaction.atomic():
        current = Meeting.objects.select_for_update().get(pk=meeting.pk)
        if current.cancelled == cancelled:
            return False
        current.cancelled = cancelled
        save_with_history(current, reason=reason, user=by)
    meeting.cancelled = cancelled
    return True


# --- Members -------------------------------------------------------------------------

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


def _name(user: AbstractBaseUser) -> str:
    return user.get_full_name() or user.get_username()


def _not_an_operator(user: AbstractBaseUser) -> None:
    if user.is_superuser:
        raise Refused(
            f"{_name(user)} is one of the service's operators: only operators change their account"
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
    _check(by, plan)
    done = created_with(token, Membership, plan)
    if done is not None:
        return done, False
    role = _valid_role(role)
    if not accounts.council_accounts(council_of(plan)).filter(pk=user.pk).exists():
        raise Refused(NO_SUCH_ACCOUNT, "account")
    if user.is_superuser:
        raise Refused(
            f"{_name(user)} is one of the service's operators and can already see every plan",
            "account",
        )
    if not user.is_active:
        raise Refused(
            f"{_name(user)}'s account is switched off: ask the service's operators", "account"
        )
    existing = Membership.objects.filter(plan=plan, user=user).first()
    if existing is not None:
        raise Refused(
            f"{_name(user)} is already a member of this plan, as "
            f"{existing.get_role_display().lower()}: change their role instead",
            "account",
        )
    membership = Membership(plan=plan, user=user, role=role)
    result = _create(membership, token=token, by=by, reason=reason)
    if result[1]:
        log.info(
            "member added: %s to %s as %s by %s",
            user.get_username(),
            plan.slug,
            role.value,
            by.get_username(),
        )
    return result


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
    _check(by, plan)
    done = created_with(token, User, plan)
    if done is not None:
        return done, False, False
    role = _valid_role(role)
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

    def save() -> None:
        try:
            user.full_clean()
        except ValidationError as invalid:
            raise Refused(" ".join(invalid.messages)) from invalid
        user.save()
        save_with_history(
            Membership(plan=plan, user=user, role=role),
            reason=f"New account: {reason}" if reason else "New account",
            user=by,
        )

    try:
        user, created = create_once(user, token=token, save=save)
    except DuplicateRecord as clash:
        raise Refused(clash.message) from clash
    if not created:
        return user, False, False
    log.info(
        "account created: %s in %s as %s by %s",
        user.get_username(),
        plan.slug,
        role.value,
        by.get_username(),
    )
    sent = _send_set_password_email(user=user, plan=plan, by=by, link_base=link_base, new=True)
    return user, True, sent


def send_set_password_email(
    *, plan: Plan, membership: Membership, by: AbstractBaseUser, link_base: str
) -> bool:
    """Send a member a new set-password link (the first expired, or never came)."""
    _check(by, plan)
    if membership.plan_id != plan.pk:
        raise Refused("This account is not a member of this plan")
    user = membership.user
    _not_an_operator(user)
    if not user.email:
        raise Refused(f"{_name(user)}'s account has no e-mail address")
    return _send_set_password_email(user=user, plan=plan, by=by, link_base=link_base)


def set_password_link(user: AbstractBaseUser, link_base: str) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return link_base.rstrip("/") + reverse("set_password", args=[uid, token])


def _send_set_password_email(
    *, user: AbstractBaseUser, plan: Plan, by: AbstractBaseUser, link_base: str, new: bool = False
) -> bool:
    from django.conf import settings

    context = {
        "user": user,
        "plan": plan,
        "by": _name(by),
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
        f"{_name(membership.user)} is this plan's only plan administrator: make someone "
        "else a plan administrator first"
    )


def change_role(
    *, plan: Plan, membership: Membership, role: str, by: AbstractBaseUser, reason: str
) -> bool:
    """Give a member another role. Returns False when they already held it."""
    _check(by, plan)
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
    _check(by, plan)
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
        who = _name(membership.user)
        for owner in unlinked:
            owner.user = None
            save_with_history(owner, reason=f"{who} removed from {plan.title}: {reason}", user=by)
        delete_with_history(current, user=by, reason=reason)
    log.info(
        "member removed: %s from %s by %s",
        membership.user.get_username(),
        plan.slug,
        by.get_username(),
    )
    return unlinked


# --- Starting a plan, and its areas from the inspection's recommendations --------------

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
        raise Refused(
            "The inspection end date must be the same as or after its start date", "inspection_end"
        )
    done = created_with_plan_token(token)
    if done is not None:
        return done, False
    plan = Plan(organisation=council, slug=_new_plan_slug(values["title"]))
    for name in START_FIELDS:
        setattr(plan, name, values[name])

    def save() -> None:
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

    plan_made, created = _create_plan(plan, token, save)
    if created:
        log.info("plan started: %s by %s", plan_made.slug, by.get_username())
    return plan_made, created


def created_with_plan_token(token: uuid.UUID | None) -> Plan | None:
    if token is None:
        return None
    used = UsedFormToken.objects.filter(token=token, model=Plan._meta.label).first()
    return None if used is None else Plan.objects.filter(pk=used.object_id).first()


def _create_plan(plan: Plan, token, save) -> tuple[Plan, bool]:
    try:
        return create_once(plan, token=token, save=save)
    except DuplicateRecord as clash:
        raise Refused(clash.message) from clash


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
    _check(by, plan)
    with transaction.atomic():
        Plan.objects.select_for_update().filter(pk=plan.pk).first()
        taken = sorted(
            ImprovementArea.objects.filter(plan=plan, number__in=[n for n, _ in items]).values_list(
                "number", flat=True
            )
        )
        if taken:
            listed = _and_list([str(n) for n in taken])
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
