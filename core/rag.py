"""The RAG vocabulary in one table: each status's value, its label, what it
means in the key, the hint for choosing it, and how it is drawn (the tag's
class, its colours, its bar in a chart).

Everything that shows a status reads this table: the update's choices
(``RAG``), the tags on pages and papers (``rag_tag``), the Word and Excel
fills, the PDF's CSS (templates/reporting/paper_document.html) and the
stylesheet, through static/scss/_rag_table.scss, which ``python manage.py
write_rag_scss`` writes from it. Colour is never the only signal: every tag
carries its word.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models

from .cells import escape


@dataclass(frozen=True)
class Colour:
    """A colour of the GOV.UK palette: its name, as the stylesheet asks for it
    (``govuk-colour("blue")``), and its value in GOV.UK Frontend 5, for the PDF,
    Word and Excel, which have no Sass."""

    name: str
    hex: str  # without "#"
    office_hex: str = ""  # what Word and Excel write, where it differs

    @property
    def css(self) -> str:
        return f"#{self.hex}"

    @property
    def office(self) -> str:
        return self.office_hex or self.hex


BLUE = Colour("blue", "1d70b8")
GREEN = Colour("green", "00703c")
YELLOW = Colour("yellow", "ffdd00")
RED = Colour("red", "d4351c")
WHITE = Colour("white", "ffffff")
# Word and Excel have always written black text as pure black.
BLACK = Colour("black", "0b0c0c", office_hex="000000")
LIGHT_GREY = Colour("light-grey", "f3f2f1")
MID_GREY = Colour("mid-grey", "b1b4b6")
DARK_GREY = Colour("dark-grey", "505a5f")


@dataclass(frozen=True)
class Status:
    """One line of the table. ``value`` is what an update stores ("" for an
    area nobody has rated yet)."""

    value: str
    label: str
    meaning: str  # the key on every page and paper
    guidance: str  # the hint under the choice in the update form
    background: Colour
    text: Colour
    border: Colour | None  # the tag's border, on the page and on paper
    bar: Colour  # its bar in a chart, and the chart key's swatch
    bar_stroke: Colour | None = None
    # On paper, where it differs from the page's: mid grey on light grey fades in print.
    print_border: Colour | None = None

    @property
    def key(self) -> str:
        """The name in the tag's class: the value, or "none"."""
        return self.value or "none"

    @property
    def css_class(self) -> str:
        return f"app-rag app-rag--{self.key}"

    @property
    def paper_border(self) -> Colour | None:
        return self.print_border or self.border

    @property
    def choice(self) -> tuple[str, str]:
        return self.value, self.label


# Best to worst: the order of every key, count and chart, and of severity.
STATUSES: tuple[Status, ...] = (
    Status(
        "blue",
        "Blue – complete",
        meaning="The work is complete",
        guidance="The work in this area is complete.",
        background=BLUE,
        text=WHITE,
        border=None,
        bar=BLUE,
    ),
    Status(
        "green",
        "Green – on track",
        meaning="Going to plan",
        guidance="On track: the work is going to plan and milestones are being met.",
        background=GREEN,
        text=WHITE,
        border=None,
        bar=GREEN,
    ),
    Status(
        "amber",
        "Amber – at risk",
        meaning="Some slippage, with action in hand",
        guidance="At risk: some slippage or concern, with action in hand to recover it.",
        background=YELLOW,
        text=BLACK,
        border=BLACK,
        bar=YELLOW,
        bar_stroke=BLACK,
    ),
    Status(
        "red",
        "Red – off track",
        meaning="Significant delay or concern",
        guidance="Off track: significant delay or concern that needs the board's attention.",
        background=RED,
        text=WHITE,
        border=None,
        bar=RED,
    ),
)
NOT_RATED = Status(
    "",
    "Not yet rated",
    meaning="",
    guidance="",
    background=LIGHT_GREY,
    text=BLACK,
    border=MID_GREY,
    bar=MID_GREY,
    print_border=DARK_GREY,
)
STATUS: dict[str, Status] = {s.value: s for s in STATUSES}

# A status nobody gave: the loader assessed it from a source's narrative. It is
# shown with this mark wherever it appears, and the key says what the mark means.
ASSESSED_MARK = "(assessed)"
ASSESSED_MEANING = (
    "Assessed from the update's narrative when the plan was loaded: the source gave no status."
)


class RAG(models.TextChoices):
    """The plan's status scale, as an update stores it. Blue means the work is complete."""

    BLUE = STATUS["blue"].choice
    GREEN = STATUS["green"].choice
    AMBER = STATUS["amber"].choice
    RED = STATUS["red"].choice

    @classmethod
    def meaning(cls, value: str) -> str:
        """What the status says, in the key printed on every page and paper."""
        return STATUS[value].meaning

    @classmethod
    def guidance(cls, value: str) -> str:
        """When to choose the status: the hint under it in the update form."""
        return STATUS[value].guidance

    @classmethod
    def severity(cls, value: str) -> int:
        """Higher is worse: Blue 0, Green 1, Amber 2, Red 3."""
        return list(STATUS).index(value)

    @classmethod
    def is_worse(cls, new: str, old: str | None) -> bool:
        return old is not None and cls.severity(new) > cls.severity(old)


def rag_label(value: str | None, assessed: bool = False) -> str:
    """'Amber – at risk', 'Amber – at risk (assessed)' or 'Not yet rated'."""
    if not value:
        return NOT_RATED.label
    label = STATUS[value].label
    return f"{label} {ASSESSED_MARK}" if assessed else label


def rag_key(assessed: bool = False) -> list[tuple[str, str, str]]:
    """The RAG key: (value, label, meaning) a line, with the assessed mark's
    line when what it explains shows an assessed status."""
    key = [(s.value, s.label, s.meaning) for s in STATUSES]
    if assessed:
        key.append(("", ASSESSED_MARK, ASSESSED_MEANING))
    return key


def rag_tag(value: str | None, label: str) -> str:
    """A status as its word in a coloured tag, escaped: on pages and papers alike.
    ``value`` picks the colours (a RAG value, or none); ``label`` is the word."""
    status = STATUS.get(value or "", NOT_RATED)
    return f'<strong class="{status.css_class}">{escape(label)}</strong>'


def scss() -> str:
    """The table as a Sass map, for static/scss/_rag_table.scss: by status, the
    GOV.UK colour names of its tag and its chart bar."""

    def name(colour: Colour | None) -> str:
        return f'"{colour.name}"' if colour else "null"

    lines = [
        "// Written from core/rag.py by `python manage.py write_rag_scss`: change the table",
        "// there, not this file (a test compares the two).",
        "$app-rag-statuses: (",
    ]
    for s in (*STATUSES, NOT_RATED):
        lines.append(
            f'  "{s.key}": ("text": {name(s.text)}, "background": {name(s.background)}, '
            f'"border": {name(s.border)}, "bar": {name(s.bar)}, '
            f'"bar-stroke": {name(s.bar_stroke)}),'
        )
    lines.append(");")
    return "\n".join(lines) + "\n"
