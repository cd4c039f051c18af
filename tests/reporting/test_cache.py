"""Repeat downloads of an unchanged paper are served from the cache of rendered
papers, shared by the app servers; any change to the plan's data, the front
sheet, the as-at date or the code renders it again, and each plan's papers are
its own: a change in another council's plan leaves them alone."""

import ast
import datetime
import io
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

import docx
import pytest
from django.core.cache import caches
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from improvement import settings as configured
from measures.models import Measure, MeasureSettings, MeasureValue
from measures.services import record_value
from plans.models import (
    Action,
    ImprovementArea,
    Meeting,
    Milestone,
    Organisation,
    Owner,
    Plan,
    ProgressUpdate,
    Theme,
)
from plans.roles import PLAN_ADMINISTRATOR, SCRUTINY_OFFICER
from plans.saving import save_with_history
from reporting import cache, formats, views
from reporting.build import default_front
from reporting.papers import FrontSheet, Kind
from reporting.services import prepare
from tests import factories
from tests.conftest import client_for

TODAY = datetime.date(2026, 11, 18)
pytestmark = [
    pytest.mark.django_db,
    # Figures, updates and changes recorded late are dated before this day.
    pytest.mark.time_machine(
        datetime.datetime(2026, 11, 18, 10, tzinfo=ZoneInfo("Europe/London")), tick=True
    ),
]


@pytest.fixture
def renders(monkeypatch):
    """Counts the papers actually rendered behind the views."""
    calls = []
    real = formats.render_file

    def counting(paper, fmt, body=None):
        calls.append((paper.kind, fmt, paper.as_at))
        return real(paper, fmt, body)

    monkeypatch.setattr(views, "render_file", counting)
    return calls


def test_an_unchanged_paper_is_rendered_once(world, renders):
    client = client_for(world.users["board"])
    url = reverse("reporting:paper_download", args=[world.plan.slug, Kind.BOARD, "docx"])
    first = client.get(url)
    second = client.get(url)
    assert first.status_code == second.status_code == 200
    assert first.content == second.content
    assert len(renders) == 1

    # A change to the plan's data renders it again.
    world.area.recommendation = "Ensure that practitioners have reasonable workloads."
    save_with_history(world.area, reason="Reworded", user=world.users["admin"])
    third = client.get(url)
    assert len(renders) == 2
    assert third.status_code == 200 and third.content != first.content


def test_a_changed_front_sheet_renders_the_preview_again(world, renders):
    meeting = factories.MeetingFactory(plan=world.plan, date=datetime.date(2015, 6, 30))
    prepared = prepare(meeting, Kind.BOARD, world.users["admin"])
    client = client_for(world.users["admin"])
    url = reverse(
        "reporting:prepared_download", args=[world.plan.slug, meeting.pk, Kind.BOARD, "pdf"]
    )
    assert client.get(url).status_code == 200
    assert client.get(url).status_code == 200
    assert len(renders) == 1
    prepared.author = "Sam Scrutiny"
    save_with_history(prepared, reason="Author", user=world.users["admin"])
    response = client.get(url)
    assert len(renders) == 2
    assert b"%PDF" in response.content[:8]


def test_a_new_release_renders_again(world, renders, monkeypatch):
    """The key carries a digest of the code that lays papers out: a file
    rendered by an earlier release is never served by a later one."""
    client = client_for(world.users["board"])
    url = reverse("reporting:paper_download", args=[world.plan.slug, Kind.BOARD, "docx"])
    client.get(url)
    client.get(url)
    assert len(renders) == 1
    monkeypatch.setattr(cache, "code_stamp", lambda: "the next release")
    client.get(url)
    assert len(renders) == 2


# --- Each plan's own papers -------------------------------------------------------------


@dataclass(eq=False)
class CouncilPlan:
    plan: Plan
    area: ImprovementArea
    scrutiny: object  # the plan's scrutiny officer
    admin: object  # its plan administrator


