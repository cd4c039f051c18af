"""Measures and their figures as they stood at the end of a day, made into the
cards every page and paper shows (latest figure, target, RAG by tolerance,
direction of travel, the chart's points).

As at a date, everything is read from recorded history (plans.snapshot's
``latest_rows``): a figure entered after the day, or a correction made after
it, is not there; a measure's target is the one it had then. Today's pages
read the live tables, which say the same thing about today. Either way a fixed
number of queries, whatever the number of measures or figures.
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import NamedTuple

from django.utils import timezone

from plans import snapshot as snap
from plans.models import Owner, Plan, format_plan_date, history_rows

from . import periods
from . import rag as mrag
from .charts import line_chart
from .models import (
    Frequency,
    Measure,
    MeasureSettings,
    MeasureValue,
    Polarity,
    Unit,
)
from .units import format_value, tolerance_label

# How many periods a chart (and its table) shows.
CHART_PERIODS = {Frequency.MONTHLY: 18, Frequency.QUARTERLY: 12}
# Figures older than this are never read for a card: the longest chart's reach.
WINDOW_MONTHS = 36
# The scorecard (no charts) reads a year and a half: a latest figure older than
# that is long missing, and still said to be.
SCORECARD_MONTHS = 18
# … and, having no charts, one point: the latest period's.
SCORECARD_POINTS = 1
# … in two steps: the last 15 months, which have all a measure's scorecard
# needs (down to the same period a year before its latest figure) unless its
# figures are late; then the rest of the 18 months for just the measures whose
# figures are (one more query, only when some are).
SCORECARD_NEAR_MONTHS = 15


@functools.lru_cache(maxsize=8192)
@dataclass
class Point:
    """One period of a measure: its figure (or none), and that figure's RAG."""

    period: datetime.date
    label: str
    short_label: str
    value: Decimal | None
    value_label: str
    comment: str = ""
    rag: str | None = None

    @property
    def rag_label(self) -> str:
        return mrag.LABELS.get(self.rag or "", "")


@dataclass
class MeasureCard:
    """A measure as a page or paper shows it, as at a date."""

    id: int
    area_id: int
    area_number: int
    name: str
    definition: str
    source: str
    unit: str
    polarity: str
    frequency: str
    owner: str
    owner_id: int | None
    target: Decimal | None
    target_label: str
    target_by: str
    baseline_label: str
    tolerance: Decimal
    tolerance_kind: str
    tolerance_label: str
    points: list[Point] = field(default_factory=list)
    latest: Point | None = None
    previous: Point | None = None
    rag: str | None = None
    direction: str = ""
    # The same period a year before the latest figure's, and the direction
    # against it ("" when there is no figure for it).
    year_ago: Point | None = None
    year_ago_label: str = ""
    year_on_year: str = ""
    expected_period: datetime.date | None = None
    expected_label: str = ""
    due_by: datetime.date | None = None
    missing: bool = False  # the figure for ``expected_period`` is not in
    owner_user_id: int | None = None
    record: object = None  # the Measure itself, on today's pages (for permission checks)
    can_enter: bool = False  # set by the page for its viewer

    @property
    def unit_label(self) -> str:
        return Unit(self.unit).label

    @property
    def polarity_label(self) -> str:
        return Polarity(self.polarity).label

    @property
    def frequency_label(self) -> str:
        return Frequency(self.frequency).label

    @property
    def rag_label(self) -> str:
        if self.rag:
            return mrag.LABELS[self.rag]
        if self.polarity == Polarity.CONTEXT:
            return mrag.NO_RAG_LABEL["context"]
        if self.target is None:
            return mrag.NO_RAG_LABEL["no_target"]
        return mrag.NO_RAG_LABEL["no_figure"]

    @property
    def latest_label(self) -> str:
        return self.latest.value_label if self.latest else "No figure yet"

    @property
    def worsening(self) -> bool:
        return self.direction == mrag.WORSENING

    @property
    def off_target(self) -> bool:
        return self.rag == mrag.OFF

    @property
    def comments(self) -> list[Point]:
        return [p for p in self.points if p.comment]

    @property
    def chart(self):
        return line_chart(self)


