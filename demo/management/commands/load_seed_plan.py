from pathlib import Path

from django.core.management.base import BaseCommand, CommandParser

from measures.seed import load_seed_measures
from plans.seed import SEED_PLAN, load_plan
from reporting.seed import record_seed_papers


class Command(BaseCommand):
    help = "Load (or bring up to date) a plan from a fixture. Running it again changes nothing."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "path", nargs="?", default=str(SEED_PLAN), help="The plan fixture (JSON)."
        )

    def handle(self, *args: object, path: str, **options: object) -> None:
        result = load_plan(Path(path))
        papers = record_seed_papers(Path(path))
        # Success measures' definitions (measures/seed.py): no figures.
        measures = load_seed_measures(Path(path))
        if not result.wrote_anything and not papers and not measures:
            self.stdout.write("The plan is already up to date; nothing changed.")
            return
        for label, counts in (("Created", result.created), ("Changed", result.changed)):
            for name, n in counts.items():
                self.stdout.write(f"{label} {n} {name}")
        if papers:
            self.stdout.write(f"Recorded {papers} issued paper{'s' if papers != 1 else ''}")
        if measures:
            self.stdout.write(f"Created or changed {measures} measure definitions (no figures)")
