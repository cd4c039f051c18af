"""History made readable: who changed what, when, old → new, and why.

Reads django-simple-history's rows and turns each into a ``ChangeEntry``: a
heading in the plan's words ("Approved", "Changed: Milestone: …"), who and when,
the reason given, and one line a changed field ("Due date moved from 30 June
2015 to 30 September 2015", "RAG status: Amber → Red").

Change lists (``change_page``) are paged and filtered inside the database, so a
page costs a fixed number of queries whatever the history's length: one for the
page's row keys across every kind of record (a UNION), one to count them, then
for each kind of record on the page one for its rows and the rows before them,
one per many-to-many field, one per kind of record they name, and one to check
which progress updates the viewer may open.

Success measures (measures/) are listed with their area: a measure's changes
in its own unit ("Target: 80% → 85%"), a figure's as the figure for its period
("Figure for March 2026 corrected from 12 to 14"), with the reason given; a
measure's own page lists it and its figures (``ChangeFilter.measure``).

What a viewer sees of progress updates is decided in plans/permissions.py
(``update_visibility``); readers who see approved updates only (board,
scrutiny) see each one as published: its approval, without the row before it,
the reviewer's comment or the reason given.
"""

from __future__ import annotations

import datetime
import math
import re
from collections import defaultdict
from dataclasses import dataclass, field

from django.apps import apps
from django.db import models
from django.db.models import (
    BooleanField,
    Exists,
    ExpressionWrapper,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
)
from django.db.models.lookups import Exact
from django.urls import reverse
from django.utils import timezone

from measures import periods as measure_periods
from measures.models import Measure, MeasureSettings, MeasureValue
from reminders.models import ReturnSettings

from . import permissions
from .models import (
    RAG,
    Action,
    DatePrecision,
    ImprovementArea,
    Meeting,
    Membership,
    Milestone,
    Organisation,
    Owner,
    Plan,
    ProgressUpdate,
    Theme,
    format_plan_date,
    history_rows,
)

State = ProgressUpdate.State

# Bookkeeping that says nothing to a reader. ``plan`` is the plan being read;
# the precision fields are shown as part of their dates ("June 2015").
PRECISION_OF = {"due_date": "due_precision", "date": "date_precision"}
HIDDEN_FIELDS = {"id", "version", "created_at", "plan", *PRECISION_OF.values()}
# An update's state is the entry's heading ("Approved"); the moments it was
# submitted and approved are the entry's own time.
UPDATE_HIDDEN = {"state", "submitted_at", "approved_at"}
# What a reader who sees approved updates only (board, scrutiny) is shown of
# an update's history: its approval, as published, without its workings.
PUBLISHED_HIDDEN = UPDATE_HIDDEN | {"review_comment"}

EVENTS = {"+": "Created", "~": "Changed", "-": "Deleted"}
STATE_EVENTS = {
    State.SUBMITTED: "Submitted for sign-off",
    State.APPROVED: "Approved",
    State.RETURNED: "Returned to the author",
}
SYSTEM = "The system (no signed-in user)"
NOBODY = "(none)"

