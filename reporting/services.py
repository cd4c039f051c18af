"""Writes in reporting: issuing a paper to a meeting."""

from __future__ import annotations

import datetime
import logging

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from plans.models import Meeting, Plan
from plans.services import save_with_history

from .build import build_paper
from .exports import render_body, render_files
from .models import IssuedPaper

log = logging.getLogger("reporting.audit")


def issue_paper(
    *,
    plan: Plan,
    kind: str,
    as_at: datetime.date,
    meeting: Meeting,
    briefing: str,
    user: AbstractBaseUser,
) -> IssuedPaper:
    """Issue the ``kind`` paper as at ``as_at`` to ``meeting`` (one of the
    plan's): its content and every file it offers are stored, frozen, as the
    next version for that meeting. The caller checks the user may issue papers."""
    if meeting.plan_id != plan.pk:
        raise ValueError("The meeting is not one of the plan's")
    paper = build_paper(kind, plan, as_at, briefing=briefing)
    # Rendered before the transaction: PDFs take seconds, the lock should not.
    body = render_body(paper)
    files = render_files(paper, body)
    with transaction.atomic():
        # Lock the meeting so two issues at once get different version numbers.
        Meeting.objects.select_for_update().get(pk=meeting.pk)
        latest = IssuedPaper.objects.filter(meeting=meeting, kind=kind).aggregate(v=Max("version"))
        issued = IssuedPaper(
            meeting=meeting,
            kind=kind,
            version=(latest["v"] or 0) + 1,
            as_at=as_at,
            title=paper.title,
            briefing=paper.briefing,
            html=body,
            issued_by=user,
            issued_at=timezone.now(),
            **files,
        )
        save_with_history(issued, reason=f"Issued to {meeting}", user=user)
    log.info(
        "paper issued: %s v%s as at %s to meeting %s by %s",
        kind,
        issued.version,
        as_at,
        meeting.pk,
        user,
    )
    return issued
