"""What other apps add to plans' own pages: the area page and My work.

An app registers a function from its AppConfig.ready() (measures: the area's
measures and the figures an officer owes; reminders: each area's return for the
next board). Plans' views call every registered function and merge what it
returns into the page's context, so plans, which every app builds on, imports
none of them. Each function makes a fixed number of queries.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable

from .models import ImprovementArea

AreaPart = Callable[[ImprovementArea, object, datetime.date], dict]
MyWorkPart = Callable[[object, datetime.date, list[ImprovementArea]], dict]

# Keyed by name, so registering twice (a test re-running ready()) adds nothing.
_area_page: dict[str, AreaPart] = {}
_my_work: dict[str, MyWorkPart] = {}


def on_area_page(name: str, part: AreaPart) -> None:
    """``part(area, user, today)``: context for the area page."""
    _area_page[name] = part


def on_my_work(name: str, part: MyWorkPart) -> None:
    """``part(user, today, areas)``: context for My work; ``areas`` are those
    the user leads (a part may mark them, as returns do with what is due)."""
    _my_work[name] = part


def area_page(area: ImprovementArea, user, today: datetime.date) -> dict:
    return {
        key: value for part in _area_page.values() for key, value in part(area, user, today).items()
    }


def my_work(user, today: datetime.date, areas: list[ImprovementArea]) -> dict:
    return {
        key: value for part in _my_work.values() for key, value in part(user, today, areas).items()
    }
