"""Success measures: the numbers a board judges improvement by.

A measure belongs to an improvement area (and optionally one of its actions):
what is counted and how, its unit and polarity (is higher better?), how often
it is reported, its baseline, its target (changed over time, with history) and
the tolerance that turns a figure into a RAG. A figure (MeasureValue) is one
period's value; correcting it keeps the earlier value in history, with the
reason. Pages and papers read both through history, as at the end of a day
(measures/readings.py), so a late or corrected figure appears only from when it
was recorded.

Every model keeps its history (django-simple-history); writes go through
``save()`` in measures/services.py, never ``queryset.update()``.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from plans.models import Action, ImprovementArea, Owner, Plan

from . import periods


class Unit(models.TextChoices):
    NUMBER = "number", "Number"
    PERCENTAGE = "percentage", "Percentage"
    DAYS = "days", "Days"
    RATE = "rate", "Rate per 10,000 children"


class Polarity(models.TextChoices):
    HIGHER = "higher", "Higher is better"
    LOWER = "lower", "Lower is better"
    CONTEXT = "context", "Context: watched for change, no better direction"


class Frequency(models.TextChoices):
    MONTHLY = periods.MONTHLY, "Monthly"
    QUARTERLY = periods.QUARTERLY, "Quarterly"


class ToleranceKind(models.TextChoices):
    PERCENT = "percent", "Per cent of the target"
    ABSOLUTE = "absolute", "In the measure's own unit (for a percentage: percentage points)"


# Figures are whole enough for any indicator and small enough for any column.
MAX_VALUE = Decimal("1000000000")
DECIMAL_PLACES = 2


class MeasureSettings(models.Model):
    """A plan's settings for its measures, made the first time they are needed
    (``for_plan``): the default tolerance, and when a period's figure is due."""

    plan = models.OneToOneField(Plan, on_delete=models.CASCADE, related_name="measure_settings")
    default_tolerance = models.DecimalField(
        "Default tolerance",
        max_digits=8,
        decimal_places=2,
        default=Decimal("5"),
        help_text="A figure this close to its target, on the wrong side, is amber; "
        "further away it is red.",
    )
    default_tolerance_kind = models.CharField(
        max_length=10, choices=ToleranceKind.choices, default=ToleranceKind.PERCENT
    )
    figures_due_days = models.PositiveSmallIntegerField(
        "Figures due (days after the period ends)",
        default=15,
        help_text="A period's figure is due this many days after the period ends.",
    )
    version = models.PositiveIntegerField(default=1)
    history = HistoricalRecords()

    class Meta:
        verbose_name_plural = "measure settings"
        constraints = [
            models.CheckConstraint(
                condition=Q(default_tolerance__gte=0),
                name="measure_settings_tolerance_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(default_tolerance_kind__in=["percent", "absolute"]),
                name="measure_settings_valid_tolerance_kind",
            ),
            models.CheckConstraint(
                condition=Q(figures_due_days__lte=366), name="measure_settings_due_days_in_range"
            ),
        ]

    def __str__(self) -> str:
        return f"Measure settings of {self.plan}"

    @classmethod
    def defaults(cls, plan: Plan) -> MeasureSettings:
        """The plan's settings, or unsaved defaults if it has none yet (a read
        never writes; the settings page saves them)."""
        return cls.objects.filter(plan=plan).first() or cls(plan=plan)


