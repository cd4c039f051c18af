"""Success measures in the plan's change log (plans/history/registry.py).

A measure is listed with its area, its changes in its own unit ("Target: 80%
→ 85%"); a figure's as the figure for its period ("Figure for March 2026
corrected from 12 to 14"), with the reason given; a measure's own page lists
it and its figures (``ChangeFilter(record=measure)``). A figure's period is
its entry's subject; who entered it and when are the entry's own who and
when; a tolerance's kind is shown as part of the tolerance ("5% of the
target"). Registered from MeasuresConfig.ready.
"""

from __future__ import annotations

import re

from django.db import models
from django.urls import reverse

from plans.history.registry import Source, register

from . import periods
from .models import Measure, MeasureSettings, MeasureValue
from .units import format_value, tolerance_label

# The reasons measures/services.py writes for a figure around the user's own
# words ("Corrected from 12.00: miscounted"): the entry says the rest itself.
FIGURE_REASON = re.compile(
    r"^(?:Corrected from [^:]*|Comment changed|Figure entered)(?:: (?P<why>.*))?$", re.S
)
FIGURE_EVENTS = {"+": "Entered", "~": "Changed", "-": "Deleted"}


def _figure_label(row, lookups) -> str:
    """'Figure for March 2015' (or 'Figure for Apr–Jun 2015', quarterly)."""
    measure = lookups.get(Measure, row.measure_id)
    frequency = measure.frequency if measure is not None else periods.MONTHLY
    return f"Figure for {periods.label(row.period, frequency)}"


# --- A measure ---------------------------------------------------------------------


def _measure_subject(row, context) -> tuple[str, str]:
    may_link = context.may_link(Measure, row.id)
    url = reverse("measures:measure_history", args=[row.id]) if may_link else ""
    return f"Measure: {row.name}", url


def _measure_display(f: models.Field, row, value, lookups) -> str | None:
    """Its targets in its own unit ("72.5%"), its baseline period as a period
    ("March 2015"), its tolerance with its kind."""
    if f.name == "tolerance":
        if value is None:
            return "the plan's default"
        return tolerance_label(value, row.tolerance_kind, row.unit, inherited=False)
    if value is None:
        return None
    if f.name in ("baseline_value", "target_value"):
        return format_value(value, row.unit)
    if f.name == "baseline_period":
        return periods.label(value, row.frequency)
    return None


# --- A figure ----------------------------------------------------------------------


def _figure_subject(row, context) -> tuple[str, str]:
    measure = context.lookups.get(Measure, row.measure_id)
    name = measure.name if measure is not None else "(deleted measure)"
    url = reverse("measures:measure_history", args=[row.measure_id]) if measure else ""
    return f"{_figure_label(row, context.lookups)}: {name}", url


def _figure_display(f: models.Field, row, value, lookups) -> str | None:
    if f.name != "value":
        return None
    measure = lookups.get(Measure, row.measure_id)
    return format_value(value, measure.unit if measure is not None else "number")


def _figure_event(row, before) -> str:
    if row.history_type == "~" and before is not None and before.value != row.value:
        return "Corrected"
    return FIGURE_EVENTS.get(row.history_type, row.history_type)


def _figure_change(f: models.Field, row, old, new, created, lookups) -> tuple[str, str] | None:
    """'Figure for March 2015 corrected from 12 to 14'."""
    if f.name != "value":
        return None
    label = _figure_label(row, lookups)
    return label, f"{label}: {new}" if created else f"{label} corrected from {old} to {new}"


def figure_reason(reason: str) -> str:
    """The user's own words in a figure's history reason (services.py writes
    "Corrected from 12.00: miscounted"); "" when they gave none."""
    said = FIGURE_REASON.match(reason)
    return (said.group("why") or "") if said else reason


# --- The plan's measure settings ---------------------------------------------------------


def _settings_display(f: models.Field, row, value, lookups) -> str | None:
    if f.name != "default_tolerance":
        return None
    number = format_value(value, "number")
    if row.default_tolerance_kind == "percent":
        return f"{number}% of the target"
    return f"{number} in each measure's own unit"


register(
    Source(
        "measure",
        "Measures",
        Measure,
        order=50,
        area_field="area_id",
        record_fields={Measure: "id"},
        subject=_measure_subject,
        labels={"baseline_value": "Baseline", "target_value": "Target", "action": "Action"},
        hidden=frozenset({"tolerance_kind", "order"}),
        display=_measure_display,
        linked=True,
    )
)
register(
    Source(
        "figure",
        "Figures",
        MeasureValue,
        order=60,
        area_field="area_id",
        area_via=("measure_id", Measure),
        record_fields={Measure: "measure_id"},
        subject=_figure_subject,
        labels={"value": "Figure"},
        hidden=frozenset({"measure", "period", "entered_by", "entered_at"}),
        display=_figure_display,
        event=_figure_event,
        change_text=_figure_change,
        reason=figure_reason,
    )
)
register(
    Source(
        "measure_settings",
        "Measure settings",
        MeasureSettings,
        order=100,
        plan_field="plan_id",
        # Not linked: the settings page is the plan administrators' alone.
        subject=lambda row, context: (
            "Measure settings (default tolerance, when figures are due)",
            "",
        ),
        hidden=frozenset({"default_tolerance_kind"}),  # told with the tolerance
        display=_settings_display,
    )
)
