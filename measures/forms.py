"""GOV.UK forms for measures, their figures, the upload and the plan's settings."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from crispy_forms_gds.layout import HTML, Field, Fieldset, Layout, Size
from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from core.forms import CreateForm, GovForm, PlanDateField, RecordChoice, date_initial, text_field
from core.numbers import WholeNumberField
from plans.models import Action, Owner

from . import periods
from .checks import period_problem
from .fields import FigureField, PeriodTextField
from .models import (
    Frequency,
    Measure,
    MeasureSettings,
    MeasureValue,
    Polarity,
    ToleranceKind,
    Unit,
)

# How far back the figure forms offer periods.
PERIODS_OFFERED = 24
MAX_UPLOAD_BYTES = 1024 * 1024  # 1 MB: thousands of rows; a bigger file is not a figures return


def _decimal_field(
    label: str, name: str, *, called: str, help_text: str = "", unit: str = Unit.NUMBER
) -> FigureField:
    """An optional figure of a measure's: kept in Measure.``name``."""
    return FigureField(
        unit=unit,
        column=(Measure, name),
        called=called,
        label=label,
        required=False,
        help_text=help_text,
    )


class MeasureForm(CreateForm):
    name = text_field("Name", 200, "Enter the measure's name")
    definition = text_field(
        "How it is counted",
        3000,
        called="The definition",
        rows=3,
        help_text="What is counted, divided by what, and any rules.",
    )
    source = text_field(
        "Source (optional)", 200, help_text="The system or statutory return the figure comes from."
    )
    unit = forms.ChoiceField(
        label="Unit",
        choices=Unit.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the unit", "invalid_choice": "Select the unit"},
    )
    polarity = forms.ChoiceField(
        label="Which direction is better",
        choices=Polarity.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select which direction is better",
            "invalid_choice": "Select which direction is better",
        },
    )
    frequency = forms.ChoiceField(
        label="How often it is reported",
        choices=Frequency.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select how often it is reported",
            "invalid_choice": "Select how often it is reported",
        },
    )
    owner = RecordChoice(
        label="Owner (optional)",
        queryset=Owner.objects.none(),
        required=False,
        help_text="The role that enters the figures.",
        error_messages={"invalid_choice": "Select an owner from the list"},
    )
    action = RecordChoice(
        label="Action (optional)",
        queryset=Action.objects.none(),
        required=False,
        error_messages={"invalid_choice": "Select an action from this area"},
    )
    baseline_value = _decimal_field(
        "Baseline figure (optional)", "baseline_value", called="a baseline"
    )
    baseline_period = PeriodTextField(
        label="Baseline period (optional)",
        required=False,
        help_text="The month the baseline describes, for example March 2015.",
    )
    target_value = _decimal_field("Target (optional)", "target_value", called="a target")
    target_date = PlanDateField(
        label="Target date",
        required=False,
        help_text="When the target is to be reached (optional).",
    )
    tolerance = _decimal_field(
        "Tolerance (optional)",
        "tolerance",
        called="a tolerance",
        help_text="How far short of the target a figure is still amber. Leave empty for the "
        "plan's default.",
    )
    tolerance_kind = forms.ChoiceField(
        label="Tolerance is measured",
        choices=[("", "Use the plan's default"), *ToleranceKind.choices],
        required=False,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Select how the tolerance is measured"},
    )
    reason = text_field(
        "Reason for the change",
        500,
        called="The reason",
        help_text="Kept in the measure's history, for example why the target changed.",
    )

    VALUES = (
        "name",
        "definition",
        "source",
        "unit",
        "polarity",
        "frequency",
        "owner",
        "action",
        "baseline_value",
        "baseline_period",
        "target_value",
        "target_date",
        "tolerance",
        "tolerance_kind",
    )

    def __init__(self, *args: Any, area, instance: Measure | None = None, **kwargs: Any) -> None:
        self.area = area
        self.instance = instance
        if instance is not None:
            initial = {name: getattr(instance, name) for name in self.VALUES}
            initial.update(
                owner=instance.owner_id,
                action=instance.action_id,
                target_date=date_initial(instance.target_date),
                baseline_period=instance.baseline_period.strftime("%B %Y")
                if instance.baseline_period
                else "",
                version=instance.version,
            )
            for name in ("baseline_value", "target_value", "tolerance"):
                value = getattr(instance, name)
                initial[name] = "" if value is None else f"{value.normalize():f}"
            kwargs["initial"] = {**initial, **kwargs.get("initial", {})}
        super().__init__(*args, creating=instance is None, **kwargs)
        self.fields["owner"].queryset = Owner.objects.of_council(
            area.plan.organisation.council_id_or_own
        )
        self.fields["action"].queryset = Action.objects.filter(area=area)
        if instance is None:
            del self.fields["reason"]
            self.helper.layout = self.build_layout()
        else:
            self.fields["reason"].required = True
            self.fields["reason"].error_messages["required"] = "Enter the reason for the change"

    def build_layout(self) -> Layout:
        radios = {
            n: Field.radios(n, legend_size=Size.SMALL)
            for n in ("unit", "polarity", "frequency", "tolerance_kind")
        }
        shown = [radios.get(n, n) for n in self.fields if n not in self.HIDDEN]
        return Layout(*shown, *self.hidden_fields_present())

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        unit = data.get("unit")
        if unit == Unit.PERCENTAGE:
            for name in ("baseline_value", "target_value"):
                if data.get(name) is not None and data[name] > 100:
                    self.add_error(name, "A percentage must be between 0 and 100")
        if data.get("target_date") and data.get("target_value") is None:
            self.add_error("target_value", "Enter the target, or leave the target date empty")
        if data.get("baseline_period") and data.get("baseline_value") is None:
            self.add_error("baseline_value", "Enter the baseline, or leave its period empty")
        tolerance, kind = data.get("tolerance"), data.get("tolerance_kind")
        if tolerance is not None and not kind:
            self.add_error("tolerance_kind", "Select how the tolerance is measured")
        if kind and tolerance is None:
            self.add_error("tolerance", "Enter the tolerance, or choose the plan's default")
        name = data.get("name")
        if name:
            clash = Measure.objects.filter(area=self.area, name=name)
            if self.instance is not None:
                clash = clash.exclude(pk=self.instance.pk)
            if clash.exists():
                self.add_error(
                    "name", f"Area {self.area.number} already has a measure called {name}"
                )
        return data

    @property
    def values(self) -> dict[str, Any]:
        values = {name: self.cleaned_data[name] for name in self.VALUES}
        if values["baseline_period"] and values["frequency"]:
            values["baseline_period"] = periods.start_of(
                values["baseline_period"], values["frequency"]
            )
        values["tolerance_kind"] = values["tolerance_kind"] or ""
        return values


