"""A GIN index for success measures in the plan's search (measures/search.py,
plans/search/postgres.py), on PostgreSQL only, as plans' own
(plans/migrations/0009_search_indexes.py): on exactly the expression the
search's ``SearchVector("name", "definition", config="english")`` compiles to.
"""

from django.db import migrations

NAME = "measure_search"


def create(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {NAME} ON measures_measure USING gin "
        "(to_tsvector('english'::regconfig, COALESCE(name, '') || ' ' || COALESCE(definition, '')))"
    )


def drop(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {NAME}")


class Migration(migrations.Migration):
    dependencies = [("measures", "0003_upload_confirmation")]

    operations = [migrations.RunPython(create, drop)]
