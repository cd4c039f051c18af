# Single-use confirmations of figures uploads (measures.models.UploadConfirmation).

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("measures", "0002_history_indexes"),
        ("plans", "0006_assessed_status_and_escalation_rule"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="UploadConfirmation",
            fields=[
                ("id", models.UUIDField(editable=False, primary_key=True, serialize=False)),
                ("digest", models.CharField(max_length=64, verbose_name="The file's SHA-256")),
                ("confirmed_at", models.DateTimeField()),
                (
                    "plan",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="plans.plan",
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["-confirmed_at"],
                "indexes": [models.Index(fields=["confirmed_at"], name="upload_confirmation_when")],
            },
        ),
    ]
