"""The plan as it stood at the end of a given day, read from recorded history.

A snapshot never reads today's rows with a date filter: it reads the history
tables, taking for each record its latest history row dated on or before the
end of the day (and leaving out records deleted by then). A page or paper as at
a past date therefore reads the same however the plan is edited later.

Queries are fixed in number whatever the size of the history: one per kind of
record, using a window function (``ROW_NUMBER() OVER (PARTITION BY id …)``) to
pick each record's latest row inside the database.
"""

from __future__ import annotations

import datetime
import operator
from collections import namedtuple
from dataclasses import dataclass

from django.db import connection, models
from django.db.models import F, OuterRef, Subquery, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from plans.models import (
    Action,
    ActionDates,
    ImprovementArea,
    Milestone,
    MilestoneDates,
    Plan,
    ProgressUpdate,
    history_rows,
)

# Which approved update row is an area's status: the one ordering the pages use
# (ProgressUpdate.LATEST_FIRST), then an update's own latest row.
LATEST_ROW_FIRST = (*ProgressUpdate.LATEST_FIRST, "-history_date")


def end_of_day(day: datetime.date) -> datetime.datetime:
    """The first moment after ``day`` in the service's time zone."""
    return timezone.make_aware(
        datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min)
    )


def latest_per_record(rows: models.QuerySet) -> models.QuerySet:
    """Of history ``rows``, each record's latest (by date, then history id), in
    no particular order. PostgreSQL picks them with DISTINCT ON, which walks
    the sorted rows once; elsewhere a window function numbers each record's
    rows (the same answer: tests run both)."""
    if connection.vendor == "postgresql":
        return rows.order_by("id", "-history_date", "-history_id").distinct("id")
    return (
        rows.annotate(
            row_number=Window(
                RowNumber(),
                partition_by=[F("id")],
                order_by=[F("history_date").desc(), F("history_id").desc()],
            )
        )
        .filter(row_number=1)
        .order_by()
    )


def latest_rows(
    model: type[models.Model], before: datetime.datetime, **filters: object
) -> list[models.Model]:
    """Each record's latest history row dated before ``before``, among rows
    matching ``filters``; records whose latest row is a deletion are left out."""
    rows = latest_per_record(
        history_rows(model).model.objects.filter(history_date__lt=before, **filters)
    )
    return [row for row in rows if row.history_type != "-"]


def latest_values(
    model: type[models.Model], before: datetime.datetime, fields: list[str], **filters: object
) -> list[tuple]:
    """``latest_rows`` as tuples of ``fields`` (the record's id first): for
    reads of many records that need a column or two, without building a model
    instance for each."""
    rows = latest_per_record(
        history_rows(model).model.objects.filter(history_date__lt=before, **filters)
    ).values_list("history_type", "id", *fields)
    return [row[1:] for row in rows if row[0] != "-"]


def first_recorded(plan: Plan) -> datetime.date | None:
    """The day the plan first appears in history: nothing can be shown before it."""
    first = plan.history.order_by("history_date").values_list("history_date", flat=True).first()
    return timezone.localdate(first) if first else None


def approved_updates(area_ids: list[int], before: datetime.datetime) -> dict[int, models.Model]:
    """For each area, its latest approved update as it stood just before ``before``.

    "Latest" is ``ProgressUpdate.LATEST_FIRST`` (as-at date, then approval). Rows that
    were approved by then are candidates; the best candidate per area is picked
    in the database. An update changed after approval (only possible through
    the admin site) is checked against its own latest row before ``before``, so
    the answer is what the data said then. Three queries, each an index walk
    whatever the length of the history.
    """
    history = history_rows(ProgressUpdate).model
    # One correlated subquery per area, each an index walk (see the migration
    # plans 0003: area, state, as_at, approved_at, id, history_date).
    pick = (
        history.objects.filter(
            area_id=OuterRef("pk"),
            state=ProgressUpdate.State.APPROVED,
            history_date__lt=before,
        )
        .order_by(*LATEST_ROW_FIRST)
        .values("history_id")[:1]
    )
    picked = (
        ImprovementArea.objects.filter(pk__in=area_ids)
        .annotate(pick=Subquery(pick))
        .exclude(pick=None)
        .values_list("pick", flat=True)
    )
    candidates = history.objects.filter(history_id__in=picked)
    best = {row.area_id: row for row in candidates}
    if not best:
        return {}
    # Confirm each pick is its update's latest row before the cut-off.
    latest = {
        row.id: row
        for row in latest_rows(ProgressUpdate, before, id__in=[r.id for r in best.values()])
    }
    unsure = [
        area_id
        for area_id, row in best.items()
        if row.id not in latest or latest[row.id].history_id != row.history_id
    ]
    if unsure:
        # Rare: re-decide these areas from every update's latest row.
        for area_id in unsure:
            best.pop(area_id)
        rows = latest_rows(ProgressUpdate, before, area_id__in=unsure)
        approved = [r for r in rows if r.state == ProgressUpdate.State.APPROVED]
        for row in latest_first(approved):
            best.setdefault(row.area_id, row)
    return best


