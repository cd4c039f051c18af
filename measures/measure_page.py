"""A success measure's own page, as at a date: the measure as it then stood,
its card (latest figure, RAG by tolerance and direction of travel, worked out
by ``readings.make_card`` exactly as for the scorecard), every figure beside
the same period a year before, and the figures corrected after they were first
recorded. The page and its CSV download read it from here (``measure_at``), a
fixed number of queries whatever the number of figures.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone

from plans import snapshot as snap
from plans.history.wording import user_name
from plans.models import Action, ImprovementArea, Owner

from . import periods
from . import rag as mrag
from .change_log import figure_reason
from .models import Measure, MeasureSettings, MeasureValue
from .readings import MeasureCard, figures_of, make_card, settings_at
from .units import format_change, format_value


@dataclass
class FigureRow:
    """One period's figure, and the same period's a year before where there is one."""

    period: datetime.date
    label: str
    value: Decimal
    value_label: str
    rag: str | None  # by tolerance against the target as at the page's date
    comment: str
    year_ago_label: str  # the period a year before, whether or not it has a figure
    year_ago: Decimal | None = None
    year_ago_value_label: str = ""
    change: Decimal | None = None  # this figure less the one a year before
    change_label: str = ""
    year_on_year: str = ""  # Improving, Worsening, No change (Up or Down: context)

    @property
    def rag_label(self) -> str:
        return mrag.LABELS.get(self.rag or "", "")


@dataclass
class Correction:
    """A figure changed (or deleted) after it was first recorded: a history row."""

    period: datetime.date
    period_label: str
    what: str  # "Corrected", "Comment changed" or "Deleted"
    was_label: str
    now_label: str
    when: datetime.datetime
    who: str
    why: str


@dataclass
class MeasurePage:
    as_at: datetime.date
    live: bool  # today's page (read from the live tables)
    measure: object  # the Measure, or its history row as at ``as_at``
    area: ImprovementArea
    action: Action | None
    card: MeasureCard
    figures_due_days: int
    figures: list[FigureRow] = field(default_factory=list)  # newest first
    corrections: list[Correction] = field(default_factory=list)  # newest first

    @property
    def rag_meaning(self) -> str:
        return mrag.MEANINGS.get(self.card.rag or "", "")

    @property
    def previous_label(self) -> str:
        """The period before the latest figure's (which may have no figure)."""
        latest = self.card.latest
        if latest is None:
            return ""
        return periods.label(
            periods.shift(latest.period, self.card.frequency, -1), self.card.frequency
        )


def measure_at(measure: Measure, as_at: datetime.date) -> MeasurePage | None:
    """``measure`` as at the end of ``as_at``; None if it had not been recorded
    by then. ``measure`` comes from ``permissions.get_measure_for_user`` (its
    area, plan, owner and action loaded).

    Today: the plan's measure settings, the figures, the figures' history (3
    queries). A past day: the measure's history row first (4), and the area,
    owner or action it had then, one query each, only where that is not
    today's."""
    live = as_at >= timezone.localdate()
    before = snap.end_of_day(as_at)
    plan = measure.area.plan
    if live:
        row, settings = measure, MeasureSettings.defaults(plan)
    else:
        rows = snap.latest_rows(Measure, before, id=measure.pk)
        if not rows:
            return None
        row, settings = rows[0], settings_at(plan, before)
    area, action, owner = _then(measure, row)
    values = figures_of(measure.pk, as_at)
    card = make_card(
        row, values, as_at=as_at, settings=settings, area_number=area.number, owner=owner
    )
    return MeasurePage(
        as_at=as_at,
        live=live,
        measure=row,
        area=area,
        action=action,
        card=card,
        figures_due_days=settings.figures_due_days,
        figures=figure_rows(card, values, as_at),
        corrections=corrections(measure.pk, row.unit, row.frequency, before),
    )


def first_recorded(measure: Measure) -> datetime.date | None:
    """The day the measure first appears in history."""
    first = (
        Measure.history.filter(id=measure.pk)
        .order_by("history_date")
        .values_list("history_date", flat=True)
        .first()
    )
    return timezone.localdate(first) if first else None


def _then(measure: Measure, row) -> tuple[ImprovementArea, Action | None, str]:
    """The area, action and owner the measure had as at the date (``row``):
    today's, already loaded, unless they have changed since."""
    area = measure.area
    if row.area_id != measure.area_id:
        # Moved by a workbook import since: the area it was in then (today's if gone).
        area = ImprovementArea.objects.select_related("plan").filter(pk=row.area_id).first() or area
    action = measure.action
    if row.action_id != measure.action_id:
        action = Action.objects.filter(pk=row.action_id).first() if row.action_id else None
    owner = measure.owner
    if row.owner_id != measure.owner_id:
        owner = (
            Owner.objects.select_related("organisation").filter(pk=row.owner_id).first()
            if row.owner_id
            else None
        )
    return area, action, str(owner) if owner else ""


def figure_rows(card: MeasureCard, values: dict, as_at: datetime.date) -> list[FigureRow]:
    """Every figure up to the period ``as_at`` falls in, newest first, each with
    the same period a year before: its figure and the change, only where a
    figure was recorded for it."""
    freq, unit = card.frequency, card.unit
    current = periods.start_of(as_at, freq)
    rows = []
    for period in sorted((p for p in values if p <= current), reverse=True):
        value = values[period].value
        year_ago = periods.shift(period, freq, -periods.per_year(freq))
        row = FigureRow(
            period=period,
            label=periods.label(period, freq),
            value=value,
            value_label=format_value(value, unit),
            rag=mrag.tolerance_rag(
                value, card.target, card.polarity, card.tolerance, card.tolerance_kind
            ),
            comment=values[period].comment,
            year_ago_label=periods.label(year_ago, freq),
        )
        before = values.get(year_ago)
        if before is not None:
            row.year_ago = before.value
            row.year_ago_value_label = format_value(before.value, unit)
            row.change = value - before.value
            row.change_label = format_change(row.change, unit)
            row.year_on_year = mrag.direction(value, before.value, card.polarity)
        rows.append(row)
    return rows


def corrections(
    measure_id: int, unit: str, frequency: str, before: datetime.datetime
) -> list[Correction]:
    """The measure's figures changed or deleted after they were first recorded,
    by the end of the day, newest first: each history row of a figure but its
    first, with who, when and why. One query."""
    rows = (
        MeasureValue.history.filter(measure_id=measure_id, history_date__lt=before)
        .select_related("history_user")
        .order_by("id", "history_date", "history_id")
    )
    found: list[Correction] = []
    last = None
    for row in rows:
        earlier = last if last is not None and last.id == row.id else None
        last = row
        if row.history_type == "+" and earlier is None:
            continue
        if row.history_type == "-":
            what = "Deleted"
        elif earlier is not None and earlier.value == row.value:
            what = "Comment changed"
        else:
            what = "Corrected"
        found.append(
            Correction(
                period=row.period,
                period_label=periods.label(row.period, frequency),
                what=what,
                was_label=format_value(earlier.value, unit) if earlier is not None else "",
                now_label="" if what == "Deleted" else format_value(row.value, unit),
                when=row.history_date,
                who=user_name(row.history_user),
                why=figure_reason(row.history_change_reason or ""),
            )
        )
    found.sort(key=lambda c: c.when, reverse=True)
    return found
