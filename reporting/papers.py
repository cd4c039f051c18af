"""The papers' content, as plain data: what every format (HTML, Word, PDF,
Excel, CSV) renders. Built by reporting.build from a plan snapshot as at a date;
laid out once, for every format, by reporting.layout.
"""

from __future__ import annotations

import datetime
from dataclasses import asdict, dataclass, field

from django.db import models

from core.rag import NOT_RATED, RAG
from plans.models import Meeting


class Classification(models.TextChoices):
    """The security marking printed at the top and bottom of every page."""

    OFFICIAL = "OFFICIAL", "OFFICIAL"
    OFFICIAL_SENSITIVE = "OFFICIAL-SENSITIVE", "OFFICIAL-SENSITIVE"


class Kind:
    """The three papers, and the meeting each is written for."""

    SCRUTINY = "scrutiny-summary"
    BOARD = "board-report"
    ASSURANCE = "assurance-summary"

    TITLES = {
        # The May 2015 paper's own title.
        SCRUTINY: "Improvement Plan update on progress",
        BOARD: "Improvement Board progress report",
        ASSURANCE: "Safeguarding Assurance summary",
    }
    # Which downloads each paper offers (names in FORMATS).
    FORMATS = {
        SCRUTINY: ["docx", "pdf", "xlsx", "csv"],
        BOARD: ["docx", "pdf"],
        ASSURANCE: ["docx", "pdf"],
    }
    # The kind of meeting each paper is for: issuing to another is refused.
    MEETINGS = {
        SCRUTINY: Meeting.Kind.SCRUTINY_PANEL,
        BOARD: Meeting.Kind.IMPROVEMENT_BOARD,
        ASSURANCE: Meeting.Kind.SAFEGUARDING_ASSURANCE,
    }
    # What the meeting is asked to do, when nobody has written otherwise.
    PURPOSES = {
        SCRUTINY: "To update the panel on progress against the Improvement Plan.",
        BOARD: "To report progress against the Improvement Plan since the previous board, "
        "exceptions first, and to ask the board for the decisions listed.",
        ASSURANCE: "To give the Safeguarding Assurance meeting the exceptions in the "
        "Improvement Plan: what is off track, why, and what is being done.",
    }
    RECOMMENDATIONS = {
        SCRUTINY: "The Panel is asked to note the progress made against the Improvement Plan.",
        BOARD: "The Board is asked to note the progress made and the exceptions reported.",
        ASSURANCE: "The meeting is asked to note the exceptions and the corrective action in hand.",
    }
    # The board's standard recommendation as papers prepared before 8 December
    # 2026 carry it: it asked for decisions whether or not any were asked.
    OLD_BOARD_RECOMMENDATION = (
        "The Board is asked to note the progress made and the exceptions reported, "
        "and to make the decisions asked of it."
    )
    NO_EXCEPTIONS = "The meeting is asked to note that there are no exceptions to report."
    ALL = [SCRUTINY, BOARD, ASSURANCE]

    @classmethod
    def offers(cls, kind: str, fmt: str | None = None) -> bool:
        """Whether ``kind`` is a paper (offered as ``fmt``, if given)."""
        return kind in cls.FORMATS and (fmt is None or fmt in cls.FORMATS[kind])

    @classmethod
    def for_meeting(cls, meeting_kind: str) -> str:
        """The paper written for a kind of meeting."""
        return next(k for k, m in cls.MEETINGS.items() if m == meeting_kind)


def lines(text: str) -> list[str]:
    """A field written one item a line, as a list."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


@dataclass
class FrontSheet:
    """A committee report's furniture: where the paper goes, who wrote it, and
    what the meeting is asked to do. ``version`` is None until issued.
    ``council`` and ``plan_title`` say whose paper it is, so that no two plans'
    front sheets are the same (the cache of rendered papers keys on them)."""

    council: str = ""
    plan_title: str = ""
    committee: str = ""  # the title block's first line, e.g. "Ambitious Plymouth Scrutiny"
    meeting: str = ""  # "" for a working copy not prepared for a meeting
    meeting_date: str = ""  # "May 2015"
    agenda_item: str = ""
    report_of: str = ""
    author: str = ""
    contact: str = ""
    purpose: str = ""
    recommendations: list[str] = field(default_factory=list)
    asks: list[str] = field(default_factory=list)
    briefing: str = ""
    background_papers: list[str] = field(default_factory=list)
    classification: str = Classification.OFFICIAL
    version: int | None = None
    issued_on: str = ""  # "1 May 2015", once issued

    def as_dict(self) -> dict:
        return asdict(self)

    @property
    def status(self) -> str:
        """What the footer says of the copy: issued, or not yet."""
        if self.version is None:
            return "Draft: not issued" if self.meeting else "Working copy: not issued"
        return f"Version {self.version}, issued {self.issued_on}"


@dataclass
class MilestoneLine:
    area_number: int
    title: str
    due: str  # as the plan writes it: "31 March 2015" or "June 2015"
    forecast: str = ""  # "" unless re-forecast
    completed: str = ""  # "" unless complete
    lead: str = ""  # the action's owner, else the area's lead
    late: str = ""  # "3 weeks", when overdue
    late_days: int = 0
    reason: str = ""  # why it was re-forecast, where recorded
    reforecast_since_board: bool = False


@dataclass
class ActionLine:
    """An action as a paper lists it: those overdue as at the paper's date."""

    area_number: int
    reference: str  # "9.2"
    title: str
    due: str  # "30 September 2015"
    status: str  # "In progress", as at the paper's date
    owner: str = ""  # "" if it has none
    late: str = ""  # "3 weeks", when overdue
    late_days: int = 0


