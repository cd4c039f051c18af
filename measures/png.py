"""A measure's chart as a PNG, for Word (python-docx cannot embed SVG) and the
PDF: the same geometry as the page's SVG (measures/charts.py), drawn with
Pillow at twice the size for print. The same chart always gives the same bytes."""

from __future__ import annotations

import io
from functools import cache

from PIL import Image, ImageDraw, ImageFont

from .charts import HEIGHT, LineChart

SCALE = 2
# Labels' size in chart units: 16 prints at 8.5 pt or more however many periods
# a chart has (an 18-month chart, the widest, fills the page's width).
LABEL = 16
# Margins around the plotting area, in chart units: room for the value
# labels at the left ("45.2 per 10,000") and two lines of period labels below.
LEFT, TOP, RIGHT, BOTTOM = 120, 16, 20, 56
BLUE, BLACK, BAND = (29, 112, 184), (11, 12, 12), (255, 241, 153)
FONTS = (
    "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
)


@cache
def _font(size: int):
    for path in FONTS:
        try:
            return ImageFont.truetype(path, size * SCALE)
        except OSError:
            continue
    return ImageFont.load_default(size=size * SCALE)


def chart_png(chart: LineChart) -> bytes:
    width = int((LEFT + chart.width + RIGHT) * SCALE)
    height = int((TOP + HEIGHT + BOTTOM) * SCALE)
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)

    def at(x: float, y: float) -> tuple[float, float]:
        return ((LEFT + x) * SCALE, (TOP + y) * SCALE)

    if chart.band:
        top, size = chart.band
        draw.rectangle([at(0, top), at(chart.width, top + size)], fill=BAND)
    draw.line([at(0, HEIGHT), at(chart.width, HEIGHT)], fill=BLACK, width=SCALE)
    draw.line([at(0, 0), at(0, HEIGHT)], fill=BLACK, width=SCALE)
    small = _font(LABEL)
    for y, label in ((HEIGHT, "0"), (HEIGHT / 2, chart.middle_label), (0, chart.top_label)):
        draw.text(at(-6, y), label, fill=BLACK, font=small, anchor="rm")
    if chart.target_y is not None:
        x = 0.0
        while x < chart.width:  # dashed, as on the page
            draw.line(
                [at(x, chart.target_y), at(min(x + 6, chart.width), chart.target_y)],
                fill=BLACK,
                width=2 * SCALE,
            )
            x += 10
    for run in chart.runs:
        points = [at(*map(float, pair.split(","))) for pair in run.split()]
        if len(points) > 1:
            draw.line(points, fill=BLUE, width=3 * SCALE, joint="curve")
    for p in chart.points:
        if p.y is not None:
            cx, cy = at(p.x, p.y)
            r = 4 * SCALE
            draw.ellipse([cx - r, cy - r, cx + r, cy + r], fill=BLUE)
        if p.show_label:
            month, _, year = p.label.partition(" ")
            draw.text(at(p.x, HEIGHT + 16), month, fill=BLACK, font=small, anchor="mm")
            draw.text(at(p.x, HEIGHT + 36), year, fill=BLACK, font=small, anchor="mm")
    out = io.BytesIO()
    image.save(out, format="PNG", compress_level=1)
    return out.getvalue()


def size(chart: LineChart) -> tuple[float, float]:
    """The chart's width and height in chart units, margins included."""
    return LEFT + chart.width + RIGHT, TOP + HEIGHT + BOTTOM


def key(card) -> str:
    """What the chart's lines and shading mean, printed under it in every format."""
    chart = card.chart
    words = "Key: blue line, the figure"
    if chart.target_label:
        words += (
            f"; dashed line, {chart.target_label.lower()}; yellow band, near target: short of "
            f"it within the tolerance of {card.tolerance_label}"
        )
    return words + "."


def alt_text(card) -> str:
    """What the chart shows, for Word's and the PDF's alternative text."""
    first, last = card.points[0].label, card.points[-1].label
    latest = (
        f"latest figure {card.latest.value_label} ({card.latest.label})"
        if card.latest
        else "no figures recorded"
    )
    target = f", target {card.target_label}" if card.target is not None else ""
    return (
        f"Line chart of {card.name}, {first} to {last}: {latest}{target}. "
        "The table above gives every figure."
    )
