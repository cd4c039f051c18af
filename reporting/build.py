"""Builds the dashboard's and the papers' content from snapshots of the plan."""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass, field

from core.rag import NOT_RATED, RAG, STATUSES, rag_label
from plans import snapshot as snap
from plans.history import ChangeFilter, ChangePage, change_page
from plans.models import (
    Action,
    Meeting,
    Milestone,
    Owner,
    Plan,
    Theme,
    answers_for_milestone,
    format_plan_date,
)

from . import charts
from .papers import ActionLine, AreaLine, FrontSheet, Kind, MilestoneLine, Paper, lateness

NEXT_QUARTER_DAYS = 91
DUE_SOON_DAYS = 30
# The dashboard lists at most this many milestones in each table (most overdue,
# or soonest, first) and says how many more there are.
DASHBOARD_MILESTONES = 25
# … and this many of the changes since the last board, linking to the rest.
DASHBOARD_CHANGES = 25
# An action's status in words ("In progress").
ACTION_STATUSES = dict(Action.Status.choices)


def previous_board(plan: Plan, as_at: datetime.date) -> Meeting | None:
    """The last Improvement Board meeting before ``as_at``."""
    return (
        # A cancelled board never met: changes are counted from the last one that did.
        Meeting.objects.filter(
            plan=plan, kind=Meeting.Kind.IMPROVEMENT_BOARD, date__lt=as_at, cancelled=False
        )
        .order_by("-date")
        .first()
    )


def movement(now: str | None, before: str | None) -> str:
    if now is None or before is None:
        return ""  # nothing to compare: the paper says so once
    if RAG.severity(now) < RAG.severity(before):
        return "Improved"
    if RAG.severity(now) > RAG.severity(before):
        return "Worse"
    return "No change"


def milestone_line(
    m,
    area_numbers: dict[int, int],
    as_at: datetime.date | None = None,
    leads: dict[int, str] | None = None,
) -> MilestoneLine:
    """A milestone (history row) as a paper lists it; ``as_at`` and ``leads``
    (milestone id → its lead) add how late it is and who leads it."""
    late_days = (as_at - m.expected_date).days if as_at and m.is_overdue(as_at) else 0
    return MilestoneLine(
        area_number=area_numbers.get(m.area_id, 0),
        title=m.title,
        due=m.due_display,
        forecast=format_plan_date(m.forecast_date),
        completed=format_plan_date(m.completed_date, m.due_precision) if m.completed_date else "",
        lead=(leads or {}).get(m.id, ""),
        late=lateness(late_days) if late_days else "",
        late_days=late_days,
        # Re-forecasting keeps its reason in history, as the row's change reason.
        reason=(m.history_change_reason or "") if m.forecast_date else "",
    )


def action_line(
    a, area_numbers: dict[int, int], owners: dict[int, str], as_at: datetime.date
) -> ActionLine:
    """An action (history row) as a paper lists it, with how late it is as at
    ``as_at`` (ActionDates.is_overdue) and its owner's name."""
    late_days = (as_at - a.due_date).days if a.is_overdue(as_at) else 0
    return ActionLine(
        area_number=area_numbers.get(a.area_id, 0),
        reference=a.reference,
        title=a.title,
        due=a.due_display,
        status=ACTION_STATUSES.get(a.status, a.status),
        owner=owners.get(a.owner_id, ""),
        late=lateness(late_days) if late_days else "",
        late_days=late_days,
    )


def rag_counts(values: list[str | None]) -> list[tuple[str, str, int]]:
    counts = Counter(values)
    rows = [(s.value, s.label, counts.get(s.value, 0)) for s in STATUSES]
    rows.append((NOT_RATED.value, NOT_RATED.label, counts.get(None, 0)))
    return rows