def latest_first(rows: list[models.Model]) -> list[models.Model]:
    """Update rows in ``ProgressUpdate.LATEST_FIRST`` order, sorted here rather
    than in the database: the same rule, for rows already read."""
    # Stable sorts, least significant key first.
    for name in reversed(ProgressUpdate.LATEST_FIRST):
        key = operator.attrgetter(name.lstrip("-"))
        rows = sorted(rows, key=key, reverse=name.startswith("-"))
    return rows


# The columns of a milestone and of an action that pages and papers read.
MILESTONE_FIELDS = [
    "area_id",
    "action_id",
    "title",
    "due_date",
    "due_precision",
    "forecast_date",
    "status",
    "completed_date",
    "note",
    "history_change_reason",
]
ACTION_FIELDS = ["area_id", "reference", "title", "owner_id", "due_date", "status"]


class MilestoneRow(namedtuple("MilestoneRow", ["id", *MILESTONE_FIELDS]), MilestoneDates):
    """A milestone as it stood (its latest history row): the columns pages and
    papers read, with Milestone's own date rules (MilestoneDates). A tuple, not
    a model instance: a large plan has a thousand of them on every dashboard."""

    __slots__ = ()
    FIELDS = MILESTONE_FIELDS


class ActionRow(namedtuple("ActionRow", ["id", *ACTION_FIELDS]), ActionDates):
    """An action as it stood (its latest history row), with Action's own rule
    for overdue (ActionDates); a tuple, as MilestoneRow is."""

    __slots__ = ()
    FIELDS = ACTION_FIELDS


@dataclass
class Snapshot:
    """What the plan's data said at the end of ``as_at``."""

    plan: Plan
    as_at: datetime.date
    areas: list[models.Model]  # historical area rows, in number order
    milestones: list[MilestoneRow]  # by expected date
    actions: list[ActionRow]  # by area, then reference
    current: dict[int, models.Model]  # area id → latest approved update row

    @property
    def area_ids(self) -> list[int]:
        return [a.id for a in self.areas]


def areas_at(plan: Plan, as_at: datetime.date) -> tuple[list[models.Model], dict]:
    """The plan's areas at the end of ``as_at`` (historical rows, in number
    order) and each one's latest approved update row then: the part of
    ``take`` that pages about areas' status alone need (a scorecard). Four
    queries."""
    before = end_of_day(as_at)
    areas = sorted(latest_rows(ImprovementArea, before, plan_id=plan.pk), key=lambda a: a.number)
    return areas, approved_updates([a.id for a in areas], before)


def take(plan: Plan, as_at: datetime.date) -> Snapshot:
    """The plan at the end of ``as_at``. Six queries."""
    before = end_of_day(as_at)
    areas, current = areas_at(plan, as_at)
    area_ids = [a.id for a in areas]
    numbers = {a.id: a.number for a in areas}
    actions = sorted(
        (
            ActionRow._make(row)
            for row in latest_values(Action, before, ActionRow.FIELDS, area_id__in=area_ids)
        ),
        key=lambda a: (numbers[a.area_id], a.reference),
    )
    milestones = sorted(
        (
            MilestoneRow._make(row)
            for row in latest_values(Milestone, before, MilestoneRow.FIELDS, area_id__in=area_ids)
        ),
        key=lambda m: (m.expected_date, m.title),
    )
    return Snapshot(
        plan=plan,
        as_at=as_at,
        areas=areas,
        milestones=milestones,
        actions=actions,
        current=current,
    )


def rags_at(area_ids: list[int], cut_offs: list[datetime.datetime]) -> list[dict[int, str]]:
    """For each cut-off, each area's RAG by its latest approved update then.

    One query whatever the number of cut-offs: a correlated subquery per
    cut-off, each walking the same index as ``approved_updates``. It trusts an
    approved row to stay approved, which the service guarantees (approved
    updates cannot be edited, here or in the admin site), so it skips that
    function's re-check: it serves the month-by-month chart.
    """
    history = history_rows(ProgressUpdate).model

    def rag_before(cut_off: datetime.datetime) -> Subquery:
        return Subquery(
            history.objects.filter(
                area_id=OuterRef("pk"),
                state=ProgressUpdate.State.APPROVED,
                history_date__lt=cut_off,
            )
            .order_by(*LATEST_ROW_FIRST)
            .values("rag")[:1]
        )

    names = [f"rag_{i}" for i in range(len(cut_offs))]
    rows = (
        ImprovementArea.objects.filter(pk__in=area_ids)
        .annotate(**{name: rag_before(cut) for name, cut in zip(names, cut_offs, strict=True)})
        .values("pk", *names)
    )
    result: list[dict[int, str]] = [{} for _ in cut_offs]
    for row in rows:
        for i, name in enumerate(names):
            if row[name]:
                result[i][row["pk"]] = row[name]
    return result
