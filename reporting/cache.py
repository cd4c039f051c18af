"""Rendered papers kept for repeat downloads.

A paper's file depends on its kind, its front sheet and title, its as-at date
and the plan's data; the data is stood for by the latest history row of each
kind of record a paper reads (its id and time), so any change anywhere in the
plan, including one recorded with a past date, makes a new key; and the code
that lays papers out is stood for by a digest of its files (``CODE``), so a new
release of the service never serves a file laid out by the one before. An
unchanged paper is then served without building or rendering it again.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import json
from collections.abc import Callable
from pathlib import Path

from django.core.cache import caches
from django.db import connection

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
)

from .papers import FrontSheet

# Every kind of record a paper reads.
READ_BY_PAPERS = [
    Plan,
    ImprovementArea,
    Action,
    Milestone,
    ProgressUpdate,
    Meeting,
    Theme,
    Owner,
    Organisation,
    # Success measures, their figures and the plan's tolerance (measures/).
    Measure,
    MeasureValue,
    MeasureSettings,
]


# What a paper's file is made by: its reading, layout and rendering, the
# measures' charts, and the templates of its HTML and PDF.
CODE = [
    "reporting/build.py",
    "reporting/papers.py",
    "reporting/layout.py",
    "reporting/exports.py",
    "reporting/pdfua.py",
    "reporting/templatetags/paper_tags.py",
    "measures/readings.py",
    "measures/scorecard.py",
    "measures/charts.py",
    "measures/html.py",
    "measures/png.py",
    "templates/reporting/_paper_body.html",
    "templates/reporting/paper_document.html",
]


@functools.cache
def code_stamp() -> str:
    """A digest of the files in CODE, read once a process."""
    base = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256()
    for name in CODE:
        digest.update(name.encode())
        digest.update((base / name).read_bytes())
    return digest.hexdigest()


def data_stamp() -> list:
    """The latest history row (id and time) of each kind of record a paper
    reads. One query of index lookups, whatever the size of the history."""
    quote = connection.ops.quote_name
    columns = []
    for model in READ_BY_PAPERS:
        table = quote(model.history.model._meta.db_table)
        columns.append(f"(SELECT MAX({quote('history_id')}) FROM {table})")
        columns.append(f"(SELECT MAX({quote('history_date')}) FROM {table})")
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(columns))
        return [str(value) for value in cursor.fetchone()]


def key(kind: str, fmt: str, title: str, front: FrontSheet, as_at: datetime.date) -> str:
    parts = {
        "kind": kind,
        "fmt": fmt,
        "title": title,
        "front": front.as_dict(),
        "as_at": as_at.isoformat(),
        "data": data_stamp(),
        "code": code_stamp(),
    }
    digest = hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()
    return f"paper:{digest}"


def cached(
    kind: str,
    fmt: str,
    title: str,
    front: FrontSheet,
    as_at: datetime.date,
    render: Callable[[], bytes],
) -> bytes:
    """The file from the cache, or ``render()``ed and kept."""
    store = caches["papers"]
    k = key(kind, fmt, title, front, as_at)
    data = store.get(k)
    if data is None:
        data = render()
        store.set(k, data)
    return data
