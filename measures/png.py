"""A measure's chart as a PNG, for Word (python-docx cannot embed SVG) and the
PDF: the same geometry as the page's SVG (measures/charts.py), drawn with
Pillow at twice the size for print. The same chart always gives the same bytes."""

from __future__ import annotations

import io
from functools import cache

from PIL import Image, ImageDraw, ImageFont

from .charts import HEIGHT, LineChart

SCALE = 2
LEFT, TOP, RIGHT, BOTTOM = 70, 14, 16, 44  # margins around the plotting area, in chart units
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
    small = _font(11)
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
            draw.text(at(p.x, HEIGHT + 14), month, fill=BLACK, font=small, anchor="mm")
            draw.text(at(p.x, HEIGHT + 28), year, fill=BLACK, font=small, anchor="mm")
    out = io.BytesIO()
    image.save(out, format="PNG", compress_level=1)
    return out.getvalue()


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
