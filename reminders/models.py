"""Returns before each board, and the e-mails that remind people of them.

``ReturnSettings`` is a plan's rule for its returns (kept with history, like
the plan itself); ``EmailPreferences`` is a person's choice of the optional
e-mails; ``Message`` is the log of every e-mail the service owes someone. A
message is recorded before it is sent, under a unique constraint on
(recipient, kind, subject record, day it fell due), which is what makes each
e-mail go exactly once however often, or however concurrently,
``send_reminders`` runs (reminders/services.py).
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from plans.models import Meeting, Plan

DEFAULT_WORKING_DAYS = 10
DEFAULT_OFFSETS = "5,1"
DEFAULT_KINDS = Meeting.Kind.IMPROVEMENT_BOARD.value
MAX_WORKING_DAYS = 60
MAX_OFFSET = 30


def parse_numbers(text: str) -> list[int]:
    """'5, 1' → [5, 1]; ValueError on anything that is not whole numbers in the
    digits 0 to 9 (int() alone reads "٥", "+5" and "1_0")."""
    parts = [part for part in text.replace(" ", "").split(",") if part]
    if not all(part.isascii() and part.isdigit() for part in parts):
        raise ValueError(f"not whole numbers: {text!r}")
    return [int(part) for part in parts]


class ReturnSettings(models.Model):
    """When a plan's returns are due: ``working_days_before`` each meeting of a
    triggering kind, with reminders ``reminder_offsets`` working days before
    the due date. A plan without a row has the defaults (``for_plan``); the
    row is made when a plan administrator first saves the settings."""

    plan = models.OneToOneField(Plan, on_delete=models.CASCADE, related_name="return_settings")
    working_days_before = models.PositiveSmallIntegerField(default=DEFAULT_WORKING_DAYS)
    # Meeting kinds, comma-separated (Meeting.Kind values).
    trigger_kinds = models.CharField(max_length=200, default=DEFAULT_KINDS)
    # Working days before the due date, comma-separated, e.g. "5,1".
    reminder_offsets = models.CharField(max_length=50, default=DEFAULT_OFFSETS)
    history = HistoricalRecords()

    class Meta:
        verbose_name_plural = "return settings"
        constraints = [
            models.CheckConstraint(
                condition=Q(working_days_before__gte=1, working_days_before__lte=MAX_WORKING_DAYS),
                name="return_settings_working_days_in_range",
            ),
            models.CheckConstraint(
                condition=~Q(trigger_kinds=""), name="return_settings_some_trigger_kind"
            ),
        ]

    def __str__(self) -> str:
        return f"Returns for {self.plan}"

    @classmethod
    def for_plan(cls, plan: Plan) -> ReturnSettings:
        """The plan's settings, or the defaults (unsaved) if it has none yet."""
        try:
            return plan.return_settings
        except cls.DoesNotExist:
            return cls(plan=plan)

    @property
    def kinds(self) -> list[str]:
        return [kind for kind in self.trigger_kinds.split(",") if kind]

    @property
    def offsets(self) -> list[int]:
        return sorted(set(parse_numbers(self.reminder_offsets)), reverse=True)

    def kinds_display(self) -> str:
        labels = [Meeting.Kind(kind).label for kind in self.kinds]
        return " and ".join(labels)

    def clean(self) -> None:
        unknown = set(self.kinds) - set(Meeting.Kind.values)
        if unknown or not self.kinds:
            raise ValidationError({"trigger_kinds": "Select at least one kind of meeting"})
        try:
            offsets = parse_numbers(self.reminder_offsets)
        except ValueError:
            offsets = [-1]
        if not all(1 <= n <= MAX_OFFSET for n in offsets):
            raise ValidationError(
                {"reminder_offsets": f"Enter whole numbers of working days from 1 to {MAX_OFFSET}"}
            )


