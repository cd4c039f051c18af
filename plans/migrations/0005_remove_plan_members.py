from django.db import migrations


def drop_role_groups(apps, schema_editor):
    """Roles are memberships now; the old global groups would only mislead."""
    Group = apps.get_model("auth", "Group")
    Group.objects.filter(
        name__in=["Officer", "Plan administrator", "Board member", "Scrutiny officer"]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("plans", "0004_memberships_and_council_directories"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [
        migrations.RemoveField(model_name="historicalplan_members", name="history"),
        migrations.RemoveField(model_name="historicalplan_members", name="plan"),
        migrations.RemoveField(model_name="historicalplan_members", name="user"),
        migrations.RemoveField(model_name="plan", name="members"),
        migrations.DeleteModel(name="HistoricalPlan_members"),
        migrations.RunPython(drop_role_groups, migrations.RunPython.noop),
    ]
