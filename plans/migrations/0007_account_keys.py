"""User names and e-mail addresses unique as people read them (plans/accounts.py).

Every existing account gets its keys. If two accounts already share a user name
or an e-mail address once case and look-alike characters are ignored, the
migration stops and names them: an operator renames one (admin site) and runs
migrate again. Nothing is renamed behind anyone's back.
"""

import unicodedata
from collections import defaultdict

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def folded(text):
    # As plans.accounts.folded, copied: a migration keeps the rule it was written with.
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold())


def fill_keys(apps, schema_editor):
    User = apps.get_model(settings.AUTH_USER_MODEL)
    AccountKey = apps.get_model("plans", "AccountKey")
    by_name, by_email, keys = defaultdict(list), defaultdict(list), []
    for pk, username, email in User.objects.order_by("pk").values_list("pk", "username", "email"):
        name_key = folded(username)
        email_key = folded(email.strip()) if email.strip() else ""
        by_name[name_key].append(username)
        if email_key:
            by_email[email_key].append(f"{username} ({email})")
        keys.append(AccountKey(user_id=pk, username_key=name_key, email_key=email_key))
    clashes = [
        f"  {what}: {', '.join(users)}"
        for what, groups in (("same user name", by_name), ("same e-mail address", by_email))
        for users in groups.values()
        if len(users) > 1
    ]
    if clashes:
        raise RuntimeError(
            "These accounts share a user name or e-mail address once case and look-alike "
            "characters are ignored:\n" + "\n".join(clashes) + "\nChange all but one of each "
            "(admin site, Users), then run migrate again."
        )
    AccountKey.objects.bulk_create(keys, batch_size=500)


class Migration(migrations.Migration):

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ('plans', '0006_assessed_status_and_escalation_rule'),
    ]

    operations = [
        migrations.CreateModel(
            name='AccountKey',
            fields=[
                ('user', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='account_key', serialize=False, to=settings.AUTH_USER_MODEL)),
                ('username_key', models.TextField()),
                ('email_key', models.TextField(blank=True, default='')),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('username_key',), name='account_username_key_unique'), models.UniqueConstraint(condition=models.Q(('email_key', ''), _negated=True), fields=('email_key',), name='account_email_key_unique')],
            },
        ),
        migrations.RunPython(fill_keys, migrations.RunPython.noop),
    ]
