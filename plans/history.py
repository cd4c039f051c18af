"""History made readable: who changed what, when, old → new, and why.

Reads django-simple-history's rows and turns each into a ``ChangeEntry`` for
the history pages. Queries are fixed in number whatever the history's length:
one for the rows (with their users), one for the rows before them, one for each
many-to-many field, and one for each kind of related record they name.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.apps import apps
from django.db import models
from django.db.models import OuterRef, Q, Subquery
from django.urls import reverse
from django.utils import timezone

from .models import (
    Action,
    ImprovementArea,
    Meeting,
    Milestone,
    Plan,
    ProgressUpdate,
    Theme,
    format_plan_date,
)

# Bookkeeping fields that say nothing to a reader.
HIDDEN_FIELDS = {"id", "version", "created_at"}
KINDS = {"+": "Created", "~": "Changed", "-": "Deleted"}
EMPTY = "(none)"


@dataclass
class FieldChange:
    label: str
    old: str
    new: str


@dataclass
class ChangeEntry:
    when: datetime.datetime
    who: str
    kind: str
    subject: str
    url: str
    reason: str
    changes: list[FieldChange] = field(default_factory=list)
    # The record's version after this change, for records that keep one.
    version: int | None = None


def _user_name(user) -> str:
    if user is None:
        return "The system (no signed-in user)"
    return user.get_full_name() or user.get_username()


def _tracked_fields(model: type[models.Model]) -> list[models.Field]:
    return [f for f in model._meta.concrete_fields if f.name not in HIDDEN_FIELDS]


def _m2m_fields(model: type[models.Model]) -> list[models.ManyToManyField]:
    return [f for f in model._meta.many_to_many if hasattr(model.history.model, f.name)]


class _Lookups:
    """Names for the related records that history rows point to, fetched in
    one query per related model."""

    def __init__(self) -> None:
        self.wanted: dict[type[models.Model], set] = defaultdict(set)
        self.names: dict[tuple[type[models.Model], object], str] = {}

    def want(self, model: type[models.Model], pk: object) -> None:
        if pk is not None:
            self.wanted[model].add(pk)

    def fetch(self) -> None:
        for model, pks in self.wanted.items():
            qs = model._default_manager.filter(pk__in=pks)
            if model.__name__ == "Owner":
                qs = qs.select_related("organisation")
            for obj in qs:
                self.names[(model, obj.pk)] = (
                    str(obj) if model.__name__ != "User" else _user_name(obj)
                )

    def name(self, model: type[models.Model], pk: object) -> str:
        if pk is None:
            return EMPTY
        return self.names.get((model, pk), f"(deleted record {pk})")


def _display(f: models.Field, value: object, lookups: _Lookups) -> str:
    if value is None or value == "":
        return EMPTY
    if f.is_relation:
        return lookups.name(f.related_model, value)
    if f.choices:
        return str(dict(f.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).strftime("%-d %B %Y %H:%M")
    if isinstance(value, datetime.date):
        return format_plan_date(value)
    return str(value)


def _value(row: models.Model, f: models.Field) -> object:
    return getattr(row, f.attname)


def _subject(
    model: type[models.Model],
    row: models.Model,
    plan_slug: str,
    lookups: _Lookups,
    areas: dict[int, int],
) -> tuple[str, str]:
    """A reader's name for the record a history row is about, and its page."""
    if model is ImprovementArea:
        url = reverse("plans:area", args=[plan_slug, row.number])
        return f"Area {row.number}", url
    if model is Action:
        return f"Action {row.reference} {row.title}", reverse("plans:action_history", args=[row.id])
    if model is Milestone:
        return f"Milestone: {row.title}", reverse("plans:milestone_history", args=[row.id])
    if model is ProgressUpdate:
        number = areas.get(row.area_id, "?")
        return (
            f"Update on area {number} as at {format_plan_date(row.as_at)}",
            reverse("plans:update", args=[row.id]),
        )
    if model is Plan:
        return f"Plan: {row.title}", reverse("plans:plan", args=[plan_slug])
    if model is Meeting:
        return f"Meeting: {row.title}", ""
    if model is Theme:
        return f"Theme: {row.name}", ""
    return str(model._meta.verbose_name).capitalize(), ""


