"""Finding a plan's records by words, kind by kind.

On PostgreSQL, full-text search (plans/search/postgres.py), ranked; on SQLite,
every word must appear, in any case (ASCII letters; SQLite's ``LIKE``), in one
of the kind's fields. Either way each kind costs one query, whatever the
plan's size: its first hits, each carrying the count of them all (a window
function), so a page of results makes one query a kind.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.db import connections
from django.db.models import Count, Q, QuerySet, TextField, Window
from django.db.models.functions import Cast
from django.utils.safestring import SafeString
from django.utils.text import Truncator

from .excerpt import excerpt
from .registry import Kind, Place, kinds

# Hits shown of each kind; the rest are counted ("and 12 more actions").
SHOWN_PER_KIND = 10
# A link's text is the start of the record's text, this many words at most.
TITLE_WORDS = 12

# A word: letters and digits, with the dots, apostrophes and hyphens inside
# references and words ("5.2", "children's", "re-forecast").
WORD = re.compile(r"\w+(?:['’.\-/]\w+)*")


def words(text: str) -> list[str]:
    return WORD.findall(text)


def title(text: str) -> str:
    """The start of a record's text as a link's."""
    return Truncator(" ".join(text.split())).words(TITLE_WORDS, truncate="…")


@dataclass(frozen=True)
class Hit:
    place: Place
    excerpt: SafeString


@dataclass(frozen=True)
class Group:
    kind: Kind
    hits: list[Hit]
    total: int

    @property
    def more(self) -> int:
        return self.total - len(self.hits)


def search_plan(plan, text: str, *, shown: int = SHOWN_PER_KIND) -> list[Group]:
    """Every kind's hits for ``text`` (cleaned: one line, not empty) in ``plan``."""
    found = words(text)
    groups = []
    for kind in kinds():
        # Nothing to look for (only punctuation): no query.
        rows = list(matching(kind, plan, text, found)[:shown]) if found else []
        hits = []
        for row in rows:
            place = kind.place(row)
            hits.append(Hit(place, _excerpt(kind, row, place, found)))
        groups.append(Group(kind, hits, rows[0].search_total if rows else 0))
    return groups


def matching(kind: Kind, plan, text: str, found: list[str]) -> QuerySet:
    """The kind's records in ``plan`` that match, best first, each annotated
    with ``search_total``, the number that match."""
    records = kind.records(plan)
    if connections[records.db].vendor == "postgresql":
        from .postgres import full_text

        records = full_text(records, kind.fields, text).order_by("-search_rank", *kind.ordering)
    else:
        records = every_word(records, kind.fields, found).order_by(*kind.ordering)
    return records.annotate(search_total=Window(Count("*")))


def every_word(records: QuerySet, fields: tuple[str, ...], found: list[str]) -> QuerySet:
    """Records in which each word appears in one of ``fields`` (as text)."""
    names = {f"search_text_{i}": Cast(field, TextField()) for i, field in enumerate(fields)}
    records = records.alias(**names)
    for word in dict.fromkeys(found):
        records = records.filter(reduce(or_, (Q(**{f"{n}__icontains": word}) for n in names)))
    return records


def _excerpt(kind: Kind, row, place: Place, found: list[str]) -> SafeString:
    texts = [" ".join(str(getattr(row, field) or "").split()) for field in kind.excerpt_fields]
    texts = [text for text in texts if text]
    # A short text is already the link's whole text.
    if texts == [place.title]:
        return SafeString("")
    return excerpt(texts, found)
