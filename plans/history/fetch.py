"""Reading history rows: the rows wanted with the row before each, what they
held in their many-to-many fields, and the records they name, in a fixed
number of queries; then each worded as a ChangeEntry (plans/history/wording.py)."""

from __future__ import annotations

from collections import defaultdict

from django.apps import apps
from django.db import models
from django.db.models import OuterRef, Q, Subquery

from plans import permissions
from plans.models import Owner, Plan, ProgressUpdate, history_rows

from .entries import ChangeEntry
from .registry import source_for
from .wording import Context, entry, m2m_fields, tracked_fields, user_name


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


def _attach_m2m(model: type[models.Model], rows: list[models.Model]) -> None:
    """Give each history row ``m2m_names``: for each many-to-many field, the
    sorted names it held then. One query per field."""
    fields = m2m_fields(model)
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
                user_name(related) if f.related_model._meta.model_name == "user" else str(related)
            )
            by_id[link.history_id].m2m_names[f.name].append(name)
        for row in rows:
            row.m2m_names[f.name].sort()


class Lookups:
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
        return user_name(obj) if model._meta.model_name == "user" else str(obj)


def _want(lookups: Lookups, model: type[models.Model], rows: list, *, pages=False) -> None:
    """Note the related records that ``rows`` name, to fetch them together;
    with ``pages``, also the records themselves, to link only to those that
    still exist."""
    fields = [f for f in tracked_fields(model) if f.is_relation]
    source = source_for(model)
    linked = pages and source is not None and source.linked
    for row in rows:
        for f in fields:
            lookups.want(f.related_model, getattr(row, f.attname))
        if linked:
            lookups.want(model, row.id)


def describe(plan: Plan, viewer, wanted: list[tuple[type[models.Model], list[int]]]) -> dict:
    """ChangeEntry for each (model, history id) in ``wanted``: for each model
    one query for its rows, one per many-to-many field; then one per kind of
    record they name, and one for the progress updates the viewer may open."""

    def published_only(row) -> bool:
        return not permissions.sees_workings(viewer, plan, row.author_id)

    lookups = Lookups()
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
    context = Context(plan.slug, lookups, published_only, openable)
    return {
        (model, row.history_id): entry(model, row, prev.get(row.history_id), context)
        for model, rows, prev in fetched
        for row in rows
    }


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
    lookups = Lookups()
    _want(lookups, model, rows)
    lookups.fetch()
    context = Context(plan_slug=plan_slug, lookups=lookups)
    return [entry(model, row, prev.get(row.history_id), context) for row in reversed(rows)]
