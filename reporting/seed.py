"""The seed plan's own paper: the May 2015 scrutiny summary, recorded as issued
to its meeting from the fixture (fixtures/, "papers"). Idempotent: a paper
already recorded is left alone, so loading twice writes nothing."""

from __future__ import annotations

import datetime
import json
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from plans.models import Meeting, Plan
from plans.saving import save_with_history
from plans.seed import REASON, SEED_PLAN

from .models import IssuedPaper, PreparedPaper
from .services import issue_paper


def _noon(day: str) -> datetime.datetime:
    return timezone.make_aware(
        datetime.datetime.combine(datetime.date.fromisoformat(day), datetime.time(12))
    )


def record_seed_papers(path: Path = SEED_PLAN) -> int:
    """Record the fixture's papers as issued to their meetings; returns how many
    were recorded now (0 when they already were)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    plan = Plan.objects.get(slug=data["plan"]["slug"])
    recorded = 0
    for p in data.get("papers", []):
        meeting = Meeting.objects.get(
            plan=plan,
            kind=p["meeting"]["kind"],
            date=datetime.date.fromisoformat(p["meeting"]["date"]),
        )
        if IssuedPaper.objects.filter(meeting=meeting, kind=p["kind"], source=p["source"]).exists():
            continue
        issued_at = _noon(p["issued"])
        with transaction.atomic():
            prepared = PreparedPaper.objects.filter(meeting=meeting, kind=p["kind"]).first()
            if prepared is None:
                # Only what the paper itself carries: no author, recommendations
                # or background papers, which it does not give.
                prepared = PreparedPaper(
                    meeting=meeting,
                    kind=p["kind"],
                    as_at=datetime.date.fromisoformat(p["as_at"]),
                    title=p["title"],
                    committee=p["committee"],
                    briefing=p["briefing"],
                )
                save_with_history(prepared, reason=REASON, when=issued_at)
            issue_paper(
                prepared,
                user=None,
                issued_at=issued_at,
                precision=p.get("issued_precision", "day"),
                source=p["source"],
            )
        recorded += 1
    return recorded
