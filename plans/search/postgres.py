"""Full-text search on PostgreSQL: each kind's text as one ``tsvector``
(English stemming), matched against the words as a web search engine reads
them (``websearch_to_tsquery``: "quoted phrases", ``or``, ``-word``; it never
refuses input) and ranked.

The vector is exactly the expression of the kind's GIN index (the search
migrations), so the index can serve the match: tests/plans/test_search_index.py
asks PostgreSQL's planner to show it does. Imported only on PostgreSQL.
"""

from __future__ import annotations

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db.models import QuerySet

CONFIG = "english"


def vector(fields: tuple[str, ...]) -> SearchVector:
    return SearchVector(*fields, config=CONFIG)


def full_text(records: QuerySet, fields: tuple[str, ...], text: str) -> QuerySet:
    """``records`` matching ``text``, annotated with ``search_rank``."""
    query = SearchQuery(text, search_type="websearch", config=CONFIG)
    return (
        records.alias(search_vector=vector(fields))
        .filter(search_vector=query)
        .annotate(search_rank=SearchRank(vector(fields), query))
    )