def period_choices(frequency: str, today: datetime.date, count: int = PERIODS_OFFERED):
    last = periods.start_of(today, frequency)
    return [
        (p.isoformat(), periods.label(p, frequency))
        for p in reversed(periods.series(last, frequency, count))
    ]


def parse_period_choice(text: str, frequency: str, today: datetime.date) -> datetime.date:
    """An ISO period from a list or the address: ValidationError if it is not a
    period of the measure's frequency that may have a figure."""
    try:
        period = datetime.date.fromisoformat(str(text))
    except ValueError:
        raise ValidationError("Select a period from the list") from None
    if not periods.is_start(period, frequency):
        raise ValidationError("Select a period from the list")
    problem = period_problem(period, frequency, today)
    if problem:
        raise ValidationError(problem)
    return period


class FigureForm(GovForm):
    """One measure's figure for one period: new, or a correction."""

    period = forms.CharField(label="Period", max_length=10)
    # The measure's unit is set when the form is made.
    value = FigureField(unit=Unit.NUMBER, column=(MeasureValue, "value"), label="Figure")
    comment = text_field(
        "Comment (optional)",
        2000,
        rows=3,
        help_text="The story behind the figure: required reading for a red measure.",
    )
    reason = text_field(
        "Reason for the correction (if correcting a figure already entered)",
        500,
        called="The reason",
    )

    def __init__(self, *args: Any, measure: Measure, today: datetime.date, **kwargs: Any) -> None:
        self.measure = measure
        self.today = today
        super().__init__(*args, **kwargs)
        self.fields["value"].unit = measure.unit
        self.fields["period"].widget = forms.Select(
            choices=period_choices(measure.frequency, today)
        )
        self.fields["period"].error_messages["required"] = "Select the period"
        self.fields["value"].error_messages.update(
            required="Enter the figure", max_length="Enter a number, like 12 or 72.5"
        )
        self.fields["value"].help_text = (
            f"{Unit(measure.unit).label}. "
            + ("Between 0 and 100, without the % sign." if measure.unit == Unit.PERCENTAGE else "")
        ).strip()
        self.fields["value"].widget.attrs.update(
            {"inputmode": "decimal", "spellcheck": "false", "class": "govuk-input--width-10"}
        )

    def clean_period(self) -> datetime.date:
        return parse_period_choice(self.cleaned_data["period"], self.measure.frequency, self.today)


