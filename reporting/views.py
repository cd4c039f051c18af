"""The Improvement Board dashboard and the three papers, as at any date."""

from __future__ import annotations

import datetime
import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import Max
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from plans import permissions as perms
from plans.forms import date_initial
from plans.history import recent_changes
from plans.models import Meeting, Plan
from plans.services import save_with_history

from . import charts, exports
from . import snapshot as snap
from .build import build_paper, plan_state, rag_counts
from .forms import AsAtForm, IssueForm, as_at_data, today
from .models import IssuedPaper
from .papers import Kind, Paper

log = logging.getLogger("reporting.audit")

CONTENT_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}
DEFAULT_STALE_DAYS = 90
# The dashboard lists at most this many milestones in each table (most overdue,
# or soonest, first) and says how many more there are.
DASHBOARD_MILESTONES = 25


class BadRequest(Exception):
    """A query parameter the page cannot use; the page says why (400)."""

    def __init__(self, form) -> None:
        self.form = form


def _as_at(request: HttpRequest, plan: Plan) -> tuple[datetime.date, AsAtForm]:
    """The as-at date asked for (default today), or BadRequest."""
    data = as_at_data(request.GET)
    first_day = snap.first_recorded(plan)
    if data is None:
        form = AsAtForm(plan=plan, first_day=first_day, initial={"as_at": date_initial(today())})
        return today(), form
    form = AsAtForm(data, plan=plan, first_day=first_day)
    if not form.is_valid():
        raise BadRequest(form)
    return form.cleaned_data["as_at"], form


def _bad_request(request: HttpRequest, plan: Plan, error: BadRequest, title: str) -> HttpResponse:
    return render(
        request,
        "reporting/bad_as_at.html",
        {"plan": plan, "form": error.form, "title": title},
        status=400,
    )


def _stale_days(request: HttpRequest) -> int | None:
    raw = request.GET.get("stale_days", "")
    if raw == "":
        return DEFAULT_STALE_DAYS
    try:
        days = int(raw)
    except ValueError:
        return None
    return days if 1 <= days <= 3650 else None


@login_required
@require_GET
def dashboard(request: HttpRequest, slug: str) -> HttpResponse:
    plan = perms.get_plan_for_user(request.user, slug)
    try:
        as_at, form = _as_at(request, plan)
    except BadRequest as error:
        return _bad_request(request, plan, error, "Dashboard")
    stale_days = _stale_days(request)
    if stale_days is None:
        form = AsAtForm(
            {f"as_at_{i}": part for i, part in enumerate(date_initial(as_at))},
            plan=plan,
            first_day=snap.first_recorded(plan),
        )
        form.is_valid()
        form.add_error(None, "Enter the number of days as a whole number from 1 to 3650")
        return _bad_request(request, plan, BadRequest(form), "Dashboard")
    state = plan_state(plan, as_at)
    stale_before = as_at - datetime.timedelta(days=stale_days)
    current = state.snapshot.current
    stale = [
        (line, current.get(area.id))
        for line, area in zip(state.areas, state.snapshot.areas, strict=True)
        if area.id not in current or current[area.id].as_at < stale_before
    ]
    by_theme: dict[str, list] = {}
    for line in state.areas:
        by_theme.setdefault(line.theme or "No theme", []).append(line.rag)
    changes = []
    if state.board:
        changes = recent_changes(
            plan,
            viewer=request.user,
            since=snap.end_of_day(state.board.date),
            until=snap.end_of_day(as_at),
            limit=50,
        )
    first_day = snap.first_recorded(plan)
    return render(
        request,
        "reporting/dashboard.html",
        {
            "plan": plan,
            "form": form,
            "as_at": as_at,
            "as_at_iso": as_at.isoformat(),
            "is_today": as_at == today(),
            "state": state,
            "counts": rag_counts([a.rag for a in state.areas]),
            "theme_counts": [(theme, rag_counts(rags)) for theme, rags in by_theme.items()],
            "stale": stale,
            "overdue": state.overdue[:DASHBOARD_MILESTONES],
            "overdue_more": max(0, len(state.overdue) - DASHBOARD_MILESTONES),
            "due_soon": state.due_soon[:DASHBOARD_MILESTONES],
            "due_soon_more": max(0, len(state.due_soon) - DASHBOARD_MILESTONES),
            "stale_days": stale_days,
            "changes": changes,
            "rag_chart": charts.rag_over_time(state.snapshot.area_ids, as_at, first_day),
            "milestone_chart": charts.milestones_by_month(
                state.snapshot.milestones, as_at, first_day
            ),
        },
    )


def _check_kind(kind: str, fmt: str | None = None) -> None:
    if kind not in Kind.ALL or (fmt is not None and fmt not in Kind.FORMATS[kind]):
        raise Http404("No such paper or format")


@login_required
@require_GET
def paper_list(request: HttpRequest, slug: str) -> HttpResponse:
    plan = perms.get_plan_for_user(request.user, slug)
    try:
        as_at, form = _as_at(request, plan)
    except BadRequest as error:
        return _bad_request(request, plan, error, "Papers")
    can_issue = perms.can_issue_papers(request.user, plan)
    papers = [
        {"kind": kind, "title": Kind.TITLES[kind], "formats": Kind.FORMATS[kind]}
        for kind in Kind.ALL
    ]
    return render(
        request,
        "reporting/paper_list.html",
        {
            "plan": plan,
            "form": form,
            "as_at": as_at,
            "as_at_iso": as_at.isoformat(),
            "papers": papers,
            "can_issue": can_issue,
            "issue_form": IssueForm(plan=plan, initial={"briefing": plan.overview})
            if can_issue
            else None,
            "meetings": Meeting.objects.filter(plan=plan).order_by("-date"),
        },
    )


