"""PostgreSQL: the search's GIN indexes (plans/migrations/0009_search_indexes.py,
measures/migrations/0004_search_index.py) exist, and the planner uses each of
them for the search's own query, as the results page makes it. So the index
expressions are the very ones the search's SearchVector compiles to: were
either to change alone, these tests would fail.

On SQLite the search runs without them, and the migrations make none."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.utils import timezone

from measures.models import Measure
from plans.models import Action, ImprovementArea, Milestone, Organisation, Plan, ProgressUpdate
from plans.search.query import matching
from plans.search.registry import kinds
from tests.support.shared import module_data

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif("connection.vendor != 'postgresql'", reason="PostgreSQL's GIN indexes"),
]

INDEXES = {
    "areas": "area_search",
    "actions": "action_search",
    "milestones": "milestone_search",
    "updates": "update_search",
    "measures": "measure_search",
}
WORDS = "supervision audit caseload visit family court placement review team training".split()


def text(i: int, n: int) -> str:
    return " ".join(WORDS[(i * 7 + k * 3) % len(WORDS)] for k in range(n)) + "."


@module_data
def big_plans() -> list[Plan]:
    """Two plans of 300 areas each, full of records, none about kingfishers:
    big enough that reading a plan's records one by one costs more than
    asking the index."""
    council = Organisation.objects.create(name="A council with big plans")
    plans = Plan.objects.bulk_create(
        Plan(
            title=f"Plan {p}",
            slug=f"big-{p}",
            organisation=council,
            inspection_name="Inspection",
            inspection_start=datetime.date(2014, 10, 1),
            inspection_end=datetime.date(2014, 11, 30),
        )
        for p in range(2)
    )
    areas = ImprovementArea.objects.bulk_create(
        ImprovementArea(plan=plan, number=n + 1, recommendation=text(n, 25))
        for plan in plans
        for n in range(300)
    )
    actions = Action.objects.bulk_create(
        Action(area=area, reference=f"{area.number}.1", title=text(i, 6), description=text(i, 30))
        for i, area in enumerate(areas)
    )
    Milestone.objects.bulk_create(
        Milestone(
            area_id=action.area_id,
            action=action,
            title=text(k, 6),
            note=text(k, 15),
            due_date=datetime.date(2015, 6, 30),
        )
        for action in actions
        for k in range(2)
    )
    now = timezone.now()
    ProgressUpdate.objects.bulk_create(
        ProgressUpdate(
            area=area,
            as_at=datetime.date(2015, 1, 1) + datetime.timedelta(days=k),
            rag="green",
            narrative=text(k, 60),
            next_steps=text(k, 15),
            state="approved" if k % 2 else "draft",
            approved_at=now if k % 2 else None,
        )
        for area in areas
        for k in range(4)
    )
    Measure.objects.bulk_create(
        Measure(area=area, name=f"Measure {i} {text(i, 3)}", definition=text(i, 20))
        for i, area in enumerate(areas)
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
        # What autovacuum does on a server: rows added since an index was made
        # wait in its pending list, which the planner counts as slow to read.
        for name in INDEXES.values():
            cursor.execute("SELECT gin_clean_pending_list(%s::regclass)", [name])
    return plans


def test_the_migrations_made_the_indexes():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE indexname = ANY(%s)",
            [list(INDEXES.values())],
        )
        made = dict(cursor.fetchall())
    assert set(made) == set(INDEXES.values())
    assert all("USING gin (to_tsvector('english'::regconfig" in d for d in made.values())
    assert "WHERE ((state)::text = 'approved'::text)" in made["update_search"]


def test_every_kinds_search_is_served_by_its_index(big_plans):
    plan = big_plans[1]
    assert {kind.key for kind in kinds()} == set(INDEXES)
    for kind in kinds():
        # A rare word: the index finds it at once, where reading the plan's
        # records would mean making each one's text into a vector.
        plan_text = matching(kind, plan, "kingfisher", ["kingfisher"])[:10].explain()
        assert f"Bitmap Index Scan on {INDEXES[kind.key]}" in plan_text, plan_text


def test_the_index_serves_a_search_of_several_words_and_operators(big_plans):
    plan = big_plans[0]
    (updates,) = [kind for kind in kinds() if kind.key == "updates"]
    for q in ('"kingfisher nest" -supervision', "kingfisher or heron", "kingfishers'"):
        plan_text = matching(updates, plan, q, q.split())[:10].explain()
        assert "Bitmap Index Scan on update_search" in plan_text, (q, plan_text)
