"""A measure's line chart, server-drawn: geometry computed here from the
card's points, drawn as SVG by templates/measures/_chart.html and as PNG for
Word and PDF papers by measures/png.py. The chart's table is made from the
very same points, so the picture and the table cannot disagree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from . import rag as mrag
from .models import Unit
from .units import format_value

HEIGHT = 200  # plotting area, in SVG units
STEP = 40  # between periods


@dataclass
class ChartPoint:
    x: float
    y: float | None  # None: no figure for the period
    label: str  # the axis label, e.g. "Mar 15"
    value_label: str
    value: Decimal | None
    show_label: bool = True


@dataclass
class LineChart:
    points: list[ChartPoint]
    width: float
    height: float = HEIGHT
    top: Decimal = Decimal(0)  # the value at the top of the plotting area
    top_label: str = ""
    middle_label: str = ""
    target_y: float | None = None
    target_label: str = ""
    band: tuple[float, float] | None = None  # (y of the band's top, its height)
    runs: list[str] = field(default_factory=list)  # polyline "x,y x,y" per unbroken run
    title: str = ""

    @property
    def has_figures(self) -> bool:
        return any(p.y is not None for p in self.points)


def _nice_top(value: Decimal) -> Decimal:
    """A round number at or above ``value``: 1, 2, 2.5 or 5 × a power of ten."""
    if value <= 0:
        return Decimal(1)
    exponent = value.adjusted()
    for step in (1, 2, Decimal("2.5"), 3, 4, 5, 6, 8, 10):
        step = Decimal(step)
        top = step.scaleb(exponent)
        if top >= value:
            return top
    return Decimal(10).scaleb(exponent)  # pragma: no cover (the loop always returns)


def line_chart(card) -> LineChart:
    """The chart of a card's points (measures.readings.MeasureCard)."""
    values = [p.value for p in card.points if p.value is not None]
    candidates = list(values)
    low_high = None
    if card.target is not None and card.polarity != "context":
        candidates.append(card.target)
        low_high = mrag.band(card.target, card.polarity, card.tolerance, card.tolerance_kind)
        candidates.append(low_high[1])
    top = _nice_top(max(candidates, default=Decimal(1)) * Decimal("1.05"))
    if card.unit == Unit.PERCENTAGE and top > 100:
        top = Decimal(100)

    def y(value: Decimal) -> float:
        clamped = min(max(value, Decimal(0)), top)
        return round(float(HEIGHT - clamped / top * HEIGHT), 2)

    every = 1 if len(card.points) <= 12 else 2
    points = []
    for i, p in enumerate(card.points):
        points.append(
            ChartPoint(
                x=i * STEP + STEP / 2,
                y=y(p.value) if p.value is not None else None,
                label=p.short_label,
                value_label=p.value_label,
                value=p.value,
                # Every other label when crowded, always the latest.
                show_label=(len(card.points) - 1 - i) % every == 0,
            )
        )
    runs, run = [], []
    for p in points:
        if p.y is None:
            if run:
                runs.append(run)
            run = []
        else:
            run.append(f"{p.x:g},{p.y:g}")
    if run:
        runs.append(run)
    chart = LineChart(
        points=points,
        width=max(len(points), 1) * STEP,
        top=top,
        top_label=format_value(top, card.unit),
        middle_label=format_value(top / 2, card.unit),
        runs=[" ".join(r) for r in runs],
        title=f"{card.name}: {card.frequency_label.lower()} figures",
    )
    if card.target is not None and card.polarity != "context":
        chart.target_y = y(card.target)
        chart.target_label = f"Target {card.target_label}"
        low, high = low_high
        chart.band = (y(high), round(y(low) - y(high), 2))
    return chart
