"""The plan's rules are database constraints, not only form checks."""

import datetime

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.rag import RAG
from plans.models import DatePrecision, Milestone, ProgressUpdate, format_plan_date
from tests import factories

pytestmark = pytest.mark.django_db


def refused(make) -> bool:
    """True if the database refuses what ``make`` writes."""
    try:
        with transaction.atomic():
            make()
    except IntegrityError:
        return True
    return False


def test_area_number_is_unique_within_a_plan_only():
    area = factories.ImprovementAreaFactory(number=4)
    assert refused(lambda: factories.ImprovementAreaFactory(plan=area.plan, number=4))
    # Another plan may have its own area 4.
    assert not refused(lambda: factories.ImprovementAreaFactory(number=4))


def test_area_number_must_be_positive_and_recommendation_present():
    plan = factories.PlanFactory()
    assert refused(lambda: factories.ImprovementAreaFactory(plan=plan, number=0))
    assert refused(lambda: factories.ImprovementAreaFactory(plan=plan, recommendation=""))


def test_update_rag_must_be_on_the_scale():
    assert refused(lambda: factories.ProgressUpdateFactory(rag="pink"))
    for rag in RAG.values:
        assert not refused(lambda rag=rag: factories.ProgressUpdateFactory(rag=rag))


def test_update_state_must_be_known_and_approved_updates_have_a_time():
    assert refused(lambda: factories.ProgressUpdateFactory(state="published"))
    assert refused(
        lambda: factories.ProgressUpdateFactory(
            state=ProgressUpdate.State.APPROVED, approved_at=None
        )
    )
    assert not refused(lambda: factories.ProgressUpdateFactory(approved=True))


def test_update_needs_a_narrative():
    assert refused(lambda: factories.ProgressUpdateFactory(narrative=""))


def test_completed_milestones_have_a_completion_date_and_open_ones_do_not():
    assert refused(lambda: factories.MilestoneFactory(status=Milestone.Status.COMPLETE))
    assert refused(lambda: factories.MilestoneFactory(completed_date=datetime.date(2015, 6, 1)))
    assert not refused(
        lambda: factories.MilestoneFactory(
            status=Milestone.Status.COMPLETE, completed_date=datetime.date(2015, 6, 1)
        )
    )


def test_milestone_due_precision_is_day_or_month():
    assert refused(lambda: factories.MilestoneFactory(due_precision="week"))


def test_action_reference_unique_per_area_and_due_not_before_start():
    action = factories.ActionFactory(reference="9.2")
    assert refused(lambda: factories.ActionFactory(area=action.area, reference="9.2"))
    assert refused(
        lambda: factories.ActionFactory(
            start_date=datetime.date(2015, 6, 1), due_date=datetime.date(2015, 5, 1)
        )
    )
    assert refused(lambda: factories.ActionFactory(status="paused"))


def test_theme_slug_unique_per_plan_and_owner_title_per_organisation():
    theme = factories.ThemeFactory(slug="adoption")
    assert refused(lambda: factories.ThemeFactory(plan=theme.plan, slug="adoption"))
    owner = factories.OwnerFactory(job_title="Head of Service")
    assert refused(
        lambda: factories.OwnerFactory(job_title="Head of Service", organisation=owner.organisation)
    )


def test_meeting_kind_is_known_and_one_per_kind_and_day():
    meeting = factories.MeetingFactory(date=datetime.date(2015, 3, 11))
    assert refused(lambda: factories.MeetingFactory(plan=meeting.plan, date=meeting.date))
    assert refused(lambda: factories.MeetingFactory(kind="away_day"))


def test_plan_inspection_must_end_after_it_starts():
    assert refused(
        lambda: factories.PlanFactory(
            inspection_start=datetime.date(2014, 11, 30), inspection_end=datetime.date(2014, 10, 1)
        )
    )


def test_every_model_names_itself_in_the_plans_words():
    area = factories.ImprovementAreaFactory(number=9, recommendation="Improve placement stability.")
    assert str(area) == "9. Improve placement stability."
    action = factories.ActionFactory(area=area, reference="9.2", title="Commissioning strategy")
    assert str(action) == "9.2 Commissioning strategy"
    milestone = factories.MilestoneFactory(
        area=area,
        title="Strategy published",
        due_date=datetime.date(2015, 6, 30),
        due_precision=DatePrecision.MONTH,
    )
    assert str(milestone) == "Strategy published (June 2015)"
    update = factories.ProgressUpdateFactory(area=area, rag=RAG.AMBER)
    assert str(update) == "Area 9 update as at 1 May 2015 (Amber – at risk)"
    owner = factories.OwnerFactory(
        job_title="Head of Commissioning",
        organisation=factories.OrganisationFactory(name="Plymouth City Council", short_name="PCC"),
    )
    assert str(owner) == "Head of Commissioning (PCC)"
    meeting = factories.MeetingFactory(title="Improvement Board", date=datetime.date(2015, 3, 11))
    assert str(meeting) == "Improvement Board (11 March 2015)"
    for model_factory in (
        factories.PlanFactory,
        factories.ThemeFactory,
        factories.OrganisationFactory,
    ):
        obj = model_factory()
        assert str(obj) in (getattr(obj, "title", None), getattr(obj, "name", None))


def test_rag_severity_orders_blue_best_and_red_worst():
    assert RAG.is_worse(RAG.RED, RAG.AMBER)
    assert RAG.is_worse(RAG.AMBER, RAG.GREEN)
    assert RAG.is_worse(RAG.GREEN, RAG.BLUE)
    assert not RAG.is_worse(RAG.GREEN, RAG.AMBER)
    assert not RAG.is_worse(RAG.GREEN, RAG.GREEN)
    assert not RAG.is_worse(RAG.RED, None)


def test_plan_dates_read_as_the_plan_writes_them():
    assert format_plan_date(datetime.date(2015, 3, 31)) == "31 March 2015"
    assert format_plan_date(datetime.date(2015, 6, 30), DatePrecision.MONTH) == "June 2015"
    assert format_plan_date(None) == ""


def test_milestone_overdue_uses_the_forecast_when_re_forecast():
    milestone = factories.MilestoneFactory(
        due_date=datetime.date(2015, 6, 30), forecast_date=datetime.date(2015, 9, 30)
    )
    assert not milestone.is_overdue(datetime.date(2015, 7, 1))
    assert milestone.is_overdue(datetime.date(2015, 10, 1))
    milestone.status, milestone.completed_date = Milestone.Status.COMPLETE, timezone.localdate()
    assert not milestone.is_overdue(datetime.date(2015, 10, 1))
