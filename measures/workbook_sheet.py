"""The plan workbook's "Measures" sheet (workbook/registry.py): one row per
success measure's definition, found again by its Measure ID (the ID the figures
upload uses; blank for a new measure).

Registered from ``MeasuresConfig.ready``, so the workbook app knows nothing of
measures. Writes go through measures/services.py with the import's reason.
Figures are never imported from this sheet (the latest one is shown, read-only):
they have their own upload (measures/upload.py). A measure taken out of the
sheet is listed as removed and deleted only with the separate confirmation,
never if it has figures; an area or action that a staying measure belongs to
is kept (deleting it would take the measure, or its link, with it unrecorded).
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

from django.db.models import F, Max, Window
from django.db.models.functions import RowNumber

from workbook import engine
from workbook import plan_sheets as _plan_sheets  # noqa: F401  (its finisher runs first)
from workbook.registry import (
    CHANGED,
    NEW,
    REMOVED,
    UNCHANGED,
    CellError,
    Column,
    Outcome,
    Sheet,
    as_rows,
    choice,
    compare,
    date,
    register,
    suggest,
    text,
)
from workbook.rows import (
    ACTIONS,
    AREAS,
    _duplicate,
    _finish,
    _missing_columns,
    _number,
    _outcome,
    _owner,
    _resolve_owner,
)

from . import periods, services
from .checks import FigureError, parse_figure
from .models import Frequency, Measure, MeasureValue, Polarity, ToleranceKind, Unit
from .units import format_value

MEASURES = "Measures"

UNITS = {label: value for value, label in Unit.choices}
POLARITIES = {label: value for value, label in Polarity.choices}
FREQUENCIES = {label: value for value, label in Frequency.choices}
TOLERANCE_KINDS = {label: value for value, label in ToleranceKind.choices}
# Also accepted when typed (the drop-down lists show the labels above).
POLARITY_WORDS = {"Higher": Polarity.HIGHER, "Lower": Polarity.LOWER, "Context": Polarity.CONTEXT}
TOLERANCE_WORDS = {"Per cent": ToleranceKind.PERCENT, "Own unit": ToleranceKind.ABSOLUTE}

MEASURE_COLUMNS = [
    Column(
        "Measure ID",
        "The measure's ID, the same one the figures upload uses. Keep it to change the "
        "measure; leave it blank for a new measure.",
        width=10,
    ),
    Column("Area number", "The number of the area the measure belongs to.", width=10),
    Column("Action reference", "The action it measures, if any (optional), e.g. 9.2.", width=12),
    Column("Measure", "The measure's name (each area's measures have different names).", 40),
    Column(
        "Definition",
        "How it is counted: what is counted, divided by what, and any rules (optional).",
        width=50,
    ),
    Column("Source", "The system or return the figure comes from (optional).", width=24),
    Column(
        "Unit",
        "Number, Percentage, Days or Rate per 10,000 children.",
        width=16,
        choices="measure_units",
    ),
    Column(
        "Polarity",
        "Which direction is better: Higher is better, Lower is better, or Context (watched "
        "for change, no better direction).",
        width=24,
        choices="measure_polarities",
    ),
    Column(
        "Frequency",
        "How often a figure is reported: Monthly or Quarterly. It cannot change once the "
        "measure has figures.",
        width=12,
        choices="measure_frequencies",
    ),
    Column(
        "Owner",
        "The owner (a job title) who enters the measure's figures (optional).",
        width=36,
        choices="owners",
    ),
    Column("Baseline", "The figure the plan started from (optional): a number, like 72.5.", 12),
    Column(
        "Baseline period",
        "The month the baseline describes, like March 2015 (for a quarterly measure, any "
        "month of the quarter, or Jan–Mar 2015). Needs a baseline.",
        width=16,
    ),
    Column(
        "Target",
        "The figure to reach (optional); a percentage is between 0 and 100. A changed target "
        "is kept in the measure's history.",
        width=12,
    ),
    Column(
        "Target date",
        "When the target is to be reached (optional; needs a target).",
        width=13,
        date=True,
    ),
    Column(
        "Tolerance",
        "How far short of the target a figure is still amber, not red (optional). Leave it and "
        "“Tolerance is” blank for the plan's default (Measure settings).",
        width=12,
    ),
    Column(
        "Tolerance is",
        "How the tolerance is measured: Per cent of the target, or In the measure's own unit "
        "(for a percentage: percentage points).",
        width=24,
        choices="measure_tolerance_kinds",
    ),
    Column(
        "Latest figure",
        "The latest figure recorded. Figures are not imported from this sheet: enter them "
        "on Figures, or upload them there.",
        width=14,
        read_only=True,
    ),
    Column("Latest period", "The month or quarter that latest figure is for.", 16, read_only=True),
]


# --- The plan's measures, loaded once per export or import -----------------------------------


class _Measures:
    """The plan's measures (one query) and their latest figures (one query)."""

    def __init__(self, plan) -> None:
        self.by_id: dict[int, Measure] = {
            m.pk: m
            for m in Measure.objects.filter(area__plan=plan)
            .select_related("area", "action", "owner__organisation")
            .order_by("area__number", "order", "name", "pk")
        }
        latest = (
            MeasureValue.objects.filter(measure__area__plan=plan)
            .annotate(
                n=Window(RowNumber(), partition_by=[F("measure_id")], order_by=F("period").desc()),
                top=Window(Max("value"), partition_by=[F("measure_id")]),
            )
            .filter(n=1)
            .values_list("measure_id", "period", "value", "top")
        )
        # Only measures with figures are here.
        self.latest: dict[int, tuple[datetime.date, Decimal, Decimal]] = {
            pk: (period, value, top) for pk, period, value, top in latest
        }
        # Filled in by check: what the sheet keeps, as (area number, action reference).
        self.staying: list[tuple[Measure, int, str]] | None = None
        self._by_name: dict[tuple[int, str], Measure] | None = None

    def by_name(self) -> dict[tuple[int, str], Measure]:
        """Each measure by (area number, name): unique, as the database keeps them."""
        if self._by_name is None:
            self._by_name = {(m.area.number, m.name): m for m in self.by_id.values()}
        return self._by_name

    def has_figures(self, measure: Measure) -> bool:
        return measure.pk in self.latest


