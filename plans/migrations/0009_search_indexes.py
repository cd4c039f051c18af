"""GIN indexes for the plan's search (plans/search/postgres.py), on PostgreSQL
only: SQLite searches without them (every word, case-insensitively).

Each index is on exactly the expression the search's
``SearchVector(*fields, config="english")`` compiles to, so PostgreSQL can use
it for the match (tests/plans/test_search_index.py checks with EXPLAIN). A
kind's fields and their order must stay those of plans/search/plan_kinds.py.
Updates are indexed while approved, the only ones the search reads.
"""

from django.db import migrations


def _text(*columns: str) -> str:
    """``SearchVector``'s SQL: each column as text, empty for NULL, joined by spaces."""
    return " || ' ' || ".join(f"COALESCE({column}, '')" for column in columns)


# name: (table, the columns as the search reads them, the rows indexed)
INDEXES = {
    "area_search": ("plans_improvementarea", ("(number)::text", "recommendation"), ""),
    "action_search": ("plans_action", ("reference", "title", "description"), ""),
    "milestone_search": ("plans_milestone", ("title", "note"), ""),
    "update_search": (
        "plans_progressupdate",
        ("narrative", "next_steps"),
        "WHERE state = 'approved'",
    ),
}


def create(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, (table, columns, where) in INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON {table} "
            f"USING gin (to_tsvector('english'::regconfig, {_text(*columns)})) {where}"
        )


def drop(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("plans", "0008_setup_records_keep_a_version")]

    operations = [migrations.RunPython(create, drop)]
