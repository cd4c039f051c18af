"""Writes in reporting: preparing a paper for a meeting, and issuing it.

A paper is prepared for a meeting (its front sheet, with history), previewed in
every format, then issued: the content and every file stored, frozen, as the
next version for that meeting. Issuing refuses an as-at date after the meeting
and a paper that does not suit the kind of meeting.
"""

from __future__ import annotations

import dataclasses
import datetime
import logging

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from plans.models import ILLUSTRATIVE_MARK, DatePrecision, Meeting, Plan, format_plan_date
from plans.saving import save_version_checked, save_with_history

from .build import build_paper
from .formats import render_files
from .formats.html import render_body
from .models import IssuedPaper, PreparedPaper
from .papers import Classification, FrontSheet, Kind, Paper, lines

log = logging.getLogger("reporting.audit")

# Issuing warns when the paper's as-at date is this long before its meeting.
STALE_AS_AT_DAYS = 45


class IssueRefused(Exception):
    """The paper cannot be issued as prepared; ``problems`` say why."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def default_as_at(meeting: Meeting, today: datetime.date) -> datetime.date:
    """The meeting's date, or today if the meeting is still to come."""
    return min(meeting.date, today)


def prepared_defaults(meeting: Meeting, kind: str, today: datetime.date) -> dict:
    """A front sheet that needs no editing when nothing needs saying: from the
    plan and the kind of meeting."""
    plan = meeting.plan
    return {
        "as_at": default_as_at(meeting, today),
        # A made-up plan's papers say so in their title too (demo/council.py).
        "title": Kind.TITLES[kind]
        + (f" {ILLUSTRATIVE_MARK}" if ILLUSTRATIVE_MARK in plan.title else ""),
        "committee": meeting.title,
        "purpose": Kind.PURPOSES[kind],
        "recommendations": Kind.RECOMMENDATIONS[kind],
        "briefing": plan.overview if kind == Kind.SCRUTINY else "",
        "classification": Classification.OFFICIAL,
    }


class AsAtNeeded(Exception):
    """The meeting is known only to the month: its paper's as-at date must be
    given, not guessed (the end of the month may be after the meeting)."""


def needs_as_at(meeting: Meeting) -> bool:
    return meeting.date_precision != DatePrecision.DAY


def prepare(
    meeting: Meeting,
    kind: str,
    user: AbstractBaseUser,
    *,
    as_at: datetime.date | None = None,
) -> PreparedPaper:
    """The meeting's ``kind`` paper, prepared with the defaults if it was not
    yet, as at ``as_at`` if given; AsAtNeeded if it is not and the meeting is
    known only to the month."""
    if Kind.MEETINGS[kind] != meeting.kind:
        raise IssueRefused([unsuitable(kind, meeting)])
    with transaction.atomic():
        Meeting.objects.select_for_update().get(pk=meeting.pk)
        prepared = PreparedPaper.objects.filter(meeting=meeting, kind=kind).first()
        if prepared is None:
            if as_at is None and needs_as_at(meeting):
                raise AsAtNeeded
            values = prepared_defaults(meeting, kind, timezone.localdate())
            if as_at is not None:
                values["as_at"] = as_at
            prepared = PreparedPaper(meeting=meeting, kind=kind, **values)
            save_with_history(prepared, reason="Paper prepared for the meeting", user=user)
    return prepared


def save_front_sheet(
    prepared: PreparedPaper, values: dict, *, version: int, user: AbstractBaseUser
) -> PreparedPaper:
    """Change the front sheet; a stale form (``version``) is an EditConflict."""
    for name, value in values.items():
        setattr(prepared, name, value)
    save_version_checked(prepared, expected_version=version, reason="Front sheet edited", user=user)
    return prepared


def unsuitable(kind: str, meeting: Meeting) -> str:
    wanted = Meeting.Kind(Kind.MEETINGS[kind]).label
    return (
        f"The {Kind.TITLES[kind]} is written for a meeting of the {wanted}; "
        f"{meeting.title} is a {meeting.get_kind_display()}"
    )