def _measures(ctx) -> _Measures:
    data = ctx.__dict__.get("_measures_sheet")
    if data is None:
        data = ctx.__dict__["_measures_sheet"] = _Measures(ctx.plan)
    return data


# --- Export ---------------------------------------------------------------------------------


def _number_text(value: Decimal | None) -> str:
    """A stored figure as written and compared: 72.5, 90 (no trailing zeros)."""
    if value is None:
        return ""
    text = f"{value.quantize(Decimal('0.01')):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _cell_number(value: Decimal | None):
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(_number_text(value))


def _period_text(period: datetime.date | None, frequency: str) -> str:
    return periods.label(period, frequency) if period else ""


def measure_rows(ctx):
    data = _measures(ctx)
    for measure in data.by_id.values():
        latest = data.latest.get(measure.pk)
        yield [
            measure.pk,
            measure.area.number,
            measure.action.reference if measure.action else "",
            measure.name,
            measure.definition,
            measure.source,
            measure.get_unit_display(),
            measure.get_polarity_display(),
            measure.get_frequency_display(),
            engine.owner_label(measure.owner) if measure.owner else "",
            _cell_number(measure.baseline_value),
            _period_text(measure.baseline_period, measure.frequency),
            _cell_number(measure.target_value),
            measure.target_date,
            _cell_number(measure.tolerance),
            measure.get_tolerance_kind_display() if measure.tolerance_kind else "",
            format_value(latest[1], measure.unit) if latest else "",
            _period_text(latest[0], measure.frequency) if latest else "",
        ]


# --- Reading a row ---------------------------------------------------------------------------


