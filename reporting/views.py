"""The Improvement Board dashboard and the three papers, as at any date.

Views parse the request, check permissions (plans.permissions) and call:
the content is built in reporting.build, files in reporting.exports, and
issuing is reporting.services.issue_paper.
"""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from plans import permissions as perms
from plans.forms import date_initial
from plans.models import Meeting, Plan

from . import snapshot as snap
from .build import build_dashboard, build_paper
from .exports import render_body, render_file
from .forms import AsAtForm, IssueForm, as_at_data, today
from .models import IssuedPaper
from .papers import FORMATS, Kind
from .services import issue_paper

DEFAULT_STALE_DAYS = 90


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
    dashboard = build_dashboard(
        plan, as_at, stale_days=stale_days, viewer=request.user, first_day=form.first_day
    )
    return render(
        request,
        "reporting/dashboard.html",
        {
            "plan": plan,
            "form": form,
            "dashboard": dashboard,
            "as_at": as_at,
            "as_at_iso": as_at.isoformat(),
            "is_today": as_at == today(),
            "stale_days": stale_days,
        },
    )


def _check_kind(kind: str, fmt: str | None = None) -> None:
    if not Kind.offers(kind, fmt):
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
            "meetings": Meeting.objects.filter(plan=plan, cancelled=False).order_by("-date"),
        },
    )


def _download(content: bytes, fmt: str, stem: str) -> HttpResponse:
    response = HttpResponse(content, content_type=FORMATS[fmt].content_type)
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
    return _download(render_file(paper, fmt), fmt, paper.filename_stem)


@login_required
@require_POST
def paper_issue(request: HttpRequest, slug: str, kind: str) -> HttpResponse:
    """Issue a paper to a meeting: store its content and every file, frozen."""
    _check_kind(kind)
    plan = perms.get_plan_for_user(request.user, slug)
    perms.require(perms.can_issue_papers(request.user, plan))
    try:
        as_at, _ = _as_at(request, plan)
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
    issued = issue_paper(
        plan=plan,
        kind=kind,
        as_at=as_at,
        meeting=meeting,
        briefing=form.cleaned_data["briefing"],
        user=request.user,
    )
    messages.success(
        request, f"{issued.title} (version {issued.version}) issued to {meeting.title}"
    )
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
    return render(
        request,
        "reporting/meeting.html",
        {"plan": plan, "meeting": meeting, "papers": papers},
    )


def _issued_for_user(user, pk: int) -> IssuedPaper:
    """An issued paper of a plan the user holds a role in (404 otherwise)."""
    issued = IssuedPaper.objects.filter(pk=pk).select_related("meeting__plan", "issued_by").first()
    if issued is None or perms.role_in(user, issued.meeting.plan) is None:
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
            "formats": issued.formats,
            "meeting_url": reverse(
                "reporting:meeting", args=[issued.meeting.plan.slug, issued.meeting.pk]
            ),
        },
    )


@login_required
@require_GET
def issued_download(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    issued = _issued_for_user(request.user, pk)
    if fmt not in issued.formats:
        raise Http404("No such format")
    return _download(issued.file(fmt), fmt, issued.filename_stem)
