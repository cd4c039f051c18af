"""Where each of a plan's measures stands at the end of a day: its latest
figure and that figure's RAG by tolerance, exactly as its scorecard card says
(measures/readings.py), without the rest of the card.

For pages that count and compare measures' RAGs but show no card: the
dashboard's first screen and the changes since the last board. Each measure's
latest figure is picked inside the database by an index walk, so the read is
three queries whatever the number of figures: settings, the measures with
their latest figures, and (only when a measure's frequency has changed since a
figure was entered) those measures' cards.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery, Value
from django.utils import timezone

from plans import snapshot as snap
from plans.models import Plan, history_rows

from . import periods
from . import rag as mrag
from .models import Measure, MeasureSettings, MeasureValue
from .readings import SCORECARD_MONTHS, _tolerance, _window_start, cards_at, settings_at
from .units import format_value

# A scorecard card reads figures this far back, and no further: an older
# latest figure is no figure (readings.SCORECARD_MONTHS, and a year before it).
REACH_MONTHS = SCORECARD_MONTHS + 12

FIELDS = [
    "area_id",
    "name",
    "order",
    "unit",
    "polarity",
    "frequency",
    "target_value",
    "tolerance",
    "tolerance_kind",
]


@dataclass
class Standing:
    id: int
    area_id: int
    area_number: int
    name: str
    rag: str | None  # None: no target, context only, or no figure
    latest_label: str  # the latest figure as it reads, or "No figure yet"

    @property
    def off_target(self) -> bool:
        return self.rag == mrag.OFF


def _latest_figure(before: datetime.datetime | None, since: datetime.date, until: datetime.date):
    """Each measure's latest figure from ``since`` to ``until``, as a subquery
    on the measure's id: from the live table (``before`` None) or, as it stood
    before ``before``, from history (a figure's row counts if it is its
    record's latest then and not a deletion)."""
    if before is None:
        return MeasureValue.objects.filter(
            measure_id=OuterRef("id"), period__gte=since, period__lte=until
        ).order_by("-period")
    rows = history_rows(MeasureValue).model.objects
    later = rows.filter(id=OuterRef("id"), history_date__lt=before).filter(
        Q(history_date__gt=OuterRef("history_date"))
        | Q(history_date=OuterRef("history_date"), history_id__gt=OuterRef("history_id"))
    )
    return (
        rows.filter(
            measure_id=OuterRef("id"),
            history_date__lt=before,
            period__gte=since,
            period__lte=until,
        )
        .exclude(history_type="-")
        .filter(~Exists(later))
        .order_by("-period", "-history_date", "-history_id")
    )


def _with_latest(measures: QuerySet, figure: QuerySet) -> QuerySet:
    return measures.annotate(
        latest_period=Subquery(figure.values("period")[:1]),
        latest_value=Subquery(figure.values("value")[:1]),
    ).values_list("history_type", "id", *FIELDS, "latest_period", "latest_value")


class _Row:
    __slots__ = ("id", *FIELDS, "latest_period", "latest_value")

    def __init__(self, *values: object) -> None:
        for name, value in zip(self.__slots__, values, strict=True):
            setattr(self, name, value)


def standings(plan: Plan, areas: dict[int, int], as_at: datetime.date) -> list[Standing]:
    """Every measure of ``areas`` (area id → number) at the end of ``as_at``,
    in the scorecard's order (area, then the measure's order and name)."""
    since = _window_start(as_at, REACH_MONTHS)
    if as_at >= timezone.localdate():
        # Today: the live tables, which say the same about today.
        before = None
        settings = MeasureSettings.defaults(plan)
        measures = (
            Measure.objects.filter(area_id__in=list(areas))
            .order_by()
            .annotate(history_type=Value("+"))
        )
    else:
        before = snap.end_of_day(as_at)
        settings = settings_at(plan, before)
        measures = snap.latest_per_record(
            history_rows(Measure).model.objects.filter(
                history_date__lt=before, area_id__in=list(areas)
            )
        )
    rows = [
        _Row(*row[1:])
        for row in _with_latest(measures, _latest_figure(before, since, as_at))
        if row[0] != "-"  # deleted by then
    ]
    rows.sort(key=lambda r: (areas.get(r.area_id, 0), r.order, r.name, r.id))
    result = []
    odd = set()
    for r in rows:
        latest = r.latest_period
        # A figure entered under another frequency than the measure has now
        # (not the start of one of its periods) is not read by its card the
        # same way: the card itself says.
        if latest is not None and latest > periods.start_of(as_at, r.frequency):
            odd.add(r.id)
        tolerance, kind, _ = _tolerance(r, settings)
        value = r.latest_value if latest is not None else None
        result.append(
            Standing(
                id=r.id,
                area_id=r.area_id,
                area_number=areas.get(r.area_id, 0),
                name=r.name,
                rag=mrag.tolerance_rag(value, r.target_value, r.polarity, tolerance, kind),
                latest_label=format_value(value, r.unit) if latest is not None else "No figure yet",
            )
        )
    if odd:
        their_areas = {s.area_id: s.area_number for s in result if s.id in odd}
        cards = {c.id: c for c in cards_at(plan, their_areas, as_at, charts=False)}
        for s in result:
            if s.id in odd:
                s.rag, s.latest_label = cards[s.id].rag, cards[s.id].latest_label
    return result