def _tolerance(measure, settings: MeasureSettings) -> tuple[Decimal, str, bool]:
    if measure.tolerance is not None and measure.tolerance_kind:
        return measure.tolerance, measure.tolerance_kind, False
    return settings.default_tolerance, settings.default_tolerance_kind, True


def make_card(
    measure,
    values: dict[datetime.date, object],
    *,
    as_at: datetime.date,
    settings: MeasureSettings,
    area_number: int,
    owner: str,
    chart_periods: int | None = None,
) -> MeasureCard:
    """A measure (record or history row) and its figures by period: the card."""
    tolerance, kind, inherited = _tolerance(measure, settings)
    freq = measure.frequency
    target = measure.target_value
    baseline = ""
    if measure.baseline_value is not None:
        baseline = format_value(measure.baseline_value, measure.unit)
        if measure.baseline_period:
            baseline += f" ({periods.label(measure.baseline_period, freq)})"
    card = MeasureCard(
        id=measure.id,
        area_id=measure.area_id,
        area_number=area_number,
        name=measure.name,
        definition=measure.definition,
        source=measure.source,
        unit=measure.unit,
        polarity=measure.polarity,
        frequency=freq,
        owner=owner,
        owner_id=measure.owner_id,
        target=target,
        target_label=format_value(target, measure.unit) if target is not None else "None set",
        target_by=format_plan_date(measure.target_date) if measure.target_date else "",
        baseline_label=baseline or "None recorded",
        tolerance=tolerance,
        tolerance_kind=kind,
        tolerance_label=tolerance_label(tolerance, kind, measure.unit, inherited),
    )
    current = periods.start_of(as_at, freq)
    last = current if current in values else periods.last_ended(as_at, freq)
    for period in periods.series(last, freq, chart_periods or CHART_PERIODS[freq]):
        row = values.get(period)
        value = row.value if row is not None else None
        card.points.append(
            Point(
                period=period,
                label=periods.label(period, freq),
                short_label=periods.short_label(period, freq),
                value=value,
                value_label=format_value(value, measure.unit),
                comment=row.comment if row is not None else "",
                rag=mrag.tolerance_rag(value, target, measure.polarity, tolerance, kind),
            )
        )
    latest = max((p for p in values if p <= current), default=None)
    if latest is not None:
        card.latest = next((p for p in card.points if p.period == latest), None) or Point(
            period=latest,
            label=periods.label(latest, freq),
            short_label=periods.short_label(latest, freq),
            value=values[latest].value,
            value_label=format_value(values[latest].value, measure.unit),
            comment=values[latest].comment,
            rag=mrag.tolerance_rag(values[latest].value, target, measure.polarity, tolerance, kind),
        )
        before = periods.shift(latest, freq, -1)
        if before in values:
            card.previous = Point(
                period=before,
                label=periods.label(before, freq),
                short_label=periods.short_label(before, freq),
                value=values[before].value,
                value_label=format_value(values[before].value, measure.unit),
            )
        card.rag = card.latest.rag
        card.direction = mrag.direction(
            card.latest.value, card.previous.value if card.previous else None, measure.polarity
        )
        # Against the same period a year before: seasonal measures (referrals
        # fall every August) are judged on it as much as on the last period.
        year_ago = periods.shift(latest, freq, -periods.per_year(freq))
        card.year_ago_label = periods.label(year_ago, freq)
        if year_ago in values:
            card.year_ago = Point(
                period=year_ago,
                label=card.year_ago_label,
                short_label=periods.short_label(year_ago, freq),
                value=values[year_ago].value,
                value_label=format_value(values[year_ago].value, measure.unit),
            )
            card.year_on_year = mrag.direction(
                card.latest.value, card.year_ago.value, measure.polarity
            )
    expected = expected_period(as_at, freq, settings.figures_due_days)
    card.expected_period = expected
    card.expected_label = periods.label(expected, freq)
    card.due_by = due_date(expected, freq, settings.figures_due_days)
    card.missing = expected not in values
    return card


