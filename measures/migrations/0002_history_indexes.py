from django.db import migrations

# Figures and measures as at a date (measures/readings.py) take each record's
# latest history row before a cut-off (plans.snapshot.latest_rows),
# filtered by the measures of a plan's areas: these indexes serve those reads
# whatever the length of the history. Created in SQL because simple-history
# builds the history models itself; the same statements on PostgreSQL and SQLite.


class Migration(migrations.Migration):
    dependencies = [("measures", "0001_initial")]

    operations = [
        migrations.RunSQL(
            "CREATE INDEX measures_hist_value_measure ON measures_historicalmeasurevalue "
            "(measure_id, period, history_date)",
            "DROP INDEX measures_hist_value_measure",
        ),
        migrations.RunSQL(
            "CREATE INDEX measures_hist_value_id_date ON measures_historicalmeasurevalue "
            "(id, history_date DESC, history_id DESC)",
            "DROP INDEX measures_hist_value_id_date",
        ),
        migrations.RunSQL(
            "CREATE INDEX measures_hist_measure_area ON measures_historicalmeasure "
            "(area_id, history_date)",
            "DROP INDEX measures_hist_measure_area",
        ),
    ]
