from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from demo import data as demo
from demo.council import build_demo
from plans.models import Membership, Owner, Plan
from plans.roles import BOARD_MEMBER, OFFICER, PLAN_ADMINISTRATOR, SCRUTINY_OFFICER, Role
from plans.saving import save_with_history

# (user name, password, full name, role in every plan, owner role held). For a
# developer's own machine only: the passwords are printed and are the same everywhere.
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
            # Nobody here is an operator: plan administrators set their plan up
            # in the service, not in the admin site.
            user.is_staff = user.is_superuser = False
            if not user.check_password(password):
                user.set_password(password)
            user.save()
            # Every plan but the demo council's, which has its own accounts (below).
            for plan in Plan.objects.exclude(slug=demo.DEMO_SLUG):
                membership = Membership.objects.filter(plan=plan, user=user).first()
                if membership is None:
                    membership = Membership(plan=plan, user=user, role=role)
                    save_with_history(membership, reason="Demo account added to the plan")
                elif membership.role != role:
                    membership.role = role
                    save_with_history(membership, reason="Demo account's role")
            if owner_title:
                owner = (
                    Owner.objects.filter(job_title=owner_title)
                    .exclude(organisation__name=demo.COUNCIL)
                    .first()
                )
                if owner and owner.user_id != user.pk:
                    owner.user = user
                    save_with_history(owner, reason="Demo account holds this role", user=user)
            self.stdout.write(f"  {username} / {password} / {Role(role).label}")
        # measures: a second, fictional plan with its own accounts (demo/council.py).
        built = build_demo()
        self.stdout.write(
            f"{demo.DEMO_TITLE}: {'created' if built else 'already there'}; "
            "its accounts belong to it only (user name / password / role):"
        )
        for username, password, _name, role, _title in demo.DEMO_ACCOUNTS:
            self.stdout.write(f"  {username} / {password} / {Role(role).label}")