def _figure(row: dict, column: str, unit: str, *, per_cent: bool = False) -> Decimal | None:
    value = row.get(column, "")
    if isinstance(value, datetime.date):
        raise CellError(column, f"Enter the {column.lower()} as a number, not a date")
    if not str(value).strip():
        return None
    if per_cent and isinstance(value, str):
        value = value.strip().removesuffix("%")
    try:
        return parse_figure(value, unit)
    except FigureError as error:
        raise CellError(column, error.message) from None


_QUARTER = re.compile(r"([A-Za-z]{3,9})\.?\s*[–—-]\s*([A-Za-z]{3,9})\.?\s+(\d{4})")


def _period(row: dict, column: str, frequency: str) -> datetime.date | None:
    """A month or quarter: a date in it, 'March 2015', '2015-03', or 'Jan–Mar 2015'."""
    value = row.get(column, "")
    if isinstance(value, datetime.date):
        day = value
    elif not str(value).strip():
        return None
    else:
        raw = str(value).strip()
        day = None
        quarter = _QUARTER.fullmatch(raw)
        try:
            if quarter:
                day = periods.parse(f"{quarter.group(2)} {quarter.group(3)}", frequency)
            else:
                day = periods.parse(raw, frequency)
        except periods.BadPeriod:
            day = None
        if day is None:
            try:
                day = date(row, column)
            except CellError:
                day = None
        if day is None:
            raise CellError(
                column, f"“{raw}” is not a period: enter a month and year, like March 2015"
            )
    if not 2000 <= day.year <= 2100:
        raise CellError(column, f"The {column.lower()} must be between 2000 and 2100")
    return periods.start_of(day, frequency)


def _label(options: dict[str, str], value: str) -> str:
    return next((label for label, v in options.items() if v == value), "")


def _shown_period(values: dict, key: str) -> str:
    return _period_text(values.get(key), values.get("frequency") or Frequency.MONTHLY)