def council_plan(council: str, slug: str, title: str) -> CouncilPlan:
    """A council's plan with one red area; two of these differ only in their
    council, title and address, as the demo plan differs from Plymouth's."""
    plan = factories.PlanFactory(
        slug=slug, title=title, organisation=factories.OrganisationFactory(name=council)
    )
    scrutiny = factories.UserFactory(username=f"{slug}-scrutiny")
    admin = factories.UserFactory(username=f"{slug}-admin")
    factories.join(plan, {scrutiny: SCRUTINY_OFFICER, admin: PLAN_ADMINISTRATOR})
    lead = factories.OwnerFactory(job_title="Head of Service", organisation=plan.organisation)
    area = factories.ImprovementAreaFactory(
        plan=plan, number=1, lead=lead, recommendation="Ensure reasonable workloads."
    )
    factories.ProgressUpdateFactory(
        area=area,
        approved=True,
        rag="red",
        narrative="Caseloads are still too high.",
        author=admin,
        approved_by=admin,
        as_at=datetime.date(2026, 11, 1),
    )
    return CouncilPlan(plan, area, scrutiny, admin)


@pytest.fixture
def councils(db) -> tuple[CouncilPlan, CouncilPlan]:
    return (
        council_plan("Plymouth City Council", "plymouth", "Plymouth Children's Services Plan"),
        council_plan("Demo Borough Council", "demo", "Demo Borough Improvement Plan"),
    )


@pytest.fixture
def shared_cache(db, settings):
    """The papers' cache as the app servers have it: a table in the database
    (made for the test database by createcachetable, as on a server)."""
    local = settings.CACHES
    settings.CACHES = {**local, "papers": configured.CACHES["papers"]}
    assert "DatabaseCache" in settings.CACHES["papers"]["BACKEND"]
    yield caches["papers"]
    settings.CACHES = local  # before the database closes: the teardown clears it


def file_text(content: bytes, fmt: str) -> str:
    if fmt == "pdf":
        return " ".join(
            " ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(content)).pages
        )
    document = docx.Document(io.BytesIO(content))
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    return " ".join([p.text for p in document.paragraphs] + cells)


def test_each_plan_downloads_its_own_papers(councils, shared_cache, renders):
    """The demo plan's scrutiny officer downloading today's board report or
    assurance summary gets the demo plan's, not Plymouth's kept file."""
    downloads = [(kind, fmt) for kind in (Kind.BOARD, Kind.ASSURANCE) for fmt in ("pdf", "docx")]
    files = {}
    for council in councils:
        client = client_for(council.scrutiny)
        for kind, fmt in downloads:
            url = reverse("reporting:paper_download", args=[council.plan.slug, kind, fmt])
            response = client.get(url)
            assert response.status_code == 200
            files[council.plan.slug, kind, fmt] = response.content
            assert client.get(url).content == response.content  # kept, then served again
    for own, other in (councils, councils[::-1]):
        for kind, fmt in downloads:
            text = file_text(files[own.plan.slug, kind, fmt], fmt)
            assert own.plan.organisation.name in text and own.plan.title in text
            assert other.plan.organisation.name not in text and other.plan.title not in text
    assert len(renders) == 2 * len(downloads)


def test_each_plan_previews_its_own_draft(councils, renders):
    """Two plans' drafts for meetings alike: each preview names its own council."""
    urls = {}
    for council in councils:
        meeting = factories.MeetingFactory(plan=council.plan, date=datetime.date(2026, 12, 9))
        prepare(meeting, Kind.BOARD, council.admin)
        urls[council] = reverse(
            "reporting:prepared_download",
            args=[council.plan.slug, meeting.pk, Kind.BOARD, "pdf"],
        )
    previews = {}
    for council, url in urls.items():
        response = client_for(council.admin).get(url)
        assert response.status_code == 200
        previews[council.plan.organisation.name] = file_text(response.content, "pdf")
    assert len(renders) == 2
    for name, text in previews.items():
        assert f"Council {name}" in text
        assert [other for other in previews if other != name and other in text] == []


def test_the_default_front_sheet_names_its_plan(councils):
    plymouth, demo = (c.plan for c in councils)
    for kind in Kind.ALL:
        front = default_front(kind, demo)
        assert (front.council, front.plan_title) == (
            "Demo Borough Council",
            "Demo Borough Improvement Plan",
        )
        assert front != default_front(kind, plymouth)


def test_the_same_paper_of_two_plans_has_two_keys(councils):
    plymouth, demo = (c.plan for c in councils)
    front = FrontSheet()  # even with one front sheet, the plan tells them apart
    assert cache.key(plymouth, Kind.BOARD, "pdf", "T", front, TODAY) != cache.key(
        demo, Kind.BOARD, "pdf", "T", front, TODAY
    )


