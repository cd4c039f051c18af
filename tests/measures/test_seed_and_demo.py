"""The seed plan's measure definitions (no figures), and the demo council.

The demo council is built once for the module; each test starts from it and
what it changes is rolled back."""

import datetime
import io
from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import override_settings

from demo import data as demo
from demo.council import Built, build_demo
from measures.models import Measure, MeasureValue
from measures.seed import load_seed_measures
from plans.models import ILLUSTRATIVE_MARK, Membership, Owner, Plan, ProgressUpdate
from plans.seed import load_plan
from reporting import services as paper_services
from reporting.models import IssuedPaper
from reporting.papers import Kind
from reporting.seed import record_seed_papers
from tests.support.shared import module_data

pytestmark = pytest.mark.django_db

DEMO_DAY = datetime.date(2026, 11, 26)


@module_data
def demo_council() -> Built:
    """The demo council as build_demo issues it, but for the files of its
    papers: no test here reads them, and rendering them (WeasyPrint, mostly)
    took three quarters of the build. The first paper of each kind is rendered
    in every format from the demo's data, so a demo paper that cannot be
    rendered still fails here; the later ones of a kind keep a placeholder.
    tests/reporting reads every format of every kind back."""
    rendered = set()
    render_files = paper_services.render_files

    def first_of_each_kind(paper, body=None):
        if paper.kind in rendered:
            return {fmt: b"not rendered: see demo_council" for fmt in Kind.FORMATS[paper.kind]}
        rendered.add(paper.kind)
        return render_files(paper, body)

    with mock.patch.object(paper_services, "render_files", first_of_each_kind):
        built = build_demo(today=DEMO_DAY)
    assert built is not None, "the demo council was there before it was built"
    assert rendered == set(Kind.ALL), rendered
    return built


@pytest.fixture
def seed_plan(db) -> Plan:
    load_plan()
    return Plan.objects.get(slug="childrens-services-2015")


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


def test_the_demo_council_is_illustrative_deterministic_and_built_once(demo_council):
    today = DEMO_DAY
    plan = demo_council.plan
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


def test_demo_accounts_command_keeps_the_plans_apart(demo_council, settings):
    settings.DEBUG = True
    load_plan()
    # The command builds the demo council, or, as here, finds it and gives its
    # accounts back the passwords it prints.
    changed = get_user_model().objects.get(username="demo-officer")
    changed.set_password("changed-by-someone")
    changed.save()
    out = io.StringIO()
    call_command("create_demo_accounts", stdout=out)
    text = out.getvalue()
    assert "demo-officer / demo-officer-pass" in text
    assert "already there" in text
    assert get_user_model().objects.get(username="demo-officer").check_password("demo-officer-pass")
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


def test_demo_accounts_one_per_role_and_idempotent(demo_council, seed_plan, capsys):
    with override_settings(DEBUG=True):
        call_command("create_demo_accounts")
        call_command("create_demo_accounts")
    out = capsys.readouterr().out
    assert "officer / demo-officer-pass / Officer" in out
    # The demo council's own accounts (demo/data.py) belong to its plan only
    # (test_demo_accounts_command_keeps_the_plans_apart).
    users = get_user_model().objects.exclude(username__startswith="demo-").order_by("username")
    assert [(u.username, u.memberships.get().get_role_display()) for u in users] == [
        ("admin", "Plan administrator"),
        ("board", "Board member"),
        ("officer", "Officer"),
        ("scrutiny", "Scrutiny officer"),
    ]
    assert Owner.objects.get(job_title="Head of Children's Social Care").user.username == "officer"
    assert users.get(username="admin").check_password("demo-admin-pass")


def test_what_changed_since_the_board_on_the_demo_plan(demo_council, client):
    """The demo plan's own history, as its board reads it: the status changes
    first (area by area, most significant first), and no set-up or system rows
    (the loader's partners, meetings and memberships)."""
    from django.urls import reverse
    from time_machine import travel

    from tests.support.clock import london
    from tests.support.pages import main_text

    plan = demo_council.plan
    with travel(london(DEMO_DAY.isoformat()), tick=False):
        client.force_login(demo_council.users["demo-board"])
        url = reverse("reporting:dashboard_section", args=[plan.slug, "changes"])
        response = client.get(url, {"as_at": "2026-10-17"})
    assert response.status_code == 200
    text = main_text(response)
    areas, others = text.split("Other changes")
    # Status changes come first: every area block that moved says how, and
    # the blocks with a status change come before those without.
    blocks = areas.split("Area ")[1:]
    moved = [i for i, b in enumerate(blocks) if "Worse:" in b or "Improved:" in b]
    assert moved and moved == list(range(len(moved))), blocks
    assert "New red" in blocks[0] and "Worse:" in blocks[0]
    # Nothing the loader did with nobody signed in, and no set-up.
    for unwanted in ("The system", "Partners", "Meeting:", "Membership", "Owner:"):
        assert unwanted not in others, unwanted
    assert "by " in others  # and the rest is people's work, named