def check_measures(ctx, sheet) -> list[Outcome]:
    rows, missing = as_rows(sheet, MEASURE_COLUMNS)
    if missing:
        return _missing_columns(MEASURES, missing)
    data = _measures(ctx)
    areas, actions = ctx.area_numbers(), ctx.action_keys()
    outcomes: list[Outcome] = []
    seen_ids: dict[int, int] = {}
    seen_names: dict[tuple[int, str], int] = {}
    present = {text(row, "Measure ID") for row in rows}
    for row in rows:
        outcome = _outcome(MEASURES, row, f"Row {row['_row']}")
        outcomes.append(outcome)
        reference = text(row, "Measure ID")
        existing = None
        if reference:
            outcome.label = f"Measure {reference}"
            # ASCII digits only: "²" is a digit to str.isdigit() but not to int().
            digits = reference.isascii() and reference.isdigit()
            if not digits or int(reference) not in data.by_id:
                known = [str(pk) for pk in data.by_id if str(pk) not in present]
                near = suggest(reference, known) if digits else None
                outcome.errors.append(
                    (
                        "Measure ID",
                        f"There is no measure {reference[:20]} in this plan"
                        + (f": did you mean {near}?" if near else "")
                        + " Leave the Measure ID blank for a new measure",
                    )
                )
            elif _duplicate(
                outcome, "Measure ID", seen_ids, int(reference), f"Measure {reference}"
            ):
                continue
            else:
                existing = data.by_id[int(reference)]
        values = _read(ctx, row, outcome)
        if not reference and values.get("name"):
            outcome.label = f"New measure “{values['name'][:40]}”"
        elif existing is not None and values.get("name"):
            outcome.label = f"Measure {existing.pk}: {values['name'][:40]}"
        if "area" in values and values["area"] not in areas:
            outcome.errors.append(("Area number", f"There is no area {values['area']} in the plan"))
        elif values.get("action") and (values["area"], values["action"]) not in actions:
            outcome.errors.append(
                ("Action reference", f"Area {values['area']} has no action {values['action']}")
            )
        if existing is not None:
            _check_figures(data, existing, values, outcome)
            old_period = _period_text(existing.baseline_period, existing.frequency)
            if old_period and old_period == _shown_period(values, "baseline_period"):
                # The same period as shown: keep the day stored, whatever it is.
                values["baseline_period"] = existing.baseline_period
        if "area" in values and values.get("name"):
            key = (values["area"], values["name"])
            if _duplicate(
                outcome,
                "Measure",
                seen_names,
                key,
                f"Area {key[0]}'s measure “{key[1]}”",
            ):
                continue
            _check_name_free(data, existing, key, present, outcome)
        changes = []
        if existing is not None and not outcome.errors:
            changes = _changes(existing, values)
        outcome.values = values
        _finish(
            outcome,
            existing,
            changes,
            [
                ("Area", values.get("area")),
                ("Action", values.get("action")),
                ("Measure", values.get("name")),
                ("Unit", _label(UNITS, values.get("unit"))),
                ("Polarity", _label(POLARITIES, values.get("polarity"))),
                ("Frequency", _label(FREQUENCIES, values.get("frequency"))),
                ("Owner", values.get("owner")),
                ("Baseline", _number_text(values.get("baseline_value"))),
                ("Baseline period", _shown_period(values, "baseline_period")),
                ("Target", _number_text(values.get("target_value"))),
                ("Target date", values.get("target_date")),
            ],
        )
    # What stays after the import: a row's measure where the row puts it, and
    # (as it is) a measure whose row has an error or that cannot be deleted.
    staying, placed = [], set()
    for o in outcomes:
        if o.record is not None and o.status in (CHANGED, UNCHANGED):
            staying.append((o.record, o.values["area"], o.values["action"]))
            placed.add(o.record.pk)
    for pk, measure in data.by_id.items():
        if pk in seen_ids:
            if pk not in placed:
                staying.append((measure, measure.area.number, _action_ref(measure)))
            continue
        label = f"Measure {pk}: {measure.name[:40]}"
        removed = Outcome(MEASURES, None, label, REMOVED, record=measure)
        if data.has_figures(measure):
            removed.note = "Kept: it has figures, which are never deleted"
            staying.append((measure, measure.area.number, _action_ref(measure)))
        else:
            removed.values["deletable"] = True
        outcomes.append(removed)
    data.staying = staying
    return outcomes


def _action_ref(measure: Measure) -> str:
    return measure.action.reference if measure.action else ""


def _read(ctx, row: dict, outcome: Outcome) -> dict:
    values: dict = {}
    readers = {
        "area": lambda: _number(row, "Area number"),
        "action": lambda: text(row, "Action reference", max_length=20),
        "name": lambda: text(row, "Measure", required="Enter the measure's name", max_length=200),
        "definition": lambda: text(row, "Definition", max_length=3000),
        "source": lambda: text(row, "Source", max_length=200),
        "unit": lambda: choice(row, "Unit", UNITS, required="Select the unit"),
        "polarity": lambda: _choice_or_word(
            row, "Polarity", POLARITIES, POLARITY_WORDS, "Select which direction is better"
        ),
        "frequency": lambda: choice(
            row, "Frequency", FREQUENCIES, required="Select how often it is reported"
        ),
        "owner": lambda: _owner(ctx, row, "Owner"),
    }
    for name, read in readers.items():
        try:
            values[name] = read()
        except CellError as e:
            outcome.errors.append((e.column, e.message))
    unit = values.get("unit") or Unit.NUMBER
    frequency = values.get("frequency") or Frequency.MONTHLY
    more = {
        "baseline_value": lambda: _figure(row, "Baseline", unit),
        "baseline_period": lambda: _period(row, "Baseline period", frequency),
        "target_value": lambda: _figure(row, "Target", unit),
        "target_date": lambda: date(row, "Target date"),
        "tolerance": lambda: _figure(row, "Tolerance", Unit.NUMBER, per_cent=True),
        "tolerance_kind": lambda: _choice_or_word(
            row, "Tolerance is", TOLERANCE_KINDS, TOLERANCE_WORDS, ""
        ),
    }
    for name, read in more.items():
        try:
            values[name] = read()
        except CellError as e:
            outcome.errors.append((e.column, e.message))
    if (
        values.get("target_date")
        and values.get("target_value") is None
        and "target_value" in values
    ):
        outcome.errors.append(("Target", "Enter the target, or leave the target date empty"))
    if values.get("baseline_period") and values.get("baseline_value") is None:
        if "baseline_value" in values:
            outcome.errors.append(("Baseline", "Enter the baseline, or leave its period empty"))
    tolerance, kind = values.get("tolerance"), values.get("tolerance_kind")
    if tolerance is not None and not kind and "tolerance_kind" in values:
        outcome.errors.append(("Tolerance is", "Select how the tolerance is measured"))
    if kind and tolerance is None and "tolerance" in values:
        outcome.errors.append(
            ("Tolerance", "Enter the tolerance, or leave “Tolerance is” blank for the default")
        )
    return values


