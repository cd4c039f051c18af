"""The table of rendered papers (Django's database cache), made by ``migrate``
itself, so that a deployment that forgets ``createcachetable`` still serves
papers. ``createcachetable`` skips tables that exist and caches that are not
in the database, so running it as well, or another backend, changes nothing."""

from django.core.management import call_command
from django.db import migrations


def make_cache_table(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("reporting", "0002_prepared_papers")]

    operations = [migrations.RunPython(make_cache_table, migrations.RunPython.noop)]