# Field names in the plan's words, where the model's own name is not.
LABELS = {
    "as_at": "As-at date",
    "rag": "RAG status",
    "narrative": "Progress",
    "rag_reason": "Reason the status is worse",
    "approved_by": "Signed off by",
    "review_comment": "Reviewer's comment",
    "completed_date": "Completion date",
    "sent_to_inspectorate": "Sent to the inspectorate",
    "officers_may_update_any_area": "Officers may update any area",
    "officers_see_submitted_updates": "Officers see others' submitted updates",
}
MODEL_LABELS = {
    ("membership", "user"): "Person",
    ("owner", "user"): "Linked account",
    ("plan", "organisation"): "Council",
    ("meeting", "kind"): "Type of meeting",
    ("organisation", "kind"): "Type of organisation",
    ("organisation", "council"): "Partner of",
    # Success measures (measures/): a figure's period is its entry's subject;
    # who entered it and when are the entry's own who and when; a tolerance's
    # kind is shown as part of the tolerance ("5% of the target").
    ("returnsettings", "working_days_before"): "Updates due (working days before the meeting)",
    ("returnsettings", "trigger_kinds"): "Meetings that need a return",
    ("returnsettings", "reminder_offsets"): "Reminders (working days before the due date)",
    ("measure", "baseline_value"): "Baseline",
    ("measure", "target_value"): "Target",
    ("measure", "action"): "Action",
    ("measurevalue", "value"): "Figure",
}
MEASURE_HIDDEN = {"tolerance_kind", "order"}
SETTINGS_HIDDEN = {"default_tolerance_kind"}  # told with the tolerance
FIGURE_HIDDEN = {"measure", "period", "entered_by", "entered_at"}
FIGURE_EVENTS = {"+": "Entered", "~": "Changed", "-": "Deleted"}
# The reasons measures/services.py writes for a figure around the user's own
# words ("Corrected from 12.00: miscounted"): the entry says the rest itself.
FIGURE_REASON = re.compile(
    r"^(?:Corrected from [^:]*|Comment changed|Figure entered)(?:: (?P<why>.*))?$", re.S
)


def rag_word(value: str) -> str:
    """'Amber', from the RAG scale's own label ('Amber – at risk')."""
    return RAG(value).label.split(" – ")[0]


# --- Kinds of record -------------------------------------------------------------


@dataclass(frozen=True)
class Source:
    """A kind of record whose history a change list reads."""

    key: str  # for the filter: ?kind=milestone
    label: str
    model: type[models.Model]
    # Set-up the plan administrators keep (who holds which role, owners linked
    # to accounts, organisations): not the plan's progress, so only they see it.
    housekeeping: bool = False
    # How a history row names its improvement area, for kinds that have one.
    area_field: str | None = None
    # For kinds that name their area through another record (a figure, through
    # its measure): (the row's field naming that record, that record's model);
    # ``area_field`` is then the other record's history's field.
    area_via: tuple[str, type[models.Model]] | None = None
    # How a history row names its success measure, for the measure's own page.
    measure_field: str | None = None


SOURCES = [
    Source("area", "Improvement areas", ImprovementArea, area_field="id"),
    Source("action", "Actions", Action, area_field="area_id"),
    Source("milestone", "Milestones", Milestone, area_field="area_id"),
    Source("update", "Progress updates", ProgressUpdate, area_field="area_id"),
    Source("measure", "Measures", Measure, area_field="area_id", measure_field="id"),
    Source(
        "figure",
        "Figures",
        MeasureValue,
        area_field="area_id",
        area_via=("measure_id", Measure),
        measure_field="measure_id",
    ),
    Source("meeting", "Meetings", Meeting),
    Source("theme", "Themes", Theme),
    Source("plan", "The plan's details", Plan),
    Source("measure_settings", "Measure settings", MeasureSettings),
    Source("return_settings", "Return settings", ReturnSettings),
    Source("membership", "Memberships (who holds which role)", Membership, housekeeping=True),
    Source("owner", "Owners", Owner, housekeeping=True),
    Source("organisation", "Organisations", Organisation, housekeeping=True),
]


def kinds_for(viewer, plan: Plan, *, area: bool = False) -> list[Source]:
    """The kinds of record the viewer may filter by (in one area, if ``area``)."""
    housekeeping = permissions.sees_housekeeping(viewer, plan)
    return [
        s
        for s in SOURCES
        if (housekeeping or not s.housekeeping) and (not area or s.area_field is not None)
    ]


def _in_plan(source: Source, plan: Plan) -> Q:
    """History rows of ``source``'s records in ``plan``, including records
    deleted since (so that their deletion is listed too)."""
    model = source.model
    if model is Plan:
        return Q(id=plan.pk)
    if model in (Theme, Meeting, ImprovementArea, Membership, MeasureSettings, ReturnSettings):
        return Q(plan_id=plan.pk)
    if source.area_field:
        return _via(
            source,
            Q(area_id__in=history_rows(ImprovementArea).filter(plan_id=plan.pk).values("id")),
        )
    # Owners and organisations are kept per council: the plan's council's own.
    council = plan.organisation.council_id_or_own
    in_council = Q(id=council) | Q(council_id=council)
    if model is Organisation:
        return in_council
    return Q(organisation_id__in=history_rows(Organisation).filter(in_council).values("id"))


