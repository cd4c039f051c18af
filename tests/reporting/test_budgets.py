"""The dashboard, papers and downloads make a fixed number of queries,
whatever the size of the plan's history (measured at 1× and 20×)."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from plans.models import ImprovementArea, Milestone, ProgressUpdate
from plans.saving import save_with_history
from reporting.papers import Kind
from tests import factories

pytestmark = pytest.mark.django_db

CHANGE_LISTS = {"plan_changes", "area_history"}
OVERHEAD = 7  # session, user, permissions ×2, session renewal ×3 (see tests/plans)
BUDGETS = {
    # plan, first-recorded, snapshot (areas, actions, milestones, updates ×3), previous
    # board, its updates ×3, owners, themes, one for the chart's twelve months;
    # then the changes since the board (plans.history.change_page, no count):
    # the page's rows (one UNION), each kind on it with the rows before (up to
    # 7, housekeeping left out), partners, the kinds they name (up to 7), and
    # which updates the viewer may open
    # … and the measures scorecard (measures/scorecard.py): settings, measures,
    # figures, owners' names, each read from history as at the date
    # The first screen: the plan state (about ten), where each measure stands
    # (two: settings, the measures with their latest figures), the next meeting
    # and its issued paper (or, for those who issue papers, the one being
    # prepared).
    "dashboard": OVERHEAD + 14,
    # Each section reads only what it shows; the changes since the board add
    # where each measure stood at the board's date and the change list above.
    "dashboard-areas": OVERHEAD + 11,
    "dashboard-milestones": OVERHEAD + 11,
    # The scorecard alone: the previous board, the areas and their status, themes,
    # and the measures (measures/scorecard.py).
    "dashboard-measures": OVERHEAD + 7,
    "dashboard-charts": OVERHEAD + 12,  # + the first recorded day, the chart's months
    "dashboard-changes": OVERHEAD + 31,
    "papers": OVERHEAD + 2,  # plan, first-recorded, meetings
    # plan, first-recorded, snapshot (its actions give the milestones' leads and the
    # overdue actions) and previous board, names, milestones at the previous board
    # (re-forecast since), the council
    # … + the success measures as at the date (measures/): settings, measures,
    # figures, owners
    "paper": OVERHEAD + 18,
    # the same without the session's renewal, with the cache's one query for the
    # data's latest history (a hit makes that query alone)
    # … + the success measures as at the date (measures/): settings, measures,
    # figures, owners
    "download": OVERHEAD + 17,
}


def grow(plan, users, times: int) -> None:
    """Per area: ``times`` approved updates (each with three history rows) and a milestone."""
    officer, admin = users["officer"], users["admin"]
    for area in ImprovementArea.objects.filter(plan=plan):
        for i in range(times):
            update = ProgressUpdate(
                area=area,
                as_at=datetime.date(2015, 6, 1) + datetime.timedelta(days=i),
                rag="amber",
                narrative=f"Update {i}",
                author=officer,
            )
            save_with_history(update, reason="Draft", user=officer)
            update.state, update.submitted_at = "submitted", timezone.now()
            save_with_history(update, reason="Submitted", user=officer)
            update.state, update.approved_at, update.approved_by = "approved", timezone.now(), admin
            save_with_history(update, reason="Approved", user=admin)
            save_with_history(
                Milestone(area=area, title=f"Step {i}", due_date=datetime.date(2015, 7, 1)),
                reason="Added",
                user=admin,
            )


def urls(plan) -> dict[str, str]:
    q = "?as_at=" + timezone.localdate().isoformat()
    return {
        "dashboard": reverse("reporting:dashboard", args=[plan.slug]) + q,
        **{
            f"dashboard-{section}": reverse(
                "reporting:dashboard_section", args=[plan.slug, section]
            )
            + q
            for section in ("areas", "milestones", "measures", "charts", "changes")
        },
        "papers": reverse("reporting:papers", args=[plan.slug]) + q,
        **{
            f"paper {kind}": reverse("reporting:paper", args=[plan.slug, kind]) + q
            for kind in Kind.ALL
        },
        **{
            f"download {kind} {fmt}": reverse(
                "reporting:paper_download", args=[plan.slug, kind, fmt]
            )
            + q
            for kind in Kind.ALL
            for fmt in Kind.FORMATS[kind]
            if fmt != "pdf"
        },
        "download pdf": reverse("reporting:paper_download", args=[plan.slug, Kind.ASSURANCE, "pdf"])
        + q,
    }


def count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


def test_reporting_query_counts_are_fixed_and_within_budget(seed):
    plan, clients, users = seed
    factories.MeetingFactory(plan=plan, date=timezone.localdate() - datetime.timedelta(days=1))
    client = clients["board"]
    grow(plan, users, 1)
    small = {name: count(client, url) for name, url in urls(plan).items()}
    grow(plan, users, 19)
    large = {name: count(client, url) for name, url in urls(plan).items()}
    # Change lists skip the queries for kinds of record with no change among the
    # newest, so they may make fewer at one size than another: never more than
    # their budget. Every other page makes exactly the same number at both sizes.
    varying = {k for k in large if k in CHANGE_LISTS or k == "dashboard-changes"}
    assert {k: v for k, v in large.items() if k not in varying} == {
        k: v for k, v in small.items() if k not in varying
    }, "query counts grew with the data"
    for name, n in large.items():
        assert n <= BUDGETS[name.split(" ")[0]], (name, n)