def _want(lookups: _Lookups, model: type[models.Model], rows: list, prev: dict) -> None:
    """Note the related records that ``rows`` name, to fetch them together."""
    fields = [f for f in _tracked_fields(model) if f.is_relation]
    for row in [*rows, *prev.values()]:
        for f in fields:
            lookups.want(f.related_model, _value(row, f))
        # Area numbers for the subjects of actions, milestones and updates.
        if hasattr(row, "area_id"):
            lookups.want(ImprovementArea, row.area_id)


# What a reader who sees approved updates only (board, scrutiny) is shown of
# an update's history: its approval, as published, without its workings.
PUBLISHED_HIDDEN = {"review_comment", "state", "submitted_at"}


def _entries(
    model: type[models.Model],
    rows: list[models.Model],
    prev: dict[int, models.Model],
    plan_slug: str,
    lookups: _Lookups,
    published_only=None,
) -> list[ChangeEntry]:
    """``published_only(row)``: whether an update history row is shown only as
    published (its approval, without the row before it or the reviewer's workings)."""
    all_fields = _tracked_fields(model)
    published_fields = [f for f in all_fields if f.name not in PUBLISHED_HIDDEN]
    m2m = _m2m_fields(model)
    areas = {
        pk: int(name.split(".", 1)[0])
        for (m, pk), name in lookups.names.items()
        if m is ImprovementArea
    }

    entries = []
    for row in rows:
        published = model is ProgressUpdate and published_only is not None and published_only(row)
        before = None if published else prev.get(row.history_id)
        fields = published_fields if published else all_fields
        changes = []
        for f in fields:
            new = _value(row, f)
            old = _value(before, f) if before is not None else None
            if before is None and (row.history_type == "+" or published):
                if new in (None, "", False):
                    continue
            elif new == old:
                continue
            changes.append(
                FieldChange(
                    label=str(f.verbose_name).capitalize(),
                    old=_display(f, old, lookups) if before is not None else "",
                    new=_display(f, new, lookups),
                )
            )
        for f in m2m:
            new_names = row.m2m_names[f.name]
            old_names = before.m2m_names[f.name] if before is not None else []
            if new_names != old_names:
                changes.append(
                    FieldChange(
                        label=str(f.verbose_name).capitalize(),
                        old=", ".join(old_names) or EMPTY,
                        new=", ".join(new_names) or EMPTY,
                    )
                )
        subject, url = _subject(model, row, plan_slug, lookups, areas)
        entries.append(
            ChangeEntry(
                when=row.history_date,
                who=_user_name(row.history_user),
                kind=(
                    ProgressUpdate.State(row.state).label
                    if published
                    else KINDS.get(row.history_type, row.history_type)
                ),
                subject=subject,
                url=url,
                reason="" if published else row.history_change_reason or "",
                changes=changes,
                version=getattr(row, "version", None),
            )
        )
    return entries


def _rows(model: type[models.Model], rows_qs: models.QuerySet, limit: int | None) -> list:
    """History rows (newest first), each knowing its previous row's id."""
    history = model.history.model
    # The row before: same record, earlier in (date, id) order. Ordered by
    # date so the database walks the record's own rows, not the whole table.
    before = history.objects.filter(
        Q(history_date__lt=OuterRef("history_date"))
        | Q(history_date=OuterRef("history_date"), history_id__lt=OuterRef("history_id")),
        id=OuterRef("id"),
    ).order_by("-history_date", "-history_id")
    qs = (
        rows_qs.select_related("history_user")
        .annotate(prev_history_id=Subquery(before.values("history_id")[:1]))
        .order_by("-history_date", "-history_id")
    )
    return list(qs[:limit] if limit else qs)


def _previous(model: type[models.Model], rows: list) -> dict[int, models.Model]:
    """For each row, the row before it for the same record (one query), with
    many-to-many values attached to both."""
    prev_ids = [r.prev_history_id for r in rows if r.prev_history_id]
    by_id = (
        {p.history_id: p for p in model.history.model.objects.filter(history_id__in=prev_ids)}
        if prev_ids
        else {}
    )
    _attach_m2m(model, [*rows, *by_id.values()])
    return {r.history_id: by_id[r.prev_history_id] for r in rows if r.prev_history_id}


def _with_previous(
    model: type[models.Model], rows_qs: models.QuerySet, limit: int | None
) -> tuple[list[models.Model], dict[int, models.Model]]:
    """The rows (newest first), and for each the row before it for the same record."""
    rows = _rows(model, rows_qs, limit)
    return rows, _previous(model, rows)


