"""Every e-mail the service owes, recorded once and sent once.

``run(now)`` is what ``manage.py send_reminders`` does every 15 minutes:

1. **Plan**: work out every scheduled message due at ``now``, for every plan at
   once, in a fixed number of queries (``plan_scheduled``).
2. **Record**: insert the ones not yet in the log, each under the unique
   constraint on (recipient, kind, subject record, day due); a row that
   another run inserted meanwhile is skipped by the database itself
   (``bulk_create(ignore_conflicts=True)``), so two runs at once record it once.
3. **Claim and send**: one conditional UPDATE moves waiting rows to "sending"
   under this run's token; only rows still waiting are taken, so a row is
   claimed by exactly one run, on SQLite (one writer at a time) as on
   PostgreSQL (the second UPDATE waits for the first and then finds the row
   taken). Each claimed message is sent and its outcome stored: sent, or
   retrying (the next run tries again), or failed after REMINDER_MAX_ATTEMPTS
   or at once when trying again cannot help (the sender's ``permanent``: a
   header Django refuses, an address that is not one, Notify's 400).
4. **Report**: each message given up on is reported by e-mail to the plan's
   administrators (and shown on the returns page).

A message left "sending" by a run that died is not sent again (it may have
gone): after an hour it is marked failed, and so reported.

Nobody is e-mailed about a plan they hold no role in, and inactive accounts
and accounts without an e-mail address get nothing.
"""

from __future__ import annotations

import datetime
import logging
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from functools import reduce
from operator import or_

from django.conf import settings
from django.db.models import Count, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from plans import permissions as perms
from plans.models import (
    ImprovementArea,
    Membership,
    Milestone,
    Plan,
    ProgressUpdate,
    answers_for_milestone_in_query,
    expected_date_in_query,
)

from . import emails
from .emails import Planned, Recipient
from .models import EmailPreferences, Message
from .returns import MISSING, OWED, Cycle, area_returns, cycles_for
from .sending import get_sender
from .workdays import is_working_day

log = logging.getLogger(__name__)

Kind = Message.Kind
Status = Message.Status
WAITING = [Status.PENDING, Status.RETRYING]
# A message "sending" for longer than this belongs to a run that died.
STALE_AFTER = datetime.timedelta(hours=1)
# Failures are reported for this long after the last try.
REPORT_FAILURES_FOR = datetime.timedelta(days=14)
# At most this many messages are sent by one run; the rest wait for the next.
SEND_LIMIT = 2000


