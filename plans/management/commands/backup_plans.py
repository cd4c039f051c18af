from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

# What a backup leaves out: rows every installation makes for itself on migrate
# (content types, permissions, the role groups: users name their groups by name)
# and short-lived ones (sessions, lockouts, the admin's log).
EXCLUDE = ["contenttypes", "auth.permission", "auth.group", "sessions", "axes", "admin.logentry"]


class Command(BaseCommand):
    help = (
        "Write every plan, user and issued paper, with all their history, to a file "
        "(XML, which keeps timestamps to the microsecond). Restore with restore_plans."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("output", help="The file to write, e.g. plans-2026-11-26.xml")

    def handle(self, *args: object, output: str, **options: object) -> None:
        call_command(
            "dumpdata",
            "--natural-foreign",
            *[arg for model in EXCLUDE for arg in ("-e", model)],
            format="xml",
            output=output,
            verbosity=0,
        )
        self.stdout.write(f"Backed up to {output}")
