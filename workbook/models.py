"""What the workbook app keeps: a checked import waiting for its confirmation,
and who may start plans for a council.

A ``PendingImport`` holds the rows read from an upload (plain values, never the
file itself) between the preview and the user's confirmation, keyed to the
user and plan. Confirming claims it (``claim``: deleted in the transaction
that writes, so it confirms once); cancelling deletes it; any older than
``PENDING_HOURS`` are deleted whenever someone uploads (and refused if
confirmed late). It is transient working data, so it keeps no history;
everything it leads to is written through ``save()`` with history.
"""

from __future__ import annotations

import datetime
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

PENDING_HOURS = 2


class PendingImport(models.Model):
    class Kind(models.TextChoices):
        PLAN = "plan", "The whole plan"
        PROGRESS = "progress", "Progress updates"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    plan = models.ForeignKey("plans.Plan", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    file_name = models.CharField(max_length=255)
    # The sheets as read (workbook/reading.py), as JSON: rows of text and ISO dates.
    rows = models.JSONField(default=dict)
    # A digest of the preview the user saw: the confirmation writes only if the
    # plan, checked again, gives the same preview.
    fingerprint = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            # Purging expired previews.
            models.Index(fields=["created_at"], name="pending_import_created"),
        ]

    def __str__(self) -> str:
        return f"{self.file_name} for {self.plan_id} by {self.user_id}"

    @property
    def expired(self) -> bool:
        return self.created_at < expired_before()


def expired_before() -> datetime.datetime:
    return timezone.now() - datetime.timedelta(hours=PENDING_HOURS)


class AlreadyConfirmed(Exception):
    """The pending import was confirmed (or cancelled, or expired) before this
    confirmation could claim it: nothing was written."""


def claim(pending_id: uuid.UUID, *, user, plan) -> None:
    """Take the user's pending import of this plan for the confirmation under
    way: deleted inside the caller's transaction, so that a second post of the
    same confirmation (even one that waited on this one's lock) finds nothing
    to confirm, and restored if the transaction rolls back (a stale preview)."""
    deleted, _ = PendingImport.objects.filter(
        pk=pending_id, user_id=user.pk, plan=plan, created_at__gte=expired_before()
    ).delete()
    if not deleted:
        raise AlreadyConfirmed(str(pending_id))


class CouncilAdministrator(models.Model):
    """A person the service's operators allow to start plans for a council
    (``manage.py create_council``). Plan administrators of any of the council's
    plans may start plans too; this is how the council's first one can."""

    council = models.ForeignKey(
        "plans.Organisation",
        on_delete=models.CASCADE,
        related_name="plan_starters",
        limit_choices_to={"council__isnull": True},
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="councils_started"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["council", "user"]
        constraints = [
            models.UniqueConstraint(
                fields=["council", "user"], name="council_administrator_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} may start plans for {self.council}"