@dataclass
class Outcome:
    recorded: int = 0
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    cancelled: int = 0
    sent_ids: list[int] = field(default_factory=list)

    def add(self, other: Outcome) -> None:
        for name in ("recorded", "sent", "retrying", "failed", "cancelled"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.sent_ids += other.sent_ids

    def __str__(self) -> str:
        return (
            f"{self.recorded} recorded, {self.sent} sent, {self.retrying} to retry, "
            f"{self.failed} failed, {self.cancelled} not sent (account deactivated)"
        )


# --- Who may be e-mailed about a plan -------------------------------------------------


def members_of(plan_ids: list[int]) -> dict[int, dict[int, tuple[Recipient, str]]]:
    """{plan id: {user id: (recipient, role)}}: active members with an e-mail
    address, the only people a plan's messages go to (one query)."""
    members: dict[int, dict[int, tuple[Recipient, str]]] = defaultdict(dict)
    rows = (
        Membership.objects.filter(plan_id__in=plan_ids, user__is_active=True)
        .exclude(user__email="")
        .values_list(
            "plan_id", "user_id", "role", "user__email", "user__first_name", "user__username"
        )
    )
    for plan_id, user_id, role, email, first_name, username in rows:
        members[plan_id][user_id] = (Recipient(user_id, email, first_name, username), role)
    return members


def opted_out() -> tuple[set[int], set[int]]:
    """(users without the weekly digest, users without milestone nudges): one query."""
    no_digest, no_nudges = set(), set()
    rows = EmailPreferences.objects.filter(
        Q(weekly_digest=False) | Q(milestone_nudges=False)
    ).values_list("user_id", "weekly_digest", "milestone_nudges")
    for user_id, digest, nudges in rows:
        if not digest:
            no_digest.add(user_id)
        if not nudges:
            no_nudges.add(user_id)
    return no_digest, no_nudges


# --- Planning the scheduled messages ----------------------------------------------------


@dataclass
class PlanFacts:
    plan: Plan
    cycle: Cycle | None
    members: dict[int, tuple[Recipient, str]]
    owing: dict[int, list[int]]  # owner user id -> area numbers still owed
    owed_count: int | None
    awaiting: int
    overdue: list[tuple]  # (milestone id, area number, expected date, owner user id)

    @property
    def admins(self) -> list[Recipient]:
        return [r for r, role in self.members.values() if perms.is_administrator_role(role)]


def gather(today: datetime.date, plan_ids: list[int] | None = None) -> list[PlanFacts]:
    """Everything the scheduled messages need, for every plan (or ``plan_ids``),
    in a fixed number of queries: plans; return settings; meetings; areas;
    updates in the cycle; memberships; submitted counts; overdue milestones."""
    plans_qs = Plan.objects.select_related("organisation").order_by("pk")
    if plan_ids is not None:
        plans_qs = plans_qs.filter(pk__in=plan_ids)
    plans = list(plans_qs)
    ids = [p.pk for p in plans]
    cycles = cycles_for(ids, today)
    members = members_of(ids)

    states = area_returns(cycles)
    owing: dict[int, dict[int, list[int]]] = defaultdict(lambda: defaultdict(list))
    owed_count: dict[int, int] = defaultdict(int)
    areas = ImprovementArea.objects.filter(plan_id__in=list(cycles)).values_list(
        "pk", "plan_id", "number", "lead__user_id"
    )
    for area_id, plan_id, number, lead_user in areas:
        if states.get(area_id, MISSING) in OWED:
            owed_count[plan_id] += 1
            if lead_user is not None:
                owing[plan_id][lead_user].append(number)

    awaiting = dict(
        ProgressUpdate.objects.filter(area__plan_id__in=ids, state=ProgressUpdate.State.SUBMITTED)
        .order_by()
        .values("area__plan_id")
        .annotate(n=Count("pk"))
        .values_list("area__plan_id", "n")
    )
    overdue: dict[int, list[tuple]] = defaultdict(list)
    rows = (
        Milestone.objects.overdue(today)
        .filter(area__plan_id__in=ids)
        .annotate(
            expected_on=expected_date_in_query(),
            owner_user=answers_for_milestone_in_query("__user"),
        )
        .values_list("pk", "area__plan_id", "area__number", "expected_on", "owner_user")
    )
    for pk, plan_id, number, expected, owner in rows:
        overdue[plan_id].append((pk, number, expected, owner))

    return [
        PlanFacts(
            plan=plan,
            cycle=cycles.get(plan.pk),
            members=members.get(plan.pk, {}),
            owing={user: nums for user, nums in owing[plan.pk].items()},
            owed_count=owed_count[plan.pk] if plan.pk in cycles else None,
            awaiting=awaiting.get(plan.pk, 0),
            overdue=overdue[plan.pk],
        )
        for plan in plans
    ]


def week_start(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=day.weekday())


def plan_scheduled(today: datetime.date, plan_ids: list[int] | None = None) -> list[Planned]:
    """Every scheduled message due ``today``. Nothing is scheduled on days that
    are not working days: what falls due then goes on the next working day."""
    if not is_working_day(today):
        return []
    no_digest, no_nudges = opted_out()
    planned: list[Planned] = []
    for facts in gather(today, plan_ids):
        planned += _returns(facts, today)
        planned += _milestones(facts, today, no_nudges)
        planned += _digest(facts, today, no_digest)
    return planned


def _returns(facts: PlanFacts, today: datetime.date) -> list[Planned]:
    cycle = facts.cycle
    if cycle is None:
        return []
    about = f"meeting:{cycle.meeting.pk}"
    found = []
    reminder_day = cycle.reminder_day(today)
    if reminder_day is not None:
        found.append((Kind.RETURN_DUE, reminder_day))
    if cycle.missed_day <= today <= cycle.meeting.date:
        found.append((Kind.RETURN_MISSED, cycle.due))
    planned = []
    for kind, due_on in found:
        for user_id, numbers in facts.owing.items():
            if user_id not in facts.members:
                continue  # not a member of this plan, inactive, or no address
            recipient = facts.members[user_id][0]
            context = emails.return_context(cycle, numbers, facts.plan.slug, today)
            planned.append(Planned(facts.plan.pk, recipient, kind, about, due_on, context))
    return planned


def _milestones(facts: PlanFacts, today: datetime.date, no_nudges: set[int]) -> list[Planned]:
    """Each overdue milestone to the account that answers for it (its action
    owner's, else its area lead's: plans.models.answers_for_milestone): on the
    first working day it is overdue, then once a week."""
    planned = []
    for pk, number, expected, owner in facts.overdue:
        if owner is None or owner not in facts.members or owner in no_nudges:
            continue
        first = expected + datetime.timedelta(days=1)
        weeks = (today - first).days // 7
        due_on = first + datetime.timedelta(days=7 * weeks)
        context = emails.milestone_context(facts.plan.slug, number, expected)
        recipient = facts.members[owner][0]
        planned.append(
            Planned(
                facts.plan.pk, recipient, Kind.MILESTONE_OVERDUE, f"milestone:{pk}", due_on, context
            )
        )
    return planned


def _digest(facts: PlanFacts, today: datetime.date, no_digest: set[int]) -> list[Planned]:
    """A weekly summary to each plan administrator, on the week's first working
    day, when there is anything to report."""
    if not (facts.owed_count or facts.awaiting or facts.overdue):
        return []
    context = emails.digest_context(
        facts.plan.slug,
        owed=facts.owed_count,
        meeting=facts.cycle.meeting if facts.cycle else None,
        awaiting=facts.awaiting,
        overdue=len(facts.overdue),
    )
    return [
        Planned(
            facts.plan.pk, admin, Kind.DIGEST, f"plan:{facts.plan.pk}", week_start(today), context
        )
        for admin in facts.admins
        if admin.id not in no_digest
    ]


# --- Recording -------------------------------------------------------------------------


def existing_keys(planned: list[Planned]) -> set[tuple]:
    """The keys among ``planned`` already in the log (one query)."""
    if not planned:
        return set()
    earliest: dict[str, datetime.date] = {}
    for p in planned:
        earliest[p.kind] = min(earliest.get(p.kind, p.due_on), p.due_on)
    where = reduce(or_, (Q(kind=kind, due_on__gte=day) for kind, day in earliest.items()))
    return set(Message.objects.filter(where).values_list("recipient_id", "kind", "about", "due_on"))


def record(planned: list[Planned]) -> list[Planned]:
    """Record the messages not yet in the log; returns those it tried to add.
    A row another run added meanwhile is skipped by the unique constraint."""
    new = {}
    seen = existing_keys(planned)
    for p in planned:
        if p.key not in seen:
            new.setdefault(p.key, p)
    if not new:
        return []
    # Each message names its plan's council (Plan.council, as one query's column).
    council_name = Coalesce("organisation__council__name", "organisation__name")
    plans = {
        pk: (title, council)
        for pk, title, council in Plan.objects.filter(
            pk__in={p.plan_id for p in new.values()}
        ).values_list("pk", "title", council_name)
    }
    messages = [
        emails.render(p, plan_title=plans[p.plan_id][0], council_name=plans[p.plan_id][1])
        for p in new.values()
    ]
    Message.objects.bulk_create(messages, ignore_conflicts=True, batch_size=500)
    return list(new.values())


def waiting_ids(planned: list[Planned]) -> list[int]:
    """The log ids of ``planned`` messages still waiting to be sent."""
    if not planned:
        return []
    where = reduce(
        or_,
        (
            Q(recipient_id=p.recipient.id, kind=p.kind, about=p.about, due_on=p.due_on)
            for p in planned
        ),
    )
    return list(Message.objects.filter(where, status__in=WAITING).values_list("pk", flat=True))


# --- Claiming and sending ----------------------------------------------------------------


def give_up_stale(now: datetime.datetime) -> int:
    """Messages a dead run left "sending": failed, never sent again (they may have gone)."""
    stale = Message.objects.filter(status=Status.SENDING, last_attempt_at__lt=now - STALE_AFTER)
    return stale.update(
        status=Status.FAILED,
        last_error="The run sending this e-mail stopped before it finished: it may not have gone.",
    )


def claim(now: datetime.datetime, ids: list[int] | None = None) -> list[Message]:
    """Take waiting messages for this run: one conditional UPDATE, so each is
    taken by one run only, however many run at once."""
    token = uuid.uuid4().hex
    waiting = Message.objects.filter(status__in=WAITING)
    if ids is not None:
        waiting = waiting.filter(pk__in=ids)
    chosen = list(waiting.order_by("pk").values_list("pk", flat=True)[:SEND_LIMIT])
    if not chosen:
        return []
    Message.objects.filter(pk__in=chosen, status__in=WAITING).update(
        status=Status.SENDING, claim=token, last_attempt_at=now
    )
    return list(
        Message.objects.filter(claim=token, status=Status.SENDING)
        .select_related("plan__organisation", "recipient")
        .order_by("pk")
    )


def send_claimed(messages: list[Message], now: datetime.datetime, sender=None) -> Outcome:
    outcome = Outcome()
    if not messages:
        return outcome
    sender = sender or get_sender()
    limit = settings.REMINDER_MAX_ATTEMPTS
    permanent = getattr(sender, "permanent", lambda error: False)
    try:
        for message in messages:
            mine = Message.objects.filter(pk=message.pk, claim=message.claim, status=Status.SENDING)
            if not message.recipient.is_active:
                mine.update(status=Status.CANCELLED, last_error="The account is deactivated.")
                outcome.cancelled += 1
                continue
            try:
                reference = sender.send(message)
            except Exception as error:  # noqa: BLE001 - any failure is recorded and retried
                attempts = message.attempts + 1
                # What cannot change is given up on now, and so reported at once.
                given_up = attempts >= limit or permanent(error)
                status = Status.FAILED if given_up else Status.RETRYING
                mine.update(status=status, attempts=attempts, last_error=describe(error))
                log.warning(
                    "e-mail %s to %s not sent (try %s): %s",
                    message.pk,
                    message.email,
                    attempts,
                    error,
                )
                if status == Status.FAILED:
                    outcome.failed += 1
                else:
                    outcome.retrying += 1
                continue
            mine.update(
                status=Status.SENT,
                attempts=message.attempts + 1,
                sent_at=now,
                sent_by=getattr(sender, "name", "")[:30],
                provider_reference=reference,
                last_error="",
            )
            outcome.sent += 1
            outcome.sent_ids.append(message.pk)
    finally:
        sender.close()
    return outcome


def describe(error: Exception) -> str:
    text = f"{type(error).__name__}: {error}"
    return text[:500]


def send_waiting(now: datetime.datetime, ids: list[int] | None = None, sender=None) -> Outcome:
    return send_claimed(claim(now, ids), now, sender)


# --- Reporting failures ------------------------------------------------------------------


def plan_failure_reports(now: datetime.datetime) -> list[Planned]:
    """A report to each plan administrator of each message given up on lately
    (never of a failed report: that would go round for ever)."""
    failed = list(
        Message.objects.filter(status=Status.FAILED, last_attempt_at__gte=now - REPORT_FAILURES_FOR)
        .exclude(kind=Kind.DELIVERY_FAILED)
        .select_related("plan", "recipient")
    )
    if not failed:
        return []
    members = members_of(list({m.plan_id for m in failed}))
    planned = []
    for message in failed:
        user = message.recipient
        name = user.get_full_name() or user.get_username()
        context = emails.failure_context(message.plan.slug, message, name)
        day = timezone.localtime(message.last_attempt_at).date()
        for recipient, role in members.get(message.plan_id, {}).values():
            if perms.is_administrator_role(role):
                planned.append(
                    Planned(
                        message.plan_id,
                        recipient,
                        Kind.DELIVERY_FAILED,
                        f"message:{message.pk}",
                        day,
                        context,
                    )
                )
    return planned


# --- The run -------------------------------------------------------------------------------


def run(now: datetime.datetime | None = None, sender=None) -> Outcome:
    """What send_reminders does: plan, record, send, report."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    outcome = Outcome()
    give_up_stale(now)
    outcome.recorded += len(record(plan_scheduled(today)))
    outcome.add(send_waiting(now, sender=sender))
    reports = record(plan_failure_reports(now))
    outcome.recorded += len(reports)
    if reports:
        outcome.add(send_waiting(now, ids=waiting_ids(reports), sender=sender))
    return outcome


def record_and_send(planned: list[Planned], now: datetime.datetime | None = None) -> list[Planned]:
    """Event and on-demand messages: record them, then send them at once
    (a failure is retried by the next run). Returns the ones newly recorded."""
    now = now or timezone.now()
    new = record(planned)
    if new:
        send_waiting(now, ids=waiting_ids(new))
    return new