@dataclass
class AreaLine:
    number: int
    recommendation: str
    theme: str
    lead: str
    rag: str | None  # RAG value of the latest approved update, None if none
    rag_label: str  # e.g. "Amber – at risk", or "Not yet rated"
    overview: str  # the latest approved update's narrative ("" if none)
    next_steps: str
    rag_reason: str  # why the status worsened, where the update says
    update_as_at: str  # "1 May 2015", or ""
    rag_assessed: bool = False  # assessed when the plan was loaded, not given
    previous_rag: str | None = None  # at the previous Improvement Board
    previous_rag_label: str = NOT_RATED.label
    previous_assessed: bool = False
    movement: str = ""  # "Improved", "Worse", "No change", or "" (no rating to compare)
    completed_since_board: list[MilestoneLine] = field(default_factory=list)
    due_next_quarter: list[MilestoneLine] = field(default_factory=list)
    overdue: list[MilestoneLine] = field(default_factory=list)
    overdue_actions: list[ActionLine] = field(default_factory=list)  # most overdue first

    @property
    def contradiction(self) -> bool:
        """Rated green or blue, with a milestone overdue: the dashboard's list of
        contradictions, which counts milestones, reads this."""
        return self.rag in (RAG.GREEN, RAG.BLUE) and bool(self.overdue)

    @property
    def contradiction_with_actions(self) -> bool:
        """Rated green or blue, with a milestone or an action overdue: what the
        papers flag as a contradiction."""
        return self.rag in (RAG.GREEN, RAG.BLUE) and bool(self.overdue or self.overdue_actions)

    @property
    def overdue_words(self) -> str:
        """What is overdue in words, e.g. "2 overdue milestones and 1 overdue action"."""
        return overdue_words(len(self.overdue), len(self.overdue_actions))

    @property
    def needs_attention(self) -> bool:
        return self.rag in (RAG.RED, RAG.AMBER) or self.movement == "Worse"


@dataclass
class Exception_:
    """One line of the assurance summary's exceptions."""

    what: str  # "Red area", "Milestone overdue: …"
    area_number: int
    recommendation: str
    lead: str
    latest_update: str  # date of the area's latest approved update, or ""
    reason: str