def problems(prepared: PreparedPaper) -> tuple[list[str], list[str]]:
    """What stops the paper being issued, and what the issuer should know."""
    meeting = prepared.meeting
    refused, warnings = [], []
    if Kind.MEETINGS[prepared.kind] != meeting.kind:
        refused.append(unsuitable(prepared.kind, meeting))
    if meeting.cancelled:
        refused.append(f"{meeting.title} was cancelled: papers go to meetings that take place")
    if prepared.as_at > meeting.date:
        refused.append(
            f"The as-at date, {format_plan_date(prepared.as_at)}, is after the meeting "
            f"({meeting.date_display}): a paper cannot report a position the meeting "
            "has not reached"
        )
    elif needs_as_at(meeting) and prepared.as_at.replace(day=1) == meeting.date.replace(day=1):
        warnings.append(
            f"The meeting is known only to the month ({meeting.date_display}): check that "
            f"the as-at date, {format_plan_date(prepared.as_at)}, is not after the day it meets"
        )
    elif (meeting.date - prepared.as_at).days > STALE_AS_AT_DAYS:
        warnings.append(
            f"The as-at date, {format_plan_date(prepared.as_at)}, is "
            f"{(meeting.date - prepared.as_at).days} days before the meeting: "
            "check that the position is recent enough"
        )
    return refused, warnings


def front_sheet(
    prepared: PreparedPaper,
    *,
    version: int | None = None,
    issued_on: str = "",
) -> FrontSheet:
    meeting = prepared.meeting
    return FrontSheet(
        council=meeting.plan.council.name,
        plan_title=meeting.plan.title,
        committee=prepared.committee,
        meeting=meeting.title,
        meeting_date=meeting.date_display,
        agenda_item=prepared.agenda_item,
        report_of=prepared.report_of,
        author=prepared.author,
        contact=prepared.contact,
        purpose=prepared.purpose,
        recommendations=lines(prepared.recommendations),
        asks=lines(prepared.asks),
        briefing=prepared.briefing,
        background_papers=lines(prepared.background_papers),
        classification=prepared.classification,
        version=version,
        issued_on=issued_on,
    )


def build_prepared(prepared: PreparedPaper) -> Paper:
    """The paper as prepared, not yet issued: the preview."""
    paper = build_paper(prepared.kind, prepared.meeting.plan, prepared.as_at)
    paper.title = prepared.title
    paper.front = front_sheet(prepared)
    return paper


def issue_paper(
    prepared: PreparedPaper,
    *,
    user: AbstractBaseUser | None,
    issued_at: datetime.datetime | None = None,
    precision: str = DatePrecision.DAY,
    source: str = "",
) -> IssuedPaper:
    """Issue the prepared paper to its meeting as the next version: content and
    every file stored, frozen. ``user`` None and a ``source``: a paper recorded
    from a source (the seed's), dated ``issued_at`` to ``precision``. The caller
    checks the user may issue papers; IssueRefused if the paper may not go."""
    refused, _ = problems(prepared)
    if refused:
        raise IssueRefused(refused)
    meeting = prepared.meeting
    plan: Plan = meeting.plan
    issued_at = issued_at or timezone.now()
    issued_on = format_plan_date(timezone.localdate(issued_at), precision)
    paper = build_paper(prepared.kind, plan, prepared.as_at)
    with transaction.atomic():
        # Lock the meeting so two issues at once get different version numbers;
        # the version is printed inside the files, so they are rendered here.
        Meeting.objects.select_for_update().get(pk=meeting.pk)
        latest = IssuedPaper.objects.filter(meeting=meeting, kind=prepared.kind).aggregate(
            v=Max("version")
        )
        version = (latest["v"] or 0) + 1
        paper = dataclasses.replace(
            paper,
            title=prepared.title,
            front=front_sheet(prepared, version=version, issued_on=issued_on),
            issued_at=issued_at,
        )
        body = render_body(paper)
        issued = IssuedPaper(
            meeting=meeting,
            kind=prepared.kind,
            version=version,
            as_at=prepared.as_at,
            title=paper.title,
            briefing=prepared.briefing,
            classification=prepared.classification,
            front_sheet=paper.front.as_dict(),
            html=body,
            issued_by=user,
            issued_at=issued_at,
            issued_precision=precision,
            source=source,
            **render_files(paper, body),
        )
        save_with_history(issued, reason=f"Issued to {meeting}", user=user, when=issued_at)
    log.info(
        "paper issued: %s v%s as at %s to meeting %s by %s",
        prepared.kind,
        issued.version,
        prepared.as_at,
        meeting.pk,
        user or source,
    )
    return issued
