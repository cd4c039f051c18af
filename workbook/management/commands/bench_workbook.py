"""Time the workbook round trip on a large plan (BENCHMARKS.md).

    DEBUG=true manage.py bench_workbook --areas 3000

Builds a throwaway plan of ``--areas`` areas (each with 2 actions and 2
milestones) by importing a workbook into an empty plan, then exports it,
re-imports it unchanged (preview only: nothing to write), edits every
milestone's forecast date and every action's status in the file and imports
that. Prints the seconds for each step; the plan is deleted afterwards unless
``--keep``. Refuses to run with DEBUG off (it writes to the database).
"""

from __future__ import annotations

import datetime
import io
import time

import openpyxl
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from plans.models import Organisation, Plan
from workbook import engine
from workbook.export import plan_workbook
from workbook.reading import read_upload


class Command(BaseCommand):
    help = "Time export, preview and import of a large plan's workbook."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--areas", type=int, default=3000)
        parser.add_argument("--keep", action="store_true")

    def handle(self, *args, **options) -> None:
        if not settings.DEBUG:
            raise CommandError("bench_workbook writes a throwaway plan: run it with DEBUG=true")
        settings.WORKBOOK_MAX_UPLOAD_BYTES = 100 * 2**20
        n = options["areas"]
        User = get_user_model()
        user, _ = User.objects.get_or_create(username="bench-workbook")
        council, _ = Organisation.objects.get_or_create(name="Bench Council", council=None)
        slug = f"bench-workbook-{n}"
        Plan.objects.filter(slug=slug).delete()
        plan = Plan.objects.create(
            title=f"Bench plan of {n} areas",
            slug=slug,
            organisation=council,
            inspection_name="Bench",
            inspection_start=datetime.date(2025, 1, 1),
            inspection_end=datetime.date(2025, 1, 31),
        )
        try:
            self.run(plan, user, n)
        finally:
            if not options["keep"]:
                with transaction.atomic():
                    plan.delete()

    def timed(self, label: str, fn):
        start = time.perf_counter()
        result = fn()
        self.stdout.write(f"{label}: {time.perf_counter() - start:.2f} s")
        return result

    def step(self, plan, user, data: bytes, label: str, remove: bool = False):
        name = f"{label}.xlsx"
        book = self.timed(
            f"  read {label} ({len(data) // 1024} KB)", lambda: read_upload(name, data)
        )
        preview = self.timed(
            f"  preview {label}", lambda: engine.check(engine.Context(plan, user, name), book)
        )
        counts = {s["name"]: s["counts"] for s in preview.by_sheet()}
        self.stdout.write(f"  rows: {counts}")
        if preview.has_errors:
            raise CommandError(f"errors: {preview.file_errors} {preview.errors[:3]}")
        if preview.writes:
            self.timed(
                f"  import {label} ({len(preview.writes)} records)",
                lambda: engine.confirm(
                    plan=plan,
                    user=user,
                    file_name=name,
                    book=book,
                    fingerprint=preview.fingerprint,
                    remove=remove,
                ),
            )

    def run(self, plan, user, n: int) -> None:
        self.stdout.write(f"A plan of {n} areas, {2 * n} actions, {2 * n} milestones")
        _, empty = plan_workbook(plan)
        book = openpyxl.load_workbook(io.BytesIO(empty))
        for number in range(1, n + 1):
            book["Areas"].append([number, f"Recommendation {number}: ensure that the work is good"])
            for j in (1, 2):
                book["Actions"].append(
                    [
                        number,
                        f"{number}.{j}",
                        f"Action {number}.{j}",
                        "",
                        "",
                        "",
                        datetime.datetime(2025, 4, 1),
                        datetime.datetime(2025, 9, 30),
                        "Not started",
                    ]
                )
                book["Milestones"].append(
                    [
                        "",
                        number,
                        f"{number}.{j}",
                        f"Milestone {number}.{j}",
                        datetime.datetime(2025, 6, 30),
                        "Day",
                        None,
                        "Open",
                        None,
                        "",
                    ]
                )
        out = io.BytesIO()
        book.save(out)
        self.stdout.write("1. Build the plan by importing a workbook into an empty plan")
        self.step(plan, user, out.getvalue(), "build")
        self.stdout.write("2. Export")
        _, data = self.timed("  export", lambda: plan_workbook(plan))
        self.stdout.write("3. Import the export unchanged")
        self.step(plan, user, data, "unchanged")
        self.stdout.write("4. Edit every milestone's forecast and every action's status; import")
        book = openpyxl.load_workbook(io.BytesIO(data))
        for row in book["Milestones"].iter_rows(min_row=5):
            row[6].value = datetime.datetime(2025, 12, 31)
        for row in book["Actions"].iter_rows(min_row=5):
            row[8].value = "In progress"
        out = io.BytesIO()
        book.save(out)
        self.step(plan, user, out.getvalue(), "edited")