@dataclass
class PlanState:
    """A snapshot plus what the pages and papers derive from it."""

    snapshot: snap.Snapshot
    board: Meeting | None
    board_current: dict[int, object]
    areas: list[AreaLine] = field(default_factory=list)
    overdue: list[MilestoneLine] = field(default_factory=list)
    # Actions overdue as at the date, most overdue first.
    overdue_actions: list[ActionLine] = field(default_factory=list)
    due_soon: list[MilestoneLine] = field(default_factory=list)
    due_next_quarter: list[MilestoneLine] = field(default_factory=list)
    # Open milestones whose forecast changed since the previous board.
    reforecast: list[MilestoneLine] = field(default_factory=list)


def plan_state(
    plan: Plan,
    as_at: datetime.date,
    *,
    due_soon_days: int = DUE_SOON_DAYS,
    with_reforecast: bool = True,
) -> PlanState:
    """The plan at the end of ``as_at``, with each area's status now and at the
    previous Improvement Board. A fixed number of queries (about ten).
    ``with_reforecast``: read which milestones were re-forecast since the
    board (every milestone's forecast then: one query of a thousand rows on a
    large plan), for those who show them."""
    shot = snap.take(plan, as_at)
    board = previous_board(plan, as_at)
    board_current = (
        snap.approved_updates(shot.area_ids, snap.end_of_day(board.date)) if board else {}
    )
    themes = dict(Theme.objects.filter(plan=plan).values_list("pk", "name"))
    numbers = {a.id: a.number for a in shot.areas}
    # Who leads each milestone (answers_for_milestone), its action's owner as at the date.
    action_owner = {a.id: a.owner_id for a in shot.actions}
    area_lead = {a.id: a.lead_id for a in shot.areas}
    # Only the owners this plan names: the directory serves every council.
    named = {i for i in (*action_owner.values(), *area_lead.values()) if i}
    owners = {
        o.pk: str(o) for o in Owner.objects.filter(pk__in=named).select_related("organisation")
    }
    leads = {
        m.id: owners.get(
            answers_for_milestone(action_owner.get(m.action_id), area_lead.get(m.area_id)), ""
        )
        for m in shot.milestones
    }

    lines_made: dict[int, MilestoneLine] = {}

    def line(m) -> MilestoneLine:
        # A milestone shows in several lists (its area's and the plan's): one
        # line serves them all. Lists never change a line they are given.
        if m.id not in lines_made:
            lines_made[m.id] = milestone_line(m, numbers, as_at, leads)
        return lines_made[m.id]

    by_area: dict[int, list] = {a.id: [] for a in shot.areas}
    for m in shot.milestones:
        by_area.setdefault(m.area_id, []).append(m)
    # Overdue actions, most overdue first: the plan's list and each area's.
    late_actions: dict[int, list[ActionLine]] = {}
    for a in shot.actions:
        if a.is_overdue(as_at):
            late_actions.setdefault(a.area_id, []).append(action_line(a, numbers, owners, as_at))
    for late in late_actions.values():
        late.sort(key=_most_overdue_first)
    quarter_end = as_at + datetime.timedelta(days=NEXT_QUARTER_DAYS)
    since = board.date if board else None

    state = PlanState(snapshot=shot, board=board, board_current=board_current)
    for area in shot.areas:
        update = shot.current.get(area.id)
        before = board_current.get(area.id)
        now_rag = update.rag if update else None
        was_rag = before.rag if before else None
        lines = by_area.get(area.id, [])
        state.areas.append(
            AreaLine(
                number=area.number,
                recommendation=area.recommendation,
                theme=themes.get(area.theme_id, ""),
                lead=owners.get(area.lead_id, ""),
                rag=now_rag,
                rag_label=rag_label(now_rag, update.rag_assessed if update else False),
                rag_assessed=bool(update and update.rag_assessed),
                overview=update.narrative if update else "",
                next_steps=update.next_steps if update else "",
                rag_reason=update.rag_reason if update else "",
                update_as_at=format_plan_date(update.as_at) if update else "",
                previous_rag=was_rag,
                previous_rag_label=rag_label(was_rag, before.rag_assessed if before else False),
                previous_assessed=bool(before and before.rag_assessed),
                movement=movement(now_rag, was_rag),
                completed_since_board=[
                    line(m)
                    for m in lines
                    if m.status == Milestone.Status.COMPLETE
                    and m.completed_date
                    and m.completed_date <= as_at
                    and (since is None or m.completed_date > since)
                ],
                due_next_quarter=[line(m) for m in lines if _due_between(m, as_at, quarter_end)],
                overdue=[line(m) for m in lines if m.is_overdue(as_at)],
                overdue_actions=late_actions.get(area.id, []),
            )
        )
    soon_end = as_at + datetime.timedelta(days=due_soon_days)
    # Most overdue first.
    state.overdue = sorted(
        (line(m) for m in shot.milestones if m.is_overdue(as_at)),
        key=lambda m: (-m.late_days, m.area_number),
    )
    state.overdue_actions = sorted(
        (x for late in late_actions.values() for x in late), key=_most_overdue_first
    )
    state.due_soon = [line(m) for m in shot.milestones if _due_between(m, as_at, soon_end)]
    state.due_next_quarter = [
        line(m) for m in shot.milestones if _due_between(m, as_at, quarter_end)
    ]
    if board and with_reforecast:
        at_board = dict(
            snap.latest_values(
                Milestone,
                snap.end_of_day(board.date),
                ["forecast_date"],
                area_id__in=shot.area_ids,
            )
        )
        for m in shot.milestones:
            if (
                m.status == Milestone.Status.OPEN
                and m.forecast_date
                and at_board.get(m.id) != m.forecast_date
            ):
                reforecast = milestone_line(m, numbers, as_at, leads)
                reforecast.reforecast_since_board = True
                state.reforecast.append(reforecast)
    return state


