"""The plan's scorecard as at a date: every measure grouped by theme, the
counts on, near and off target, and the contradictions a board should see
(areas rated green or blue whose measures are red; measures missing their
latest figure). Built for the dashboard, the scorecard downloads and papers."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from functools import cached_property

from core.rag import RAG, rag_label
from plans import snapshot as snap
from plans.models import Plan, Theme

from . import rag as mrag
from .readings import MeasureCard, cards_at

NO_THEME = "No theme"


@dataclass
class AreaInfo:
    id: int
    number: int
    recommendation: str
    theme: str
    rag: str | None  # the area's RAG (its latest approved update's), as at the date
    rag_label: str = ""


@dataclass
class Contradiction:
    area: AreaInfo
    red: list[MeasureCard]


@dataclass
class Scorecard:
    plan: Plan
    as_at: datetime.date
    areas: list[AreaInfo]
    cards: list[MeasureCard]
    off_only: bool = False
    groups: list[tuple[str, list[MeasureCard]]] = field(default_factory=list)

    @cached_property
    def counts(self) -> list[tuple[str, str, int]]:
        """(RAG value, label, count): on, near and off target, then no RAG."""
        rows = [
            (value, mrag.LABELS[value], sum(1 for c in self.cards if c.rag == value))
            for value in (mrag.ON, mrag.NEAR, mrag.OFF)
        ]
        rows.append(
            ("", "No RAG (no target or no figure)", sum(1 for c in self.cards if not c.rag))
        )
        return rows

    @cached_property
    def contradictions(self) -> list[Contradiction]:
        by_area: dict[int, list[MeasureCard]] = {}
        for c in self.cards:
            if c.rag == mrag.OFF:
                by_area.setdefault(c.area_id, []).append(c)
        return [
            Contradiction(area=a, red=by_area[a.id])
            for a in self.areas
            if a.rag in (RAG.GREEN, RAG.BLUE) and a.id in by_area
        ]

    @cached_property
    def missing(self) -> list[MeasureCard]:
        return [c for c in self.cards if c.missing]

    @cached_property
    def off_target(self) -> list[MeasureCard]:
        return [c for c in self.cards if c.rag == mrag.OFF]

    @cached_property
    def worsening(self) -> list[MeasureCard]:
        return [c for c in self.cards if c.worsening]

    @cached_property
    def shown(self) -> int:
        return sum(len(cards) for _, cards in self.groups)

    def area(self, area_id: int) -> AreaInfo | None:
        return next((a for a in self.areas if a.id == area_id), None)


def build(
    plan: Plan,
    as_at: datetime.date,
    areas: list[AreaInfo],
    *,
    off_only: bool = False,
    charts: bool = False,
) -> Scorecard:
    """The scorecard of ``areas`` (in number order) as at the end of ``as_at``:
    the queries of readings.cards_at (four). ``charts``: read each measure's
    chart's worth of figures too (papers)."""
    numbers = {a.id: a.number for a in areas}
    cards = cards_at(plan, numbers, as_at, charts=charts)
    card = Scorecard(plan=plan, as_at=as_at, areas=areas, cards=cards, off_only=off_only)
    themes: dict[str, list[MeasureCard]] = {}
    theme_of = {a.id: a.theme or NO_THEME for a in areas}
    for c in cards:
        if off_only and c.rag != mrag.OFF:
            continue
        themes.setdefault(theme_of.get(c.area_id, NO_THEME), []).append(c)
    card.groups = list(themes.items())
    return card


def area_infos(state) -> list[AreaInfo]:
    """The areas of a plan state already read (reporting.build.PlanState): its
    snapshot's rows and their lines, with no query of their own."""
    return [
        AreaInfo(
            id=row.id,
            number=line.number,
            recommendation=line.recommendation,
            theme=line.theme,
            rag=line.rag,
            rag_label=line.rag_label,
        )
        for row, line in zip(state.snapshot.areas, state.areas, strict=True)
    ]


def at(plan: Plan, as_at: datetime.date, *, off_only: bool = False) -> Scorecard:
    """The scorecard on its own (the downloads, the dashboard's measures): the
    plan's areas and their RAG as at the date, then the measures."""
    plan_areas, current = snap.areas_at(plan, as_at)
    themes = dict(Theme.objects.filter(plan=plan).values_list("pk", "name"))
    areas = []
    for a in plan_areas:
        update = current.get(a.id)
        areas.append(
            AreaInfo(
                id=a.id,
                number=a.number,
                recommendation=a.recommendation,
                theme=themes.get(a.theme_id, ""),
                rag=update.rag if update else None,
                rag_label=rag_label(
                    update.rag if update else None, bool(update and update.rag_assessed)
                ),
            )
        )
    return build(plan, as_at, areas, off_only=off_only)
