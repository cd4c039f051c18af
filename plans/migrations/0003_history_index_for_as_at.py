from django.db import migrations

# Reading an area's latest approved update as at a date (plans/snapshot.py)
# walks this index from the newest as-at date down, skipping rows recorded
# after the cut-off. Created in SQL because simple-history builds the history
# model itself; it is the same statement on PostgreSQL and SQLite.
INDEX = "plans_hist_update_asat"


class Migration(migrations.Migration):
    dependencies = [("plans", "0002_plan_members")]

    operations = [
        migrations.RunSQL(
            f"CREATE INDEX {INDEX} ON plans_historicalprogressupdate "
            "(area_id, state, as_at DESC, approved_at DESC, id DESC, history_date DESC)",
            f"DROP INDEX {INDEX}",
        ),
        migrations.RunSQL(
            # Each record's history in order: latest_rows() and the history pages.
            "CREATE INDEX plans_hist_update_id_date ON plans_historicalprogressupdate "
            "(id, history_date DESC, history_id DESC)",
            "DROP INDEX plans_hist_update_id_date",
        ),
    ]
