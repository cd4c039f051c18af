"""Which changes a change list shows: filtered, paged and counted inside the
database, across every kind of record (plans/history/registry.py) at once."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.db import models
from django.db.models import (
    BooleanField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
)
from django.db.models.lookups import Exact
from django.utils import timezone

from plans import permissions
from plans.models import Action, ImprovementArea, Milestone, Plan, ProgressUpdate, history_rows

from .entries import ChangePage
from .fetch import describe
from .registry import Source, sources
from .wording import SYSTEM, tracked_fields


@dataclass(frozen=True)
class ChangeFilter:
    """Which changes to list. ``since``/``until``: from (inclusive) and up to
    (not including) these moments."""

    area: ImprovementArea | None = None
    person: int | None = None  # the user who made the change
    by_system: bool = False  # only changes made with no signed-in user
    # Only changes people made: not the loader's or an operator's set-up,
    # which is the plan's starting state (the board's summary of changes).
    people_only: bool = False
    # Only changes of status: an update approved (which sets its area's RAG),
    # a milestone completed or reopened, an action's status changed.
    status_only: bool = False
    kinds: tuple[str, ...] | None = None  # only these Source keys
    kind: str | None = None  # a Source key
    since: datetime.datetime | None = None
    until: datetime.datetime | None = None
    # One record's own change list: it and the records under it (a success
    # measure and its figures), by the kinds' ``record_fields``.
    record: models.Model | None = None


def start_of_day(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def kinds_for(viewer, plan: Plan, *, area: bool = False) -> list[Source]:
    """The kinds of record the viewer may filter by (in one area, if ``area``)."""
    housekeeping = permissions.sees_housekeeping(viewer, plan)
    return [
        s
        for s in sources()
        if (housekeeping or not s.housekeeping) and (not area or s.area_field is not None)
    ]


def _in_plan(source: Source, plan: Plan) -> Q:
    """History rows of ``source``'s records in ``plan``, including records
    deleted since (so that their deletion is listed too)."""
    if source.in_plan is not None:
        return source.in_plan(plan)
    if source.plan_field is not None:
        return Q(**{source.plan_field: plan.pk})
    return _via(
        source,
        Q(area_id__in=history_rows(ImprovementArea).filter(plan_id=plan.pk).values("id")),
    )


def _via(source: Source, where: Q) -> Q:
    """``where``, on the fields that name an area, as a filter of ``source``'s
    history rows: for a kind that names its area through another record, the
    rows of those records (ever) matching it."""
    if source.area_via is None:
        return where
    key, model = source.area_via
    return Q(**{f"{key}__in": history_rows(model).filter(where).values("id")})


def _sources(
    plan: Plan, viewer, filters: ChangeFilter, housekeeping: bool
) -> list[tuple[Source, models.QuerySet]]:
    """Each kind of record to read, with the history rows the viewer may see."""
    show_housekeeping = housekeeping and permissions.sees_housekeeping(viewer, plan)
    window = Q()
    if filters.since is not None:
        window &= Q(history_date__gte=filters.since)
    if filters.until is not None:
        window &= Q(history_date__lt=filters.until)
    if filters.person is not None:
        window &= Q(history_user_id=filters.person)
    if filters.by_system:
        window &= Q(history_user__isnull=True)
    if filters.people_only:
        window &= Q(history_user__isnull=False)
    result = []
    for source in sources():
        if source.housekeeping and not show_housekeeping:
            continue
        if filters.kind is not None and source.key != filters.kind:
            continue
        if filters.kinds is not None and source.key not in filters.kinds:
            continue
        if filters.record is not None:
            record_field = source.record_fields.get(type(filters.record))
            if record_field is None:
                continue
            where = Q(**{record_field: filters.record.pk})
        elif filters.area is not None:
            if source.area_field is None:
                continue
            where = _via(source, Q(**{source.area_field: filters.area.pk}))
        else:
            where = _in_plan(source, plan)
        if source.model is ProgressUpdate:
            where &= permissions.update_visibility(viewer, plan)
        rows = history_rows(source.model).filter(where & window)
        if source.model is Plan:
            rows = _without_empty_changes(rows, Plan)
        if filters.status_only:
            if source.model not in STATUS_FIELDS:
                continue
            rows = _status_changes(rows, source.model)
        result.append((source, rows))
    return result


def _without_empty_changes(rows: models.QuerySet, model: type[models.Model]) -> models.QuerySet:
    """Leave out "changed" rows that change nothing a reader sees. Before roles
    were memberships, adding a member to a plan wrote such a row of the plan's
    own; it says nothing about the plan, and who joined is housekeeping."""
    history = history_rows(model).model
    before = history.objects.filter(
        Q(history_date__lt=OuterRef("history_date"))
        | Q(history_date=OuterRef("history_date"), history_id__lt=OuterRef("history_id")),
        id=OuterRef("id"),
    ).order_by("-history_date", "-history_id")
    same = Q()
    empty = {}
    for f in tracked_fields(model):
        name = f.attname
        equal = Q(**{name: OuterRef(name)})
        if f.null:
            # NULL = NULL is not true in SQL: "both empty" is said explicitly.
            empty[f"{name}_empty"] = ExpressionWrapper(
                Q(**{f"{name}__isnull": True}), output_field=BooleanField()
            )
            equal |= Q(**{f"{name}__isnull": True}) & Q(Exact(OuterRef(f"{name}_empty"), True))
        same &= equal
    identical = history.objects.filter(same, history_id=OuterRef("previous_id"))
    return rows.annotate(previous_id=Subquery(before.values("history_id")[:1]), **empty).exclude(
        Q(history_type="~") & Q(Exists(identical))
    )


# The field whose change is a change of status, by kind of record, and the
# values a new record starts with that are a status worth listing.
STATUS_FIELDS = {ProgressUpdate: "state", Milestone: "status", Action: "status"}


def _status_changes(rows: models.QuerySet, model: type[models.Model]) -> models.QuerySet:
    """Rows that changed the record's status from the row before. For updates,
    only approvals count: the status a board reads is the approved RAG."""
    field = STATUS_FIELDS[model]
    history = history_rows(model).model
    before = history.objects.filter(
        Q(history_date__lt=OuterRef("history_date"))
        | Q(history_date=OuterRef("history_date"), history_id__lt=OuterRef("history_id")),
        id=OuterRef("id"),
    ).order_by("-history_date", "-history_id")
    rows = rows.annotate(was=Subquery(before.values(field)[:1])).filter(history_type="~")
    rows = rows.exclude(was=F(field))
    if model is ProgressUpdate:
        rows = rows.filter(state=ProgressUpdate.State.APPROVED)
    return rows


def _union(parts: list[models.QuerySet], *, distinct: bool = False) -> models.QuerySet | None:
    """UNION ALL (or UNION, if ``distinct``) of the parts, or None if there are none."""
    parts = [p.order_by() for p in parts]
    if not parts:
        return None
    if len(parts) == 1:
        return parts[0].distinct() if distinct else parts[0]
    return parts[0].union(*parts[1:], all=not distinct)


def _page_keys(
    sources: list[tuple[Source, models.QuerySet]], offset: int, limit: int
) -> list[tuple[int, int]]:
    """(source index, history id) of ``limit`` rows from ``offset``, newest
    first, across every kind of record: one query."""
    union = _union(
        [
            qs.annotate(kind_index=Value(i, output_field=IntegerField())).values_list(
                "history_date", "history_id", "kind_index"
            )
            for i, (_, qs) in enumerate(sources)
        ]
    )
    if union is None:
        return []
    rows = union.order_by("-history_date", "-history_id", "-kind_index")[offset : offset + limit]
    return [(index, history_id) for _, history_id, index in rows]


def _count(sources: list[tuple[Source, models.QuerySet]]) -> int:
    union = _union([qs.values_list("history_id") for _, qs in sources])
    return union.count() if union is not None else 0


def people(plan: Plan, viewer, *, area: ImprovementArea | None = None) -> list[tuple[str, str]]:
    """Everyone who made a change the viewer may see (in the area, if given),
    as (user id, name) sorted by name, with ("system", SYSTEM) last if the
    system made any: one query."""
    sources = _sources(plan, viewer, ChangeFilter(area=area), housekeeping=True)
    union = _union(
        [
            qs.values_list(
                "history_user_id",
                "history_user__first_name",
                "history_user__last_name",
                "history_user__username",
            )
            for _, qs in sources
        ],
        distinct=True,
    )
    found = {}
    for pk, first, last, username in union if union is not None else []:
        found[pk] = SYSTEM if pk is None else (f"{first} {last}".strip() or username)
    system = found.pop(None, None)
    choices = sorted(((str(pk), name) for pk, name in found.items()), key=lambda c: c[1].lower())
    return choices + ([("system", system)] if system else [])


def change_page(
    plan: Plan,
    *,
    viewer,
    filters: ChangeFilter | None = None,
    page: int = 1,
    per_page: int = 50,
    housekeeping: bool = True,
    count: bool = True,
) -> ChangePage:
    """One page of the plan's changes (or one area's: the area itself, its
    actions, milestones, updates, measures and figures; or one record's: a
    measure and its figures), newest first.

    ``viewer`` sees only the update history rows their role lets them read
    (plans/permissions.py): a board member sees each update's approval, never
    its drafts, returns or reviewers' comments. Memberships, owners and
    organisations (housekeeping) are listed only for viewers who may see them,
    and never when ``housekeeping`` is False (the dashboard). ``count``: also
    count every matching change (one more query), for numbered pages."""
    filters = filters or ChangeFilter()
    sources = _sources(plan, viewer, filters, housekeeping)
    keys = _page_keys(sources, (page - 1) * per_page, per_page + 1)
    has_next = len(keys) > per_page
    keys = keys[:per_page]
    total = None
    if count:
        # The first page, when it is the only one, has counted itself.
        total = len(keys) if page == 1 and not has_next else _count(sources)
    wanted: dict[int, list[int]] = defaultdict(list)
    for index, history_id in keys:
        wanted[index].append(history_id)
    by_key = describe(
        plan,
        viewer,
        [(sources[index][0].model, ids) for index, ids in wanted.items()],
    )
    entries = [by_key[(sources[index][0].model, history_id)] for index, history_id in keys]
    return ChangePage(entries, number=page, per_page=per_page, has_next=has_next, total=total)