def _via(source: Source, where: Q) -> Q:
    """``where``, on the fields that name an area, as a filter of ``source``'s
    history rows: for a kind that names its area through another record, the
    rows of those records (ever) matching it."""
    if source.area_via is None:
        return where
    key, model = source.area_via
    return Q(**{f"{key}__in": history_rows(model).filter(where).values("id")})


# --- Filters and pages -------------------------------------------------------------


@dataclass(frozen=True)
class ChangeFilter:
    """Which changes to list. ``since``/``until``: from (inclusive) and up to
    (not including) these moments."""

    area: ImprovementArea | None = None
    person: int | None = None  # the user who made the change
    by_system: bool = False  # only changes made with no signed-in user
    kind: str | None = None  # a Source key
    since: datetime.datetime | None = None
    until: datetime.datetime | None = None
    measure: Measure | None = None  # one success measure: itself and its figures


@dataclass
class FieldChange:
    label: str
    old: str  # "" when there was nothing before (or the row before is not shown)
    new: str
    text: str  # the change in a line: "Due date moved from … to …"
    long: bool = False  # free text: shown in full below ``text``, before and after


@dataclass
class ChangeEntry:
    when: datetime.datetime
    who: str
    event: str  # "Created", "Changed", "Deleted", "Approved", "Submitted for sign-off"…
    subject: str
    url: str  # "" when the viewer has no page to open (deleted, or not theirs to read)
    reason: str
    changes: list[FieldChange] = field(default_factory=list)
    # The record's version after this change, for records that keep one.
    version: int | None = None


@dataclass
class ChangePage:
    entries: list[ChangeEntry]
    number: int
    per_page: int
    has_next: bool
    total: int | None = None  # None when not counted

    @property
    def num_pages(self) -> int:
        if self.total is None:
            return self.number + int(self.has_next)
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def first(self) -> int:
        """The position of the page's first entry in the whole list (from 1)."""
        return (self.number - 1) * self.per_page + 1

    @property
    def last(self) -> int:
        return self.first + len(self.entries) - 1


def start_of_day(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


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
    result = []
    for source in SOURCES:
        if source.housekeeping and not show_housekeeping:
            continue
        if filters.kind is not None and source.key != filters.kind:
            continue
        if filters.measure is not None:
            if source.measure_field is None:
                continue
            where = Q(**{source.measure_field: filters.measure.pk})
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
    for f in _tracked_fields(model):
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
    actions, milestones, updates, measures and figures; or one measure's: it
    and its figures), newest first.

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
    by_key = _describe(
        plan,
        viewer,
        [(sources[index][0].model, ids) for index, ids in wanted.items()],
    )
    entries = [by_key[(sources[index][0].model, history_id)] for index, history_id in keys]
    return ChangePage(entries, number=page, per_page=per_page, has_next=has_next, total=total)


def recent_changes(
    plan: Plan,
    *,
    viewer,
    area: ImprovementArea | None = None,
    limit: int = 100,
    since: datetime.datetime | None = None,
    until: datetime.datetime | None = None,
    housekeeping: bool = True,
) -> list[ChangeEntry]:
    """The latest ``limit`` changes (see ``change_page``), optionally only
    those made from ``since`` up to (not including) ``until``."""
    filters = ChangeFilter(area=area, since=since, until=until)
    return change_page(
        plan,
        viewer=viewer,
        filters=filters,
        per_page=limit,
        housekeeping=housekeeping,
        count=False,
    ).entries


def history_of(obj: models.Model, plan_slug: str) -> list[ChangeEntry]:
    """Every change to one record, newest first: one query for its rows, one
    per many-to-many field and one per kind of record they name."""
    model = type(obj)
    rows = list(
        model.history.filter(id=obj.pk)
        .select_related("history_user")
        .order_by("history_date", "history_id")
    )
    _attach_m2m(model, rows)
    prev = {row.history_id: before for before, row in zip(rows, rows[1:], strict=False)}
    lookups = _Lookups()
    _want(lookups, model, rows)
    lookups.fetch()
    context = _Context(plan_slug=plan_slug, lookups=lookups)
    return [_entry(model, row, prev.get(row.history_id), context) for row in reversed(rows)]


