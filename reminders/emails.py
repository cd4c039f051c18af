"""What each e-mail says: GOV.UK Notify's house style.

Short; one clear link to the exact page; no plan narrative or other OFFICIAL
content (never an update's text, a reviewer's comment or a milestone's title):
only area numbers, dates, counts and the plan's title. Each kind has a plain
text and an HTML template in templates/reminders/email/; the subject is built
here. Links are absolute, from the SITE_URL setting, since the e-mails are
sent outside any request.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from core.dates import long_date_with_weekday
from core.single_line import single_line

from .models import Message

Kind = Message.Kind


def absolute(path: str) -> str:
    return settings.SITE_URL + path


@dataclass
class Recipient:
    """Who a message goes to: enough of the account to address it."""

    id: int
    email: str
    first_name: str = ""
    username: str = ""

    @property
    def greeting_name(self) -> str:
        return self.first_name or self.username

    @classmethod
    def of(cls, user) -> Recipient:
        return cls(user.pk, user.email, user.first_name, user.get_username())


@dataclass
class Planned:
    """A message worth recording: who, what kind, about what, due which day,
    and the facts its templates need (``context``)."""

    plan_id: int
    recipient: Recipient
    kind: str
    about: str
    due_on: datetime.date
    context: dict = field(default_factory=dict)
    requested_by_id: int | None = None

    @property
    def key(self) -> tuple:
        return (self.recipient.id, self.kind, self.about, self.due_on)


def areas_phrase(numbers: list[int]) -> str:
    """'area 3', 'areas 3 and 7', 'areas 1, 3 and 7'."""
    numbers = sorted(numbers)
    if len(numbers) == 1:
        return f"area {numbers[0]}"
    listed = ", ".join(str(n) for n in numbers[:-1])
    return f"areas {listed} and {numbers[-1]}"


def subject_for(kind: str, c: dict) -> str:
    if kind == Kind.RETURN_DUE:
        if c.get("overdue"):
            return f"Your update for the {c['meeting_kind']} is overdue"
        return f"Your update for the {c['meeting_kind']} is due by {c['due_display']}"
    if kind == Kind.RETURN_MISSED:
        return f"Your update for the {c['meeting_kind']} was due on {c['due_display']}"
    if kind == Kind.MILESTONE_OVERDUE:
        return f"A milestone in area {c['area_number']} is overdue"
    if kind == Kind.DIGEST:
        return f"{c['plan_title']}: this week's summary"
    if kind == Kind.SIGN_OFF_REQUEST:
        return f"An update on area {c['area_number']} is waiting for your sign-off"
    if kind == Kind.UPDATE_APPROVED:
        return f"Your update on area {c['area_number']} has been approved"
    if kind == Kind.UPDATE_RETURNED:
        return f"Your update on area {c['area_number']} has been returned to you"
    if kind == Kind.DELIVERY_FAILED:
        return "An e-mail from the improvement plan could not be sent"
    raise ValueError(kind)


def render(planned: Planned, *, plan_title: str, council_name: str) -> Message:
    """The message, ready to record (unsaved). The plan's title and council's
    name are put on one line: a line break stored in either would make the
    subject a header no mail server accepts (core/single_line.py)."""
    context = {
        "name": planned.recipient.greeting_name,
        "plan_title": single_line(plan_title),
        "council_name": single_line(council_name),
        "service_name": settings.SERVICE_NAME,
        **planned.context,
    }
    context["subject"] = subject_for(planned.kind, context)
    template = f"reminders/email/{planned.kind}"
    return Message(
        plan_id=planned.plan_id,
        recipient_id=planned.recipient.id,
        kind=planned.kind,
        about=planned.about,
        due_on=planned.due_on,
        email=planned.recipient.email,
        subject=single_line(context["subject"])[:200],
        body_text=render_to_string(f"{template}.txt", context).strip() + "\n",
        body_html=render_to_string(f"{template}.html", context),
        link=context["link"],
        requested_by_id=planned.requested_by_id,
    )


# --- The facts each kind needs --------------------------------------------------------


def return_context(cycle, numbers: list[int], plan_slug: str, today: datetime.date) -> dict:
    """A return reminder: which areas, due when, for which meeting; the link is
    the area's update form when there is one area, else My work, which lists them."""
    if len(numbers) == 1:
        link = absolute(reverse("plans:update_new", args=[plan_slug, numbers[0]]))
    else:
        link = absolute(reverse("plans:my_work"))
    return {
        "areas": areas_phrase(numbers),
        "area_count": len(numbers),
        "meeting_kind": cycle.meeting.get_kind_display(),
        "meeting_display": long_date_with_weekday(cycle.meeting.date),
        "due_display": long_date_with_weekday(cycle.due),
        "overdue": cycle.is_overdue(today),
        "link": link,
    }


def milestone_context(plan_slug: str, area_number: int, expected: datetime.date) -> dict:
    return {
        "area_number": area_number,
        "expected_display": long_date_with_weekday(expected),
        "link": absolute(reverse("plans:area", args=[plan_slug, area_number])),
    }


def digest_context(plan_slug: str, *, owed: int | None, meeting, awaiting: int, overdue: int):
    return {
        "owed": owed,
        "meeting_kind": meeting.get_kind_display() if meeting else "",
        "meeting_display": long_date_with_weekday(meeting.date) if meeting else "",
        "awaiting": awaiting,
        "overdue": overdue,
        "link": absolute(reverse("reminders:returns", args=[plan_slug])),
    }


def update_context(update, *, review: bool) -> dict:
    name = "plans:update_review" if review else "plans:update"
    return {
        "area_number": update.area.number,
        "as_at_display": long_date_with_weekday(update.as_at),
        "link": absolute(reverse(name, args=[update.pk])),
    }


def failure_context(plan_slug: str, failed: Message, recipient_name: str) -> dict:
    return {
        "failed_kind": failed.get_kind_display().lower(),
        "failed_to": recipient_name,
        "failed_on": long_date_with_weekday(timezone.localtime(failed.created_at).date()),
        "attempts": failed.attempts,
        "link": absolute(reverse("reminders:returns", args=[plan_slug])),
    }
