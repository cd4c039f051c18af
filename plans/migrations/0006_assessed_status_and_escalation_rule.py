"""The escalation rule as a plan setting, and a mark on statuses nobody gave.

Updates the seed loader recorded from the May 2015 paper carry a status it
assessed from the narrative (their source says so). The new field states that
fact on each of them and on their history rows: it was true of them from the
start, so it is back-filled rather than recorded as a change.
"""

from django.db import migrations, models

# The seed loader's source line for those updates (fixtures/, overview_source).
ASSESSED_SOURCE = "RAG assessed from the overview text"


def mark_assessed(apps, schema_editor):
    for name in ("ProgressUpdate", "HistoricalProgressUpdate"):
        model = apps.get_model("plans", name)
        for row in model.objects.filter(source__contains=ASSESSED_SOURCE, rag_assessed=False):
            row.rag_assessed = True
            row.save(update_fields=["rag_assessed"])


class Migration(migrations.Migration):

    dependencies = [
        ('plans', '0005_remove_plan_members'),
    ]

    operations = [
        migrations.AddField(
            model_name='historicalplan',
            name='escalate_overdue_after_days',
            field=models.PositiveSmallIntegerField(default=0, help_text='The assurance summary lists an overdue milestone as an exception once it is this many days late. 0: every overdue milestone.', verbose_name='Escalate milestones overdue by more than (days)'),
        ),
        migrations.AddField(
            model_name='historicalprogressupdate',
            name='rag_assessed',
            field=models.BooleanField(default=False, help_text='The status was assessed from the narrative when the plan was loaded; the source gave none.', verbose_name='RAG status assessed when loaded'),
        ),
        migrations.AddField(
            model_name='plan',
            name='escalate_overdue_after_days',
            field=models.PositiveSmallIntegerField(default=0, help_text='The assurance summary lists an overdue milestone as an exception once it is this many days late. 0: every overdue milestone.', verbose_name='Escalate milestones overdue by more than (days)'),
        ),
        migrations.AddField(
            model_name='progressupdate',
            name='rag_assessed',
            field=models.BooleanField(default=False, help_text='The status was assessed from the narrative when the plan was loaded; the source gave none.', verbose_name='RAG status assessed when loaded'),
        ),
        migrations.RunPython(mark_assessed, migrations.RunPython.noop),
    ]