# --- Reading rows --------------------------------------------------------------------


def _fetch(model: type[models.Model], history_ids: list[int]) -> tuple[list, dict]:
    """The rows ``history_ids`` and, for each, the row before it for the same
    record: one query, which also reads each row's predecessor."""
    history = history_rows(model).model
    # The row before: same record, earlier in (date, id) order. Ordered by
    # date so the database walks the record's own rows, not the whole table.
    before = history.objects.filter(
        Q(history_date__lt=OuterRef("history_date"))
        | Q(history_date=OuterRef("history_date"), history_id__lt=OuterRef("history_id")),
        id=OuterRef("id"),
    ).order_by("-history_date", "-history_id")
    wanted_rows = history.objects.filter(history_id__in=history_ids).order_by()
    previous_ids = wanted_rows.annotate(previous=Subquery(before.values("history_id")[:1]))
    # One IN over a UNION, not "IN (…) OR IN (…)", which PostgreSQL answers
    # by reading the whole table.
    ids = wanted_rows.values("history_id").union(previous_ids.values("previous"), all=True)
    fetched = list(history.objects.filter(history_id__in=ids).select_related("history_user"))
    # Every wanted row's predecessor was fetched, so within one record's
    # fetched rows, a wanted row's neighbour before it is its predecessor.
    by_record: dict[object, list] = defaultdict(list)
    for row in fetched:
        by_record[row.id].append(row)
    wanted = set(history_ids)
    rows, prev = [], {}
    for record_rows in by_record.values():
        record_rows.sort(key=lambda r: (r.history_date, r.history_id))
        for i, row in enumerate(record_rows):
            if row.history_id in wanted:
                rows.append(row)
                if i:
                    prev[row.history_id] = record_rows[i - 1]
    _attach_m2m(model, fetched)
    return rows, prev


def _m2m_fields(model: type[models.Model]) -> list[models.ManyToManyField]:
    return [f for f in model._meta.many_to_many if hasattr(history_rows(model).model, f.name)]


def _attach_m2m(model: type[models.Model], rows: list[models.Model]) -> None:
    """Give each history row ``m2m_names``: for each many-to-many field, the
    sorted names it held then. One query per field."""
    fields = _m2m_fields(model)
    for row in rows:
        row.m2m_names = {f.name: [] for f in fields}
    if not rows:
        return
    by_id = {row.history_id: row for row in rows}
    for f in fields:
        through = apps.get_model(model._meta.app_label, f"Historical{model.__name__}_{f.name}")
        target = f.m2m_reverse_field_name()
        links = through.objects.filter(history_id__in=list(by_id)).select_related(target)
        for link in links:
            related = getattr(link, target)
            name = (
                _user_name(related) if f.related_model._meta.model_name == "user" else str(related)
            )
            by_id[link.history_id].m2m_names[f.name].append(name)
        for row in rows:
            row.m2m_names[f.name].sort()


class _Lookups:
    """The related records that history rows name, fetched in one query per
    related model; also tells which records still exist."""

    def __init__(self) -> None:
        self.wanted: dict[type[models.Model], set] = defaultdict(set)
        self.found: dict[tuple[type[models.Model], object], models.Model] = {}

    def want(self, model: type[models.Model], pk: object) -> None:
        if pk is not None:
            self.wanted[model].add(pk)

    def fetch(self) -> None:
        for model, pks in self.wanted.items():
            qs = model._default_manager.filter(pk__in=pks)
            if model is Owner:
                qs = qs.select_related("organisation")
            for obj in qs:
                self.found[(model, obj.pk)] = obj

    def get(self, model: type[models.Model], pk: object) -> models.Model | None:
        return self.found.get((model, pk))

    def name(self, model: type[models.Model], pk: object) -> str:
        obj = self.get(model, pk)
        if obj is None:
            return "(deleted)"
        return _user_name(obj) if model._meta.model_name == "user" else str(obj)


