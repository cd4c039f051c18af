"""The papers' content, as plain data: what every format (HTML, Word, PDF,
Excel, CSV) renders. Built by reporting.build from a plan snapshot as at a date.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from plans.models import RAG

# The RAG key printed on every paper (and every page that shows a status).
RAG_KEY: list[tuple[str, str, str]] = [(r.value, r.label, RAG.meaning(r)) for r in RAG]
NOT_RATED = "Not yet rated"


def rag_label(value: str | None) -> str:
    return RAG(value).label if value else NOT_RATED


@dataclass(frozen=True)
class PaperFormat:
    """A download format: its name is the file extension, the address's last
    part and the issued paper's field that stores the file."""

    name: str
    content_type: str


# Every format a paper can be downloaded (and issued) in: the one registry,
# read by the views, the exports and the issued-paper model.
FORMATS: dict[str, PaperFormat] = {
    f.name: f
    for f in [
        PaperFormat(
            "docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        ),
        PaperFormat("pdf", "application/pdf"),
        PaperFormat("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        PaperFormat("csv", "text/csv; charset=utf-8"),
    ]
}


class Kind:
    """The three papers."""

    SCRUTINY = "scrutiny-summary"
    BOARD = "board-report"
    ASSURANCE = "assurance-summary"

    TITLES = {
        SCRUTINY: "Improvement Plan – update on progress",
        BOARD: "Improvement Board progress report",
        ASSURANCE: "Safeguarding Assurance summary",
    }
    # Which downloads each paper offers (names in FORMATS).
    FORMATS = {
        SCRUTINY: ["docx", "pdf", "xlsx", "csv"],
        BOARD: ["docx", "pdf"],
        ASSURANCE: ["docx", "pdf"],
    }
    ALL = [SCRUTINY, BOARD, ASSURANCE]

    @classmethod
    def offers(cls, kind: str, fmt: str | None = None) -> bool:
        """Whether ``kind`` is a paper (offered as ``fmt``, if given)."""
        return kind in cls.FORMATS and (fmt is None or fmt in cls.FORMATS[kind])


@dataclass
class MilestoneLine:
    area_number: int
    title: str
    due: str  # as the plan writes it: "31 March 2015" or "June 2015"
    forecast: str = ""  # "" unless re-forecast
    completed: str = ""  # "" unless complete


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
    previous_rag: str | None = None  # at the previous Improvement Board
    previous_rag_label: str = NOT_RATED
    movement: str = ""  # "Improved", "Worse", "No change", or "New"
    completed_since_board: list[MilestoneLine] = field(default_factory=list)
    due_next_quarter: list[MilestoneLine] = field(default_factory=list)
    overdue: list[MilestoneLine] = field(default_factory=list)


@dataclass
class Paper:
    kind: str
    title: str
    council: str
    plan_title: str
    as_at: datetime.date
    as_at_label: str  # "31 May 2015"
    briefing: str  # the overview briefing written for this paper
    areas: list[AreaLine]
    rag_counts: list[tuple[str, str, int]]  # (value or "", label, count), Blue..Red then not rated
    previous_board: str = ""  # "Improvement Board, 11 March 2015", or ""
    overdue: list[MilestoneLine] = field(default_factory=list)
    escalations: list[str] = field(default_factory=list)
    rag_key: list[tuple[str, str, str]] = field(default_factory=lambda: list(RAG_KEY))

    @property
    def exceptions(self) -> list[AreaLine]:
        """Every red and amber area, worst first."""
        order = {RAG.RED: 0, RAG.AMBER: 1}
        return sorted(
            (a for a in self.areas if a.rag in order), key=lambda a: (order[a.rag], a.number)
        )

    @property
    def filename_stem(self) -> str:
        return f"{self.kind}-{self.as_at.isoformat()}"
