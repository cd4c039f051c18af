"""How the service writes a day in words, on pages, in papers and in e-mails."""

from __future__ import annotations

import datetime


def long_date(day: datetime.date) -> str:
    """'31 March 2015'."""
    return f"{day.day} {day.strftime('%B %Y')}"


def long_date_with_weekday(day: datetime.date) -> str:
    """'Friday 12 June 2026': how due dates are written, in pages and e-mails."""
    return f"{day.strftime('%A')} {long_date(day)}"
