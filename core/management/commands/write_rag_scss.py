"""Writes static/scss/_rag_table.scss from the RAG table (core/rag.py), which
the stylesheet reads for the tags' and charts' colours. Run after changing the
table, then build the stylesheet (scripts/setup.sh does both)."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from core import rag

PARTIAL = Path("static") / "scss" / "_rag_table.scss"


class Command(BaseCommand):
    help = "Write the stylesheet's RAG colours (static/scss/_rag_table.scss) from core/rag.py."

    def add_arguments(self, parser):
        parser.add_argument(
            "--check", action="store_true", help="Only say whether the file is up to date."
        )

    def handle(self, *args, check: bool = False, verbosity: int = 1, **options):
        path = Path(settings.BASE_DIR) / PARTIAL
        wanted = rag.scss()
        current = path.read_text() if path.exists() else None
        if current == wanted:
            if verbosity:
                self.stdout.write(f"{PARTIAL} is up to date.")
        elif check:
            raise CommandError(f"{PARTIAL} differs from core/rag.py: run write_rag_scss.")
        else:
            # Written only when it changed, so the stylesheet is rebuilt only then.
            path.write_text(wanted)
            if verbosity:
                self.stdout.write(f"Wrote {PARTIAL}.")
