from pathlib import Path

from django.core.management.base import BaseCommand, CommandParser

from plans.seed import SEED_PLAN, load_plan


class Command(BaseCommand):
    help = "Load (or bring up to date) a plan from a fixture. Running it again changes nothing."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "path", nargs="?", default=str(SEED_PLAN), help="The plan fixture (JSON)."
        )

    def handle(self, *args: object, path: str, **options: object) -> None:
        result = load_plan(Path(path))
        if not result.wrote_anything:
            self.stdout.write("The plan is already up to date; nothing changed.")
            return
        for label, counts in (("Created", result.created), ("Changed", result.changed)):
            for name, n in counts.items():
                self.stdout.write(f"{label} {n} {name}")