class FiguresForm(GovForm):
    """Many measures' figures for one month (a quarterly measure: its quarter).
    Fields per measure: ``value_<id>``, ``comment_<id>``, ``reason_<id>`` and
    ``version_<id>`` (of the figure already recorded, if any). An empty figure
    leaves the measure alone."""

    def __init__(
        self,
        *args: Any,
        measures: list[Measure],
        month: datetime.date,
        existing: dict[int, Any],
        **kwargs: Any,
    ) -> None:
        self.measures = measures
        self.month = month
        self.existing = existing
        initial = {}
        for m in measures:
            row = existing.get(m.pk)
            if row is not None:
                initial[f"value_{m.pk}"] = f"{row.value.normalize():f}"
                initial[f"comment_{m.pk}"] = row.comment
                initial[f"version_{m.pk}"] = row.version
        kwargs["initial"] = {**initial, **kwargs.get("initial", {})}
        super().__init__(*args, **kwargs)
        del self.fields["version"]
        for m in measures:
            self.fields[f"value_{m.pk}"] = FigureField(
                unit=m.unit,
                column=(MeasureValue, "value"),
                label=f"{m.name}: figure",
                required=False,
            )
            self.fields[f"comment_{m.pk}"] = text_field(
                f"{m.name}: comment", 2000, called="The comment"
            )
            self.fields[f"reason_{m.pk}"] = text_field(
                f"{m.name}: reason for the correction", 500, called="The reason"
            )
            self.fields[f"version_{m.pk}"] = WholeNumberField(
                column=(MeasureValue, "version"), widget=forms.HiddenInput, required=False
            )

    def build_layout(self) -> Layout:
        return Layout()  # drawn as a table by templates/measures/figures.html

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        for m in self.measures:
            value = data.get(f"value_{m.pk}")
            row = self.existing.get(m.pk)
            if value is None or row is None:
                continue
            if value != row.value and not data.get(f"reason_{m.pk}", "").strip():
                self.add_error(
                    f"reason_{m.pk}",
                    f"{m.name}: enter the reason for correcting the figure "
                    f"({row.value.normalize():f} is already recorded)",
                )
        return data

    def rows(self):
        """(measure, period, value, comment, reason) for each figure given."""
        for m in self.measures:
            value = self.cleaned_data.get(f"value_{m.pk}")
            if value is None:
                continue
            yield (
                m,
                periods.start_of(self.month, m.frequency),
                value,
                self.cleaned_data.get(f"comment_{m.pk}", ""),
                self.cleaned_data.get(f"reason_{m.pk}", ""),
            )

    def table(self):
        """For the template: each measure with its bound fields and figure on record."""
        for m in self.measures:
            yield {
                "measure": m,
                "period": periods.label(periods.start_of(self.month, m.frequency), m.frequency),
                "value": self[f"value_{m.pk}"],
                "comment": self[f"comment_{m.pk}"],
                "reason": self[f"reason_{m.pk}"],
                "version": self[f"version_{m.pk}"],
                "existing": self.existing.get(m.pk),
            }


class UploadForm(GovForm):
    file = forms.FileField(
        label="Upload a file",
        help_text="A CSV or Excel (.xlsx) file, 1 MB at most, with the columns Measure ID, "
        "Period, Figure and, optionally, Comment.",
        error_messages={
            "required": "Select a CSV or Excel file",
            "empty": "The selected file is empty",
        },
    )
    reason = text_field(
        "Reason for any corrections (optional)",
        500,
        called="The reason",
        help_text="Needed if the file changes figures already recorded.",
    )

    def build_layout(self) -> Layout:
        return Layout("file", "reason")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise ValidationError("The selected file must be smaller than 1 MB")
        name = (upload.name or "").lower()
        if not name.endswith((".csv", ".xlsx")):
            raise ValidationError("The selected file must be a CSV or an Excel (.xlsx) file")
        return upload


class SettingsForm(GovForm):
    default_tolerance = FigureField(
        unit=Unit.NUMBER,
        column=(MeasureSettings, "default_tolerance"),
        called="a default tolerance",
        label="Default tolerance",
        help_text="How far short of its target a figure is still amber, for measures with no "
        "tolerance of their own. For example, 5.",
        error_messages={
            "required": "Enter the default tolerance",
        },
    )
    default_tolerance_kind = forms.ChoiceField(
        label="The default tolerance is measured",
        choices=ToleranceKind.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select how the tolerance is measured",
            "invalid_choice": "Select how the tolerance is measured",
        },
    )
    figures_due_days = WholeNumberField(
        column=(MeasureSettings, "figures_due_days"),
        label="Figures are due this many days after the period ends",
        min_value=0,
        max_value=366,
        error_messages={
            "required": "Enter the number of days",
            "invalid": "Enter the number of days as a whole number",
            "min_value": "Enter a number of days from 0 to 366",
            "max_value": "Enter a number of days from 0 to 366",
        },
    )

    VALUES = ("default_tolerance", "default_tolerance_kind", "figures_due_days")

    def build_layout(self) -> Layout:
        return Layout(
            Fieldset(
                "default_tolerance",
                Field.radios("default_tolerance_kind", legend_size=Size.SMALL),
                legend="Tolerance",
                legend_size=Size.MEDIUM,
            ),
            HTML('<h2 class="govuk-heading-m">Returns</h2>'),
            "figures_due_days",
            *self.hidden_fields_present(),
        )

    def clean_default_tolerance(self) -> Decimal:
        value = self.cleaned_data["default_tolerance"]
        if value is None:
            raise ValidationError("Enter the default tolerance")
        return value

    @property
    def values(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.VALUES}


def today() -> datetime.date:
    return timezone.localdate()
