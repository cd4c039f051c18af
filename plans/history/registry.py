"""The kinds of record in the plan's change log, and how each is read and told.

A ``Source`` says which history rows a kind of record keeps, how to find
those of one plan (and of one area), and how to word a change to it where the
log's plain wording would not do: the record's name and page, field labels in
the plan's words, fields a reader is not shown, values in the record's own
terms. The plan's own kinds are registered in plans/history/plan_records.py;
another app adds its records by calling ``register`` from its
``AppConfig.ready`` (success measures, return settings), without plans
knowing of them, as workbook sheets are added (workbook/registry.py).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db import models
from django.db.models import Q

if TYPE_CHECKING:
    from plans.models import Plan

    from .fetch import Lookups
    from .wording import Context

Row = Any  # a history row (simple-history's Historical<Model>)


@dataclass(frozen=True)
class Source:
    """A kind of record whose history a change list reads."""

    key: str  # for the filter: ?kind=milestone
    label: str
    model: type[models.Model]
    # Where the kind comes in the filter's list, and among changes made at
    # the same moment (the later, the earlier it is listed).
    order: int
    # Set-up the plan administrators keep (who holds which role, owners linked
    # to accounts, organisations): not the plan's progress, so only they see it.
    housekeeping: bool = False

    # --- Finding a plan's rows (including those of records deleted since) ---
    # The history rows' field naming the plan, for kinds kept per plan.
    plan_field: str | None = None
    # How a history row names its improvement area, for kinds that have one.
    area_field: str | None = None
    # For kinds that name their area through another record (a figure, through
    # its measure): (the row's field naming that record, that record's model);
    # ``area_field`` is then the other record's history's field.
    area_via: tuple[str, type[models.Model]] | None = None
    # Any other way of finding a plan's rows (the plan itself; its council's owners).
    in_plan: Callable[[Plan], Q] | None = None
    # For one record's own change list (a measure and its figures): the row's
    # field naming a record of that model.
    record_fields: Mapping[type[models.Model], str] = field(default_factory=dict)

    # --- Wording a change ---
    # The reader's name for the record and its page ("" for none): (row, context).
    subject: Callable[[Row, Context], tuple[str, str]] | None = None
    # Field labels in the plan's words, where the field's own name is not.
    labels: Mapping[str, str] = field(default_factory=dict)
    # Fields a reader is not shown (told as part of another, or the entry's own).
    hidden: frozenset[str] = frozenset()
    # A field's value as the record's own page writes it: (field, row, value,
    # lookups); None for a value shown as any other.
    display: Callable[[models.Field, Row, object, Lookups], str | None] | None = None
    # The entry's heading ("Entered", "Corrected"): (row, row before); None
    # for the usual "Created", "Changed", "Deleted".
    event: Callable[[Row, Row | None], str | None] | None = None
    # A change's label and line, where the usual "Label: old → new" would not
    # do: (field, row, old, new, created, lookups); None for the usual.
    change_text: (
        Callable[[models.Field, Row, str, str, bool, Lookups], tuple[str, str] | None] | None
    ) = None
    # The reason given, without what the entry already says.
    reason: Callable[[str], str] | None = None
    # Whether the record has a page of its own, linked to while it exists.
    linked: bool = False


_REGISTRY: dict[str, Source] = {}
_BY_MODEL: dict[type[models.Model], Source] = {}


def register(source: Source) -> Source:
    if not (source.in_plan or source.plan_field or source.area_field):
        raise ValueError(f"{source.key}: say how to find a plan's rows")
    _REGISTRY[source.key] = source
    _BY_MODEL[source.model] = source
    return source


def sources() -> list[Source]:
    """Every kind of record, in the filter's order."""
    return sorted(_REGISTRY.values(), key=lambda s: s.order)


def source_for(model: type[models.Model]) -> Source | None:
    """The kind of record ``model`` is; None for a record outside the change
    lists (its own history is still told, in the log's plain wording)."""
    return _BY_MODEL.get(model)
