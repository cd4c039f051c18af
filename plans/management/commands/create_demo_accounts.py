from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError

from plans.models import Owner, Plan
from plans.roles import BOARD_MEMBER, OFFICER, PLAN_ADMINISTRATOR, SCRUTINY_OFFICER

# (user name, password, full name, role, owner role held). For a developer's
# own machine only: the passwords are printed and are the same everywhere.
DEMO_ACCOUNTS = [
    ("officer", "demo-officer-pass", "Olivia Officer", OFFICER, "Head of Children's Social Care"),
    ("admin", "demo-admin-pass", "Adam Administrator", PLAN_ADMINISTRATOR, None),
    ("board", "demo-board-pass", "Beth Board-Member", BOARD_MEMBER, None),
    ("scrutiny", "demo-scrutiny-pass", "Sam Scrutiny", SCRUTINY_OFFICER, None),
]


class Command(BaseCommand):
    help = "Create demo accounts, one for each role (developers' machines only: needs DEBUG)."

    def handle(self, *args: object, **options: object) -> None:
        if not settings.DEBUG:
            raise CommandError(
                "Demo accounts are for local use only: refusing to run with DEBUG off."
            )
        User = get_user_model()
        self.stdout.write("Demo accounts (user name / password / role):")
        for username, password, full_name, role, owner_title in DEMO_ACCOUNTS:
            first, last = full_name.split(" ", 1)
            user, _ = User.objects.get_or_create(username=username)
            user.first_name, user.last_name = first, last
            user.email = f"{username}@example.org"
            # Plan administrators manage users and set-up in the admin site.
            user.is_staff = role == PLAN_ADMINISTRATOR
            if not user.check_password(password):
                user.set_password(password)
            user.save()
            user.groups.set([Group.objects.get(name=role)])
            for plan in Plan.objects.exclude(members=user):
                plan._change_reason = "Demo account added to the plan"
                plan.members.add(user)
            if owner_title:
                owner = Owner.objects.filter(job_title=owner_title).first()
                if owner and owner.user_id != user.pk:
                    owner.user = user
                    owner._change_reason = "Demo account holds this role"
                    owner._history_user = user
                    owner.save()
            self.stdout.write(f"  {username} / {password} / {role}")
