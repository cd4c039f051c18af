"""Returns: the updates owners owe before each board.

A plan's return settings (reminders.models.ReturnSettings) say which kinds of
meeting call for a return (by default the Improvement Board) and how many
working days before it updates are due (by default 10).

- **The next return** is for the next triggering meeting: the first one, not
  cancelled, on or after today (a board meeting today is still the next board
  until the day is over). Its due date is derived: that many working days
  before the meeting (reminders/workdays.py).
- **The cycle** runs from the previous triggering meeting (not cancelled) to
  that one. An area's update is **in for this cycle** when it reports progress
  as at a date after the previous meeting (its ``as_at``), since that is what
  the previous board has not seen; with no previous meeting, any update counts.
- Meetings known only to the month ("June 2015") neither set a due date nor
  start a cycle: their day is not known, and a due date would be invented.
- **Each area's return** is the furthest its updates in the cycle have got:
  approved, else submitted (waiting for sign-off), else returned to its
  author, else in draft, else missing. "Has updated" means approved or
  submitted; the rest are still owed, and are what reminders are about.

Per measure returns belong here too once the plan has measures: a
``ReturnItem`` for each measure due a value, beside the areas' (``items_for``).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from functools import reduce
from operator import or_

from django.db.models import Q

from core.dates import long_date_with_weekday
from plans.models import DatePrecision, ImprovementArea, Meeting, Plan, ProgressUpdate

from .models import ReturnSettings
from .workdays import add_working_days, working_days_before

State = ProgressUpdate.State

APPROVED, SUBMITTED, RETURNED, DRAFT, MISSING = (
    "approved",
    "submitted",
    "returned",
    "draft",
    "missing",
)
# Best first: an area's return is the best state among its updates in the cycle.
RANK = {APPROVED: 0, SUBMITTED: 1, RETURNED: 2, DRAFT: 3, MISSING: 4}
LABELS = {
    APPROVED: "Approved",
    SUBMITTED: "Waiting for sign-off",
    RETURNED: "Returned to its author",
    DRAFT: "In draft",
    MISSING: "Missing",
}
TAGS = {
    APPROVED: "govuk-tag--green",
    SUBMITTED: "govuk-tag--blue",
    RETURNED: "govuk-tag--orange",
    DRAFT: "govuk-tag--grey",
    MISSING: "govuk-tag--red",
}
OWED = {RETURNED, DRAFT, MISSING}


@dataclass(frozen=True)
class Cycle:
    """The next return of one plan."""

    plan_id: int
    meeting: Meeting
    due: datetime.date
    since: datetime.date | None
    settings: ReturnSettings

    @property
    def due_display(self) -> str:
        return long_date_with_weekday(self.due)

    @property
    def missed_day(self) -> datetime.date:
        """The working day after the due date: when a missed return is chased."""
        return add_working_days(self.due, 1)

    def reminder_days(self) -> list[datetime.date]:
        """The days owners are reminded, earliest first."""
        return sorted(working_days_before(self.due, n) for n in self.settings.offsets)

    def reminder_day(self, today: datetime.date) -> datetime.date | None:
        """The latest reminder day on or before ``today``, while the return is
        not yet overdue; None before the first one and after the due date."""
        if today > self.due:
            return None
        passed = [day for day in self.reminder_days() if day <= today]
        return passed[-1] if passed else None

    def is_overdue(self, today: datetime.date) -> bool:
        return today > self.due


def cycles_for(plan_ids: list[int], today: datetime.date) -> dict[int, Cycle]:
    """The next return of each plan that has one. One query, whatever the
    number of plans: the plans' meetings with each plan's settings beside them
    (a plan with no meeting has no return, so needs no settings)."""
    plan_ids = list(plan_ids)
    if not plan_ids:
        return {}
    meetings: dict[int, list[Meeting]] = defaultdict(list)
    rules: dict[int, ReturnSettings] = {}
    for meeting in (
        Meeting.objects.filter(
            plan_id__in=plan_ids, cancelled=False, date_precision=DatePrecision.DAY
        )
        .select_related("plan__return_settings")
        .order_by("plan_id", "date", "pk")
    ):
        meetings[meeting.plan_id].append(meeting)
        rules.setdefault(meeting.plan_id, ReturnSettings.for_plan(meeting.plan))
    cycles = {}
    for plan_id, plan_meetings in meetings.items():
        settings = rules[plan_id]
        triggering = [m for m in plan_meetings if m.kind in settings.kinds]
        upcoming = [m for m in triggering if m.date >= today]
        if not upcoming:
            continue
        meeting = upcoming[0]
        before = [m for m in triggering if m.date < meeting.date]
        cycles[plan_id] = Cycle(
            plan_id=plan_id,
            meeting=meeting,
            due=working_days_before(meeting.date, settings.working_days_before),
            since=before[-1].date if before else None,
            settings=settings,
        )
    return cycles


def cycle_for(plan: Plan, today: datetime.date) -> Cycle | None:
    return cycles_for([plan.pk], today).get(plan.pk)


def _in_cycle(cycles: dict[int, Cycle]) -> Q:
    clauses = [
        Q(area__plan_id=plan_id) & (Q(as_at__gt=c.since) if c.since else Q())
        for plan_id, c in cycles.items()
    ]
    return reduce(or_, clauses)


def area_returns(cycles: dict[int, Cycle], area_ids: list[int] | None = None) -> dict[int, str]:
    """{area id: its return's state} for the areas of the plans in ``cycles``
    (or only ``area_ids``) that have updates in their cycle; an area missing
    from the answer has none (MISSING). One query."""
    if not cycles:
        return {}
    qs = ProgressUpdate.objects.filter(_in_cycle(cycles))
    if area_ids is not None:
        qs = qs.filter(area_id__in=area_ids)
    best: dict[int, str] = {}
    for area_id, state in qs.values_list("area_id", "state").order_by():
        if RANK[state] < RANK[best.get(area_id, MISSING)]:
            best[area_id] = state
    return best


@dataclass
class ReturnItem:
    """One thing owed for the next return: today an area's update."""

    area: ImprovementArea
    state: str
    owner_user: object | None  # the account holding the area's lead role, if any

    @property
    def label(self) -> str:
        return LABELS[self.state]

    @property
    def tag(self) -> str:
        return TAGS[self.state]

    @property
    def owed(self) -> bool:
        return self.state in OWED


@dataclass
class PlanReturn:
    cycle: Cycle
    items: list[ReturnItem] = field(default_factory=list)

    @property
    def owed(self) -> list[ReturnItem]:
        return [item for item in self.items if item.owed]

    def owners_owing(self, member_ids: set[int]) -> dict[int, list[ReturnItem]]:
        """{user id: their owed items}, for owners who can be reminded: active
        accounts with an e-mail address that hold a role in the plan."""
        owing: dict[int, list[ReturnItem]] = defaultdict(list)
        for item in self.owed:
            user = item.owner_user
            if user is not None and user.is_active and user.email and user.pk in member_ids:
                owing[user.pk].append(item)
        return dict(owing)


def items_for(plan: Plan, cycle: Cycle) -> PlanReturn:
    """Every area of the plan with its return (two queries: areas with their
    leads' accounts, and the updates in the cycle)."""
    areas = list(
        ImprovementArea.objects.filter(plan=plan)
        .select_related("lead__user", "lead__organisation")
        .order_by("number")
    )
    states = area_returns({plan.pk: cycle})
    items = [
        ReturnItem(
            area=area,
            state=states.get(area.pk, MISSING),
            owner_user=area.lead.user if area.lead else None,
        )
        for area in areas
    ]
    # Measures, once the plan has them, add their ReturnItems here.
    return PlanReturn(cycle=cycle, items=items)


def mark_due(areas: list[ImprovementArea], today: datetime.date) -> None:
    """For My work: set on each area its next return (``return_cycle``, or
    None), that return's state (``return_state``) and whether it is still owed
    and past its due date (``return_overdue``). Two queries, whatever the
    number of areas: the plans' meetings and settings, the updates in the cycle."""
    cycles = cycles_for(sorted({area.plan_id for area in areas}), today)
    states = area_returns(cycles, [area.pk for area in areas])
    for area in areas:
        cycle = cycles.get(area.plan_id)
        area.return_cycle = cycle
        area.return_state = states.get(area.pk, MISSING) if cycle else None
        area.return_label = LABELS[area.return_state] if cycle else ""
        area.return_owed = cycle is not None and area.return_state in OWED
        area.return_overdue = area.return_owed and cycle.is_overdue(today)


def returns_due(user, today: datetime.date, areas: list[ImprovementArea]) -> dict:
    """My work's returns (plans/page_parts.py): marks the areas the user leads
    (``mark_due``) and lists those whose return is still owed."""
    mark_due(areas, today)
    return {"due_items": [area for area in areas if area.return_owed]}
