"""Measure the dashboard, the papers and their downloads on a long history.

Builds (once) a synthetic plan of 17 areas with ``--updates`` progress updates,
each with the three history rows a real one has (draft, submitted, approved),
plus milestones and monthly board meetings; then times each page in-process
with Django's test client as a signed-in board member, and prints p50/p95
latency and queries per request.

The synthetic rows are written in bulk, with their history rows written
explicitly beside them: this is data generation for measurement, not a path
the service itself uses (every write the service makes goes through save()).
"""

from __future__ import annotations

import datetime
import random
import time

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandParser
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from core.rag import RAG
from plans.models import ImprovementArea, Meeting, Milestone, Organisation, Plan, ProgressUpdate
from plans.roles import BOARD_MEMBER
from plans.services import ensure_membership
from reporting.benchmark import time_pages
from reporting.papers import Kind

SLUG = "bench-reporting"
START = datetime.date(2015, 3, 11)


def _history_rows(model, obj, rows: list[tuple[datetime.datetime, str, str]], user):
    """History rows for ``obj``: (when, history type, reason) each, with ``state`` applied."""
    history = model.history.model
    fields = {f.attname: getattr(obj, f.attname) for f in model._meta.concrete_fields}
    made = []
    for when, kind, reason, changes in rows:
        made.append(
            history(
                **{**fields, **changes},
                history_date=when,
                history_type=kind,
                history_change_reason=reason,
                history_user_id=user.pk,
            )
        )
    return made


