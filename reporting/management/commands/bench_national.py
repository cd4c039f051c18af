"""The benchmark at the scale of every council in England running plans at once.

Builds (PostgreSQL only) about 150 plans, 3,000 areas, 30,000 actions,
150,000 milestones and 1,000,000 progress updates, each record with its history
(an update has three rows: draft, submitted, approved), then measures one
plan's pages in-process through Django's test client and prints p50/p95,
throughput, the ratio to the framework's floor and queries per request.

The synthetic rows are written with INSERT … SELECT generate_series, history
rows explicitly beside them: data generation for measurement, never a path the
service itself uses (every write the service makes goes through save()).
"""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from measures.models import Measure, MeasureValue
from plans.models import Action, ImprovementArea, Milestone, Plan, ProgressUpdate
from plans.roles import BOARD_MEMBER
from plans.services import ensure_membership
from reporting.benchmark import time_pages
from reporting.papers import Kind

PLANS, AREAS, ACTIONS, MILESTONES = 150, 20, 10, 50  # areas per plan, per area
UPDATES = 1_000_000
# Success measures: 20 an area (60,000), each with 25 monthly figures (1,500,000).
MEASURES, FIGURES = 20, 25


def columns(model) -> list[str]:
    return [connection.ops.quote_name(f.column) for f in model._meta.concrete_fields]


def copy_to_history(model, where: str, when: str, reason: str, kind: str = "+", **override):
    """INSERT the history rows of ``model``'s rows matching ``where``."""
    live = model._meta.db_table
    hist = model.history.model._meta.db_table
    cols = columns(model)
    exprs = [override.get(c.strip('"'), f"t.{c}") for c in cols]
    return (
        f"INSERT INTO {hist} ({', '.join(cols)}, history_date, history_change_reason, "
        f"history_type, history_user_id) SELECT {', '.join(exprs)}, {when}, '{reason}', "
        f"'{kind}', %(user)s FROM {live} t WHERE {where}"
    )