class Measure(models.Model):
    """A success measure of an improvement area."""

    area = models.ForeignKey(ImprovementArea, on_delete=models.CASCADE, related_name="measures")
    action = models.ForeignKey(
        Action, on_delete=models.SET_NULL, null=True, blank=True, related_name="measures"
    )
    name = models.CharField(max_length=200)
    definition = models.TextField(
        blank=True, default="", help_text="How it is counted: numerator, denominator, rules."
    )
    source = models.CharField(
        max_length=200, blank=True, default="", help_text="The system or return it comes from."
    )
    unit = models.CharField(max_length=12, choices=Unit.choices, default=Unit.PERCENTAGE)
    polarity = models.CharField(max_length=10, choices=Polarity.choices, default=Polarity.HIGHER)
    frequency = models.CharField(
        max_length=10, choices=Frequency.choices, default=Frequency.MONTHLY
    )
    owner = models.ForeignKey(
        Owner, on_delete=models.SET_NULL, null=True, blank=True, related_name="measures"
    )
    baseline_value = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    baseline_period = models.DateField(null=True, blank=True)
    target_value = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    target_date = models.DateField(
        null=True, blank=True, help_text="When the target is to be reached."
    )
    # Empty: the plan's default tolerance (MeasureSettings).
    tolerance = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    tolerance_kind = models.CharField(
        max_length=10, choices=ToleranceKind.choices, blank=True, default=""
    )
    order = models.PositiveSmallIntegerField(default=0)
    version = models.PositiveIntegerField(default=1)
    history = HistoricalRecords()

    class Meta:
        ordering = ["area", "order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["area", "name"], name="measure_unique_name_per_area"),
            models.CheckConstraint(condition=~Q(name=""), name="measure_name_not_empty"),
            models.CheckConstraint(
                condition=Q(unit__in=[u.value for u in Unit]), name="measure_valid_unit"
            ),
            models.CheckConstraint(
                condition=Q(polarity__in=[p.value for p in Polarity]), name="measure_valid_polarity"
            ),
            models.CheckConstraint(
                condition=Q(frequency__in=[f.value for f in Frequency]),
                name="measure_valid_frequency",
            ),
            models.CheckConstraint(
                condition=(Q(tolerance__isnull=True) & Q(tolerance_kind=""))
                | (Q(tolerance__gte=0) & Q(tolerance_kind__in=["percent", "absolute"])),
                name="measure_tolerance_with_kind",
            ),
            models.CheckConstraint(
                condition=~Q(unit="percentage")
                | Q(target_value__isnull=True)
                | Q(target_value__gte=0, target_value__lte=100),
                name="measure_percentage_target_in_range",
            ),
            models.CheckConstraint(
                condition=Q(target_date__isnull=True) | Q(target_value__isnull=False),
                name="measure_target_date_needs_target",
            ),
            models.CheckConstraint(
                condition=Q(baseline_period__isnull=True) | Q(baseline_value__isnull=False),
                name="measure_baseline_period_needs_value",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.action_id and self.area_id and self.action.area_id != self.area_id:
            raise ValidationError({"action": "Select an action from this improvement area"})


class MeasureValue(models.Model):
    """One period's figure for a measure. A correction is a save of the same
    record with a reason: history keeps the earlier value."""

    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="values")
    period = models.DateField(help_text="The first day of the month or quarter it describes.")
    value = models.DecimalField(max_digits=14, decimal_places=2)
    comment = models.TextField(blank=True, default="")
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="measure_values",
    )
    entered_at = models.DateTimeField()
    version = models.PositiveIntegerField(default=1)
    history = HistoricalRecords()

    class Meta:
        ordering = ["measure", "period"]
        constraints = [
            models.UniqueConstraint(
                fields=["measure", "period"], name="measure_value_one_a_period"
            ),
            models.CheckConstraint(condition=Q(value__gte=0), name="measure_value_not_negative"),
            models.CheckConstraint(
                condition=Q(value__lt=MAX_VALUE), name="measure_value_below_maximum"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.measure}: {self.value} for {self.period:%B %Y}"

    def clean(self) -> None:
        if (
            self.measure_id
            and self.period
            and not periods.is_start(self.period, self.measure.frequency)
        ):
            raise ValidationError({"period": "Enter the first day of a reporting period"})
        if (
            self.measure_id
            and self.measure.unit == Unit.PERCENTAGE
            and self.value is not None
            and self.value > 100
        ):
            raise ValidationError({"value": "A percentage must be between 0 and 100"})


# How long a figures upload's preview may be confirmed (measures/upload.py).
UPLOAD_TOKEN_SECONDS = 3600


class UploadConfirmation(models.Model):
    """A figures upload's preview, confirmed. The preview's signed token
    carries this id; the confirmation claims it in the transaction that writes
    the figures, so a preview saves once however often (or however many at
    once) it is posted. Working data that outlives no token (rows older than a
    token's life are deleted as others are claimed), so it keeps no history."""

    id = models.UUIDField(primary_key=True, editable=False)
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    digest = models.CharField("The file's SHA-256", max_length=64)
    confirmed_at = models.DateTimeField()

    class Meta:
        ordering = ["-confirmed_at"]
        indexes = [
            # Deleting the confirmations of tokens that have expired.
            models.Index(fields=["confirmed_at"], name="upload_confirmation_when"),
        ]

    def __str__(self) -> str:
        return f"Upload {self.digest[:12]} confirmed by {self.user_id} at {self.confirmed_at}"


def period_label(period: datetime.date, frequency: str) -> str:
    return periods.label(period, frequency)
