"""Accounts: whose they are, and one name for one person.

**A council's accounts.** One installation serves several councils. An account
belongs to a council when it is a member of any of the council's plans, or the
service's operators named it to start the council's plans (``manage.py
create_council``). A plan administrator finds, adds and sees only their own
council's accounts (plans/setup/members.py).

**One name, one account.** User names and e-mail addresses are unique as people
read them: NFKC normalised and case folded (``folded``), so "ｏfficer" (a
full-width o), "OFFICER" and "officer" are one name. The database enforces it
through AccountKey's unique constraints, kept in step here by a signal on the
user model.

Why a signal: auth.User is Django's own model, and users are saved by the set-up
forms, ``create_council``, ``createsuperuser``, the admin site, the demo
commands and ``loaddata``; its ``save()`` is the one place all of them pass
through, and a ``pre_save``/``post_save`` pair is how that place is reached
without replacing the user model. ``pre_save`` refuses a clash before anything
is written; ``post_save`` writes the keys, where the unique constraints catch
two saves racing past that check. Django sends ``post_save`` after its own
write, so:

- inside a transaction (every path of the service: create_once, create_council,
  the admin site, loaddata) the IntegrityError rolls the user's save back with
  everything else;
- in autocommit (``createsuperuser``, a shell's ``create_user``) the user's row
  is already committed, so it is undone here before the error is raised.

``queryset.update()`` and ``bulk_create`` on users bypass signals: nothing in the
service uses them.
"""

from __future__ import annotations

import unicodedata

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.db.models.signals import post_save, pre_save

from .models import AccountKey, Membership

KEY_FIELDS = {"username", "email"}


def folded(text: str) -> str:
    """``text`` as people read it: NFKC, case folded, NFKC again (case folding
    can undo the normalisation: Unicode's NFKC_Casefold, near enough)."""
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold())


def email_key(email: str | None) -> str:
    """An e-mail address's key; "" for none."""
    email = (email or "").strip()
    return folded(email) if email else ""


def keys_of(user) -> tuple[str, str]:
    return folded(user.get_username()), email_key(getattr(user, user.get_email_field_name(), ""))


def clashes(
    username: str = "", email: str = "", *, exclude_pk: int | None = None, using: str = "default"
) -> dict[str, int]:
    """{"username" and/or "email": the id of another account that already has
    it, as people read them}. One query."""
    name_key, mail_key = folded(username) if username else "", email_key(email)
    wanted = Q(username_key=name_key) if name_key else Q(pk__in=[])
    if mail_key:
        wanted |= Q(email_key=mail_key)
    rows = AccountKey.objects.using(using).filter(wanted)
    if exclude_pk is not None:
        rows = rows.exclude(user_id=exclude_pk)
    found: dict[str, int] = {}
    for user_id, their_name, their_mail in rows.values_list("user_id", "username_key", "email_key"):
        if name_key and their_name == name_key:
            found["username"] = user_id
        if mail_key and their_mail == mail_key:
            found["email"] = user_id
    return found


# --- A council's accounts ---------------------------------------------------------------


def council_accounts(council_id: int) -> QuerySet:
    """The accounts of a council: members of any of its plans (a plan's council
    is its organisation's, plans/setup/common.py ``council_of``) and those
    named to start its plans (workbook.CouncilAdministrator). Two subqueries,
    so an account is listed once however many plans it is in."""
    User = get_user_model()
    in_plans = Membership.objects.filter(
        Q(plan__organisation_id=council_id) | Q(plan__organisation__council_id=council_id)
    ).values("user_id")
    starters = User.objects.filter(councils_started__council_id=council_id).values("pk")
    return User.objects.filter(Q(pk__in=in_plans) | Q(pk__in=starters))


# --- Keeping the keys in step ---------------------------------------------------------------


def _touches_keys(update_fields) -> bool:
    return update_fields is None or bool(KEY_FIELDS & set(update_fields))


def _refuse_a_clash(sender, instance, raw, using, update_fields, **kwargs) -> None:
    if not _touches_keys(update_fields):
        return  # e.g. signing in saves last_login only
    username, email = instance.get_username(), getattr(instance, sender.get_email_field_name())
    found = clashes(username, email, exclude_pk=instance.pk, using=using)
    if found:
        what = " and ".join("user name" if f == "username" else "e-mail address" for f in found)
        raise IntegrityError(
            f"Another account already has this {what} (ignoring case and look-alike characters)"
        )
    if instance.pk is not None and not transaction.get_connection(using).in_atomic_block:
        # Autocommit: what to put back should the keys' write fail (see the module's doc).
        instance._account_before = (
            sender._base_manager.using(using)
            .filter(pk=instance.pk)
            .values(sender.USERNAME_FIELD, sender.get_email_field_name())
            .first()
        )


def _keep_keys(sender, instance, created, raw, using, update_fields, **kwargs) -> None:
    before = instance.__dict__.pop("_account_before", None)
    if not _touches_keys(update_fields):
        return
    autocommit = not transaction.get_connection(using).in_atomic_block
    username_key, key = keys_of(instance)
    try:
        with transaction.atomic(using=using):
            # The user's id is the key's: an UPDATE, or an INSERT for a new account.
            AccountKey(user_id=instance.pk, username_key=username_key, email_key=key).save(
                using=using
            )
    except IntegrityError:
        if autocommit:
            users = sender._base_manager.using(using).filter(pk=instance.pk)
            if created:
                users.delete()
            elif before:
                users.update(**before)
        raise


def connect() -> None:
    User = get_user_model()
    pre_save.connect(_refuse_a_clash, sender=User, dispatch_uid="plans.accounts.refuse_a_clash")
    post_save.connect(_keep_keys, sender=User, dispatch_uid="plans.accounts.keep_keys")