def _user_name(user) -> str:
    if user is None:
        return SYSTEM
    return user.get_full_name() or user.get_username()


def _tracked_fields(model: type[models.Model]) -> list[models.Field]:
    return [f for f in model._meta.concrete_fields if f.name not in HIDDEN_FIELDS]


def _want(lookups: _Lookups, model: type[models.Model], rows: list, *, pages=False) -> None:
    """Note the related records that ``rows`` name, to fetch them together;
    with ``pages``, also the records themselves, to link only to those that
    still exist."""
    fields = [f for f in _tracked_fields(model) if f.is_relation]
    for row in rows:
        for f in fields:
            lookups.want(f.related_model, getattr(row, f.attname))
        if pages and model in (ImprovementArea, Action, Milestone, Measure):
            lookups.want(model, row.id)


@dataclass
class _Context:
    plan_slug: str
    lookups: _Lookups
    # Whether an update history row is shown only as published (its approval,
    # without the row before it or the reviewer's workings).
    published_only: object = None
    # Updates the viewer may open; None: link to every record (one record's history).
    openable_updates: set | None = None


def _describe(plan: Plan, viewer, wanted: list[tuple[type[models.Model], list[int]]]) -> dict:
    """ChangeEntry for each (model, history id) in ``wanted``."""

    def published_only(row) -> bool:
        return not permissions.sees_workings(viewer, plan, row.author_id)

    lookups = _Lookups()
    fetched = []
    update_ids: set = set()
    for model, history_ids in wanted:
        rows, prev = _fetch(model, history_ids)
        _want(lookups, model, [*rows, *prev.values()], pages=True)
        if model is ProgressUpdate:
            update_ids |= {row.id for row in rows}
        fetched.append((model, rows, prev))
    lookups.fetch()
    openable = (
        set(
            ProgressUpdate.objects.filter(pk__in=update_ids)
            .filter(permissions.update_visibility(viewer, plan))
            .values_list("pk", flat=True)
        )
        if update_ids
        else set()
    )
    context = _Context(plan.slug, lookups, published_only, openable)
    return {
        (model, row.history_id): _entry(model, row, prev.get(row.history_id), context)
        for model, rows, prev in fetched
        for row in rows
    }


# --- Describing a change ---------------------------------------------------------------


def _label(model: type[models.Model], f: models.Field) -> str:
    name = MODEL_LABELS.get((model._meta.model_name, f.name)) or LABELS.get(f.name)
    if name:
        return name
    verbose = str(f.verbose_name)
    return verbose[:1].upper() + verbose[1:]


