from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.test.utils import override_settings

from plans.models import Plan


class Command(BaseCommand):
    help = "Load a file written by backup_plans into an empty (migrated) database."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path")

    def handle(self, *args: object, path: str, **options: object) -> None:
        if Plan.objects.exists():
            raise CommandError("This database already holds plans: restore into an empty one.")
        # The backup carries every history row already; loading it must not add
        # more (setting an action's partners would otherwise write new rows).
        with override_settings(SIMPLE_HISTORY_ENABLED=False):
            call_command("loaddata", path, verbosity=0)
        self.stdout.write(f"Restored {Plan.objects.count()} plan(s) from {path}")
