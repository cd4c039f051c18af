"""The dashboard's first screen: the answer a board member came for, as at a
date. Where the plan stands and stood at the last board, what moved, what is
newly red or overdue, what the measures say, and what the next meeting will be
asked to decide. Everything here is read from the plan state the dashboard
has already built, plus where each measure stands and the next meeting."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.urls import reverse
from django.utils.text import Truncator

from core.rag import RAG
from measures.standing import Standing
from plans import permissions as perms
from plans.models import Meeting, Plan

from .build import PlanState, rag_counts
from .models import IssuedPaper, PreparedPaper
from .papers import ActionLine, AreaLine, Kind, MilestoneLine

# Words an area is named by in a line of the summary ("5 Missing children…").
SHORT_NAME_WORDS = 6


def short_name(line: AreaLine) -> str:
    return Truncator(line.recommendation).words(SHORT_NAME_WORDS)


@dataclass
class Move:
    """An area whose status changed since the last board."""

    number: int
    name: str
    before: str  # "Green – on track"
    now: str
    reason: str  # why, as the approved update says ("" if it does not)


@dataclass
class CountRow:
    value: str
    label: str
    now: int
    at_board: int | None  # None when there was no board before the date


@dataclass
class NextMeeting:
    meeting: Meeting
    # The paper for it the viewer may read: the latest issued version, or (for
    # those who prepare papers) the one being prepared; None if neither.
    paper_url: str = ""
    paper_label: str = ""
    asks: list[str] = field(default_factory=list)
    recommendations: list[str] = field(default_factory=list)


@dataclass
class Glance:
    counts: list[CountRow]
    worse: list[Move]
    improved: list[Move]
    new_reds: list[AreaLine]
    # Areas with a status now that had none at the last board.
    first_rated: list[AreaLine]
    # Open milestones overdue now that were not overdue at the last board.
    newly_overdue: list[MilestoneLine]
    overdue_total: int
    # Actions past their due date, by the same rule (plans.models.ActionDates).
    newly_overdue_actions: list[ActionLine]
    overdue_actions_total: int
    measures_total: int
    measures_off: int
    measures_unrated: int  # no figure yet, or no target: no RAG to give
    # Areas rated green or blue while one of their measures is off target.
    contradicted_by_measures: list[int]
    next_meeting: NextMeeting | None
    board_label: str  # "" when there was no board before the date

    @property
    def newly_overdue_count(self) -> int:
        return len(self.newly_overdue) + len(self.newly_overdue_actions)

    @property
    def moved(self) -> bool:
        return bool(self.worse or self.improved)


def is_new_red(line: AreaLine) -> bool:
    """Red now, and not red at the last board."""
    return line.rag == RAG.RED and line.previous_rag != RAG.RED


def newly_overdue(lines: list, as_at: datetime.date, board_day: datetime.date) -> list:
    """The overdue milestone or action lines that were not overdue at the
    board: expected on or after its day (``late_days`` before ``as_at``)."""
    return [x for x in lines if as_at - datetime.timedelta(days=x.late_days) >= board_day]


def move_of(line: AreaLine) -> Move:
    return Move(
        number=line.number,
        name=short_name(line),
        before=line.previous_rag_label,
        now=line.rag_label,
        reason=line.rag_reason,
    )


def _counts(state: PlanState) -> list[CountRow]:
    """The plan's RAG counts (build.rag_counts), now and at the last board."""
    now = rag_counts([a.rag for a in state.areas])
    before = rag_counts([a.previous_rag for a in state.areas])
    return [
        CountRow(value=value or "", label=label, now=n, at_board=b if state.board else None)
        for (value, label, n), (_, _, b) in zip(now, before, strict=True)
    ]


def next_meeting(plan: Plan, as_at: datetime.date, viewer) -> NextMeeting | None:
    """The first meeting after ``as_at`` that has not been cancelled, and what
    it will be asked to decide, from the paper the viewer may read: issued
    papers are for every member; one being prepared only for those who issue
    papers (a draft is not the board's to read). Three queries at most."""
    meeting = (
        Meeting.objects.filter(plan=plan, cancelled=False, date__gt=as_at)
        .order_by("date", "kind")
        .first()
    )
    if meeting is None:
        return None
    found = NextMeeting(meeting=meeting)
    issued = (
        IssuedPaper.objects.filter(meeting=meeting)
        .only("pk", "version", "front_sheet", "issued_at", "issued_precision")
        .order_by("-version")
        .first()
    )
    if issued is not None:
        front = issued.front_sheet or {}
        found.paper_url = reverse("reporting:issued", args=[issued.pk])
        found.paper_label = f"Paper issued {issued.issued_on} (version {issued.version})"
        found.asks = list(front.get("asks") or [])
        found.recommendations = list(front.get("recommendations") or [])
        return found
    if perms.can_issue_papers(viewer, plan):
        prepared = PreparedPaper.objects.filter(
            meeting=meeting, kind=Kind.for_meeting(meeting.kind)
        ).first()
        if prepared is not None:
            found.paper_url = reverse(
                "reporting:prepared", args=[plan.slug, meeting.pk, prepared.kind]
            )
            found.paper_label = "Paper being prepared (not yet issued)"
            found.asks = [a for a in prepared.asks.splitlines() if a.strip()]
            found.recommendations = [r for r in prepared.recommendations.splitlines() if r.strip()]
    return found


def at_a_glance(state: PlanState, measures: list[Standing], viewer) -> Glance:
    """The first screen, from the dashboard's plan state and where each
    measure stands (measures.standing)."""
    board = state.board
    as_at = state.snapshot.as_at
    worse = [a for a in state.areas if a.movement == "Worse"]
    # Most serious first: now red before now amber; then by number.
    worse.sort(key=lambda a: (-RAG.severity(a.rag), a.number))
    improved = [a for a in state.areas if a.movement == "Improved"]
    new_reds = [a for a in state.areas if board and is_new_red(a)]

    def newly(lines):
        return newly_overdue(lines, as_at, board.date) if board else list(lines)

    off_areas = {m.area_number for m in measures if m.off_target}
    return Glance(
        counts=_counts(state),
        worse=[move_of(a) for a in worse],
        improved=[move_of(a) for a in improved],
        new_reds=new_reds,
        first_rated=[a for a in state.areas if board and a.rag and a.previous_rag is None],
        newly_overdue=newly(state.overdue),
        overdue_total=len(state.overdue),
        newly_overdue_actions=newly(state.overdue_actions),
        overdue_actions_total=len(state.overdue_actions),
        measures_total=len(measures),
        measures_off=sum(1 for m in measures if m.off_target),
        measures_unrated=sum(1 for m in measures if not m.rag),
        # As the scorecard's contradictions (measures/scorecard.py).
        contradicted_by_measures=[
            a.number
            for a in state.areas
            if a.rag in (RAG.GREEN, RAG.BLUE) and a.number in off_areas
        ],
        next_meeting=next_meeting(state.snapshot.plan, as_at, viewer),
        board_label=board.label if board else "",
    )