class EmailPreferences(models.Model):
    """The optional e-mails a person has turned off. Return reminders and
    sign-off e-mails are part of the job and cannot be turned off."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="email_preferences"
    )
    weekly_digest = models.BooleanField(default=True)
    milestone_nudges = models.BooleanField(default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name_plural = "e-mail preferences"

    def __str__(self) -> str:
        return f"E-mail preferences of {self.user}"

    @classmethod
    def for_user(cls, user) -> EmailPreferences:
        try:
            return user.email_preferences
        except cls.DoesNotExist:
            return cls(user=user)


class MessageQuerySet(models.QuerySet):
    def for_returns_page(self, plan: Plan) -> MessageQuerySet:
        """A plan's messages, newest first, with their recipients (one query a page)."""
        return (
            self.filter(plan=plan)
            .select_related("recipient", "requested_by")
            .order_by("-created_at", "-id")
        )


class Message(models.Model):
    """One e-mail owed to one person, recorded before it is sent.

    A plain log, not a tracked record: each row is itself the record of what
    was sent (or could not be). Bodies carry no plan narrative, so keeping
    them is safe and lets plan administrators see exactly what went.
    """

    class Kind(models.TextChoices):
        RETURN_DUE = "return_due", "Return reminder"
        RETURN_MISSED = "return_missed", "Missed return"
        MILESTONE_OVERDUE = "milestone_overdue", "Overdue milestone"
        DIGEST = "digest", "Weekly digest"
        SIGN_OFF_REQUEST = "sign_off_request", "Sign-off request"
        UPDATE_APPROVED = "update_approved", "Update approved"
        UPDATE_RETURNED = "update_returned", "Update returned"
        DELIVERY_FAILED = "delivery_failed", "E-mail could not be sent"

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting to be sent"
        SENDING = "sending", "Being sent"
        SENT = "sent", "Sent"
        RETRYING = "retrying", "Retrying"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Not sent: account deactivated"

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="messages")
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="messages_received"
    )
    kind = models.CharField(max_length=30, choices=Kind.choices)
    # The record the message is about, e.g. "meeting:12", "milestone:7", "update:9:v3".
    about = models.CharField(max_length=100)
    # The day the message fell due (a reminder day, a week's first day, …).
    due_on = models.DateField()
    email = models.EmailField(max_length=254)
    subject = models.CharField(max_length=200)
    body_text = models.TextField()
    body_html = models.TextField()
    link = models.CharField(max_length=500)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True, default="")
    # Which run is sending it: set in the same UPDATE that claims it.
    claim = models.CharField(max_length=36, blank=True, default="")
    # How it went: "smtp", "notify", "console" (DEBUG), …
    sent_by = models.CharField(max_length=30, blank=True, default="")
    provider_reference = models.CharField(max_length=100, blank=True, default="")
    # A plan administrator's "Remind now"; empty for scheduled and event messages.
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reminders_requested",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    objects = MessageQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # send_reminders: the messages waiting to be claimed.
            models.Index(fields=["status", "id"], name="message_status_id"),
            # The returns page's history of a plan's messages, newest first.
            models.Index(fields=["plan", "-created_at"], name="message_plan_created"),
            # send_reminders: which candidates are already recorded.
            models.Index(fields=["due_on"], name="message_due_on"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "kind", "about", "due_on"], name="message_once"
            ),
            models.CheckConstraint(
                condition=Q(
                    status__in=["pending", "sending", "sent", "retrying", "failed", "cancelled"]
                ),
                name="message_valid_status",
            ),
            models.CheckConstraint(
                condition=Q(
                    kind__in=[
                        "return_due",
                        "return_missed",
                        "milestone_overdue",
                        "digest",
                        "sign_off_request",
                        "update_approved",
                        "update_returned",
                        "delivery_failed",
                    ]
                ),
                name="message_valid_kind",
            ),
            models.CheckConstraint(
                condition=~Q(status="sent") | Q(sent_at__isnull=False),
                name="message_sent_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} to {self.email} ({self.get_status_display()})"

    @property
    def key(self) -> tuple:
        return (self.recipient_id, self.kind, self.about, self.due_on)