def _most_overdue_first(x: ActionLine) -> tuple:
    return (-x.late_days, x.area_number, x.reference)


def _due_between(m, start: datetime.date, end: datetime.date) -> bool:
    """An open milestone (or history row) expected from ``start`` to ``end``."""
    return m.status == Milestone.Status.OPEN and start <= m.expected_date <= end


def default_front(kind: str, plan: Plan) -> FrontSheet:
    """A working copy's front sheet: not prepared for any meeting."""
    return FrontSheet(
        council=plan.council.name,
        plan_title=plan.title,
        committee=plan.board_name if kind == Kind.BOARD else "",
        purpose=Kind.PURPOSES[kind],
        recommendations=[Kind.RECOMMENDATIONS[kind]],
        # The plan's overview opens the scrutiny summary, as in May 2015; the board
        # and assurance papers start with their exceptions unless someone writes one.
        briefing=plan.overview if kind == Kind.SCRUTINY else "",
    )


def build_paper(
    kind: str, plan: Plan, as_at: datetime.date, *, front: FrontSheet | None = None
) -> Paper:
    """The ``kind`` paper as at the end of ``as_at``, with ``front`` as its
    front sheet (a working copy's if none)."""
    state = plan_state(plan, as_at)
    board = state.board
    previous = [
        state.board_current[a.id].rag for a in state.snapshot.areas if a.id in state.board_current
    ]
    return Paper(
        kind=kind,
        title=Kind.TITLES[kind],
        council=plan.council.name,
        plan_title=plan.title,
        as_at=as_at,
        as_at_label=format_plan_date(as_at),
        front=front or default_front(kind, plan),
        areas=state.areas,
        rag_counts=rag_counts([a.rag for a in state.areas]),
        previous_counts=rag_counts(previous + [None] * (len(state.areas) - len(previous)))
        if board
        else [],
        previous_board=board.label if board else "",
        overdue=state.overdue,
        overdue_actions=state.overdue_actions,
        reforecast=state.reforecast,
        due_next_quarter=state.due_next_quarter,
        escalate_after_days=plan.escalate_overdue_after_days,
        # The scrutiny summary shows no measures; the assurance summary lists
        # those off target (no charts); the board report charts each one.
        measures=[]
        if kind == Kind.SCRUTINY
        else _paper_measures(plan, state, as_at, charts=kind == Kind.BOARD),
    )