class Command(BaseCommand):
    help = "Build national-scale data on PostgreSQL and time the pages against the floor."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--runs", type=int, default=20)
        parser.add_argument("--updates", type=int, default=UPDATES)
        parser.add_argument(
            "--pages",
            default="",
            help="Time only the pages whose names contain one of these (comma-separated).",
        )

    def handle(self, *args: object, runs: int, updates: int, pages: str, **options: object) -> None:
        if connection.vendor != "postgresql":
            raise CommandError("The national benchmark runs on PostgreSQL (set DATABASE_URL).")
        user, _ = get_user_model().objects.get_or_create(username="bench-national")
        if not Plan.objects.filter(slug="national-1").exists():
            started = time.perf_counter()
            self.build(user, updates)
            self.stdout.write(f"Built in {time.perf_counter() - started:.0f} s")
        if not Measure.objects.filter(area__plan__slug="national-1").exists():
            started = time.perf_counter()
            self.build_measures(user)
            self.stdout.write(f"Measures built in {time.perf_counter() - started:.0f} s")
        plan = Plan.objects.get(slug="national-1")
        ensure_membership(plan=plan, user=user, role=BOARD_MEMBER, reason="Benchmark reader")
        self.measure(plan, user, runs, pages)

    def build(self, user, n_updates: int) -> None:
        per_area = n_updates // (PLANS * AREAS)
        p = {"user": user.pk}
        start = "DATE '2015-03-11'"
        span = f"(CURRENT_DATE - {start})"
        with transaction.atomic(), connection.cursor() as c:
            c.execute(
                "INSERT INTO plans_organisation (name, short_name, kind, version) SELECT "
                "'Council ' || g, '', 'council', 1 FROM generate_series(1, %(n)s) g",
                {"n": PLANS},
            )
            c.execute(
                "INSERT INTO plans_plan (title, slug, organisation_id, inspection_name, "
                "inspection_start, inspection_end, judgement_areas, sent_to_inspectorate, "
                "board_name, board_description, overview, officers_may_update_any_area, "
                "officers_see_submitted_updates, escalate_overdue_after_days, version) "
                "SELECT 'Improvement Plan ' || o.id, "
                "'national-' || row_number() OVER (ORDER BY o.id), "
                "o.id, 'Inspection', DATE '2014-10-01', DATE '2014-11-30', '', NULL, "
                "'Improvement Board', '', 'Synthetic plan.', false, false, 0, 1 "
                "FROM plans_organisation o WHERE o.name LIKE 'Council %%'"
            )
            c.execute(
                "INSERT INTO plans_improvementarea (plan_id, number, recommendation, theme_id, "
                "lead_id, version) SELECT pl.id, g, "
                "'Recommendation ' || g || ' of plan ' || pl.id, "
                "NULL, NULL, 1 FROM plans_plan pl, generate_series(1, %(n)s) g "
                "WHERE pl.slug LIKE 'national-%%'",
                {"n": AREAS},
            )
            areas = (
                "area_id IN (SELECT a.id FROM plans_improvementarea a JOIN plans_plan pl "
                "ON pl.id = a.plan_id WHERE pl.slug LIKE 'national-%%')"
            )
            c.execute(
                "INSERT INTO plans_action (area_id, reference, title, description, owner_id, "
                "start_date, due_date, status, version) SELECT a.id, a.number || '.' || g, "
                "'Action ' || g, '', NULL, NULL, NULL, 'in_progress', 1 "
                "FROM plans_improvementarea a JOIN plans_plan pl ON pl.id = a.plan_id, "
                "generate_series(1, %(n)s) g WHERE pl.slug LIKE 'national-%%'",
                {"n": ACTIONS},
            )
            c.execute(
                "INSERT INTO plans_milestone (area_id, action_id, title, due_date, due_precision, "
                "forecast_date, status, completed_date, note, version) SELECT a.id, NULL, "
                "'Milestone ' || g, " + start + " + (g * " + span + " / %(n)s), 'day', NULL, "
                "CASE WHEN g %% 3 = 0 THEN 'open' ELSE 'complete' END, "
                "CASE WHEN g %% 3 = 0 THEN NULL ELSE "
                + start
                + " + (g * "
                + span
                + " / %(n)s) END, "
                "'', 1 FROM plans_improvementarea a JOIN plans_plan pl ON pl.id = a.plan_id, "
                "generate_series(1, %(n)s) g WHERE pl.slug LIKE 'national-%%'",
                {"n": MILESTONES},
            )
            c.execute(
                "INSERT INTO plans_progressupdate (area_id, action_id, as_at, rag, narrative, "
                "next_steps, evidence, rag_reason, author_id, source, state, submitted_at, "
                "approved_by_id, approved_at, review_comment, created_at, version, rag_assessed) "
                "SELECT a.id, NULL, " + start + " + (g * " + span + " / %(n)s), "
                "(ARRAY['blue','green','green','amber','amber','red'])[1 + (g + a.id) %% 6], "
                "'Progress report ' || g || ': work continues as planned, "
                "with the next steps agreed at the board.', "
                "'Next steps as agreed.', '', '', %(user)s, '', 'approved', "
                "("
                + start
                + " + (g * "
                + span
                + " / %(n)s))::timestamptz + interval '13 hours', %(user)s, "
                "("
                + start
                + " + (g * "
                + span
                + " / %(n)s))::timestamptz + interval '15 hours', '', now(), 1, false "
                "FROM plans_improvementarea a JOIN plans_plan pl ON pl.id = a.plan_id, "
                "generate_series(1, %(n)s) g WHERE pl.slug LIKE 'national-%%'",
                {"n": per_area, "user": user.pk},
            )
            first = "TIMESTAMPTZ '2015-03-11 09:00+00'"
            c.execute(copy_to_history(Plan, "t.slug LIKE 'national-%%'", first, "Created"), p)
            c.execute(
                copy_to_history(
                    ImprovementArea,
                    "t.plan_id IN (SELECT id FROM plans_plan WHERE slug LIKE 'national-%%')",
                    first,
                    "Created",
                ),
                p,
            )
            c.execute(copy_to_history(Action, "t." + areas, first, "Created"), p)
            c.execute(
                copy_to_history(
                    Milestone,
                    "t." + areas,
                    first,
                    "Created",
                    status="'open'",
                    completed_date="NULL",
                ),
                p,
            )
            c.execute(
                copy_to_history(
                    Milestone,
                    "t." + areas + " AND t.status = 'complete'",
                    "t.completed_date::timestamptz + interval '12 hours'",
                    "Completed",
                    "~",
                ),
                p,
            )
            draft = {
                "state": "'draft'",
                "submitted_at": "NULL",
                "approved_at": "NULL",
                "approved_by_id": "NULL",
            }
            c.execute(
                copy_to_history(
                    ProgressUpdate,
                    "t." + areas,
                    "t.approved_at - interval '4 hours'",
                    "Saved as a draft",
                    **draft,
                ),
                p,
            )
            c.execute(
                copy_to_history(
                    ProgressUpdate,
                    "t." + areas,
                    "t.approved_at - interval '2 hours'",
                    "Submitted for sign-off",
                    "~",
                    state="'submitted'",
                    approved_at="NULL",
                    approved_by_id="NULL",
                ),
                p,
            )
            c.execute(
                copy_to_history(ProgressUpdate, "t." + areas, "t.approved_at", "Approved", "~"), p
            )
            c.execute(
                "INSERT INTO plans_meeting (plan_id, kind, date, date_precision, title, cancelled, "
                "version) SELECT pl.id, 'improvement_board', d::date, 'day', 'Improvement Board', "
                "false, 1 "
                "FROM plans_plan pl, generate_series(" + start + "::timestamp, now(), "
                "interval '91 days') d WHERE pl.slug LIKE 'national-%%'"
            )
        with connection.cursor() as c:
            c.execute("ANALYZE")

    def build_measures(self, user) -> None:
        """60,000 measures and 1,500,000 monthly figures, each with its history:
        a figure's first entry, and for one figure in ten a correction (its
        earlier value stays in history, as a real correction's does)."""
        p = {"user": user.pk}
        national = (
            "FROM plans_improvementarea a JOIN plans_plan pl ON pl.id = a.plan_id "
            "WHERE pl.slug LIKE 'national-%%'"
        )
        with transaction.atomic(), connection.cursor() as c:
            c.execute(
                "INSERT INTO measures_measure (area_id, action_id, name, definition, source, "
                "unit, polarity, frequency, owner_id, baseline_value, baseline_period, "
                'target_value, target_date, tolerance, tolerance_kind, "order", version) '
                "SELECT a.id, NULL, 'Measure ' || g, 'Synthetic measure.', 'Case system', "
                "CASE WHEN g %% 4 = 0 THEN 'number' ELSE 'percentage' END, "
                "CASE WHEN g %% 3 = 0 THEN 'lower' ELSE 'higher' END, 'monthly', NULL, "
                "60, DATE '2015-04-01', 80, NULL, NULL, '', g, 1 "
                "FROM plans_improvementarea a JOIN plans_plan pl ON pl.id = a.plan_id, "
                "generate_series(1, %(n)s) g WHERE pl.slug LIKE 'national-%%'",
                {"n": MEASURES},
            )
            # Figures for the FIGURES months before this one; one in ten corrected
            # 20 days after its entry (marked by its comment).
            period = "(date_trunc('month', CURRENT_DATE) - k * interval '1 month')::date"
            c.execute(
                "INSERT INTO measures_measurevalue (measure_id, period, value, comment, "
                "entered_by_id, entered_at, version) SELECT m.id, " + period + ", "
                "40 + (m.id * 7 + k * 13) %% 55 + CASE WHEN k %% 10 = 3 THEN 5 ELSE 0 END, "
                "CASE WHEN k %% 10 = 3 THEN 'Corrected after a data cleanse.' ELSE '' END, "
                "%(user)s, LEAST(now(), " + period + " + interval '1 month 10 days' "
                "+ CASE WHEN k %% 10 = 3 THEN interval '20 days' ELSE interval '0' END), "
                "CASE WHEN k %% 10 = 3 THEN 2 ELSE 1 END "
                "FROM measures_measure m, generate_series(1, %(k)s) k "
                "WHERE m.area_id IN (SELECT a.id " + national + ")",
                {"k": FIGURES, "user": user.pk},
            )
            first = "TIMESTAMPTZ '2015-03-11 09:00+00'"
            mine = "t.area_id IN (SELECT a.id " + national + ")"
            c.execute(copy_to_history(Measure, mine, first, "Created"), p)
            figures = (
                "t.measure_id IN (SELECT m.id FROM measures_measure m WHERE m." + mine[2:] + ")"
            )
            corrected = "t.comment <> ''"
            c.execute(
                copy_to_history(
                    MeasureValue,
                    figures,
                    f"CASE WHEN {corrected} THEN t.entered_at - interval '20 days' "
                    "ELSE t.entered_at END",
                    "Figure entered",
                    value=f"CASE WHEN {corrected} THEN t.value - 5 ELSE t.value END",
                    entered_at=f"CASE WHEN {corrected} THEN t.entered_at - interval '20 days' "
                    "ELSE t.entered_at END",
                    comment="''",
                    version="1",
                ),
                p,
            )
            c.execute(
                copy_to_history(
                    MeasureValue,
                    figures + " AND " + corrected,
                    "t.entered_at",
                    "Corrected after a data cleanse",
                    "~",
                ),
                p,
            )
        with connection.cursor() as c:
            c.execute("ANALYZE")

    def measure(self, plan: Plan, user, runs: int, only: str = "") -> None:
        client = Client(SERVER_NAME=(settings.ALLOWED_HOSTS or ["localhost"])[0])
        client.force_login(user)
        slug = plan.slug
        today = timezone.localdate().isoformat()
        past = "2019-06-30"
        pages = [
            ("floor: health check (no login)", reverse("health"), runs),
            # The cheapest signed-in page: session, user and a template, no plan data.
            ("signed-in static page (accessibility)", reverse("plans:accessibility"), runs),
            ("dashboard", reverse("reporting:dashboard", args=[slug]) + f"?as_at={today}", runs),
            (
                "dashboard, measures off target",
                reverse("reporting:dashboard", args=[slug]) + f"?as_at={today}&measures=off",
                runs,
            ),
            (
                "dashboard as at 2025-06-30",
                reverse("reporting:dashboard", args=[slug]) + "?as_at=2025-06-30",
                runs,
            ),
            ("area page", reverse("plans:area", args=[slug, 1]), runs),
            (
                "scorecard CSV",
                reverse("measures:scorecard_download", args=[slug, "csv"]) + f"?as_at={today}",
                runs,
            ),
            (
                "scorecard XLSX",
                reverse("measures:scorecard_download", args=[slug, "xlsx"]) + f"?as_at={today}",
                runs,
            ),
            ("plan overview", reverse("plans:plan", args=[slug]), runs),
            (
                "plan overview, filtered and sorted",
                reverse("plans:plan", args=[slug]) + "?rag=red&rag=amber&sort=rag&dir=desc",
                runs,
            ),
            *(
                (
                    f"dashboard: {section}",
                    reverse("reporting:dashboard_section", args=[slug, section])
                    + f"?as_at={today}",
                    runs,
                )
                for section in ("areas", "milestones", "measures", "charts", "changes")
            ),
            (
                "search (a word in every milestone)",
                reverse("plans:search", args=[slug]) + "?q=milestone",
                runs,
            ),
            (
                "measure page",
                reverse(
                    "measures:measure", args=[Measure.objects.filter(area__plan=plan).first().pk]
                ),
                runs,
            ),
        ]
        for kind in Kind.ALL:
            pages.append(
                (
                    f"{kind} HTML",
                    reverse("reporting:paper", args=[slug, kind]) + f"?as_at={today}",
                    runs,
                )
            )
            for fmt in Kind.FORMATS[kind]:
                url = (
                    reverse("reporting:paper_download", args=[slug, kind, fmt]) + f"?as_at={today}"
                )
                # First render (cache emptied each time), then the repeat download.
                pages.append(
                    (f"{kind} {fmt.upper()}", url, max(3, runs // 4) if fmt == "pdf" else runs)
                )
                pages.append((f"{kind} {fmt.upper()} again", url, runs))
        pages.append(
            (
                f"board-report HTML as at {past}",
                reverse("reporting:paper", args=[slug, Kind.BOARD]) + f"?as_at={past}",
                runs,
            )
        )
        if only:
            wanted = [w.strip() for w in only.split(",")]
            pages = pages[:1] + [p for p in pages[1:] if any(w in p[0] for w in wanted)]
        counts = {
            m.__name__: m.objects.count()
            for m in (Plan, ImprovementArea, Action, Milestone, ProgressUpdate)
        }
        history = ProgressUpdate.history.count()
        figures = MeasureValue.objects.count()
        self.stdout.write(
            "\n"
            + ", ".join(f"{n:,} {name}" for name, n in counts.items())
            + f", {history:,} update history rows; {Measure.objects.count():,} measures, "
            f"{figures:,} figures, {MeasureValue.history.count():,} figure history rows; "
            f"PostgreSQL; measuring plan {slug} "
            f"({ProgressUpdate.objects.filter(area__plan=plan).count():,} updates, "
            f"{Measure.objects.filter(area__plan=plan).count():,} measures); "
            f"{runs} runs a page\n"
        )
        self.stdout.write(
            f"{'page':42} {'p50 ms':>8} {'p95 ms':>8} {'req/s':>7} {'x floor':>8} {'queries':>8}"
        )
        first = frozenset(
            name for name, _, _ in pages if name.split()[-1] in {"DOCX", "PDF", "XLSX", "CSV"}
        )
        timings = time_pages(client, pages, uncached=first)
        floor = timings[0].p50
        for t in timings:
            self.stdout.write(
                f"{t.name:42} {t.p50:8.1f} {t.p95:8.1f} {t.per_second:7.1f} "
                f"{t.p50 / floor:8.1f} {t.queries:8}"
            )
