"""Send every e-mail that is due: run from cron or a systemd timer every 15 minutes.

Safe to run twice, or twice at once: each message is recorded before it is
sent, under a unique constraint, and claimed by one run only (reminders/services.py).
"""

from __future__ import annotations

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from reminders import services


def parse_now(text: str) -> datetime.datetime:
    """An ISO date or date and time, in the service's time zone."""
    try:
        value = datetime.datetime.fromisoformat(text)
    except ValueError:
        raise CommandError(
            f"--now must be a date like 2026-06-12 or 2026-06-12T09:00, not {text!r}"
        ) from None
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value


class Command(BaseCommand):
    help = "Send the reminders, digests and reports that are due, each exactly once."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--now",
            type=parse_now,
            help="Act as at this date and time (for tests and catching up), e.g. 2026-06-12T09:00",
        )

    def handle(self, *args, **options) -> None:
        outcome = services.run(now=options["now"])
        self.stdout.write(f"send_reminders: {outcome}")
