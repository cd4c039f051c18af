"""What other apps' pages show of measures: the area page's measures, the
officer's figures due on My work, and the dashboard's scorecard. Each is a
fixed number of queries."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Q

from plans import permissions as perms
from plans.models import ImprovementArea, Plan

from . import periods
from . import rag as mrag
from .models import Measure, MeasureSettings, MeasureValue
from .readings import cards_now, due_date, expected_period
from .scorecard import at as scorecard_at


def area_context(area: ImprovementArea, user, today: datetime.date) -> dict:
    """The area page's measures, as they are today. Three queries."""
    cards = cards_now(area, today)
    for card in cards:
        card.can_enter = perms.can_enter_figures(user, card.record)
    return {
        "measure_cards": cards,
        "can_define_measures": perms.can_define_measures(user, area),
        "measures_derived_note": mrag.DERIVED_NOTE,
    }


def my_work_figures(user, today: datetime.date, areas: list[ImprovementArea]) -> dict:
    """My work's figures due (plans/page_parts.py)."""
    return {"figures_due": figures_due(user, today)}


@dataclass
class FigureDue:
    measure: Measure
    period: datetime.date
    period_label: str
    due_by: datetime.date
    overdue: bool


def figures_due(user, today: datetime.date) -> list[FigureDue]:
    """The figures the user owes: for each measure they own (as an officer), the
    periods that have ended with no figure yet, the latest due and the next.
    Three queries: measures, their plans' settings, the figures recorded."""
    if not user.is_authenticated:
        return []
    visible = perms.visible_plans(user)
    measures = list(
        Measure.objects.filter(owner__user=user, area__plan__in=visible)
        .select_related("area__plan")
        .order_by("area__plan__title", "area__number", "order", "name")
    )
    if not measures:
        return []
    settings = {
        s.plan_id: s
        for s in MeasureSettings.objects.filter(plan_id__in={m.area.plan_id for m in measures})
    }
    wanted: list[tuple[Measure, datetime.date, datetime.date]] = []
    for m in measures:
        days = settings.get(m.area.plan_id, MeasureSettings()).figures_due_days
        candidates = {
            periods.last_ended(today, m.frequency),
            expected_period(today, m.frequency, days),
        }
        for period in sorted(candidates):
            wanted.append((m, period, due_date(period, m.frequency, days)))
    keys = Q()
    for m, period, _ in wanted:
        keys |= Q(measure_id=m.pk, period=period)
    have = set(MeasureValue.objects.filter(keys).values_list("measure_id", "period"))
    return [
        FigureDue(
            measure=m,
            period=period,
            period_label=periods.label(period, m.frequency),
            due_by=due,
            overdue=due < today,
        )
        for m, period, due in wanted
        if (m.pk, period) not in have
    ]


def dashboard_scorecard(plan: Plan, as_at: datetime.date, request) -> object:
    """The dashboard's scorecard section (``?measures=off``: off target only)."""
    return scorecard_at(plan, as_at, off_only=request.GET.get("measures") == "off")
