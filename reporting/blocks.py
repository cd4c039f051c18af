"""The blocks a paper is laid out in (reporting/layout.py) and every format
renders: headings, paragraphs, lists, tables of cells, and charts."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property


@dataclass
class Cell:
    text: str
    rag: str | None = None  # a RAG value: the cell is a status, shown on its colour
    is_status: bool = False  # a status cell (also "Not yet rated")
    number: bool = False  # a number, aligned right


@dataclass
class Heading:
    level: int
    text: str
    kind: str = "heading"


@dataclass
class Para:
    text: str
    style: str = ""  # "title-block" (the meeting in capitals), "note"
    kind: str = "para"


@dataclass
class Items:
    items: list[str]
    numbered: bool = False
    kind: str = "items"


def steps_of_twenty(widths: list[float]) -> list[int]:
    """``widths`` as twentieths of the page that add up to exactly twenty,
    each at least one: the largest remainders take the units rounding leaves
    over. (Rounding each on its own can add up to more than the page: a table
    whose right edge runs off it.)"""
    total = sum(widths) or 1
    exact = [20 * w / total for w in widths]
    units = [max(1, int(x)) for x in exact]
    spare = 20 - sum(units)
    by_remainder = sorted(range(len(widths)), key=lambda i: exact[i] - int(exact[i]), reverse=True)
    for i in by_remainder[: max(0, spare)]:
        units[i] += 1
    # More forced-up columns than rounding left over: take back from the widest.
    while sum(units) > 20 and max(units) > 1:
        units[units.index(max(units))] -= 1
    return units


@dataclass
class Table:
    caption: str  # for screen readers and Word's table title; not printed
    headers: list[str]
    rows: list[list[Cell]]
    widths: list[float]  # relative column widths
    row_headers: bool = False  # the first column heads its row (a front sheet)
    kind: str = "table"

    @property
    def keep_together(self) -> bool:
        """A short table (a key, the counts, a front sheet) is never split
        across pages: it moves whole to the next page. Only short ones: a long
        table kept whole would leave its heading alone on a near-empty page."""
        words = sum(len(c.text) for row in self.rows for c in row)
        return len(self.rows) <= 12 and words <= 800

    @property
    def percentages(self) -> list[int]:
        """Column widths in steps of 5 %: the stylesheets' .app-w-N classes
        (a strict content security policy allows no inline styles)."""
        return [5 * units for units in steps_of_twenty(self.widths)]


@dataclass
class Image:
    """A chart (a success measure's), with its alternative text; the table
    before it carries the same figures. Word, PDF and the issued copy take it
    as a PNG (measures/png.py), drawn only when one of them asks (``draw``);
    the paper's page shows the same geometry as SVG (``svg``), which costs
    nothing to draw: a board report of 400 measures is 400 charts."""

    draw: Callable[[], bytes]
    svg: str
    alt: str
    width: int  # display width in CSS pixels (Word: the text width, at most)
    height: int
    kind: str = "image"

    @cached_property
    def png(self) -> bytes:
        return self.draw()

    @property
    def data_uri(self) -> str:
        import base64

        return "data:image/png;base64," + base64.b64encode(self.png).decode("ascii")


@dataclass
class Document:
    title: str  # the document's title (PDF and Word properties)
    landscape: bool
    classification: str
    footer: str  # where the paper went: meeting, version and dates
    blocks: list = field(default_factory=list)

    def add(self, *blocks) -> None:
        self.blocks.extend(blocks)

    @property
    def headings(self) -> list[tuple[int, str]]:
        return [(b.level, b.text) for b in self.blocks if b.kind == "heading"]


def status(value: str | None, label: str) -> Cell:
    return Cell(label, rag=value or None, is_status=True)


def text(value: object) -> Cell:
    return Cell("" if value is None else str(value))


def paragraphs(value: str) -> list[Para]:
    """Text written with blank lines between paragraphs."""
    parts = re.split(r"\n[ \t]*\n", value.replace("\r\n", "\n").replace("\r", "\n"))
    return [Para(p.strip()) for p in parts if p.strip()]