# --- The plan's own data stamp ----------------------------------------------------------


def plan_key(plan: Plan) -> str:
    return cache.key(
        plan,
        Kind.BOARD,
        "pdf",
        Kind.TITLES[Kind.BOARD],
        default_front(Kind.BOARD, plan),
        TODAY,
    )


def edits(council: CouncilPlan) -> list[tuple[str, type, Callable[[], object]]]:
    """One change to each kind of record a paper reads, in ``council``'s plan:
    (what, the kind of record, the change)."""
    plan, area, admin = council.plan, council.area, council.admin
    lead = area.lead
    past = timezone.make_aware(datetime.datetime(2026, 10, 1, 9))

    def save(obj, reason="Changed", when=None):
        save_with_history(obj, reason=reason, user=admin, when=when)

    def area_reworded():
        area.recommendation = "Ensure every social worker has a reasonable workload."
        save(area)

    def recorded_with_a_past_date():
        area.recommendation = "Reworded at the October board, recorded late."
        save(area, when=past)

    def overview_written():
        plan.overview = "The plan is broadly on track."
        save(plan)

    measure = Measure(
        area=area, name="Caseloads", unit="number", polarity="lower", frequency="monthly"
    )

    def figure(value: str, reason: str = "") -> None:
        record_value(
            measure=measure,
            period=datetime.date(2026, 9, 1),
            value=Decimal(value),
            comment="",
            user=admin,
            reason=reason,
        )

    def council_short_name():
        council_org = plan.organisation
        council_org.short_name = council_org.name.split()[0]
        save(council_org)

    partner = f"{plan.slug} police"
    return [
        ("area", ImprovementArea, area_reworded),
        ("change recorded with a past date", ImprovementArea, recorded_with_a_past_date),
        ("plan", Plan, overview_written),
        ("theme", Theme, lambda: factories.ThemeFactory(plan=plan)),
        ("meeting", Meeting, lambda: factories.MeetingFactory(plan=plan)),
        ("action", Action, lambda: factories.ActionFactory(area=area, owner=lead)),
        ("milestone", Milestone, lambda: factories.MilestoneFactory(area=area)),
        (
            "update",
            ProgressUpdate,
            lambda: factories.ProgressUpdateFactory(area=area, author=admin),
        ),
        ("measure settings", MeasureSettings, lambda: save(MeasureSettings(plan=plan))),
        ("measure", Measure, lambda: save(measure)),
        ("figure", MeasureValue, lambda: figure("21")),
        ("figure corrected", MeasureValue, lambda: figure("19", "Late returns counted")),
        ("council", Organisation, council_short_name),
        (
            "partner",
            Organisation,
            lambda: factories.OrganisationFactory(name=partner, council=plan.organisation),
        ),
        ("owner", Owner, lambda: factories.OwnerFactory(organisation=plan.organisation)),
        (
            "partner's owner",
            Owner,
            lambda: factories.OwnerFactory(organisation=Organisation.objects.get(name=partner)),
        ),
    ]


def stamp_of(plan: Plan, model: type) -> list[str]:
    """The plan's latest history row (id and time) of ``model``."""
    at = cache.READ_BY_PAPERS.index(model) * 2
    return cache.data_stamp(plan)[at : at + 2]


def test_a_change_in_another_plan_leaves_the_key_alone(councils):
    plymouth, demo = councils
    before = plan_key(plymouth.plan)
    stamp = cache.data_stamp(plymouth.plan)
    for what, _, edit in edits(demo):
        edit()
        assert cache.data_stamp(plymouth.plan) == stamp, f"the other plan's {what} counted"
    assert plan_key(plymouth.plan) == before


def test_any_change_in_the_plan_makes_a_new_key(councils):
    """Each change moves its own kind of record's stamp (not only a neighbour's,
    as when a new action makes its owner), and so the key."""
    plymouth, _ = councils
    changes = edits(plymouth)
    assert {model for _, model, _ in changes} == set(cache.READ_BY_PAPERS)
    seen = {plan_key(plymouth.plan)}
    for what, model, edit in changes:
        before = stamp_of(plymouth.plan, model)
        edit()
        assert stamp_of(plymouth.plan, model) != before, f"the plan's {what} did not count"
        now = plan_key(plymouth.plan)
        assert now not in seen, f"a change to the plan's {what} kept the key"
        seen.add(now)


