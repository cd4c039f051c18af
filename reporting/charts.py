"""Server-rendered SVG charts: geometry computed here, drawn by the template.

Each chart also gives its numbers as rows for the table shown beneath it, so
nothing depends on seeing the picture.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from core.rag import NOT_RATED, STATUSES
from plans import snapshot as snap
from plans.models import end_of_month

HEIGHT = 200  # drawing area, in SVG units
BAR_WIDTH = 36
GAP = 16


@dataclass
class Segment:
    key: str  # a RAG value, "none", or a series name
    label: str
    count: int
    y: float = 0
    height: float = 0


@dataclass
class Bar:
    label: str
    x: float
    segments: list[Segment] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(s.count for s in self.segments)


@dataclass
class Chart:
    bars: list[Bar]
    width: float
    height: float = HEIGHT
    max_value: int = 0
    series: list[tuple[str, str]] = field(default_factory=list)  # (key, label)


def month_ends(as_at: datetime.date, months: int, first_day: datetime.date | None) -> list:
    """The last ``months`` month ends up to ``as_at`` (the last is ``as_at`` itself)."""
    days = [as_at]
    cursor = as_at.replace(day=1) - datetime.timedelta(days=1)
    while len(days) < months:
        days.append(cursor)
        cursor = cursor.replace(day=1) - datetime.timedelta(days=1)
    return [d for d in reversed(days) if first_day is None or d >= first_day]


def _stack(bars: list[Bar], scale_to: int) -> None:
    for bar in bars:
        y = HEIGHT
        for seg in bar.segments:
            seg.height = HEIGHT * seg.count / scale_to if scale_to else 0
            y -= seg.height
            seg.y = y


def rag_over_time(
    area_ids: list[int], as_at: datetime.date, first_day: datetime.date | None, months: int = 12
) -> Chart:
    """One stacked bar per month: how many areas stood at each RAG at its end.
    One query for all the months."""
    bars = []
    days = month_ends(as_at, months, first_day)
    by_month = snap.rags_at(area_ids, [snap.end_of_day(day) for day in days]) if area_ids else []
    for i, day in enumerate(days):
        current = by_month[i] if by_month else {}
        counts = {s.value: 0 for s in STATUSES}
        for rag in current.values():
            counts[rag] += 1
        segments = [Segment(s.key, s.label, counts[s.value]) for s in STATUSES]
        segments.append(Segment(NOT_RATED.key, NOT_RATED.label, len(area_ids) - len(current)))
        bars.append(Bar(label=day.strftime("%b %Y"), x=i * (BAR_WIDTH + GAP), segments=segments))
    _stack(bars, len(area_ids))
    series = [(s.key, s.label) for s in (*STATUSES, NOT_RATED)]
    return Chart(
        bars=bars,
        width=max(len(bars), 1) * (BAR_WIDTH + GAP),
        max_value=len(area_ids),
        series=series,
    )


def milestones_by_month(
    milestones: list, as_at: datetime.date, first_day: datetime.date | None, months: int = 12
) -> Chart:
    """For each month: milestones due in it, and milestones completed in it."""
    ends = month_ends(as_at, months, first_day)
    bars = []
    for i, day in enumerate(ends):
        start = day.replace(day=1)
        month_end = end_of_month(day)
        due = sum(1 for m in milestones if start <= m.due_date <= month_end)
        done = sum(
            1
            for m in milestones
            if m.completed_date and start <= m.completed_date <= min(month_end, as_at)
        )
        bars.append(
            Bar(
                label=day.strftime("%b %Y"),
                x=i * (2 * BAR_WIDTH + GAP),
                segments=[Segment("due", "Due", due), Segment("completed", "Completed", done)],
            )
        )
    top = max([s.count for b in bars for s in b.segments] + [1])
    for bar in bars:
        for seg in bar.segments:
            seg.height = HEIGHT * seg.count / top
            seg.y = HEIGHT - seg.height
    return Chart(
        bars=bars,
        width=max(len(bars), 1) * (2 * BAR_WIDTH + GAP),
        max_value=top,
        series=[("due", "Due"), ("completed", "Completed")],
    )
