"""A second, fictional plan for developers and newcomers: "Demo Borough
Council", with 18 months of approved updates, boards, issued papers and
monthly figures, so every page and chart has something in it.

Everything here is made up and says so: the plan's title carries
ILLUSTRATIVE_MARK (every page shows a banner for it, every paper prints the
title), and so do the papers' own titles. Deterministic: the same content for
the same day, built from fixed tables and formulae, never at random; the
timeline ends with the month before ``today``. Built once: if the plan exists,
nothing is written. Its accounts (DEMO_ACCOUNTS) belong to this plan only.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from measures import periods
from measures.models import Frequency, Measure, MeasureSettings, Unit
from measures.services import record_value
from plans.models import (
    ILLUSTRATIVE_MARK,
    Action,
    ImprovementArea,
    Meeting,
    Membership,
    Milestone,
    Organisation,
    Owner,
    Plan,
    ProgressUpdate,
    Theme,
)
from plans.saving import save_with_history
from reporting.models import PreparedPaper
from reporting.papers import Kind
from reporting.services import issue_paper, prepared_defaults

from .data import (
    AREAS,
    BOARD_ASKS,
    COUNCIL,
    DEMO_ACCOUNTS,
    DEMO_SLUG,
    DEMO_TITLE,
    MEASURES,
    MONTHS,
    OWNERS,
    PARTNERS,
    REASON,
    STATUS_REASONS,
    THEMES,
    WOBBLE,
)


@dataclass
class Built:
    plan: Plan
    users: dict


def _moment(day: datetime.date, hour: int) -> datetime.datetime:
    """``hour`` o'clock on ``day``, but never later than yesterday: the demo's
    history is all in the past."""
    latest = timezone.localdate() - datetime.timedelta(days=1)
    day = min(day, latest)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def _month_end(first: datetime.date) -> datetime.date:
    return periods.end_of(first, Frequency.MONTHLY)


def _figure(start: float, end: float, i: int, unit: str) -> Decimal:
    value = start + (end - start) * i / (MONTHS - 1) + WOBBLE[i] * (abs(end - start) / 25 + 0.2)
    value = max(value, 0)
    if unit == Unit.PERCENTAGE:
        value = min(value, 100)
    return Decimal(str(round(value, 1)))


def _accounts() -> dict:
    User = get_user_model()
    users = {}
    for username, password, full_name, _role, _title in DEMO_ACCOUNTS:
        first, last = full_name.split(" ", 1)
        user, _ = User.objects.get_or_create(username=username)
        user.first_name, user.last_name = first, last
        user.email = f"{username}@example.org"
        user.is_staff = user.is_superuser = False
        if not user.check_password(password):
            user.set_password(password)
        user.save()
        users[username] = user
    return users


def build_demo(today: datetime.date | None = None, *, issue: bool = True) -> Built | None:
    """Create the demo plan, unless it exists (then None: nothing written).
    ``issue``: issue the past meetings' papers (rendering each file); without
    it they are prepared only (tests that do not read the papers)."""
    today = today or timezone.localdate()
    if Plan.objects.filter(slug=DEMO_SLUG).exists():
        _accounts()  # passwords as printed, even if someone changed them
        return None
    with transaction.atomic():
        return _build(today, issue)


def _build(today: datetime.date, issue: bool = True) -> Built:
    users = _accounts()
    admin, officer, scrutiny = users["demo-admin"], users["demo-officer"], users["demo-scrutiny"]
    first_month = periods.shift(today.replace(day=1), Frequency.MONTHLY, -MONTHS)
    months = periods.series(
        periods.shift(first_month, Frequency.MONTHLY, MONTHS - 1), Frequency.MONTHLY, MONTHS
    )
    set_up = _moment(first_month - datetime.timedelta(days=20), 10)

    def save(obj, when=set_up, user=admin, reason=REASON):
        save_with_history(obj, reason=reason, user=user, when=when)
        return obj

    council = save(Organisation(name=COUNCIL, short_name="DBC", kind=Organisation.Kind.COUNCIL))
    partners = [
        save(Organisation(name=n, short_name=s, kind=k, council=council)) for n, s, k in PARTNERS
    ]
    owners = {k: save(Owner(job_title=t, organisation=council)) for k, t in OWNERS.items()}
    owners["sw"].user = officer
    save(owners["sw"], reason="Demo account holds this role")
    plan = save(
        Plan(
            title=DEMO_TITLE,
            slug=DEMO_SLUG,
            organisation=council,
            inspection_name="Inspection of services for children in need of help and protection, "
            f"children looked after and care leavers {ILLUSTRATIVE_MARK}",
            inspection_start=first_month - datetime.timedelta(days=120),
            inspection_end=first_month - datetime.timedelta(days=100),
            sent_to_inspectorate=first_month - datetime.timedelta(days=40),
            board_description="A fictional improvement board, for demonstration.",
            overview="Demo Borough Council is fictional: this plan, its people, updates, "
            "figures and papers are illustrative data for trying the service out.",
        )
    )
    for username, _p, _n, role, _t in DEMO_ACCOUNTS:
        save(
            Membership(plan=plan, user=users[username], role=role),
            reason="Demo account added to the demo plan",
        )
    save(MeasureSettings(plan=plan))
    themes = {
        slug: save(Theme(plan=plan, name=name, slug=slug, order=i))
        for i, (slug, name) in enumerate(THEMES)
    }
    areas = []
    for number, (text, theme, lead, _rags) in enumerate(AREAS, start=1):
        areas.append(
            save(
                ImprovementArea(
                    plan=plan,
                    number=number,
                    recommendation=text,
                    theme=themes[theme],
                    lead=owners[lead],
                )
            )
        )
    _actions_and_milestones(areas, owners, partners, months, save, today)
    _updates(areas, months, officer, admin)
    meetings = _meetings(plan, months, save)
    _measures(areas, owners, months, save, officer, admin, today)
    _papers(meetings, scrutiny, today, issue)
    return Built(plan=plan, users=users)


def _actions_and_milestones(areas, owners, partners, months, save, today) -> None:
    for i, area in enumerate(areas):
        for j in range(2):
            start = months[min(j * 3, MONTHS - 1)]
            action = save(
                Action(
                    area=area,
                    reference=f"{area.number}.{j + 1}",
                    title=["Agree and publish the practice standard", "Embed it and audit it"][j],
                    owner=area.lead,
                    start_date=start,
                    due_date=_month_end(months[min(6 + j * 8, MONTHS - 1)]),
                    status=Action.Status.COMPLETE
                    if j == 0 and i % 3 != 2
                    else Action.Status.IN_PROGRESS,
                ),
                when=_moment(start, 9),
            )
            if j == 0:
                action.partners.set([partners[i % len(partners)]])
        for k in range(3):
            due = _month_end(months[min(3 + k * 6 + i % 3, MONTHS - 1)])
            milestone = save(
                Milestone(
                    area=area,
                    title=f"Step {k + 1}: " + ["standard agreed", "first audit", "second audit"][k],
                    due_date=due,
                ),
                when=_moment(months[0], 11),
            )
            if due < today - datetime.timedelta(days=20) and (i + k) % 4 != 3:
                milestone.status = Milestone.Status.COMPLETE
                milestone.completed_date = due - datetime.timedelta(days=(i + k) % 9)
                milestone.version += 1
                save(milestone, when=_moment(milestone.completed_date, 16), reason="Completed")
            elif (i + k) % 4 == 3 and due < today:
                milestone.forecast_date = due + datetime.timedelta(days=45)
                milestone.version += 1
                save(
                    milestone,
                    when=_moment(min(due, today), 15),
                    reason="Re-forecast: the audit team was redeployed to the front door",
                )


def _updates(areas, months, officer, admin) -> None:
    words = {"green": "on track", "amber": "at risk", "red": "off track", "blue": "complete"}
    codes = {"G": "green", "A": "amber", "R": "red", "B": "blue"}
    for i, area in enumerate(areas):
        rags = [codes[c] for c in AREAS[i][3]]
        for m, first in enumerate(months):
            rag = rags[m]
            worse = m > 0 and ["blue", "green", "amber", "red"].index(rag) > [
                "blue",
                "green",
                "amber",
                "red",
            ].index(rags[m - 1])
            as_at = _month_end(first)
            next_month = as_at + datetime.timedelta(days=5)
            update = ProgressUpdate(
                area=area,
                as_at=as_at,
                rag=rag,
                narrative=f"{first:%B %Y}: work on area {area.number} is {words[rag]}. "
                f"Illustrative update {m + 1} of {MONTHS}.",
                next_steps="Continue the plan's actions; report to the next board.",
                # Every amber or red status says why, as the update form asks.
                rag_reason=STATUS_REASONS[(i + m) % len(STATUS_REASONS)]
                if worse or rag in ("amber", "red")
                else "",
                author=officer,
            )
            save_with_history(
                update, reason="Saved as a draft", user=officer, when=_moment(next_month, 9)
            )
            update.state = ProgressUpdate.State.SUBMITTED
            update.submitted_at = _moment(next_month, 10)
            save_with_history(
                update, reason="Submitted for sign-off", user=officer, when=update.submitted_at
            )
            update.state = ProgressUpdate.State.APPROVED
            update.approved_by, update.approved_at = admin, _moment(next_month, 15)
            save_with_history(update, reason="Approved", user=admin, when=update.approved_at)


def _meetings(plan, months, save) -> list[Meeting]:
    made = []
    kinds = [
        (Meeting.Kind.IMPROVEMENT_BOARD, "Improvement Board", range(2, MONTHS, 3)),
        (
            Meeting.Kind.SAFEGUARDING_ASSURANCE,
            "Safeguarding Assurance meeting",
            range(3, MONTHS, 6),
        ),
        (Meeting.Kind.SCRUTINY_PANEL, "Children's scrutiny panel", range(7, MONTHS, 9)),
    ]
    for kind, title, indexes in kinds:
        days = [months[m].replace(day=18) for m in indexes]
        if kind == Meeting.Kind.IMPROVEMENT_BOARD:
            # The next board, a quarter after the last: its paper is being prepared.
            days.append(periods.shift(days[-1], Frequency.MONTHLY, 3).replace(day=18))
        for day in days:
            made.append(
                save(
                    Meeting(plan=plan, kind=kind, date=day, title=title),
                    when=_moment(months[0], 12),
                )
            )
    return sorted(made, key=lambda meeting: meeting.date)


def _measures(areas, owners, months, save, officer, admin, today) -> None:
    for order, row in enumerate(MEASURES):
        number, name, unit, polarity, target, tolerance, start, end, owner, missing = row
        measure = save(
            Measure(
                area=areas[number - 1],
                name=name,
                definition=f"{name}, counted as the national definition sets out. Illustrative.",
                source="Demo Borough case management system (fictional)",
                unit=unit,
                polarity=polarity,
                frequency=Frequency.MONTHLY,
                owner=owners[owner],
                baseline_value=Decimal(str(start)),
                baseline_period=periods.shift(months[0], Frequency.MONTHLY, -1),
                target_value=Decimal(str(target)) if target is not None else None,
                target_date=_month_end(months[-1]) if target is not None else None,
                tolerance=Decimal(str(tolerance[0])) if tolerance else None,
                tolerance_kind=tolerance[1] if tolerance else "",
                order=order,
            ),
            when=_moment(months[0], 13),
        )
        user = officer if owner == "sw" else admin
        for i, first in enumerate(months[: MONTHS - missing]):
            # Entered on the 10th of the next month; every fifth measure's
            # figures arrive late, on the 25th.
            day = _month_end(first) + datetime.timedelta(days=25 if order % 5 == 4 else 10)
            value = _figure(start, end, i, unit)
            record_value(
                measure=measure,
                period=first,
                value=value,
                comment="" if i % 4 else "Illustrative figure.",
                user=user,
                today=today,
                when=_moment(day, 11),
            )
        if order == 3:
            # A correction a month later, with its reason: history keeps the first figure.
            period = months[-3]
            first_value = _figure(start, end, MONTHS - 3, unit)
            record_value(
                measure=measure,
                period=period,
                value=first_value + 2,
                comment="",
                user=admin,
                reason="The first figure left out the agency teams' cases",
                today=today,
                when=_moment(_month_end(period) + datetime.timedelta(days=40), 12),
            )


def _papers(meetings, scrutiny, today, issue: bool = True) -> None:
    """Papers issued to the later meetings, each as at a week before its meeting,
    and the next board's, being prepared (as at today: not yet issued)."""

    boards = [m for m in meetings if m.kind == Meeting.Kind.IMPROVEMENT_BOARD][-4:]
    others = [m for m in meetings if m.kind != Meeting.Kind.IMPROVEMENT_BOARD][-2:]
    for meeting in sorted(boards + others, key=lambda m: m.date):
        kind = Kind.for_meeting(meeting.kind)
        coming = meeting.date >= today
        as_at = today if coming else meeting.date - datetime.timedelta(days=7)
        issued_at = _moment(meeting.date - datetime.timedelta(days=5), 12)
        values = prepared_defaults(meeting, kind, as_at)
        values.update(
            as_at=as_at,
            author="Sol Demo-Scrutiny (fictional)",
            briefing="Illustrative data: Demo Borough Council is fictional.",
        )
        if kind == Kind.BOARD:
            values["asks"] = "\n".join(BOARD_ASKS)
        prepared = PreparedPaper(meeting=meeting, kind=kind, **values)
        save_with_history(
            prepared,
            reason="Paper prepared for the meeting",
            user=scrutiny,
            when=_moment(as_at, 16) if not coming else _moment(today, 9),
        )
        if issue and not coming:
            issue_paper(prepared, user=scrutiny, issued_at=issued_at)