@functools.lru_cache(maxsize=1024)
def due_date(period: datetime.date, frequency: str, due_days: int) -> datetime.date:
    """The day a period's figure is due."""
    return periods.end_of(period, frequency) + datetime.timedelta(days=due_days)


@functools.lru_cache(maxsize=1024)
def expected_period(as_at: datetime.date, frequency: str, due_days: int) -> datetime.date:
    """The latest period whose figure was due by the end of ``as_at``."""
    period = periods.last_ended(as_at, frequency)
    while due_date(period, frequency, due_days) > as_at:
        period = periods.shift(period, frequency, -1)
    return period


def _by_measure(rows: Iterable) -> dict[int, dict[datetime.date, object]]:
    result: dict[int, dict[datetime.date, object]] = {}
    for row in rows:
        result.setdefault(row.measure_id, {})[row.period] = row
    return result


def _window_start(as_at: datetime.date, months: int = 0) -> datetime.date:
    return periods.shift(as_at.replace(day=1), Frequency.MONTHLY, -(months or WINDOW_MONTHS))


def _order(measure) -> tuple:
    return (measure.order, measure.name, measure.id)


def cards_now(area, today: datetime.date) -> list[MeasureCard]:
    """An area's measures as they are now (the area page). Three queries:
    settings, measures with owners, figures."""
    settings = MeasureSettings.defaults(area.plan)
    measures = list(
        Measure.objects.filter(area=area)
        .select_related("owner__organisation")
        .order_by("order", "name", "id")
    )
    values = _by_measure(
        MeasureValue.objects.filter(
            measure__area=area, period__gte=_window_start(today), period__lte=today
        )
    )
    cards = []
    for m in measures:
        m.area = area  # already loaded: permission checks ask for it
        card = make_card(
            m,
            values.get(m.id, {}),
            as_at=today,
            settings=settings,
            area_number=area.number,
            owner=str(m.owner) if m.owner else "",
        )
        card.owner_user_id = m.owner.user_id if m.owner else None
        card.record = m
        cards.append(card)
    return cards


def settings_at(plan: Plan, before: datetime.datetime) -> MeasureSettings:
    rows = snap.latest_rows(MeasureSettings, before, plan_id=plan.pk)
    if rows:
        return rows[0]
    return MeasureSettings(plan=plan)


class _Figure(NamedTuple):
    """A figure as read for a card: just what the card uses (no model instance;
    a tuple, built in C, as a national scorecard reads thousands)."""

    measure_id: int
    period: datetime.date
    value: Decimal | None
    comment: str


def _reaches_back(
    measure, values: dict, as_at: datetime.date, since: datetime.date, settings
) -> bool:
    """Whether a scorecard card of ``measure`` needs a figure from before
    ``since``: its latest figure, the one before it or a year before it, its
    chart's first point or the period whose figure is due."""
    freq = measure.frequency
    current = periods.start_of(as_at, freq)
    recorded = [p for p in values if p <= current]
    if not recorded:
        return True
    last = current if current in values else periods.last_ended(as_at, freq)
    latest = max(recorded)
    return (
        periods.shift(latest, freq, -periods.per_year(freq)) < since
        or periods.shift(last, freq, 1 - SCORECARD_POINTS) < since
        or expected_period(as_at, freq, settings.figures_due_days) < since
    )


