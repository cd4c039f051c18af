"""Every change to every record is kept: who, when, which fields, old → new, why."""

import datetime

import pytest
from django.utils import timezone
from factory import SubFactory

from plans.models import RAG
from plans.services import save_with_history
from tests import factories

pytestmark = pytest.mark.django_db

# For each model: a factory and one field to change, with its new value.
CHANGES = [
    (factories.OrganisationFactory, "short_name", "CCG"),
    (factories.OwnerFactory, "job_title", "Head of Early Help"),
    (factories.PlanFactory, "title", "Revised Improvement Plan"),
    (factories.ThemeFactory, "name", "Care leavers"),
    (factories.ImprovementAreaFactory, "recommendation", "Ensure reasonable workloads."),
    (factories.ActionFactory, "title", "Placement stability action plans"),
    (factories.MilestoneFactory, "due_date", datetime.date(2015, 7, 31)),
    (factories.ProgressUpdateFactory, "rag", RAG.AMBER),
    (factories.MeetingFactory, "title", "Improvement Board (June)"),
]


@pytest.mark.parametrize(("factory", "field", "new_value"), CHANGES)
def test_create_and_change_record_who_when_what_and_why(factory, field, new_value):
    creator = factories.UserFactory(username="creator")
    editor = factories.UserFactory(username="editor")
    obj = factory.build(**_parents(factory))
    save_with_history(obj, reason="Set up the plan", user=creator)
    created_at = obj.history.get().history_date
    old_value = getattr(obj, field)

    setattr(obj, field, new_value)
    save_with_history(obj, reason="Agreed at the board", user=editor)

    latest, first = list(obj.history.order_by("-history_date", "-history_id"))
    assert (first.history_type, first.history_user, first.history_change_reason) == (
        "+",
        creator,
        "Set up the plan",
    )
    assert (latest.history_type, latest.history_user, latest.history_change_reason) == (
        "~",
        editor,
        "Agreed at the board",
    )
    assert latest.history_date >= created_at
    delta = latest.diff_against(first)
    assert [(c.field, c.old, c.new) for c in delta.changes] == [(field, old_value, new_value)]
    # The record as it stood before the change.
    assert getattr(obj.history.as_of(created_at), field) == old_value


def _parents(factory) -> dict:
    """Saved parents for a built (unsaved) object, so only it is saved by the test."""
    return {
        name: declaration.get_factory()()
        for name, declaration in factory._meta.declarations.items()
        if isinstance(declaration, SubFactory)
    }


def test_as_of_a_past_date_returns_the_old_values():
    area = factories.ImprovementAreaFactory(recommendation="First wording.")
    action = factories.ActionFactory(area=area, title="First title")
    then = timezone.now()
    action.title = "Second title"
    save_with_history(action, reason="Renamed")
    area.recommendation = "Second wording."
    save_with_history(area, reason="Reworded")
    assert area.history.as_of(then).recommendation == "First wording."
    assert action.history.as_of(then).title == "First title"
    assert action.history.as_of(timezone.now()).title == "Second title"


def test_partner_changes_are_kept_in_history():
    action = factories.ActionFactory()
    police = factories.OrganisationFactory(name="Devon and Cornwall Police")
    before = timezone.now()
    action._change_reason = "Police join the protocol work"
    action.partners.add(police)
    latest = action.history.first()
    assert [p.organisation for p in latest.partners.all()] == [police]
    assert latest.history_change_reason == "Police join the protocol work"
    as_it_was = action.history.filter(history_date__lte=before).first()
    assert list(as_it_was.partners.all()) == []


def test_a_failed_save_records_no_history():
    area = factories.ImprovementAreaFactory()
    rows = area.history.count()
    area.recommendation = ""
    with pytest.raises(Exception, match="recommendation"):
        save_with_history(area, reason="Blanked")
    assert area.history.count() == rows