def _attach_m2m(model: type[models.Model], rows: list[models.Model]) -> None:
    """Give each history row ``m2m_names``: for each many-to-many field, the
    sorted names it held then. One query per field."""
    fields = _m2m_fields(model)
    for row in rows:
        row.m2m_names = {f.name: [] for f in fields}
    if not rows:
        return
    # A row may be here twice: as a change, and as the row before a later one.
    by_id: dict[int, list] = defaultdict(list)
    for row in rows:
        by_id[row.history_id].append(row)
    for f in fields:
        through = apps.get_model(model._meta.app_label, f"Historical{model.__name__}_{f.name}")
        target = f.m2m_reverse_field_name()
        links = through.objects.filter(history_id__in=list(by_id)).select_related(target)
        for link in links:
            related = getattr(link, target)
            name = (
                _user_name(related) if f.related_model._meta.model_name == "user" else str(related)
            )
            for row in by_id[link.history_id]:
                row.m2m_names[f.name].append(name)
        for row in rows:
            row.m2m_names[f.name].sort()


def history_of(obj: models.Model, plan_slug: str) -> list[ChangeEntry]:
    """Every change to one record, newest first."""
    model = type(obj)
    rows, prev = _with_previous(model, model.history.filter(id=obj.pk), limit=None)
    lookups = _Lookups()
    _want(lookups, model, rows, prev)
    lookups.fetch()
    return _entries(model, rows, prev, plan_slug, lookups)


def recent_changes(
    plan: Plan,
    *,
    viewer,
    area: ImprovementArea | None = None,
    limit: int = 100,
    since: datetime.datetime | None = None,
    until: datetime.datetime | None = None,
) -> list[ChangeEntry]:
    """The latest changes to anything in the plan (or in one of its areas:
    the area itself, its actions, milestones and updates), newest first;
    optionally only those made from ``since`` up to (not including) ``until``.

    ``viewer`` sees only the update history rows their role lets them read
    (plans/permissions.py): a board member sees each update's approval, never
    its drafts, returns or reviewers' comments."""
    from . import permissions

    visible_updates = permissions.update_visibility(viewer, plan)
    administrator = permissions.administers(viewer, plan)

    def published_only(row) -> bool:
        # Only plan administrators and an update's author see how it got there.
        return not administrator and row.author_id != viewer.pk

    window = {}
    if since is not None:
        window["history_date__gte"] = since
    if until is not None:
        window["history_date__lt"] = until
    sources: Iterable[tuple[type[models.Model], dict]]
    if area is not None:
        sources = [
            (ImprovementArea, {"id": area.pk}),
            (Action, {"area_id": area.pk}),
            (Milestone, {"area_id": area.pk}),
            (ProgressUpdate, {"area_id": area.pk}),
        ]
    else:
        sources = [
            (Plan, {"id": plan.pk}),
            (Theme, {"plan_id": plan.pk}),
            (Meeting, {"plan_id": plan.pk}),
            (ImprovementArea, {"plan_id": plan.pk}),
            (Action, {"area__plan_id": plan.pk}),
            (Milestone, {"area__plan_id": plan.pk}),
            (ProgressUpdate, {"area__plan_id": plan.pk}),
        ]
    # The newest ``limit`` rows across every kind of record first; only those
    # are then compared with their previous rows and named.
    candidates = [
        (model, row)
        for model, where in sources
        for row in _rows(
            model,
            model.history.filter(
                visible_updates if model is ProgressUpdate else Q(), **where, **window
            ),
            limit,
        )
    ]
    candidates.sort(key=lambda pair: (pair[1].history_date, pair[1].history_id), reverse=True)
    kept: dict[type[models.Model], list] = {model: [] for model, _ in sources}
    for model, row in candidates[:limit]:
        kept[model].append(row)
    fetched = []
    lookups = _Lookups()
    for model, rows in kept.items():
        prev = _previous(model, rows)
        _want(lookups, model, rows, prev)
        fetched.append((model, rows, prev))
    lookups.fetch()
    entries: list[ChangeEntry] = []
    for model, rows, prev in fetched:
        entries.extend(_entries(model, rows, prev, plan.slug, lookups, published_only))
    entries.sort(key=lambda e: e.when, reverse=True)
    return entries