def figures_at(
    measure_ids: list[int],
    before: datetime.datetime,
    since: datetime.date,
    until: datetime.date | None = None,
) -> list[_Figure]:
    """Each figure's latest history row before ``before`` (the rule of
    plans.snapshot.latest_rows, deletions left out), for periods from
    ``since``: one query, read as plain values rather than model instances
    (thousands of rows on a national scorecard)."""
    rows = snap.latest_per_record(
        history_rows(MeasureValue).model.objects.filter(
            history_date__lt=before,
            measure_id__in=measure_ids,
            period__gte=since,
            **({"period__lt": until} if until else {}),
        )
    ).values_list("measure_id", "period", "value", "comment", "history_type")
    return [_Figure(m, p, v, c) for m, p, v, c, kind in rows if kind != "-"]


def figures_of(measure_id: int, as_at: datetime.date) -> dict[datetime.date, _Figure]:
    """Every figure of one measure as at the end of ``as_at``, by period, in
    one query: a past day's from history (``figures_at``), today's from the
    live table, as ``cards_at`` reads them."""
    if as_at >= timezone.localdate():
        rows = [
            _Figure._make(row)
            for row in MeasureValue.objects.filter(measure_id=measure_id)
            .order_by()
            .values_list("measure_id", "period", "value", "comment")
        ]
    else:
        rows = figures_at([measure_id], snap.end_of_day(as_at), datetime.date.min)
    return {row.period: row for row in rows}


def cards_at(
    plan: Plan, areas: dict[int, int], as_at: datetime.date, *, charts: bool = True
) -> list[MeasureCard]:
    """Every measure of ``areas`` (area id → number), as at the end of
    ``as_at``, in area then measure order. Four queries: settings, measures,
    figures, owners' names. A past day is read from history; today (or later)
    from the live tables, which say the same about today and are read without
    ranking every record's history rows. ``charts=False`` (the scorecard) reads
    only the figures the latest, previous and expected periods need, not a
    chart's worth."""
    before = snap.end_of_day(as_at)
    since = _window_start(as_at, WINDOW_MONTHS if charts else SCORECARD_NEAR_MONTHS)
    live = as_at >= timezone.localdate()
    if live:
        settings = MeasureSettings.defaults(plan)
        # order_by(): the models' default orderings join up to the plan.
        measures = list(Measure.objects.filter(area_id__in=list(areas)).order_by())
    else:
        settings = settings_at(plan, before)
        measures = snap.latest_rows(Measure, before, area_id__in=list(areas))
    if not measures:
        return []
    measures.sort(key=lambda m: (areas.get(m.area_id, 0), *_order(m)))

    def read(ids: list[int], start: datetime.date, end: datetime.date | None = None) -> list:
        if not live:
            return figures_at(ids, before, start, end)
        rows = MeasureValue.objects.filter(measure_id__in=ids, period__gte=start)
        if end is not None:
            rows = rows.filter(period__lt=end)
        return list(
            map(
                _Figure._make,
                rows.order_by().values_list("measure_id", "period", "value", "comment"),
            )
        )

    values = _by_measure(read([m.id for m in measures], since))
    if not charts:
        late = [
            m.id for m in measures if _reaches_back(m, values.get(m.id, {}), as_at, since, settings)
        ]
        if late:
            # Their latest figure in 18 months, and the year before it.
            earlier = _by_measure(read(late, _window_start(as_at, SCORECARD_MONTHS + 12), since))
            for measure_id, figures in earlier.items():
                values.setdefault(measure_id, {}).update(figures)
    owner_ids = {m.owner_id for m in measures if m.owner_id}
    owners = {
        o.pk: (str(o), o.user_id)
        for o in Owner.objects.filter(pk__in=owner_ids).select_related("organisation")
    }
    cards = []
    for m in measures:
        card = make_card(
            m,
            values.get(m.id, {}),
            as_at=as_at,
            settings=settings,
            area_number=areas.get(m.area_id, 0),
            owner=owners.get(m.owner_id, ("", None))[0],
            chart_periods=None if charts else SCORECARD_POINTS,
        )
        card.owner_user_id = owners.get(m.owner_id, ("", None))[1]
        cards.append(card)
    return cards
