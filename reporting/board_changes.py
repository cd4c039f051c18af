"""What changed since the last board, as a board reads it: area by area, the
most significant first (a new red, a worse status, a better one, then
milestones slipped or newly overdue and measures gone off target, then the
rest: measures back on target, milestones completed), then the other changes
people made. Set-up (meetings, members,
owners, an action's partners) and whatever the loader or an operator did with
no one signed in are the plan's starting state, not changes: they stay in the
full log (Recent changes)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from measures import rag as mrag
from measures.standing import Standing, standings
from plans import snapshot as snap
from plans.history import ChangeEntry, ChangeFilter, change_page

from .build import PlanState
from .glance import Move, is_new_red, move_of, newly_overdue, short_name
from .papers import ActionLine, AreaLine, MilestoneLine

# The kinds of record whose changes a board reads (plans/history/registry.py
# and measures/change_log.py); the rest is set-up.
BOARD_KINDS = ("area", "action", "milestone", "update", "measure", "figure")
# Field changes that are set-up even on those records.
SET_UP_FIELDS = {"Partners"}
OTHER_CHANGES = 25


@dataclass
class MeasureMove:
    id: int
    name: str
    latest: str  # the latest figure, as it reads


@dataclass
class AreaChanges:
    line: AreaLine
    name: str
    move: Move | None = None
    new_red: bool = False
    slipped: list[MilestoneLine] = field(default_factory=list)
    newly_overdue: list[MilestoneLine] = field(default_factory=list)
    newly_overdue_actions: list[ActionLine] = field(default_factory=list)
    went_off: list[MeasureMove] = field(default_factory=list)
    back_on: list[MeasureMove] = field(default_factory=list)
    completed: list[MilestoneLine] = field(default_factory=list)

    @property
    def rank(self) -> int:
        """Lower is more significant: what the board should read first."""
        if self.new_red:
            return 0
        if self.move and self.line.movement == "Worse":
            return 1
        if self.move:
            return 2
        if self.newly_overdue or self.newly_overdue_actions or self.slipped or self.went_off:
            return 3
        return 4

    @property
    def anything(self) -> bool:
        return bool(
            self.move
            or self.slipped
            or self.newly_overdue
            or self.newly_overdue_actions
            or self.went_off
            or self.back_on
            or self.completed
        )


@dataclass
class BoardChanges:
    since: datetime.date
    areas: list[AreaChanges]
    others: list[ChangeEntry]
    more_others: bool  # the full log has more than ``others``

    @property
    def first_day(self) -> datetime.date:
        """The first whole day after the board, for the link to the full log."""
        return self.since + datetime.timedelta(days=1)


def _measure_moves(state: PlanState, board_day: datetime.date, now: list[Standing]):
    """(area number → measures gone off target, → back on) since the board."""
    areas = {a.id: a.number for a in state.snapshot.areas}
    before = {m.id: m.rag for m in standings(state.snapshot.plan, areas, board_day)}
    off: dict[int, list[MeasureMove]] = {}
    on: dict[int, list[MeasureMove]] = {}
    for m in now:
        was = before.get(m.id)
        move = MeasureMove(m.id, m.name, m.latest_label)
        if m.rag == mrag.OFF and was != mrag.OFF:
            off.setdefault(m.area_number, []).append(move)
        elif was == mrag.OFF and m.rag == mrag.ON:
            on.setdefault(m.area_number, []).append(move)
    return off, on


def board_changes(state: PlanState, measures_now: list[Standing], viewer) -> BoardChanges | None:
    """The changes since the previous board (None if there was none)."""
    board = state.board
    if board is None:
        return None
    as_at = state.snapshot.as_at
    off, on = _measure_moves(state, board.date, measures_now)
    slipped: dict[int, list[MilestoneLine]] = {}
    for m in state.reforecast:
        slipped.setdefault(m.area_number, []).append(m)
    changes = []
    for line in state.areas:
        item = AreaChanges(line=line, name=short_name(line))
        if line.movement in ("Worse", "Improved"):
            item.move = move_of(line)
        item.new_red = is_new_red(line)
        item.slipped = slipped.get(line.number, [])
        item.newly_overdue = newly_overdue(line.overdue, as_at, board.date)
        item.newly_overdue_actions = newly_overdue(line.overdue_actions, as_at, board.date)
        item.went_off = off.get(line.number, [])
        item.back_on = on.get(line.number, [])
        item.completed = line.completed_since_board
        if item.anything or item.new_red:
            changes.append(item)
    changes.sort(key=lambda c: (c.rank, c.line.number))
    page = change_page(
        state.snapshot.plan,
        viewer=viewer,
        filters=ChangeFilter(
            since=snap.end_of_day(board.date),
            until=snap.end_of_day(as_at),
            people_only=True,
            kinds=BOARD_KINDS,
        ),
        per_page=OTHER_CHANGES,
        housekeeping=False,
        count=False,
    )
    others = [
        e
        for e in page.entries
        if not (e.changes and all(c.label in SET_UP_FIELDS for c in e.changes))
    ]
    return BoardChanges(since=board.date, areas=changes, others=others, more_others=page.has_next)
