"""What plans tells other apps of a progress update's sign-off, once it is
committed: nothing is sent for a write that is rolled back.

Receivers get ``update_id``; reminders connects its sign-off e-mails in
RemindersConfig.ready (reminders/events.py). Plans knows nothing of them.
"""

from __future__ import annotations

from functools import partial

from django.db import transaction
from django.dispatch import Signal

from .models import ProgressUpdate

# An update was submitted for sign-off (from its form, its page or a workbook).
update_submitted = Signal()
# An update was approved or returned to its author.
update_reviewed = Signal()


def send_on_commit(signal: Signal, update: ProgressUpdate) -> None:
    """Send ``signal`` about ``update`` when the current transaction commits."""
    transaction.on_commit(partial(signal.send, sender=ProgressUpdate, update_id=update.pk))
