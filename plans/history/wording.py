"""A history row in the plan's words: a ``ChangeEntry`` with a heading
("Approved", "Changed"), the record's name, the reason given, and one line a
changed field ("Due date moved from 30 June 2015 to 30 September 2015", "RAG
status: Amber → Red"). What a kind of record words its own way it says in its
``Source`` (plans/history/registry.py).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import models
from django.utils import timezone

from core.rag import RAG
from plans.models import (
    DatePrecision,
    ImprovementArea,
    ProgressUpdate,
    format_plan_date,
    history_rows,
)

from .entries import ChangeEntry, FieldChange
from .registry import Source, source_for

if TYPE_CHECKING:
    from .fetch import Lookups

State = ProgressUpdate.State

# Bookkeeping that says nothing to a reader. ``plan`` is the plan being read;
# the precision fields are shown as part of their dates ("June 2015").
PRECISION_OF = {"due_date": "due_precision", "date": "date_precision"}
HIDDEN_FIELDS = {"id", "version", "created_at", "plan", *PRECISION_OF.values()}
# An update's state is the entry's heading ("Approved"); the moments it was
# submitted and approved are the entry's own time.
UPDATE_HIDDEN = frozenset({"state", "submitted_at", "approved_at"})
# What a reader who sees approved updates only (board, scrutiny) is shown of
# an update's history: its approval, as published, without its workings.
PUBLISHED_HIDDEN = UPDATE_HIDDEN | {"review_comment"}

EVENTS = {"+": "Created", "~": "Changed", "-": "Deleted"}
STATE_EVENTS = {
    State.SUBMITTED: "Submitted for sign-off",
    State.APPROVED: "Approved",
    State.RETURNED: "Returned to the author",
}
SYSTEM = "The system (no signed-in user)"
NOBODY = "(none)"

# Field names in the plan's words, where the model's own name is not (a kind
# of record's own labels come first: ``Source.labels``).
LABELS = {
    "as_at": "As-at date",
    "rag": "RAG status",
    "narrative": "Progress",
    "rag_reason": "Reason for the status",
    "approved_by": "Signed off by",
    "review_comment": "Reviewer's comment",
    "completed_date": "Completion date",
    "sent_to_inspectorate": "Sent to the inspectorate",
    "officers_may_update_any_area": "Officers may update any area",
    "officers_see_submitted_updates": "Officers see others' submitted updates",
}


def rag_word(value: str) -> str:
    """'Amber', from the RAG scale's own label ('Amber – at risk')."""
    return RAG(value).label.split(" – ")[0]


def user_name(user) -> str:
    if user is None:
        return SYSTEM
    return user.get_full_name() or user.get_username()


def tracked_fields(model: type[models.Model]) -> list[models.Field]:
    return [f for f in model._meta.concrete_fields if f.name not in HIDDEN_FIELDS]


def m2m_fields(model: type[models.Model]) -> list[models.ManyToManyField]:
    return [f for f in model._meta.many_to_many if hasattr(history_rows(model).model, f.name)]


@dataclass
class Context:
    """What wording a page of rows needs besides the rows themselves."""

    plan_slug: str
    lookups: Lookups
    # Whether an update history row is shown only as published (its approval,
    # without the row before it or the reviewer's workings).
    published_only: Callable[[object], bool] | None = None
    # Updates the viewer may open; None: link to every record (one record's history).
    openable_updates: set | None = None

    def may_link(self, model: type[models.Model], pk: object) -> bool:
        """Whether to link to a record's page: on a change list, only while the
        record exists (one record's own history links regardless)."""
        return self.openable_updates is None or self.lookups.get(model, pk) is not None

    def may_open_update(self, pk: object) -> bool:
        return self.openable_updates is None or pk in self.openable_updates


def _label(model: type[models.Model], f: models.Field) -> str:
    source = source_for(model)
    name = (source.labels.get(f.name) if source else None) or LABELS.get(f.name)
    if name:
        return name
    verbose = str(f.verbose_name)
    return verbose[:1].upper() + verbose[1:]


