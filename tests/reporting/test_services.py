"""One registry of paper formats; issuing a paper as a service; the dashboard
built beside the papers, from the same date rules as the pages."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from core.downloads import FORMATS
from plans import snapshot as snap
from plans.models import ImprovementArea, Meeting, Membership, Milestone, ProgressUpdate
from plans.roles import Role
from plans.saving import save_with_history
from reporting.build import Dashboard, build_dashboard
from reporting.formats import RENDERERS, render_file
from reporting.models import IssuedPaper, PreparedPaper
from reporting.papers import Kind
from reporting.services import IssueRefused, build_prepared, issue_paper, prepare, save_front_sheet
from tests import factories

pytestmark = pytest.mark.django_db
MAY = datetime.date(2015, 5, 31)


def test_one_registry_of_formats():
    assert set(RENDERERS) == set(FORMATS)
    assert all(set(formats) <= set(FORMATS) for formats in Kind.FORMATS.values())
    # The issued paper keeps one field per format, and its history none of them.
    assert set(FORMATS) <= {f.name for f in IssuedPaper._meta.fields}
    assert not set(FORMATS) & {f.name for f in IssuedPaper.history.model._meta.fields}
    assert Kind.offers(Kind.BOARD) and Kind.offers(Kind.SCRUTINY, "csv")
    assert not Kind.offers(Kind.BOARD, "csv") and not Kind.offers("minutes")


def test_downloads_are_served_as_the_registry_says(seed):
    plan, clients, _ = seed
    for kind in Kind.ALL:
        for fmt in Kind.FORMATS[kind]:
            if fmt == "pdf" and kind != Kind.ASSURANCE:
                continue  # one PDF is enough: each takes seconds
            url = reverse("reporting:paper_download", args=[plan.slug, kind, fmt])
            response = clients["board"].get(url, {"as_at": MAY.isoformat()})
            assert response["Content-Type"] == FORMATS[fmt].content_type, (kind, fmt)


def test_issuing_a_paper_numbers_its_versions_and_keeps_every_file(seed):
    plan, clients, users = seed
    meeting = Meeting.objects.get(plan=plan, kind="scrutiny_panel")
    prepared = prepare(meeting, Kind.SCRUTINY, users["scrutiny"], as_at=MAY)
    save_front_sheet(
        prepared,
        {"as_at": MAY, "briefing": "For the panel."},
        version=prepared.version,
        user=users["scrutiny"],
    )
    first = issue_paper(prepared, user=users["scrutiny"])
    second = issue_paper(prepared, user=users["admin"])
    assert (first.version, second.version) == (1, 2)
    assert first.formats == Kind.FORMATS[Kind.SCRUTINY]
    assert all(first.file(fmt) for fmt in first.formats)
    assert "For the panel." in first.html and first.briefing == "For the panel."
    assert first.front_sheet["version"] == 1 and second.front_sheet["version"] == 2
    assert first.history.get().history_change_reason == f"Issued to {meeting}"
    # The same bytes as a download of the same paper (CSV: data only, no version inside).
    assert first.file("csv") == render_file(build_prepared(prepared), "csv")
    download = clients["board"].get(reverse("reporting:issued_download", args=[first.pk, "csv"]))
    assert download.content == first.file("csv")
    assert download["Content-Disposition"].startswith(
        f'attachment; filename="{plan.file_prefix}-{first.filename_stem}'
    )
    # A paper for another kind of meeting is refused, and nothing is written.
    wrong = PreparedPaper(
        meeting=meeting, kind=Kind.BOARD, as_at=MAY, title="Board report", committee="Board"
    )
    with pytest.raises(IssueRefused, match="is written for a meeting of the Improvement Board"):
        issue_paper(wrong, user=users["admin"])
    assert IssuedPaper.objects.count() == 2


def test_the_dashboard_is_built_beside_the_papers(seed):
    plan, _, users = seed
    today = timezone.localdate()
    factories.MeetingFactory(plan=plan, date=today - datetime.timedelta(days=1), title="Board")
    save_with_history(
        Membership(plan=plan, user=factories.UserFactory(), role=Role.BOARD_MEMBER),
        reason="Joined the board",
        user=users["admin"],
    )
    area = ImprovementArea.objects.get(plan=plan, number=2)
    update = ProgressUpdate(
        area=area,
        as_at=today,
        rag="red",
        narrative="Worse",
        author=users["officer"],
        state="approved",
        approved_by=users["admin"],
        approved_at=timezone.now(),
        submitted_at=timezone.now(),
    )
    save_with_history(update, reason="Approved", user=users["admin"])
    dashboard = build_dashboard(plan, today, stale_days=90, viewer=users["admin"])
    assert isinstance(dashboard, Dashboard)
    assert dashboard.state.board.title == "Board"
    assert dashboard.changes_since == today and dashboard.changes_until == today
    subjects = [e.subject for e in dashboard.changes.entries]
    assert f"Update on area 2 as at {today.day} {today:%B %Y}" in subjects
    assert not [s for s in subjects if s.startswith("Membership")]  # housekeeping stays out
    assert [line.number for line, _ in dashboard.stale] == [
        a.number for a in dashboard.state.areas if a.number != 2
    ]
    assert sum(count for _, _, count in dashboard.counts) == len(dashboard.state.areas)


def test_snapshots_use_the_pages_date_and_ordering_rules(seed):
    plan, _, _ = seed
    today = timezone.localdate()
    shot = snap.take(plan, today)
    # History rows judge "overdue" with Milestone's own rule (MilestoneDates).
    assert {m.id for m in shot.milestones if m.is_overdue(today)} == set(
        Milestone.objects.filter(area__plan=plan).overdue(today).values_list("id", flat=True)
    )
    assert [m.expected_date for m in shot.milestones] == sorted(
        m.expected_date for m in shot.milestones
    )
    # An area's status is its first approved update in ProgressUpdate.LATEST_FIRST.
    rows = list(ProgressUpdate.history.filter(area__plan=plan, state="approved"))
    assert [r.id for r in snap.latest_first(rows)] == list(
        ProgressUpdate.objects.filter(area__plan=plan)
        .latest_approved_first()
        .values_list("id", flat=True)
    )
    for area_id, row in shot.current.items():
        best = ProgressUpdate.objects.filter(area_id=area_id).latest_approved_first().first()
        assert row.id == best.id


def test_a_cancelled_board_is_neither_the_last_board_nor_offered_for_papers(world):
    from reporting.build import previous_board

    held = factories.MeetingFactory(plan=world.plan, date=datetime.date(2015, 3, 11))
    cancelled = factories.MeetingFactory(
        plan=world.plan, date=datetime.date(2015, 4, 8), cancelled=True
    )
    assert previous_board(world.plan, datetime.date(2015, 5, 31)) == held
    # No paper goes to a cancelled meeting.
    prepared = prepare(cancelled, "board-report", world.users["admin"])
    with pytest.raises(IssueRefused, match="cancelled"):
        issue_paper(prepared, user=world.users["admin"])
