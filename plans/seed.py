"""Loads a plan from a structured fixture (see fixtures/), idempotently.

Each record is found by its natural key (an organisation's name, an area's
number within the plan, an action's reference within its area…). A record that
is missing is created; one whose fields differ is changed; one that matches is
left alone, so loading the same fixture twice writes nothing, not even history.

History rows are dated as the fixture says (when the plan could first have held
each record), so that a page or paper "as at" a date in 2015 reads as the
plan did then, not as of the day the fixture was loaded.
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from .models import (
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
from .saving import recorded, save_with_history

SEED_PLAN = (
    Path(__file__).resolve().parent.parent / "fixtures" / "plymouth_childrens_services_2015.json"
)
REASON = "Loaded from the seed plan"


@dataclass
class LoadResult:
    created: dict[str, int] = field(default_factory=dict)
    changed: dict[str, int] = field(default_factory=dict)

    def count(self, kind: str, model: type[models.Model]) -> None:
        bucket = self.created if kind == "created" else self.changed
        name = model._meta.verbose_name_plural
        bucket[name] = bucket.get(name, 0) + 1

    @property
    def wrote_anything(self) -> bool:
        return bool(self.created or self.changed)


def _date(value: str | None) -> datetime.date | None:
    return datetime.date.fromisoformat(value) if value else None


def _moment(day: datetime.date) -> datetime.datetime:
    """Noon on ``day`` in the service's time zone: safely inside that day."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))


class _Loader:
    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data
        self.recorded = _moment(_date(data["recorded_on"]))
        self.result = LoadResult()

    def upsert(
        self,
        model: type[models.Model],
        key: dict[str, Any],
        values: dict[str, Any],
        when: datetime.datetime | None = None,
    ) -> models.Model:
        obj = model.objects.filter(**key).first()
        if obj is None:
            obj = model(**key, **values)
            save_with_history(obj, reason=REASON, when=when or self.recorded)
            self.result.count("created", model)
            return obj
        changed = [name for name, value in values.items() if getattr(obj, name) != value]
        if changed:
            for name in changed:
                setattr(obj, name, values[name])
            save_with_history(obj, reason=f"{REASON}: {', '.join(changed)} changed")
            self.result.count("changed", model)
        return obj

    def load(self) -> LoadResult:
        d = self.data
        # The plan's council first; every other organisation is in its directory.
        by_name = {o["name"]: o for o in d["organisations"]}
        council_data = by_name[d["plan"]["organisation"]]
        council = self.upsert(
            Organisation,
            {"name": council_data["name"], "council": None},
            {"short_name": council_data["short_name"], "kind": council_data["kind"]},
        )
        orgs = {council.name: council}
        for o in d["organisations"]:
            if o["name"] != council.name:
                orgs[o["name"]] = self.upsert(
                    Organisation,
                    {"name": o["name"], "council": council},
                    {"short_name": o["short_name"], "kind": o["kind"]},
                )
        owners = {
            o["key"]: self.upsert(
                Owner, {"job_title": o["job_title"], "organisation": orgs[o["organisation"]]}, {}
            )
            for o in d["owners"]
        }
        p = d["plan"]
        plan = self.upsert(
            Plan,
            {"slug": p["slug"]},
            {
                "title": p["title"],
                "organisation": orgs[p["organisation"]],
                "inspection_name": p["inspection_name"],
                "inspection_start": _date(p["inspection_start"]),
                "inspection_end": _date(p["inspection_end"]),
                "judgement_areas": p["judgement_areas"],
                "sent_to_inspectorate": _date(p["sent_to_inspectorate"]),
                "board_name": p["board_name"],
                "board_description": p["board_description"],
                "overview": p["overview"],
            },
        )
        themes = {
            t["slug"]: self.upsert(
                Theme, {"plan": plan, "slug": t["slug"]}, {"name": t["name"], "order": t["order"]}
            )
            for t in d["themes"]
        }
        for m in d["meetings"]:
            self.upsert(
                Meeting,
                {"plan": plan, "kind": m["kind"], "date": _date(m["date"])},
                {"title": m["title"], "date_precision": m["date_precision"]},
            )
        for a in d["areas"]:
            area = self.upsert(
                ImprovementArea,
                {"plan": plan, "number": a["number"]},
                {
                    "recommendation": a["recommendation"],
                    "theme": themes[a["theme"]],
                    "lead": owners[a["lead"]],
                },
            )
            actions = {
                x["reference"]: self.load_action(area, x, owners, orgs) for x in a["actions"]
            }
            for m in a["milestones"]:
                self.load_milestone(area, m, actions)
            self.load_overview(area, a["overview"])
        return self.result

    def load_action(
        self,
        area: ImprovementArea,
        x: dict[str, Any],
        owners: dict[str, Owner],
        orgs: dict[str, Organisation],
    ) -> Action:
        action = self.upsert(
            Action,
            {"area": area, "reference": x["reference"]},
            {
                "title": x["title"],
                "description": x.get("description", ""),
                "owner": owners[x["owner"]],
                "status": x["status"],
                "due_date": _date(x.get("due_date")),
            },
        )
        partners = {orgs[name] for name in x.get("partners", [])}
        if set(action.partners.all()) != partners:
            # The partners' history row is written by the m2m signal; date it too.
            with recorded(action, reason=f"{REASON}: partners", when=self.recorded):
                action.partners.set(partners)
            self.result.count("changed", Action)
        return action

    def load_milestone(
        self, area: ImprovementArea, m: dict[str, Any], actions: dict[str, Action]
    ) -> None:
        completed = _date(m.get("completed_date"))
        milestone = self.upsert(
            Milestone,
            {"area": area, "title": m["title"]},
            {
                "action": actions.get(m.get("action")),
                "due_date": _date(m["due_date"]),
                "due_precision": m["due_precision"],
                "note": m.get("note", ""),
            },
        )
        if completed and milestone.completed_date != completed:
            # Recorded as completed on the day it was, not when the plan was set up.
            milestone.status = Milestone.Status.COMPLETE
            milestone.completed_date = completed
            save_with_history(milestone, reason="Completed", when=_moment(completed))
            self.result.count("changed", Milestone)

    def load_overview(self, area: ImprovementArea, o: dict[str, Any]) -> None:
        as_at = _date(self.data["overview_as_at"])
        approved = _moment(as_at)
        self.upsert(
            ProgressUpdate,
            {"area": area, "source": self.data["overview_source"], "as_at": as_at},
            {
                "rag": o["rag"],
                # The paper gives no statuses: the fixture's are assessed from it.
                "rag_assessed": o.get("rag_assessed", True),
                "narrative": o["narrative"],
                "state": ProgressUpdate.State.APPROVED,
                "submitted_at": approved,
                "approved_at": approved,
            },
            when=approved,
        )


def load_plan(path: Path = SEED_PLAN) -> LoadResult:
    """Create or bring up to date the plan in ``path``; returns what changed."""
    data = json.loads(path.read_text(encoding="utf-8"))
    with transaction.atomic():
        return _Loader(data).load()