def _choice_or_word(row, column, options, words, required) -> str:
    try:
        return choice(row, column, options, required=required)
    except CellError:
        value = text(row, column).casefold()
        for word, key in words.items():
            if value == word.casefold():
                return key
        raise


def _check_figures(data: _Measures, existing: Measure, values: dict, outcome: Outcome) -> None:
    """What a measure's recorded figures rule out: a new frequency (its figures'
    periods would not be periods), a percentage smaller than a figure."""
    latest = data.latest.get(existing.pk)
    if latest is None:
        return
    frequency = values.get("frequency")
    if frequency and frequency != existing.frequency:
        outcome.errors.append(
            (
                "Frequency",
                f"Measure {existing.pk} has figures recorded "
                f"{existing.get_frequency_display().lower()}: its frequency cannot change",
            )
        )
    if values.get("unit") == Unit.PERCENTAGE and latest[2] > 100:
        outcome.errors.append(
            (
                "Unit",
                f"Measure {existing.pk} has figures over 100, so it cannot be a percentage",
            )
        )


def _check_name_free(data, existing, key, present, outcome) -> None:
    """A name another measure of the area has now: it is not free until that one
    is renamed or deleted, which the import does not do first."""
    area, name = key
    other = data.by_name().get(key)
    if other is not None and other is not existing:
        if str(other.pk) in present:
            message = (
                f"Area {area}'s measure {other.pk} is called “{name}”: give this measure "
                "another name (to swap two measures' names, import one change at a time)"
            )
        else:
            message = (
                f"Area {area} already has a measure called “{name}” (measure {other.pk}), "
                "which is not in this sheet: keep its row and Measure ID to change it, or "
                "give this measure another name"
            )
        outcome.errors.append(("Measure", message))


def _changes(existing: Measure, values: dict) -> list:
    changes: list = []
    compare(changes, "Area", existing.area.number, values["area"])
    compare(changes, "Action", _action_ref(existing), values["action"])
    compare(changes, "Measure", existing.name, values["name"])
    compare(changes, "Definition", existing.definition, values["definition"])
    compare(changes, "Source", existing.source, values["source"])
    compare(changes, "Unit", existing.get_unit_display(), _label(UNITS, values["unit"]))
    compare(
        changes,
        "Polarity",
        existing.get_polarity_display(),
        _label(POLARITIES, values["polarity"]),
    )
    compare(
        changes,
        "Frequency",
        existing.get_frequency_display(),
        _label(FREQUENCIES, values["frequency"]),
    )
    compare(
        changes,
        "Owner",
        engine.owner_label(existing.owner) if existing.owner else "",
        values["owner"],
    )
    compare(
        changes,
        "Baseline",
        _number_text(existing.baseline_value),
        _number_text(values["baseline_value"]),
    )
    compare(
        changes,
        "Baseline period",
        _period_text(existing.baseline_period, existing.frequency),
        _shown_period(values, "baseline_period"),
    )
    compare(
        changes, "Target", _number_text(existing.target_value), _number_text(values["target_value"])
    )
    compare(changes, "Target date", existing.target_date, values["target_date"])
    compare(
        changes,
        "Tolerance",
        _number_text(existing.tolerance),
        _number_text(values["tolerance"]),
    )
    compare(
        changes,
        "Tolerance is",
        existing.get_tolerance_kind_display() if existing.tolerance_kind else "",
        _label(TOLERANCE_KINDS, values["tolerance_kind"]),
    )
    return changes


