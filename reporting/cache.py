"""Rendered papers kept for repeat downloads, in a cache every app server shares
(settings CACHES["papers"]).

A paper's file depends on its plan, kind and format, its front sheet and
title, its as-at date, the plan's data and the code that lays it out; its key
carries all of them. The plan's data is stood for by the latest history row
(id and time) of each kind of record a paper reads, among that plan's records
only: any change to the plan, including one recorded with a past date, makes a
new key, and a change to another council's plan leaves it alone. The code is
stood for by a digest of every Python file of the project's packages and every
template (found by walking them, so none is missed), with the operator's
RELEASE if set: a new release never serves a file laid out by the one before.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import json
from collections.abc import Callable, Iterator
from pathlib import Path

from django.conf import settings
from django.core.cache import caches
from django.db import connection, models

from measures.models import Measure, MeasureSettings, MeasureValue
from plans.models import (
    Action,
    ImprovementArea,
    Meeting,
    Milestone,
    Organisation,
    Owner,
    Plan,
    ProgressUpdate,
    Theme,
    history_rows,
)

from .papers import FrontSheet


def _table(model: type[models.Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _history(model: type[models.Model]) -> str:
    return _table(history_rows(model).model)


def _plan_rows() -> dict[type[models.Model], str]:
    """Every kind of record a paper reads, with the condition on its history
    table's own (indexed) columns that picks the plan's rows. Areas, measures
    and organisations are taken from history, so deleted ones still count;
    owners and organisations are the plan's council's directory."""
    council = (
        f"(SELECT COALESCE(council_id, id) FROM {_table(Organisation)} WHERE id = %(organisation)s)"
    )
    directory = f"(SELECT id FROM {_history(Organisation)} WHERE council_id = {council})"
    areas = f"(SELECT id FROM {_history(ImprovementArea)} WHERE plan_id = %(plan)s)"
    measures = f"(SELECT id FROM {_history(Measure)} WHERE area_id IN {areas})"
    return {
        Plan: "id = %(plan)s",
        ImprovementArea: "plan_id = %(plan)s",
        Theme: "plan_id = %(plan)s",
        Meeting: "plan_id = %(plan)s",
        MeasureSettings: "plan_id = %(plan)s",
        Action: f"area_id IN {areas}",
        Milestone: f"area_id IN {areas}",
        ProgressUpdate: f"area_id IN {areas}",
        Measure: f"area_id IN {areas}",
        MeasureValue: f"measure_id IN {measures}",
        Organisation: f"id = {council} OR council_id = {council}",
        Owner: f"organisation_id = {council} OR organisation_id IN {directory}",
    }


# Every kind of record a paper reads.
READ_BY_PAPERS = list(_plan_rows())


@functools.cache
def _stamp_query() -> str:
    columns = []
    for model, where in _plan_rows().items():
        table = _history(model)
        columns.append(f"(SELECT MAX(history_id) FROM {table} WHERE {where})")
        columns.append(f"(SELECT MAX(history_date) FROM {table} WHERE {where})")
    return "SELECT " + ", ".join(columns)


def data_stamp(plan: Plan) -> list[str]:
    """The latest history row (id and time) of each kind of record a paper
    reads, among the plan's records: one query of scalar subqueries, each
    served by an index on the history table's plan, area, measure or
    organisation column."""
    with connection.cursor() as cursor:
        cursor.execute(_stamp_query(), {"plan": plan.pk, "organisation": plan.organisation_id})
        return [str(value) for value in cursor.fetchone()]


BASE_DIR = Path(settings.BASE_DIR)
# Test code never lays out a paper; migrations only shape the tables it reads.
NOT_CODE = {"tests", "migrations", "__pycache__"}


def code_files(base: Path = BASE_DIR) -> Iterator[Path]:
    """Every file a paper's bytes can depend on, in a fixed order: the Python
    of each of the project's packages (a directory of ``base`` with an
    ``__init__.py``) and every template."""
    for package in sorted(p for p in base.iterdir() if (p / "__init__.py").is_file()):
        if package.name in NOT_CODE:
            continue
        for path in sorted(package.rglob("*.py")):
            if not NOT_CODE.intersection(path.relative_to(base).parts):
                yield path
    templates = base / "templates"
    if templates.is_dir():
        yield from sorted(p for p in templates.rglob("*") if p.is_file())


def code_digest(base: Path = BASE_DIR) -> str:
    digest = hashlib.sha256()
    for path in code_files(base):
        digest.update(path.relative_to(base).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


@functools.cache
def code_stamp() -> str:
    """The code that lays papers out, read once a process: the digest of its
    files, and the release the operator names (RELEASE), if any."""
    return f"{settings.RELEASE}:{code_digest()}"


def key(
    plan: Plan,
    kind: str,
    fmt: str,
    title: str,
    front: FrontSheet,
    as_at: datetime.date,
) -> str:
    """The cache key of the plan's ``kind`` paper as a ``fmt`` file: one query
    (the plan's data stamp)."""
    parts = {
        "plan": [plan.pk, plan.slug],
        "kind": kind,
        "fmt": fmt,
        "title": title,
        "front": front.as_dict(),
        "as_at": as_at.isoformat(),
        "data": data_stamp(plan),
        "code": code_stamp(),
    }
    digest = hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()
    return f"paper:{digest}"


def cached(
    plan: Plan,
    kind: str,
    fmt: str,
    title: str,
    front: FrontSheet,
    as_at: datetime.date,
    render: Callable[[], bytes],
) -> bytes:
    """The file from the cache, or ``render()``ed and kept."""
    store = caches["papers"]
    k = key(plan, kind, fmt, title, front, as_at)
    data = store.get(k)
    if data is None:
        data = render()
        store.set(k, data)
    return data
