"""The seed plan's success measures: definitions only, from the fixture's
"measures" list (fixtures/), for the areas whose recommendation names something
countable. No figures, baselines or targets: the May 2015 paper gives none and
none may be invented for a real council.

Idempotent: each measure is found by its area and name; one that matches is
left alone, so loading twice writes nothing. The definitions were added to the
plan when loaded (not in 2015), so their history is dated when they are loaded:
a page as at a date in 2015 shows no measures, as the plan then had none.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.db import transaction

from plans.models import ImprovementArea, Owner, Plan
from plans.saving import save_with_history
from plans.seed import SEED_PLAN

from .models import Measure

REASON = "Measure definition loaded with the seed plan (no figures: its paper gives none)"
FIELDS = ("definition", "unit", "polarity", "frequency", "source")


def load_seed_measures(path: Path = SEED_PLAN) -> int:
    """Create or bring up to date the fixture's measures; how many were written."""
    data = json.loads(path.read_text(encoding="utf-8"))
    items = data.get("measures", [])
    if not items:
        return 0
    plan = Plan.objects.get(slug=data["plan"]["slug"])
    owners_by_key = {o["key"]: o for o in data.get("owners", [])}
    areas = {a.number: a for a in ImprovementArea.objects.filter(plan=plan)}
    written = 0
    with transaction.atomic():
        for order, item in enumerate(items):
            area = areas[item["area"]]
            owner = None
            if item.get("owner") in owners_by_key:
                o = owners_by_key[item["owner"]]
                owner = Owner.objects.filter(
                    job_title=o["job_title"], organisation__name=o["organisation"]
                ).first()
            values = {name: item.get(name, "") for name in FIELDS}
            values.update(owner=owner, order=order)
            measure = Measure.objects.filter(area=area, name=item["name"]).first()
            if measure is None:
                save_with_history(Measure(area=area, name=item["name"], **values), reason=REASON)
                written += 1
                continue
            changed = [n for n, v in values.items() if getattr(measure, n) != v]
            if changed:
                for name in changed:
                    setattr(measure, name, values[name])
                measure.version += 1
                save_with_history(measure, reason=f"{REASON}: {', '.join(changed)} changed")
                written += 1
    return written
