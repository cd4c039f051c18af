"""One name, one account, whichever way an account is saved: user names and
e-mail addresses are unique once NFKC normalised and case folded, and the
database holds the rule (plans.AccountKey), so a save that slips past every
check is still refused, and rolled back."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from plans import accounts
from plans.models import AccountKey
from tests import factories
from tests.conftest import client_for

User = get_user_model()


def refused(**fields) -> None:
    """``create_user(**fields)`` fails with IntegrityError and writes nothing."""
    before = User.objects.count(), AccountKey.objects.count()
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create_user(**fields)
    assert (User.objects.count(), AccountKey.objects.count()) == before


@pytest.mark.django_db
def test_look_alike_and_differently_cased_names_and_addresses_are_one():
    officer = User.objects.create_user("officer", "a@example.org")
    assert AccountKey.objects.get(user=officer).username_key == "officer"
    refused(username="OFFICER", email="")
    refused(username="ｏfficer", email="")  # a full-width o, NFKC-normalised by Django to "officer"
    refused(username="ｏFFICER", email="")  # … and to "oFFICER"
    refused(username="another", email="A@Example.org")
    refused(username="another", email="ａ@example.org")
    # Accounts without an address are many; each keeps its own name.
    User.objects.create_user("first", "")
    User.objects.create_user("second", "")
    assert AccountKey.objects.filter(email_key="").count() == 2


@pytest.mark.django_db
def test_an_account_may_change_its_own_case_and_its_keys_follow():
    user = User.objects.create_user("jsmith", "j.smith@example.org")
    user.username, user.email = "JSmith", "J.Smith@example.org"
    user.save()
    assert AccountKey.objects.get(user=user).username_key == "jsmith"
    user.username = "jbloggs"
    user.save()
    assert accounts.clashes("JBLOGGS") == {"username": user.pk}
    assert not accounts.clashes("jsmith")


@pytest.mark.django_db
def test_changing_to_anothers_name_is_refused_and_changes_nothing():
    factories.UserFactory(username="officer", email="officer@example.org")
    other = factories.UserFactory(username="other", email="other@example.org")
    other.email = "Officer@Example.org"
    with pytest.raises(IntegrityError), transaction.atomic():
        other.save()
    other.refresh_from_db()
    assert other.email == "other@example.org"
    assert AccountKey.objects.get(user=other).email_key == "other@example.org"


@pytest.mark.django_db
def test_the_database_itself_refuses_a_second_key():
    factories.UserFactory(username="officer", email="officer@example.org")
    other = factories.UserFactory(username="other", email="")
    key = AccountKey.objects.get(user=other)
    key.username_key = "officer"
    with pytest.raises(IntegrityError), transaction.atomic():
        key.save()
    key = AccountKey.objects.get(user=other)
    key.email_key = "officer@example.org"
    with pytest.raises(IntegrityError), transaction.atomic():
        key.save()


@pytest.mark.django_db(transaction=True)
def test_a_save_racing_past_the_check_is_undone_outside_a_transaction(monkeypatch):
    """Two saves at once both pass the check; the second's keys hit the unique
    constraint after its user row was committed (autocommit, as createsuperuser
    runs): the row is taken back out, or put back as it was."""
    officer = User.objects.create_user("officer", "officer@example.org")
    other = User.objects.create_user("other", "other@example.org")
    monkeypatch.setattr(accounts, "clashes", lambda *args, **kwargs: {})
    assert not connection.in_atomic_block
    with pytest.raises(IntegrityError):
        User.objects.create_user("OFFICER", "")
    assert list(User.objects.order_by("pk")) == [officer, other]
    other.username = "Officer"
    with pytest.raises(IntegrityError):
        other.save()
    other.refresh_from_db()
    assert other.username == "other"
    assert AccountKey.objects.get(user=other).username_key == "other"


@pytest.mark.django_db
def test_signing_in_writes_no_keys(django_assert_num_queries):
    user = User.objects.create_user("officer", "officer@example.org")
    # One query: the UPDATE of last_login (the keys are not touched).
    with django_assert_num_queries(1):
        user.save(update_fields=["last_login"])


# --- Every way in ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_createsuperuser_obeys_the_rule():
    User.objects.create_user("officer", "officer@example.org")
    with pytest.raises(IntegrityError), transaction.atomic():
        call_command(
            "createsuperuser",
            "--noinput",
            username="OFFICER",
            email="operator@example.org",
            stdout=StringIO(),
        )
    assert not User.objects.filter(is_superuser=True).exists()


@pytest.mark.django_db
def test_create_council_finds_the_account_however_it_is_typed_and_refuses_a_taken_address():
    officer = User.objects.create_user("jsmith", "j.smith@exeter.gov.uk")
    out = StringIO()
    call_command("create_council", "Exeter City Council", "--admin", "JSMITH", stdout=out)
    assert "jsmith may start plans for Exeter City Council" in out.getvalue()
    assert User.objects.count() == 1
    assert officer.councils_started.get().council.name == "Exeter City Council"
    with pytest.raises(CommandError, match="Another account already has this e-mail address"):
        call_command(
            "create_council",
            "Exeter City Council",
            "--admin",
            "jbloggs",
            "--email",
            "J.Smith@Exeter.gov.uk",
        )
    assert User.objects.count() == 1


@pytest.mark.django_db
def test_the_admin_site_says_so_on_the_form():
    User.objects.create_user("officer", "officer@example.org")
    User.objects.create_user("straße", "")
    other = User.objects.create_user("other", "other@example.org")
    operator = User.objects.create_superuser("operator", "operator@example.org", "x-Long-pass-42")
    client = client_for(operator)
    # Django's own check (iexact) misses this one: case folding makes ß "ss".
    response = client.post(
        reverse("admin:auth_user_add"),
        {"username": "STRASSE", "usable_password": "false", "_save": "Save"},
    )
    assert response.status_code == 200
    assert "Another account already has this user name" in response.content.decode()
    assert not User.objects.filter(username="STRASSE").exists()

    data = {
        "username": "other",
        "email": "OFFICER@example.org",
        "first_name": "",
        "last_name": "",
        "is_active": "on",
        "date_joined_0": "2026-11-18",
        "date_joined_1": "10:00:00",
        "_save": "Save",
    }
    response = client.post(reverse("admin:auth_user_change", args=[other.pk]), data)
    assert response.status_code == 200
    assert "Another account already has this e-mail address" in response.content.decode()
    other.refresh_from_db()
    assert other.email == "other@example.org"


# --- Upgrading an installation -----------------------------------------------------------------

BEFORE = [("plans", "0006_assessed_status_and_escalation_rule")]
AFTER = [("plans", "0007_account_keys")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture
def back_to_latest():
    yield
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_the_upgrade_keys_every_account_and_stops_on_a_clash(back_to_latest):
    old = migrate(BEFORE)
    OldUser = old.get_model("auth", "User")
    OldUser.objects.create(username="officer", email="Officer@Example.org")
    OldUser.objects.create(username="board", email="")
    OldUser.objects.create(username="scrutiny", email="")
    twin = OldUser.objects.create(username="OFFICER", email="officer@example.org")

    with pytest.raises(RuntimeError) as stopped:
        migrate(AFTER)
    message = str(stopped.value)
    assert "same user name: officer, OFFICER" in message
    assert "same e-mail address: officer (Officer@Example.org), OFFICER" in message
    assert "then run migrate again" in message

    twin.delete()
    new = migrate(AFTER)
    keys = dict(
        new.get_model("plans", "AccountKey").objects.values_list("username_key", "email_key")
    )
    assert keys == {"officer": "officer@example.org", "board": "", "scrutiny": ""}
