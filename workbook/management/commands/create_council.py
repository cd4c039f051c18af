"""Operators: create a council and the first person who may start its plans.

    manage.py create_council "Exeter City Council" --admin jsmith --email j.smith@exeter.gov.uk

The council is added to the directory (or found, if it is there already); the
account is created without a password (a set-password link is printed for the
operator to pass on) or found; the person may then start plans for the council
in the service ("Start a plan"), and becomes each new plan's administrator.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from plans import accounts
from plans.models import Organisation
from plans.saving import save_with_history
from plans.setup.members import set_password_link
from workbook.models import CouncilAdministrator

REASON = "Council set up by the service's operators (create_council)"


class Command(BaseCommand):
    help = "Create a council and the account that may start its plans."

    def add_arguments(self, parser) -> None:
        parser.add_argument("council", help="The council's name")
        parser.add_argument("--admin", required=True, help="User name of its first administrator")
        parser.add_argument("--email", default="", help="Their e-mail address (new accounts)")
        parser.add_argument("--first-name", default="")
        parser.add_argument("--last-name", default="")

    def handle(self, *args, **options) -> None:
        name = options["council"].strip()
        if not name:
            raise CommandError("Give the council's name")
        User = get_user_model()
        with transaction.atomic():
            council = Organisation.objects.filter(name=name, council__isnull=True).first()
            if council is None:
                council = Organisation(name=name, kind=Organisation.Kind.COUNCIL)
                save_with_history(council, reason=REASON)
            # "JSmith" finds jsmith: user names are one however they are typed (plans/accounts.py).
            key = accounts.folded(User.normalize_username(options["admin"]))
            user = User.objects.filter(account_key__username_key=key).first()
            new = user is None
            if new:
                if not options["email"]:
                    raise CommandError("A new account needs --email")
                if accounts.clashes(email=options["email"]):
                    raise CommandError(
                        "Another account already has this e-mail address: give that "
                        "account's user name with --admin, or another address"
                    )
                user = User(
                    username=User.normalize_username(options["admin"]),
                    email=options["email"],
                    first_name=options["first_name"],
                    last_name=options["last_name"],
                )
                user.set_unusable_password()
                user.full_clean()
                user.save()
            if not CouncilAdministrator.objects.filter(council=council, user=user).exists():
                save_with_history(CouncilAdministrator(council=council, user=user), reason=REASON)
        self.stdout.write(f"{user.get_username()} may start plans for {council.name}.")
        if new:
            link = set_password_link(user, getattr(settings, "SITE_URL", "http://127.0.0.1:8000"))
            self.stdout.write(f"Pass on this link for them to set a password: {link}")
        self.stdout.write("They start a plan at /start-a-plan/ once signed in.")
