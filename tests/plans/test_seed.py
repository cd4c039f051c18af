"""The seed plan carries the May 2015 paper's facts, and loading it is idempotent."""

import datetime

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings

from core.rag import RAG
from plans.models import (
    Action,
    ImprovementArea,
    Meeting,
    Milestone,
    Organisation,
    Owner,
    Plan,
    ProgressUpdate,
)
from plans.seed import load_plan
from tests.support.shared import module_data

from .seed_source import seed_rows

pytestmark = pytest.mark.django_db

TRACKED = [Organisation, Owner, Plan, ImprovementArea, Action, Milestone, ProgressUpdate, Meeting]


@module_data
def seed_loaded() -> int:
    load_plan()
    return Plan.objects.get(slug="childrens-services-2015").pk


@pytest.fixture
def seed_plan(db, seed_loaded) -> Plan:
    """The seed plan, loaded once for the module; what a test changes is rolled back."""
    return Plan.objects.get(pk=seed_loaded)


def test_the_seed_source_has_the_papers_17_rows():
    rows = seed_rows()
    assert [n for n, _, _ in rows] == list(range(1, 18))
    # Area 15's row is joined across the page break.
    assert rows[14][1].startswith("Ensure that assessments are consistently of good quality")
    assert rows[14][2].endswith("will be in place by the end of June.")


def test_seed_has_17_areas_with_the_papers_recommendations_and_overviews(seed_plan):
    areas = list(seed_plan.areas.order_by("number"))
    assert [a.number for a in areas] == list(range(1, 18))
    for area, (number, recommendation, overview) in zip(areas, seed_rows(), strict=True):
        assert area.number == number
        assert area.recommendation == recommendation
        first = area.updates.order_by("as_at", "id").first()
        assert first.narrative == overview
        assert first.state == ProgressUpdate.State.APPROVED
        assert first.rag in RAG.values
        assert first.as_at == datetime.date(2015, 5, 1)


def test_seed_keeps_the_officers_spelling_but_mends_ocr(seed_plan):
    area3 = seed_plan.areas.get(number=3)
    assert "Mapping and Buisness analysis" in area3.updates.get().narrative
    area2 = seed_plan.areas.get(number=2)
    assert "from June 1st" in area2.updates.get().narrative
    assert "child-focused" in seed_plan.areas.get(number=15).recommendation


def test_seed_carries_the_plan_meetings_and_partners(seed_plan):
    assert seed_plan.organisation.name == "Plymouth City Council"
    assert seed_plan.sent_to_inspectorate == datetime.date(2015, 4, 14)
    assert "October/November 2014" in seed_plan.overview
    meetings = {(m.kind, m.date, m.date_precision) for m in seed_plan.meetings.all()}
    assert ("improvement_board", datetime.date(2015, 3, 11), "day") in meetings
    assert ("improvement_board", datetime.date(2015, 6, 30), "month") in meetings
    assert ("safeguarding_assurance", datetime.date(2015, 6, 30), "month") in meetings
    partners = set(Organisation.objects.values_list("name", flat=True))
    for name in (
        "Derriford Hospital",
        "Clinical Commissioning Group",
        "Careers South West",
        "City College Plymouth",
        "Plymouth University",
        "Devon and Cornwall Police",
        "General practitioners (GPs)",
    ):
        assert name in partners
    icpc = Action.objects.get(area__plan=seed_plan, reference="17.2")
    assert {o.short_name for o in icpc.partners.all()} >= {"GPs", "Police", "Peninsula LSCBs"}


def test_seed_milestones_have_the_papers_dates_and_completion(seed_plan):
    care_first = Milestone.objects.get(area__number=3, title="Care First upgrade completed")
    assert care_first.status == Milestone.Status.COMPLETE
    assert care_first.completed_date == datetime.date(2015, 3, 31)
    supervision = Milestone.objects.get(area__number=2)
    assert (supervision.due_date, supervision.due_precision) == (datetime.date(2015, 6, 1), "day")
    tv = Milestone.objects.filter(area__number=10, title__startswith="Adoption TV").order_by(
        "due_date"
    )
    assert [m.due_display for m in tv] == ["April 2015", "October 2015", "January 2016"]
    panel = Milestone.objects.get(area__number=11)
    assert panel.due_display == "June 2015" and panel.status == Milestone.Status.OPEN


def test_seed_owners_are_roles_not_people(seed_plan):
    leads = {a.lead.job_title for a in seed_plan.areas.select_related("lead")}
    assert "Head of Children's Social Care" in leads
    assert all(a.lead_id for a in seed_plan.areas.all())


def test_seed_history_is_dated_as_the_plan_held_it(seed_plan):
    care_first = Milestone.objects.get(title="Care First upgrade completed")
    history = list(care_first.history.order_by("history_date"))
    assert [h.status for h in history] == ["open", "complete"]
    assert history[0].history_date.date() == datetime.date(2015, 3, 11)
    assert history[1].history_date.date() == datetime.date(2015, 3, 31)
    assert all(h.history_change_reason for h in history)
    before = datetime.datetime(2015, 3, 20, tzinfo=datetime.UTC)
    assert care_first.history.as_of(before).status == "open"


def test_loading_twice_changes_nothing():
    first = load_plan()
    assert first.wrote_anything
    counts = {m: (m.objects.count(), m.history.count()) for m in TRACKED}
    second = load_plan()
    assert not second.wrote_anything
    assert {m: (m.objects.count(), m.history.count()) for m in TRACKED} == counts


def test_load_command_says_when_nothing_changed(capsys):
    call_command("load_seed_plan")
    assert "Created 17 improvement areas" in capsys.readouterr().out
    call_command("load_seed_plan")
    assert "nothing changed" in capsys.readouterr().out


def test_loading_mends_a_changed_record_and_says_why(seed_plan):
    area = seed_plan.areas.get(number=7)
    area.recommendation = "Edited by hand"
    area.save()
    result = load_plan()
    area.refresh_from_db()
    assert area.recommendation.startswith("Conduct a further test of assurance")
    assert result.changed == {"improvement areas": 1}
    assert area.history.first().history_change_reason == (
        "Loaded from the seed plan: recommendation changed"
    )


def test_demo_accounts_refuse_to_run_without_debug():
    with override_settings(DEBUG=False), pytest.raises(CommandError, match="DEBUG"):
        call_command("create_demo_accounts")
