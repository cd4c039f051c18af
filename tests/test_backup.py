"""Back up a plan with all its history, restore it into an empty database,
and find every record and history row again (README: Backups)."""

import datetime
import os
import subprocess
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import timezone

from plans.models import Plan, ProgressUpdate
from plans.roles import Role
from plans.saving import save_with_history
from plans.seed import load_plan
from tests import factories

pytestmark = pytest.mark.django_db(transaction=True)


def plan_with_history():
    load_plan()
    plan = Plan.objects.get()
    officer = factories.UserFactory(username="officer")
    admin = factories.UserFactory(username="admin")
    factories.join(plan, {officer: Role.OFFICER, admin: Role.PLAN_ADMINISTRATOR})
    update = ProgressUpdate.objects.order_by("pk").first()
    action = update.area.actions.order_by("pk").first()
    action.title = "Edited after the paper, with a reason"
    save_with_history(action, reason="Corrected a typing slip", user=admin)
    new = ProgressUpdate(
        area=update.area,
        as_at=datetime.date(2015, 6, 1),
        rag="amber",
        narrative="New",
        author=officer,
        state="approved",
        approved_by=admin,
        approved_at=timezone.now(),
    )
    save_with_history(new, reason="Approved", user=admin)


def fingerprint() -> dict:
    """Every row of every plan and reporting model (history included), by table."""
    result = {}
    for model in [
        *apps.get_app_config("plans").get_models(),
        *apps.get_app_config("reporting").get_models(),
    ]:
        rows = model._default_manager.order_by("pk").values_list(
            *[
                f.attname
                for f in model._meta.concrete_fields
                if f.get_internal_type() != "BinaryField"
            ]
        )
        result[model._meta.db_table] = list(rows)
    return result


def test_django_dump_restores_every_record_and_history_row(tmp_path):
    plan_with_history()
    before = fingerprint()
    assert len(before["plans_historicalprogressupdate"]) >= 18
    assert len(before["plans_historicalaction"]) > len(before["plans_action"])
    assert len(before["plans_historicalmembership"]) == 2
    backup = tmp_path / "backup.xml"
    call_command("backup_plans", str(backup), verbosity=0)
    with pytest.raises(CommandError, match="restore into an empty one"):
        call_command("restore_plans", str(backup))

    call_command("flush", interactive=False, verbosity=0)
    assert ProgressUpdate.history.count() == 0

    call_command("restore_plans", str(backup))
    assert fingerprint() == before


def test_postgresql_dump_restores_into_an_empty_database(tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("pg_dump applies to PostgreSQL: this test runs in the PostgreSQL pass")
    plan_with_history()
    before = fingerprint()
    params = connection.settings_dict
    env = {**os.environ, "PGPASSWORD": params.get("PASSWORD") or ""}
    common = ["-h", params["HOST"], "-p", str(params["PORT"]), "-U", params["USER"]]
    bin_dir = Path("/usr/lib/postgresql/15/bin")
    dump = tmp_path / "plan.dump"
    subprocess.run(
        [bin_dir / "pg_dump", *common, "-Fc", "-f", dump, params["NAME"]], check=True, env=env
    )
    target = f"{params['NAME']}_restore"
    subprocess.run([bin_dir / "dropdb", *common, "--if-exists", target], check=True, env=env)
    subprocess.run([bin_dir / "createdb", *common, target], check=True, env=env)
    try:
        subprocess.run([bin_dir / "pg_restore", *common, "-d", target, dump], check=True, env=env)
        import psycopg2

        restored = psycopg2.connect(
            host=params["HOST"],
            port=params["PORT"],
            user=params["USER"],
            password=params.get("PASSWORD") or None,
            dbname=target,
        )
        try:
            with restored.cursor() as cursor:
                for table, rows in before.items():
                    cursor.execute(f'SELECT COUNT(*) FROM "{table}"')
                    assert cursor.fetchone()[0] == len(rows), table
                cursor.execute(
                    "SELECT history_change_reason FROM plans_historicalprogressupdate "
                    "ORDER BY history_id"
                )
                reasons = [r[0] for r in cursor.fetchall()]
        finally:
            # psycopg2's "with" ends the transaction, not the connection.
            restored.close()
        assert reasons == [
            r[before_index("history_change_reason")]
            for r in before["plans_historicalprogressupdate"]
        ]
    finally:
        subprocess.run([bin_dir / "dropdb", *common, "--if-exists", target], check=True, env=env)


def before_index(name: str) -> int:
    model = ProgressUpdate.history.model
    names = [
        f.attname for f in model._meta.concrete_fields if f.get_internal_type() != "BinaryField"
    ]
    return names.index(name)