def _display(f: models.Field, row: models.Model, lookups: _Lookups) -> str:
    """A field's value as the plan writes it; "" for no value."""
    value = getattr(row, f.attname)
    if f.model in (Measure, MeasureValue, MeasureSettings):
        shown = _measure_display(f, row, value, lookups)
        if shown is not None:
            return shown
    if f.model is ReturnSettings and f.name == "trigger_kinds":
        # "improvement_board,scrutiny_panel" as the meetings' names.
        labels = dict(Meeting.Kind.choices)
        return ", ".join(str(labels.get(k, k)) for k in value.split(",") if k)
    if f.model is ReturnSettings and f.name == "reminder_offsets":
        return ", ".join(n.strip() for n in value.split(",") if n.strip())
    if value is None or value == "":
        return ""
    if f.related_model is ImprovementArea:
        # "Area: 3", not the whole recommendation.
        area = lookups.get(ImprovementArea, value)
        return str(area.number) if area is not None else "(deleted)"
    if f.is_relation:
        return lookups.name(f.related_model, value)
    if f.name == "rag":
        return rag_word(value)
    if f.choices:
        return str(dict(f.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).strftime("%-d %B %Y %H:%M")
    if isinstance(value, datetime.date):
        precision = getattr(row, PRECISION_OF.get(f.name, ""), DatePrecision.DAY)
        return format_plan_date(value, precision)
    return str(value)


def _measure_display(f: models.Field, row: models.Model, value, lookups: _Lookups) -> str | None:
    """A measure's or figure's value in the measure's own unit ("72.5%"), its
    periods as periods ("March 2015"), its tolerance with its kind; None for
    a field shown as any other."""
    from measures.units import format_value, tolerance_label

    if f.model is MeasureSettings:
        if f.name != "default_tolerance":
            return None
        number = format_value(value, "number")
        if row.default_tolerance_kind == "percent":
            return f"{number}% of the target"
        return f"{number} in each measure's own unit"
    if f.model is MeasureValue:
        if f.name != "value":
            return None
        measure = lookups.get(Measure, row.measure_id)
        return format_value(value, measure.unit if measure is not None else "number")
    if f.name == "tolerance":
        if value is None:
            return "the plan's default"
        return tolerance_label(value, row.tolerance_kind, row.unit, inherited=False)
    if value is None:
        return None
    if f.name in ("baseline_value", "target_value"):
        return format_value(value, row.unit)
    if f.name == "baseline_period":
        return measure_periods.label(value, row.frequency)
    return None


def _figure_label(row, lookups: _Lookups) -> str:
    """'Figure for March 2015' (or 'Figure for Apr–Jun 2015', quarterly)."""
    measure = lookups.get(Measure, row.measure_id)
    frequency = measure.frequency if measure is not None else measure_periods.MONTHLY
    return f"Figure for {measure_periods.label(row.period, frequency)}"


def _line(label: str, old: str, new: str, *, created: bool, style: str) -> str:
    """One change in a line, in the plan's words."""
    if style == "text":  # the text itself is shown below the line
        if created:
            return label
        if not old:
            return f"{label} added"
        return f"{label} removed" if not new else f"{label} changed"
    if created:
        return f"{label}: {new}"
    if not old:
        return f"{label} set to {new}"
    if not new:
        return f"{label} cleared (was {old})" if style == "date" else f"{label}: {old} → {NOBODY}"
    if style == "date":
        return f"{label} moved from {old} to {new}"
    return f"{label}: {old} → {new}"


def _style(f: models.Field) -> str:
    if isinstance(f, models.TextField):
        return "text"
    if isinstance(f, models.DateField) and not isinstance(f, models.DateTimeField):
        return "date"
    return "value"


def _changes(model, row, before, fields, lookups) -> list[FieldChange]:
    created = before is None
    changes = []
    for f in fields:
        new = _display(f, row, lookups)
        old = "" if created else _display(f, before, lookups)
        if created:
            if getattr(row, f.attname) in (None, "", False):
                continue
        elif new == old:
            continue
        label, style = _label(model, f), _style(f)
        text = _line(label, old, new, created=created, style=style)
        if model is MeasureValue and f.name == "value":
            # "Figure for March 2015 corrected from 12 to 14"
            label = _figure_label(row, lookups)
            text = f"{label}: {new}" if created else f"{label} corrected from {old} to {new}"
        changes.append(FieldChange(label=label, old=old, new=new, text=text, long=style == "text"))
    for f in _m2m_fields(model):
        new = ", ".join(row.m2m_names[f.name])
        old = "" if created else ", ".join(before.m2m_names[f.name])
        if new != old and (new or not created):
            label = _label(model, f)
            text = _line(label, old, new, created=created, style="value")
            changes.append(FieldChange(label=label, old=old, new=new, text=text))
    return changes


def _event(model, row, before, published: bool) -> str:
    if model is MeasureValue:
        if row.history_type == "~" and before is not None and before.value != row.value:
            return "Corrected"
        return FIGURE_EVENTS.get(row.history_type, row.history_type)
    if model is ProgressUpdate:
        if published:
            return STATE_EVENTS.get(row.state, EVENTS[row.history_type])
        moved = row.state != (before.state if before is not None else State.DRAFT)
        if row.history_type != "-" and moved and row.state in STATE_EVENTS:
            return STATE_EVENTS[row.state]
    return EVENTS.get(row.history_type, row.history_type)


def _entry(model, row, before, context: _Context) -> ChangeEntry:
    published = (
        model is ProgressUpdate
        and context.published_only is not None
        and context.published_only(row)
    )
    if published:
        before = None
    hidden = PUBLISHED_HIDDEN if published else UPDATE_HIDDEN if model is ProgressUpdate else ()
    if model is Measure:
        hidden = MEASURE_HIDDEN
    elif model is MeasureSettings:
        hidden = SETTINGS_HIDDEN
    elif model is MeasureValue:
        hidden = FIGURE_HIDDEN
    fields = [f for f in _tracked_fields(model) if f.name not in hidden]
    event = _event(model, row, before, published)
    if model is ProgressUpdate and not published:
        # The state is the heading, unless the change of state is not one of
        # the sign-off steps (e.g. set back to draft in the admin site).
        was = before.state if before is not None else State.DRAFT
        if row.state != was and event not in STATE_EVENTS.values():
            fields.append(model._meta.get_field("state"))
    subject, url = _subject(model, row, context)
    reason = "" if published else row.history_change_reason or ""
    if model is MeasureValue and (said := FIGURE_REASON.match(reason)):
        reason = said.group("why") or ""
    return ChangeEntry(
        when=row.history_date,
        who=_user_name(row.history_user),
        event=event,
        subject=subject,
        url=url,
        reason=reason,
        changes=_changes(model, row, before, fields, context.lookups),
        version=getattr(row, "version", None),
    )


def _subject(model, row, context: _Context) -> tuple[str, str]:
    """A reader's name for the record a history row is about, and its page
    ("" if it has none the viewer can open)."""
    lookups, slug = context.lookups, context.plan_slug
    check = context.openable_updates is not None  # else: one record's own history

    def exists(m) -> bool:
        return not check or lookups.get(m, row.id) is not None

    if model is ImprovementArea:
        # Link by the area's number now: it may have been renumbered since.
        current = lookups.get(ImprovementArea, row.id)
        number = current.number if current is not None else row.number
        url = reverse("plans:area", args=[slug, number]) if exists(model) else ""
        return f"Area {row.number}", url
    if model is Action:
        url = reverse("plans:action_history", args=[row.id]) if exists(model) else ""
        return f"Action {row.reference} {row.title}", url
    if model is Milestone:
        url = reverse("plans:milestone_history", args=[row.id]) if exists(model) else ""
        return f"Milestone: {row.title}", url
    if model is ProgressUpdate:
        area = lookups.get(ImprovementArea, row.area_id)
        number = area.number if area is not None else "?"
        openable = not check or row.id in context.openable_updates
        return (
            f"Update on area {number} as at {format_plan_date(row.as_at)}",
            reverse("plans:update", args=[row.id]) if openable else "",
        )
    if model is Measure:
        url = reverse("measures:measure_history", args=[row.id]) if exists(model) else ""
        return f"Measure: {row.name}", url
    if model is MeasureValue:
        measure = lookups.get(Measure, row.measure_id)
        name = measure.name if measure is not None else "(deleted measure)"
        url = reverse("measures:measure_history", args=[row.measure_id]) if measure else ""
        return f"{_figure_label(row, lookups)}: {name}", url
    if model is Plan:
        return f"Plan: {row.title}", reverse("plans:plan", args=[slug])
    if model is Meeting:
        return f"Meeting: {row.title}", ""
    if model is Theme:
        return f"Theme: {row.name}", ""
    if model is MeasureSettings:
        # Not linked: the settings page is the plan administrators' alone.
        return "Measure settings (default tolerance, when figures are due)", ""
    if model is ReturnSettings:
        # Not linked: the returns page is the plan administrators' alone.
        return "Return settings (when updates are due before meetings)", ""
    if model is Membership:
        user_model = Membership._meta.get_field("user").related_model
        return f"Membership: {lookups.name(user_model, row.user_id)}", ""
    if model is Owner:
        return f"Owner: {row.job_title}", ""
    if model is Organisation:
        return f"Organisation: {row.name}", ""
    return str(model._meta.verbose_name).capitalize(), ""