def render_body(paper: Paper) -> str:
    """The paper's content as an HTML fragment: shown in the page, stored when
    issued, and wrapped for PDF."""
    return render_to_string("reporting/_paper_body.html", {"paper": paper})


def render_file(paper: Paper, fmt: str, body: str) -> bytes:
    if fmt == "pdf":
        document = render_to_string("reporting/paper_document.html", {"paper": paper, "body": body})
        return exports.html_to_pdf(document)
    return {"docx": exports.to_docx, "xlsx": exports.to_xlsx, "csv": exports.to_csv}[fmt](paper)


def _download(content: bytes, fmt: str, stem: str) -> HttpResponse:
    response = HttpResponse(content, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{stem}.{fmt}"'
    return response


@login_required
@require_GET
def paper_view(request: HttpRequest, slug: str, kind: str) -> HttpResponse:
    _check_kind(kind)
    plan = perms.get_plan_for_user(request.user, slug)
    try:
        as_at, form = _as_at(request, plan)
    except BadRequest as error:
        return _bad_request(request, plan, error, Kind.TITLES[kind])
    paper = build_paper(kind, plan, as_at)
    return render(
        request,
        "reporting/paper.html",
        {
            "plan": plan,
            "paper": paper,
            "body": render_body(paper),
            "form": form,
            "as_at_iso": as_at.isoformat(),
            "formats": Kind.FORMATS[kind],
        },
    )


@login_required
@require_GET
def paper_download(request: HttpRequest, slug: str, kind: str, fmt: str) -> HttpResponse:
    _check_kind(kind, fmt)
    plan = perms.get_plan_for_user(request.user, slug)
    try:
        as_at, _ = _as_at(request, plan)
    except BadRequest as error:
        return _bad_request(request, plan, error, Kind.TITLES[kind])
    paper = build_paper(kind, plan, as_at)
    body = render_body(paper) if fmt == "pdf" else ""
    return _download(render_file(paper, fmt, body), fmt, paper.filename_stem)


@login_required
@require_POST
def paper_issue(request: HttpRequest, slug: str, kind: str) -> HttpResponse:
    """Issue a paper to a meeting: store its content and every file, frozen."""
    _check_kind(kind)
    plan = perms.get_plan_for_user(request.user, slug)
    perms.require(perms.can_issue_papers(request.user, plan))
    try:
        as_at, as_at_form = _as_at(request, plan)
    except BadRequest as error:
        return _bad_request(request, plan, error, "Issue a paper")
    form = IssueForm(request.POST, plan=plan)
    if not form.is_valid():
        return render(
            request,
            "reporting/issue_form.html",
            {
                "plan": plan,
                "form": form,
                "kind": kind,
                "title": f"Issue the {Kind.TITLES[kind]}",
                "as_at_iso": as_at.isoformat(),
            },
            status=400,
        )
    meeting = form.cleaned_data["meeting"]
    paper = build_paper(kind, plan, as_at, briefing=form.cleaned_data["briefing"])
    body = render_body(paper)
    files = {fmt: render_file(paper, fmt, body) for fmt in Kind.FORMATS[kind]}
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
            issued_by=request.user,
            issued_at=timezone.now(),
            **files,
        )
        save_with_history(issued, reason=f"Issued to {meeting}", user=request.user)
    log.info(
        "paper issued: %s v%s as at %s to meeting %s by %s",
        kind,
        issued.version,
        as_at,
        meeting.pk,
        request.user,
    )
    messages.success(request, f"{paper.title} (version {issued.version}) issued to {meeting.title}")
    return redirect("reporting:meeting", plan.slug, meeting.pk)


@login_required
@require_GET
def meeting_list(request: HttpRequest, slug: str) -> HttpResponse:
    plan = perms.get_plan_for_user(request.user, slug)
    meetings = Meeting.objects.filter(plan=plan).order_by("-date")
    return render(request, "reporting/meeting_list.html", {"plan": plan, "meetings": meetings})


@login_required
@require_GET
def meeting_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    plan = perms.get_plan_for_user(request.user, slug)
    meeting = Meeting.objects.filter(plan=plan, pk=pk).first()
    if meeting is None:
        raise Http404("No such meeting")
    papers = IssuedPaper.objects.filter(meeting=meeting).for_listing()
    for issued in papers:
        issued.formats = Kind.FORMATS[issued.kind]
    return render(
        request,
        "reporting/meeting.html",
        {"plan": plan, "meeting": meeting, "papers": papers},
    )


def _issued_for_user(user, pk: int) -> IssuedPaper:
    issued = (
        IssuedPaper.objects.filter(pk=pk, meeting__plan__in=Plan.objects.visible_to(user))
        .select_related("meeting__plan", "issued_by")
        .first()
    )
    if issued is None:
        raise Http404("No such issued paper")
    return issued


@login_required
@require_GET
def issued_view(request: HttpRequest, pk: int) -> HttpResponse:
    issued = _issued_for_user(request.user, pk)
    return render(
        request,
        "reporting/issued.html",
        {
            "plan": issued.meeting.plan,
            "issued": issued,
            "formats": Kind.FORMATS[issued.kind],
            "meeting_url": reverse(
                "reporting:meeting", args=[issued.meeting.plan.slug, issued.meeting.pk]
            ),
        },
    )


@login_required
@require_GET
def issued_download(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    issued = _issued_for_user(request.user, pk)
    if fmt not in Kind.FORMATS[issued.kind]:
        raise Http404("No such format")
    stem = f"{issued.kind}-{issued.as_at.isoformat()}-v{issued.version}"
    return _download(issued.file(fmt), fmt, stem)