@dataclass
class Paper:
    kind: str
    title: str
    council: str
    plan_title: str
    as_at: datetime.date
    as_at_label: str  # "31 May 2015"
    front: FrontSheet
    areas: list[AreaLine]
    rag_counts: list[tuple[str, str, int]]  # (value or "", label, count), Blue..Red then not rated
    previous_counts: list[tuple[str, str, int]] = field(default_factory=list)
    previous_board: str = ""  # "Improvement Board, 11 March 2015", or ""
    overdue: list[MilestoneLine] = field(default_factory=list)
    overdue_actions: list[ActionLine] = field(default_factory=list)  # most overdue first
    reforecast: list[MilestoneLine] = field(default_factory=list)  # since the previous board
    due_next_quarter: list[MilestoneLine] = field(default_factory=list)
    escalate_after_days: int = 0
    issued_at: datetime.datetime | None = None  # when issued; None for a working copy
    # Success measures as at the paper's date (measures.readings.MeasureCard), in
    # area order; their RAG and direction of travel are derived, and said so.
    measures: list = field(default_factory=list)

    @property
    def moment(self) -> datetime.datetime:
        """The time the files are dated with (UTC, naive): the issue time, else
        the start of the as-at day; so the same paper always gives the same bytes."""
        if self.issued_at is not None:
            return self.issued_at.astimezone(datetime.UTC).replace(tzinfo=None, microsecond=0)
        return datetime.datetime.combine(self.as_at, datetime.time.min)

    @property
    def briefing(self) -> str:
        return self.front.briefing

    @property
    def any_assessed(self) -> bool:
        return any(a.rag and a.rag_assessed for a in self.areas) or any(
            a.previous_rag and a.previous_assessed for a in self.areas
        )

    @property
    def recorded_statuses(self) -> bool:
        """Whether anyone recorded a status (not assessed at loading) for any area."""
        return any(a.rag and not a.rag_assessed for a in self.areas)

    @property
    def attention(self) -> list[AreaLine]:
        """Areas red, amber or worse since the previous board: worst first."""
        return sorted(
            (a for a in self.areas if a.needs_attention),
            key=lambda a: (-RAG.severity(a.rag) if a.rag else 0, a.number),
        )

    @property
    def contradictions(self) -> list[AreaLine]:
        """Areas rated green or blue with a milestone or an action overdue."""
        return [a for a in self.areas if a.contradiction_with_actions]

    @property
    def movement_counts(self) -> list[tuple[str, int]]:
        counts = {"Improved": 0, "Worse": 0, "No change": 0}
        for a in self.areas:
            if a.movement in counts:
                counts[a.movement] += 1
        return list(counts.items())

    @property
    def any_previous_rating(self) -> bool:
        return any(a.previous_rag for a in self.areas)

    @property
    def exceptions(self) -> list[Exception_]:
        """The assurance summary's exceptions: red areas, areas worse since the
        previous board, milestones overdue past the plan's escalation rule,
        overdue actions, and green or blue areas with an overdue milestone or
        action; each with its reason."""
        items: list[Exception_] = []
        by_number = {a.number: a for a in self.areas}

        def add(what: str, area: AreaLine, reason: str, lead: str = "") -> None:
            items.append(
                Exception_(
                    what=what,
                    area_number=area.number,
                    recommendation=area.recommendation,
                    lead=lead or area.lead,
                    latest_update=area.update_as_at,
                    reason=reason.strip(),  # "" shows as a dash, said once
                )
            )

        for a in self.areas:
            if a.rag == RAG.RED:
                add(f"Rated {a.rag_label}", a, a.rag_reason)
            elif a.movement == "Worse":
                add(f"Worse: {a.previous_rag_label} to {a.rag_label}", a, a.rag_reason)
            if a.contradiction_with_actions:
                add(f"Rated {a.rag_label} with {a.overdue_words}", a, a.rag_reason)
        for card in self.measures:  # success measures off target (measures/)
            if card.rag == RAG.RED and card.area_number in by_number:
                add(
                    f"Measure off target: {card.name}, {card.latest_label} "
                    f"({card.latest.label}) against a target of {card.target_label} "
                    "(RAG calculated from its tolerance)",
                    by_number[card.area_number],
                    card.latest.comment or "No commentary recorded with the figure.",
                    lead=card.owner,
                )
        # Overdue milestones past the escalation rule, one line an area (so the
        # summary stays short however late a plan runs), the most overdue named.
        escalated: dict[int, list[MilestoneLine]] = {}
        for m in self.overdue:  # most overdue first
            if m.late_days > self.escalate_after_days:
                escalated.setdefault(m.area_number, []).append(m)
        for number, late in escalated.items():
            area, m = by_number[number], late[0]
            due = f"{m.title} (due {m.due}" + (f", forecast {m.forecast}" if m.forecast else "")
            if len(late) == 1:
                what = f"Milestone overdue by {m.late}: {due})"
            else:
                what = f"{len(late)} milestones overdue, the most by {m.late}: {due})"
            if len(late) == 1:
                reason = m.reason
            else:  # each re-forecast's reason, with the milestone it is for
                reason = "; ".join(f"{x.title}: {x.reason}" for x in late if x.reason)
            add(what, area, reason or area.rag_reason, lead=m.lead)
        # Overdue actions, likewise one line an area. Every one: the escalation
        # rule is the plan's for milestones.
        actions: dict[int, list[ActionLine]] = {}
        for x in self.overdue_actions:  # most overdue first
            actions.setdefault(x.area_number, []).append(x)
        for number, late in actions.items():
            area, x = by_number[number], late[0]
            named = f"{x.reference} {x.title} (due {x.due}, {x.status.lower()})"
            if len(late) == 1:
                what = f"Action overdue by {x.late}: {named}"
            else:
                what = f"{len(late)} actions overdue, the most by {x.late}: {named}"
            add(what, area, area.rag_reason, lead=x.owner)
        return items

    @property
    def filename_stem(self) -> str:
        return f"{self.kind}-{self.as_at.isoformat()}"


def overdue_words(milestones: int, actions: int) -> str:
    """What is overdue in words: "1 overdue milestone", "2 overdue actions",
    "1 overdue milestone and 2 overdue actions" (what is none is left out)."""
    parts = [
        f"{n} overdue {kind}{'' if n == 1 else 's'}"
        for n, kind in ((milestones, "milestone"), (actions, "action"))
        if n
    ]
    return " and ".join(parts)


def lateness(days: int) -> str:
    """How late, in the unit a reader would use: '3 days', '5 weeks', '4 months', '11 years'."""

    def plural(n: int, unit: str) -> str:
        return f"{n} {unit}{'' if n == 1 else 's'}"

    if days < 14:
        return plural(days, "day")
    if days < 63:
        return plural(days // 7, "week")
    if days < 730:
        return plural(days // 30, "month")
    return plural(days // 365, "year")
