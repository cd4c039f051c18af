"""The kinds of record a plan's search finds, and how each is told.

A ``Kind`` names the text fields searched (in the order the PostgreSQL index
on them lists them: plans/migrations/0009_search_indexes.py), which of the
plan's records the search may show, and how to say what a hit is and where
("Milestone in area 5, action 5.2") with a link to it. The plan's own kinds
are registered in plans/search/plan_kinds.py; another app adds its records
by calling ``register`` from its ``AppConfig.ready`` (success measures,
measures/search.py), without plans knowing of them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import models
from django.db.models import QuerySet

if TYPE_CHECKING:
    from plans.models import Plan


@dataclass(frozen=True)
class Place:
    """What a hit is and where: the link's text and address, and the line
    saying what kind of record it is and where it sits in the plan."""

    title: str
    url: str
    where: str


@dataclass(frozen=True)
class Kind:
    key: str  # the results' section: #areas
    heading: str  # "Improvement areas"
    plural: str  # "and 3 more improvement areas"
    singular: str  # "and 1 more improvement area"
    order: int  # where its section comes on the results page
    # The text searched, in the index's order. Not text (an area's number) is
    # read as text.
    fields: tuple[str, ...]
    # The plan's records the search may show, with what ``place`` reads
    # selected (one query for a page of hits, whatever their number).
    records: Callable[[Plan], QuerySet]
    place: Callable[[models.Model], Place]
    # The text a hit's excerpt is taken from: the first that holds a word
    # searched for, else the start of the first.
    excerpt_fields: tuple[str, ...] = ()
    # The order of hits that rank the same (and, on SQLite, of all hits).
    ordering: tuple[str, ...] = ("pk",)


_REGISTRY: dict[str, Kind] = {}


def register(kind: Kind) -> Kind:
    """Add a kind; registering it again (a test re-running ready()) replaces it."""
    _REGISTRY[kind.key] = kind
    return kind


def kinds() -> list[Kind]:
    """Every kind, in the order its section comes on the results page."""
    return sorted(_REGISTRY.values(), key=lambda k: k.order)