class Command(BaseCommand):
    help = "Time the dashboard, papers and downloads on a plan with a long history."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--updates", type=int, default=50_000)
        parser.add_argument("--runs", type=int, default=10, help="timed requests per page")
        parser.add_argument("--rebuild", action="store_true")

    def handle(self, *args: object, updates: int, runs: int, rebuild: bool, **options: object):
        User = get_user_model()
        user, _ = User.objects.get_or_create(username="bench-board")
        plan = Plan.objects.filter(slug=SLUG).first()
        if plan is not None and rebuild:
            self.stdout.write("Removing the old benchmark plan…")
            with transaction.atomic():
                plan.delete()
            plan = None
        if plan is None:
            started = time.perf_counter()
            plan = self.build(updates, user)
            self.stdout.write(f"Built in {time.perf_counter() - started:.0f} s")
        ensure_membership(plan=plan, user=user, role=BOARD_MEMBER, reason="Benchmark reader")
        self.report(plan, user, runs)

    def build(self, n_updates: int, user) -> Plan:
        rng = random.Random(2015)
        org, _ = Organisation.objects.get_or_create(name="Benchmark Council")
        today = timezone.localdate()
        with transaction.atomic():
            plan = Plan(
                title="Benchmark plan",
                slug=SLUG,
                organisation=org,
                inspection_name="Synthetic",
                inspection_start=datetime.date(2014, 10, 1),
                inspection_end=datetime.date(2014, 11, 30),
            )
            plan._history_date = timezone.make_aware(
                datetime.datetime.combine(START, datetime.time(9))
            )
            plan.save()
            areas = []
            for number in range(1, 18):
                area = ImprovementArea(
                    plan=plan, number=number, recommendation=f"Recommendation {number}."
                )
                area._history_date = plan._history_date
                area.save()
                areas.append(area)
            day = START
            while day < today:
                meeting = Meeting(
                    plan=plan, kind="improvement_board", date=day, title="Improvement Board"
                )
                meeting.save()
                day += datetime.timedelta(days=30)
            milestones = []
            for area in areas:
                for i in range(20):
                    due = START + datetime.timedelta(days=rng.randint(0, (today - START).days))
                    done = due if rng.random() < 0.6 and due < today else None
                    milestones.append(
                        Milestone(
                            area=area,
                            title=f"Milestone {area.number}.{i}",
                            due_date=due,
                            status="complete" if done else "open",
                            completed_date=done,
                        )
                    )
            Milestone.objects.bulk_create(milestones)
            Milestone.history.model.objects.bulk_create(
                [
                    row
                    for m in milestones
                    for row in _history_rows(
                        Milestone,
                        m,
                        [
                            (
                                plan._history_date,
                                "+",
                                "Added",
                                {"status": "open", "completed_date": None},
                            )
                        ]
                        + (
                            [
                                (
                                    timezone.make_aware(
                                        datetime.datetime.combine(
                                            m.completed_date, datetime.time(12)
                                        )
                                    ),
                                    "~",
                                    "Completed",
                                    {},
                                )
                            ]
                            if m.completed_date
                            else []
                        ),
                        user,
                    )
                ],
                batch_size=2000,
            )

            span = (today - START).days
            rags = [RAG.BLUE, RAG.GREEN, RAG.GREEN, RAG.AMBER, RAG.AMBER, RAG.RED]
            batch, history = [], []
            for i in range(n_updates):
                as_at = START + datetime.timedelta(days=int(span * i / n_updates))
                approved = timezone.make_aware(datetime.datetime.combine(as_at, datetime.time(15)))
                update = ProgressUpdate(
                    area=areas[i % 17],
                    as_at=as_at,
                    rag=rng.choice(rags),
                    narrative=f"Progress report {i}: " + "work continues as planned. " * 8,
                    next_steps="Next steps as agreed.",
                    author=user,
                    state="approved",
                    submitted_at=approved - datetime.timedelta(hours=2),
                    approved_by=user,
                    approved_at=approved,
                )
                batch.append(update)
                if len(batch) == 2000 or i == n_updates - 1:
                    ProgressUpdate.objects.bulk_create(batch)
                    for u in batch:
                        history.extend(
                            _history_rows(
                                ProgressUpdate,
                                u,
                                [
                                    (
                                        u.approved_at - datetime.timedelta(hours=4),
                                        "+",
                                        "Saved as a draft",
                                        {
                                            "state": "draft",
                                            "approved_at": None,
                                            "approved_by_id": None,
                                            "submitted_at": None,
                                        },
                                    ),
                                    (
                                        u.approved_at - datetime.timedelta(hours=2),
                                        "~",
                                        "Submitted for sign-off",
                                        {
                                            "state": "submitted",
                                            "approved_at": None,
                                            "approved_by_id": None,
                                        },
                                    ),
                                    (u.approved_at, "~", "Approved", {}),
                                ],
                                user,
                            )
                        )
                    ProgressUpdate.history.model.objects.bulk_create(history, batch_size=5000)
                    batch, history = [], []
        return plan

    def report(self, plan: Plan, user, runs: int) -> None:
        client = Client(SERVER_NAME=(settings.ALLOWED_HOSTS or ["localhost"])[0])
        client.force_login(user)
        today = timezone.localdate().isoformat()
        past = "2019-06-30"
        pages = [
            ("dashboard", reverse("reporting:dashboard", args=[SLUG]) + f"?as_at={today}", runs)
        ]
        for kind in Kind.ALL:
            pages.append(
                (
                    f"{kind} HTML",
                    reverse("reporting:paper", args=[SLUG, kind]) + f"?as_at={today}",
                    runs,
                )
            )
            for fmt in Kind.FORMATS[kind]:
                url = (
                    reverse("reporting:paper_download", args=[SLUG, kind, fmt]) + f"?as_at={today}"
                )
                # First render (cache emptied each time), then the repeat download.
                pages.append(
                    (f"{kind} {fmt.upper()}", url, max(3, runs // 3) if fmt == "pdf" else runs)
                )
                pages.append((f"{kind} {fmt.upper()} again", url, runs))
        pages.append(
            (
                "dashboard as at 2019-06-30",
                reverse("reporting:dashboard", args=[SLUG]) + f"?as_at={past}",
                runs,
            )
        )
        pages.append(
            (
                "board-report HTML as at 2019-06-30",
                reverse("reporting:paper", args=[SLUG, Kind.BOARD]) + f"?as_at={past}",
                runs,
            )
        )
        n_updates = ProgressUpdate.objects.filter(area__plan=plan).count()
        n_history = ProgressUpdate.history.filter(area__plan=plan).count()
        vendor = connection.vendor
        self.stdout.write(
            f"\n{plan.areas.count()} areas, {n_updates:,} updates, "
            f"{n_history:,} update history rows; database: {vendor}; "
            f"{runs} runs a page (PDF fewer)\n"
        )
        self.stdout.write(f"{'page':40} {'p50 ms':>8} {'p95 ms':>8} {'queries':>8}")
        first = frozenset(
            name for name, _, _ in pages if name.split()[-1] in {"DOCX", "PDF", "XLSX", "CSV"}
        )
        for t in time_pages(client, pages, uncached=first):
            self.stdout.write(f"{t.name:40} {t.p50:8.0f} {t.p95:8.0f} {t.queries:8}")