def _paper_measures(
    plan: Plan, state: PlanState, as_at: datetime.date, *, charts: bool = True
) -> list:
    """The plan's success measures as at the paper's date (measures/scorecard.py):
    four queries (see measures.readings.cards_at)."""
    from measures.scorecard import area_infos, build

    return build(plan, as_at, area_infos(state), charts=charts).cards


@dataclass
class Dashboard:
    """Everything the Improvement Board dashboard shows, as at a date."""

    plan: Plan
    as_at: datetime.date
    stale_days: int
    state: PlanState
    counts: list[tuple[str, str, int]]
    theme_counts: list[tuple[str, list[tuple[str, str, int]]]]
    # Areas with no approved update since ``stale_days`` before as-at: each
    # area's line and its latest approved update row (None if it has none).
    stale: list[tuple[AreaLine, object]]
    overdue: list[MilestoneLine]  # the first DASHBOARD_MILESTONES
    overdue_more: int  # how many more there are
    due_soon: list[MilestoneLine]
    due_soon_more: int
    rag_chart: charts.Chart | None = None  # None unless asked for (the charts section)
    milestone_chart: charts.Chart | None = None
    # What changed since the previous board (None if there was none), without
    # set-up housekeeping; ``changes_since``/``changes_until`` bound it in days,
    # for the link to the whole list.
    changes: ChangePage | None = None
    changes_since: datetime.date | None = None
    changes_until: datetime.date | None = None

    @property
    def contradictions(self) -> list[AreaLine]:
        """Areas rated green or blue with a milestone or an action overdue."""
        return [a for a in self.state.areas if a.contradiction_with_actions]


def build_dashboard(
    plan: Plan,
    as_at: datetime.date,
    *,
    stale_days: int,
    viewer,
    first_day: datetime.date | None = None,
    with_charts: bool = True,
    with_changes: bool = True,
    with_reforecast: bool = True,
) -> Dashboard:
    """The dashboard as at the end of ``as_at``, as ``viewer`` may see it (the
    changes since the board are filtered by what their role lets them read).
    ``first_day``: when the plan was first recorded, if already known.
    ``with_charts``/``with_changes``/``with_reforecast``: read those too (each
    section of the dashboard page reads only what it shows)."""
    state = plan_state(plan, as_at, with_reforecast=with_reforecast)
    stale_before = as_at - datetime.timedelta(days=stale_days)
    current = state.snapshot.current
    stale = [
        (line, current.get(area.id))
        for line, area in zip(state.areas, state.snapshot.areas, strict=True)
        if area.id not in current or current[area.id].as_at < stale_before
    ]
    by_theme: dict[str, list] = {}
    for line in state.areas:
        by_theme.setdefault(line.theme or "No theme", []).append(line.rag)
    dashboard = Dashboard(
        plan=plan,
        as_at=as_at,
        stale_days=stale_days,
        state=state,
        counts=rag_counts([a.rag for a in state.areas]),
        theme_counts=[(theme, rag_counts(rags)) for theme, rags in by_theme.items()],
        stale=stale,
        overdue=state.overdue[:DASHBOARD_MILESTONES],
        overdue_more=max(0, len(state.overdue) - DASHBOARD_MILESTONES),
        due_soon=state.due_soon[:DASHBOARD_MILESTONES],
        due_soon_more=max(0, len(state.due_soon) - DASHBOARD_MILESTONES),
    )
    if with_charts:
        if first_day is None:
            first_day = snap.first_recorded(plan)
        dashboard.rag_chart = charts.rag_over_time(state.snapshot.area_ids, as_at, first_day)
        dashboard.milestone_chart = charts.milestones_by_month(
            state.snapshot.milestones, as_at, first_day
        )
    if state.board and with_changes:
        # Changes recorded after the board's day, up to the end of as-at.
        dashboard.changes = change_page(
            plan,
            viewer=viewer,
            filters=ChangeFilter(
                since=snap.end_of_day(state.board.date), until=snap.end_of_day(as_at)
            ),
            per_page=DASHBOARD_CHANGES,
            housekeeping=False,
            count=False,
        )
        dashboard.changes_since = state.board.date + datetime.timedelta(days=1)
        dashboard.changes_until = as_at
    return dashboard