# --- Writing --------------------------------------------------------------------------------


def apply_measures(ctx, outcomes: list[Outcome]) -> None:
    for o in outcomes:
        v = o.values
        area = ctx.areas[v["area"]]
        fields = {
            "action": ctx.actions[(area.number, v["action"])] if v["action"] else None,
            "name": v["name"],
            "definition": v["definition"],
            "source": v["source"],
            "unit": v["unit"],
            "polarity": v["polarity"],
            "frequency": v["frequency"],
            "owner": _resolve_owner(ctx, v["owner"]),
            "baseline_value": v["baseline_value"],
            "baseline_period": v["baseline_period"],
            "target_value": v["target_value"],
            "target_date": v["target_date"],
            "tolerance": v["tolerance"],
            "tolerance_kind": v["tolerance_kind"] or "",
        }
        if o.status == NEW:
            services.create_measure(
                area=area, values=fields, user=ctx.user, token=None, reason=ctx.reason
            )
        else:
            measure = o.record
            services.edit_measure(
                measure=measure,
                values={"area": area, **fields},
                user=ctx.user,
                reason=ctx.reason,
                expected_version=measure.version,
            )


def remove_measures(ctx, outcomes: list[Outcome]) -> None:
    for o in outcomes:
        services.delete_measure(measure=o.record, user=ctx.user, reason=ctx.reason)


# --- Areas and actions that measures keep ------------------------------------------------------


def keep_what_measures_need(ctx, outcomes: list[Outcome]) -> None:
    """An area or action removed from the workbook is not deleted while a measure
    that stays belongs to it (after workbook/plan_sheets.py's judge_removals)."""
    data = _measures(ctx)
    staying = data.staying
    if staying is None:  # no Measures sheet in the file: every measure stays as it is
        staying = [(m, m.area.number, _action_ref(m)) for m in data.by_id.values()]
    by_area: dict[int, list[Measure]] = {}
    by_action: dict[tuple[int, str], list[Measure]] = {}
    for measure, number, reference in staying:
        by_area.setdefault(number, []).append(measure)
        if reference:
            by_action.setdefault((number, reference), []).append(measure)
    for o in outcomes:
        if o.status != REMOVED or not o.values.get("deletable"):
            continue
        if o.sheet == AREAS:
            kept = by_area.get(o.record.number)
        elif o.sheet == ACTIONS:
            kept = by_action.get((o.record.area.number, o.record.reference))
        else:
            continue
        if kept:
            refs = ", ".join(str(m.pk) for m in sorted(kept, key=lambda m: m.pk))
            o.values["deletable"] = False
            o.note = f"Kept: success measure {refs} still belongs to it"


engine.FINISHERS.append(keep_what_measures_need)

register(
    Sheet(
        MEASURES,
        "measures",
        40,
        "The success measures of each area: what is counted, its unit and direction, how "
        "often, its owner, baseline, target and tolerance. Figures are not imported from "
        "this sheet (upload them on Figures). A measure taken out of the sheet is deleted "
        "only with the separate confirmation, and never once it has figures.",
        MEASURE_COLUMNS,
        measure_rows,
        check_measures,
        apply_measures,
        remove_measures,
        removes=True,
        lists={
            "measure_units": list(UNITS),
            "measure_polarities": list(POLARITIES),
            "measure_frequencies": list(FREQUENCIES),
            "measure_tolerance_kinds": list(TOLERANCE_KINDS),
        },
    )
)
