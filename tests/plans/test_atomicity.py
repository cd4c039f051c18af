"""A database error in the middle of a write leaves no half-made change: the
record, its history row and related changes commit together or not at all."""

import datetime

import pytest
from django.db import DatabaseError
from simple_history.models import HistoricalRecords

from plans import saving, services
from plans.models import Action, Milestone, ProgressUpdate
from tests import factories

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def failing_history(monkeypatch):
    """History rows cannot be written: the database refuses them."""

    def refuse(self, instance, history_type, using=None):
        raise DatabaseError("disk full")

    monkeypatch.setattr(HistoricalRecords, "create_historical_record", refuse)


def test_an_update_is_not_kept_without_its_history_row(world, failing_history):
    before = ProgressUpdate.objects.count()
    with pytest.raises(DatabaseError):
        services.record_update(
            area=world.area,
            user=world.users["officer"],
            values={"as_at": datetime.date(2015, 6, 1), "rag": "green", "narrative": "Progress"},
            submit=True,
        )
    assert ProgressUpdate.objects.count() == before


def test_an_edit_is_rolled_back_with_its_version(world, failing_history):
    milestone = Milestone.objects.get(pk=world.milestone.pk)
    milestone.title = "Renamed"
    with pytest.raises(DatabaseError):
        saving.save_version_checked(
            milestone, expected_version=1, reason="Rename", user=world.users["admin"]
        )
    stored = Milestone.objects.get(pk=world.milestone.pk)
    assert (stored.title, stored.version) == ("Framework in place", 1)


def test_an_action_and_its_partners_commit_together(world, monkeypatch):
    police = factories.OrganisationFactory(name="Devon and Cornwall Police")
    rows = Action.history.count()

    def fail_partners(self, *args, **kwargs):
        raise DatabaseError("connection lost")

    monkeypatch.setattr(type(Action.objects.first().partners), "set", fail_partners, raising=True)
    action = Action(area=world.area, reference="1.9", title="New action", status="in_progress")
    with pytest.raises(DatabaseError):
        services.save_action(
            action=action,
            partners=[police],
            user=world.users["admin"],
            reason="Added",
            expected_version=None,
        )
    assert not Action.objects.filter(reference="1.9").exists()
    assert Action.history.count() == rows


def test_a_sign_off_is_all_or_nothing(world, monkeypatch):
    update = factories.ProgressUpdateFactory(
        area=world.area, author=world.users["officer"], state="submitted"
    )
    monkeypatch.setattr(
        HistoricalRecords,
        "create_historical_record",
        lambda *args, **kwargs: (_ for _ in ()).throw(DatabaseError("disk full")),
    )
    with pytest.raises(DatabaseError):
        services.review_update(
            update=ProgressUpdate.objects.get(pk=update.pk),
            user=world.users["admin"],
            approve=True,
            comment="",
            expected_version=1,
        )
    stored = ProgressUpdate.objects.get(pk=update.pk)
    assert (stored.state, stored.approved_by_id, stored.version) == ("submitted", None, 1)
