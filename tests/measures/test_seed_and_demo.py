"""The seed plan's measure definitions (no figures), and the demo council."""

import datetime
import io

import pytest
from django.core.management import call_command

from demo import data as demo
from demo.council import build_demo
from measures.models import Measure, MeasureValue
from measures.seed import load_seed_measures
from plans.models import ILLUSTRATIVE_MARK, Membership, Plan, ProgressUpdate
from plans.seed import load_plan
from reporting.models import IssuedPaper
from reporting.seed import record_seed_papers

pytestmark = pytest.mark.django_db


def test_seed_measures_are_definitions_only_and_load_once():
    load_plan()
    record_seed_papers()
    assert load_seed_measures() == 18
    plan = Plan.objects.get(slug="childrens-services-2015")
    measures = Measure.objects.filter(area__plan=plan)
    assert measures.count() == 18
    assert not MeasureValue.objects.exists()
    assert not measures.filter(target_value__isnull=False).exists()
    assert not measures.filter(baseline_value__isnull=False).exists()
    assert set(measures.values_list("area__number", flat=True)) == {
        1,
        2,
        3,
        4,
        5,
        6,
        8,
        9,
        10,
        11,
        12,
        13,
        15,
        16,
        17,
    }
    history = Measure.history.count()
    assert load_seed_measures() == 0
    assert Measure.history.count() == history
    out = io.StringIO()
    call_command("load_seed_plan", stdout=out)
    assert "nothing changed" in out.getvalue()


def test_the_demo_council_is_illustrative_deterministic_and_built_once(settings):
    today = datetime.date(2026, 11, 26)
    built = build_demo(today=today)
    plan = built.plan
    assert ILLUSTRATIVE_MARK in plan.title
    assert plan.areas.count() == 10
    measures = Measure.objects.filter(area__plan=plan)
    assert measures.count() == len(demo.MEASURES)
    first = measures.get(name="Average caseload per social worker")
    assert [str(v.value) for v in first.values.order_by("period")[:3]] == [
        "27.00",
        "27.30",
        "25.30",
    ]
    assert MeasureValue.objects.filter(measure__area__plan=plan).count() == sum(
        demo.MONTHS - m[-1] for m in demo.MEASURES
    )
    updates = ProgressUpdate.objects.filter(area__plan=plan, state="approved")
    assert updates.count() == 10 * demo.MONTHS
    assert updates.exclude(rag_reason="").exists()  # RAG movement with reasons
    papers = IssuedPaper.objects.filter(meeting__plan=plan)
    assert papers.count() >= 3
    assert all(ILLUSTRATIVE_MARK in p.title for p in papers)
    assert all(ILLUSTRATIVE_MARK in p.html for p in papers)
    # All history is in the past, dated through the plan's 18 months.
    assert not ProgressUpdate.history.filter(history_date__date__gt=today).exists()
    # Its accounts belong to it only.
    roles = dict(Membership.objects.filter(plan=plan).values_list("user__username", "role"))
    assert set(roles) == {name for name, *_ in demo.DEMO_ACCOUNTS}
    assert not Membership.objects.filter(user__username__startswith="demo-").exclude(plan=plan)
    history = (ProgressUpdate.history.count(), MeasureValue.history.count())
    assert build_demo(today=today) is None
    assert (ProgressUpdate.history.count(), MeasureValue.history.count()) == history


def test_demo_accounts_command_keeps_the_plans_apart(settings):
    settings.DEBUG = True
    load_plan()
    out = io.StringIO()
    call_command("create_demo_accounts", stdout=out)
    text = out.getvalue()
    assert "demo-officer / demo-officer-pass" in text
    seed = Plan.objects.get(slug="childrens-services-2015")
    demo_plan = Plan.objects.get(slug=demo.DEMO_SLUG)
    assert set(Membership.objects.filter(plan=seed).values_list("user__username", flat=True)) == {
        "officer",
        "admin",
        "board",
        "scrutiny",
    }
    assert not Membership.objects.filter(plan=demo_plan, user__username="admin").exists()
    settings.DEBUG = False
    with pytest.raises(Exception, match="DEBUG off"):
        call_command("create_demo_accounts")