def _display(f: models.Field, row: models.Model, lookups: Lookups) -> str:
    """A field's value as the plan writes it; "" for no value."""
    value = getattr(row, f.attname)
    source = source_for(f.model)
    if source is not None and source.display is not None:
        shown = source.display(f, row, value, lookups)
        if shown is not None:
            return shown
    if value is None or value == "":
        return ""
    if f.related_model is ImprovementArea:
        # "Area: 3", not the whole recommendation.
        area = lookups.get(ImprovementArea, value)
        return str(area.number) if area is not None else "(deleted)"
    if f.is_relation:
        return lookups.name(f.related_model, value)
    if f.name == "rag":
        return rag_word(value)
    if f.choices:
        return str(dict(f.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).strftime("%-d %B %Y %H:%M")
    if isinstance(value, datetime.date):
        precision = getattr(row, PRECISION_OF.get(f.name, ""), DatePrecision.DAY)
        return format_plan_date(value, precision)
    return str(value)


def _line(label: str, old: str, new: str, *, created: bool, style: str) -> str:
    """One change in a line, in the plan's words."""
    if style == "text":  # the text itself is shown below the line
        if created:
            return label
        if not old:
            return f"{label} added"
        return f"{label} removed" if not new else f"{label} changed"
    if created:
        return f"{label}: {new}"
    if not old:
        return f"{label} set to {new}"
    if not new:
        return f"{label} cleared (was {old})" if style == "date" else f"{label}: {old} → {NOBODY}"
    if style == "date":
        return f"{label} moved from {old} to {new}"
    return f"{label}: {old} → {new}"


def _style(f: models.Field) -> str:
    if isinstance(f, models.TextField):
        return "text"
    if isinstance(f, models.DateField) and not isinstance(f, models.DateTimeField):
        return "date"
    return "value"


def _changes(model, source: Source | None, row, before, fields, lookups) -> list[FieldChange]:
    created = before is None
    changes = []
    for f in fields:
        new = _display(f, row, lookups)
        old = "" if created else _display(f, before, lookups)
        if created:
            if getattr(row, f.attname) in (None, "", False):
                continue
        elif new == old:
            continue
        label, style = _label(model, f), _style(f)
        text = _line(label, old, new, created=created, style=style)
        if source is not None and source.change_text is not None:
            said = source.change_text(f, row, old, new, created, lookups)
            if said is not None:
                label, text = said
        changes.append(FieldChange(label=label, old=old, new=new, text=text, long=style == "text"))
    for f in m2m_fields(model):
        new = ", ".join(row.m2m_names[f.name])
        old = "" if created else ", ".join(before.m2m_names[f.name])
        if new != old and (new or not created):
            label = _label(model, f)
            text = _line(label, old, new, created=created, style="value")
            changes.append(FieldChange(label=label, old=old, new=new, text=text))
    return changes


def _event(model, source: Source | None, row, before, published: bool) -> str:
    if source is not None and source.event is not None:
        said = source.event(row, before)
        if said is not None:
            return said
    if model is ProgressUpdate:
        if published:
            return STATE_EVENTS.get(row.state, EVENTS[row.history_type])
        moved = row.state != (before.state if before is not None else State.DRAFT)
        if row.history_type != "-" and moved and row.state in STATE_EVENTS:
            return STATE_EVENTS[row.state]
    return EVENTS.get(row.history_type, row.history_type)


def entry(model: type[models.Model], row, before, context: Context) -> ChangeEntry:
    """The ChangeEntry for history row ``row`` of ``model`` (``before``: the
    record's row before it, None for its first)."""
    source = source_for(model)
    published = (
        model is ProgressUpdate
        and context.published_only is not None
        and context.published_only(row)
    )
    if published:
        before = None
    hidden = PUBLISHED_HIDDEN if published else source.hidden if source is not None else ()
    fields = [f for f in tracked_fields(model) if f.name not in hidden]
    event = _event(model, source, row, before, published)
    if model is ProgressUpdate and not published:
        # The state is the heading, unless the change of state is not one of
        # the sign-off steps (e.g. set back to draft in the admin site).
        was = before.state if before is not None else State.DRAFT
        if row.state != was and event not in STATE_EVENTS.values():
            fields.append(model._meta.get_field("state"))
    if source is not None and source.subject is not None:
        subject, url = source.subject(row, context)
    else:
        subject, url = str(model._meta.verbose_name).capitalize(), ""
    reason = "" if published else row.history_change_reason or ""
    if source is not None and source.reason is not None:
        reason = source.reason(reason)
    return ChangeEntry(
        when=row.history_date,
        who=user_name(row.history_user),
        event=event,
        subject=subject,
        url=url,
        reason=reason,
        changes=_changes(model, source, row, before, fields, context.lookups),
        version=getattr(row, "version", None),
    )