def test_the_key_is_one_query(councils, django_assert_num_queries):
    plymouth, _ = councils
    for _, _, edit in edits(plymouth):
        edit()
    front = default_front(Kind.BOARD, plymouth.plan)
    # One query: the plan's data stamp (every kind of record, in scalar subqueries).
    with django_assert_num_queries(1):
        cache.key(plymouth.plan, Kind.BOARD, "pdf", "T", front, TODAY)


# --- The code stamp and the shared cache ------------------------------------------------


def test_the_code_stamp_covers_every_file_a_paper_depends_on():
    files = {p.relative_to(cache.BASE_DIR).as_posix() for p in cache.code_files()}
    assert {
        "measures/rag.py",
        "measures/periods.py",
        "plans/snapshot.py",
        "reporting/build.py",
        "plans/models.py",
        "improvement/settings.py",
        "templates/reporting/paper_document.html",
        "templates/reporting/_paper_body.html",
    } <= files
    assert not [f for f in files if f.startswith("tests/") or "/migrations/" in f]


def test_the_code_digest_changes_with_any_file(tmp_path):
    for name in ("measures", "reporting", "templates"):
        shutil.copytree(cache.BASE_DIR / name, tmp_path / name)
    first = cache.code_digest(tmp_path)
    assert cache.code_digest(tmp_path) == first
    rag = tmp_path / "measures" / "rag.py"
    rag.write_text(rag.read_text() + "\n# A new threshold.\n")
    second = cache.code_digest(tmp_path)
    assert second != first
    # A file nobody listed, in the same directory, counts as soon as it exists.
    (tmp_path / "measures" / "thresholds.py").write_text("AMBER = 5\n")
    third = cache.code_digest(tmp_path)
    assert third != second
    (tmp_path / "templates" / "reporting" / "_paper_body.html").write_text("<p>New</p>")
    assert cache.code_digest(tmp_path) != third
    # Migrations and tests lay nothing out.
    fourth = cache.code_digest(tmp_path)
    (tmp_path / "measures" / "migrations" / "0099_more.py").write_text("# A migration\n")
    assert cache.code_digest(tmp_path) == fourth


def test_the_release_is_in_the_code_stamp(settings):
    cache.code_stamp.cache_clear()
    try:
        settings.RELEASE = "2026.11.1"
        first = cache.code_stamp()
        cache.code_stamp.cache_clear()
        settings.RELEASE = "2026.12.1"
        assert cache.code_stamp() != first
        assert cache.code_stamp().startswith("2026.12.1:")
    finally:
        cache.code_stamp.cache_clear()


def test_the_shared_cache_keeps_a_large_pdf(shared_cache):
    pdf = b"%PDF-1.7\n" + os.urandom(2 * 1024 * 1024)
    shared_cache.set("paper:large", pdf)
    assert shared_cache.get("paper:large") == pdf


def papers_cache_with(**env: str) -> subprocess.CompletedProcess:
    """The settings' CACHES["papers"], imported in a fresh interpreter with ``env``."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("PAPER_CACHE_")}
    return subprocess.run(
        [sys.executable, "-c", "import improvement.settings as s; print(s.CACHES['papers'])"],
        cwd=cache.BASE_DIR,
        env={**clean, "DEBUG": "true", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_the_cache_is_a_database_table_unless_the_operator_names_another():
    default = papers_cache_with()
    assert default.returncode == 0, default.stderr
    papers = ast.literal_eval(default.stdout)
    assert papers["BACKEND"] == "django.core.cache.backends.db.DatabaseCache"
    assert papers["LOCATION"] == "paper_cache" and papers["TIMEOUT"] == 7 * 24 * 3600
    assert papers["OPTIONS"]["MAX_ENTRIES"] > 0

    redis = papers_cache_with(
        PAPER_CACHE_BACKEND="django.core.cache.backends.redis.RedisCache",
        PAPER_CACHE_LOCATION="redis://127.0.0.1:6379/1",
    )
    papers = ast.literal_eval(redis.stdout)
    assert papers["LOCATION"] == "redis://127.0.0.1:6379/1"
    assert "OPTIONS" not in papers  # Redis's client would take MAX_ENTRIES as its own

    bad = papers_cache_with(PAPER_CACHE_BACKEND="redis")
    assert bad.returncode != 0 and "PAPER_CACHE_BACKEND must be" in bad.stderr
