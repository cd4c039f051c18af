"""The three papers, as at any date, and the meetings they go to (the
dashboard is reporting/dashboard.py).

Views parse the request, check permissions (plans.permissions) and call:
the content is built in reporting.build, files in reporting.formats, and
issuing is reporting.services.issue_paper.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.downloads import FORMATS
from plans import permissions as perms
from plans.history import history_of
from plans.models import Meeting, Plan, format_plan_date
from plans.saving import EditConflict
from plans.views.common import as_at_or_form, bad_as_at

from . import cache
from . import services as papers_service
from .build import build_paper, default_front
from .formats import render_file
from .formats.html import render_body
from .forms import FrontSheetForm, PrepareAsAtForm
from .models import IssuedPaper, PreparedPaper
from .papers import Kind

# A paper's files as an issuer names them.
FILE_NAMES = {"docx": "Word", "pdf": "PDF", "xlsx": "Excel", "csv": "CSV"}


def _check_kind(kind: str, fmt: str | None = None) -> None:
    if not Kind.offers(kind, fmt):
        raise Http404("No such paper or format")


@login_required
@require_GET
def paper_list(request: HttpRequest, slug: str) -> HttpResponse:
    plan = perms.get_plan_for_user(request.user, slug)
    as_at, form = as_at_or_form(request, plan)
    if as_at is None:
        return bad_as_at(request, plan, form, "Papers")
    can_issue = perms.can_issue_papers(request.user, plan)
    meetings = list(Meeting.objects.filter(plan=plan, cancelled=False).order_by("-date"))
    papers = [
        {
            "kind": kind,
            "title": Kind.TITLES[kind],
            "formats": Kind.FORMATS[kind],
            "meeting_kind": Meeting.Kind(Kind.MEETINGS[kind]).label,
            "meetings": [m for m in meetings if m.kind == Kind.MEETINGS[kind]],
        }
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
        },
    )


def _download(content: bytes, fmt: str, plan, stem: str) -> HttpResponse:
    """A file to save; its name carries the council, the paper, its date,
    version and marking."""
    response = HttpResponse(content, content_type=FORMATS[fmt].content_type)
    name = f"{plan.file_prefix}-{stem}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
@require_GET
def paper_view(request: HttpRequest, slug: str, kind: str) -> HttpResponse:
    _check_kind(kind)
    plan = perms.get_plan_for_user(request.user, slug)
    as_at, form = as_at_or_form(request, plan)
    if as_at is None:
        return bad_as_at(request, plan, form, Kind.TITLES[kind])
    paper = build_paper(kind, plan, as_at)
    return render(
        request,
        "reporting/paper.html",
        {
            "plan": plan,
            "paper": paper,
            "body": render_body(paper, vector=True),
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
    as_at, form = as_at_or_form(request, plan)
    if as_at is None:
        return bad_as_at(request, plan, form, Kind.TITLES[kind])
    front = default_front(kind, plan)
    content = cache.cached(
        plan,
        kind,
        fmt,
        Kind.TITLES[kind],
        front,
        as_at,
        lambda: render_file(build_paper(kind, plan, as_at, front=front), fmt),
    )
    return _download(content, fmt, plan, f"{kind}-{as_at.isoformat()}-{front.classification}")


# --- Preparing a paper for a meeting, and issuing it -----------------------------------


def _meeting(request: HttpRequest, slug: str, pk: int) -> tuple[Plan, Meeting]:
    plan = perms.get_plan_for_user(request.user, slug)
    meeting = Meeting.objects.filter(plan=plan, pk=pk).first()
    if meeting is None:
        raise Http404("No such meeting")
    meeting.plan = plan  # read with its council: the front sheet names it
    return plan, meeting


def _prepared(request: HttpRequest, slug: str, pk: int, kind: str) -> PreparedPaper:
    """A paper being prepared: drafts are for those who issue papers (403 for
    other members, 404 if the plan or meeting is not theirs)."""
    _check_kind(kind)
    plan, meeting = _meeting(request, slug, pk)
    perms.require(perms.can_issue_papers(request.user, plan))
    prepared = PreparedPaper.objects.filter(meeting=meeting, kind=kind).first()
    if prepared is None:
        raise Http404("This paper has not been prepared for the meeting")
    prepared.meeting = meeting  # with its plan, already read
    return prepared


def _prepared_url(prepared: PreparedPaper) -> str:
    meeting = prepared.meeting
    return reverse("reporting:prepared", args=[meeting.plan.slug, meeting.pk, prepared.kind])


@login_required
@require_POST
def paper_prepare(request: HttpRequest, slug: str, pk: int, kind: str) -> HttpResponse:
    """Prepare the meeting's paper with the defaults (or open it if it is)."""
    _check_kind(kind)
    plan, meeting = _meeting(request, slug, pk)
    perms.require(perms.can_issue_papers(request.user, plan))
    if meeting.cancelled or Kind.MEETINGS[kind] != meeting.kind:
        messages.error(
            request,
            papers_service.unsuitable(kind, meeting)
            if Kind.MEETINGS[kind] != meeting.kind
            else f"{meeting.title} was cancelled: papers go to meetings that take place",
        )
        return redirect("reporting:meeting", plan.slug, meeting.pk)
    if papers_service.needs_as_at(meeting) and not _prepared_already(meeting, kind):
        # Known only to the month: ask for the as-at date rather than guess.
        asked = "as_at_0" in request.POST
        form = PrepareAsAtForm(request.POST if asked else None, meeting=meeting)
        if not form.is_valid():
            return render(
                request,
                "reporting/prepare_as_at.html",
                {
                    "plan": plan,
                    "meeting": meeting,
                    "kind": kind,
                    "form": form,
                    "kind_title": Kind.TITLES[kind],
                },
                status=400 if asked else 200,
            )
        prepared = papers_service.prepare(
            meeting, kind, request.user, as_at=form.cleaned_data["as_at"]
        )
    else:
        prepared = papers_service.prepare(meeting, kind, request.user)
    return redirect(_prepared_url(prepared))


def _prepared_already(meeting: Meeting, kind: str) -> bool:
    return PreparedPaper.objects.filter(meeting=meeting, kind=kind).exists()


@login_required
@require_GET
def prepared_view(request: HttpRequest, slug: str, pk: int, kind: str) -> HttpResponse:
    """The prepared paper: its front sheet, what stops or concerns issuing it,
    a preview in every format, and the issue button."""
    prepared = _prepared(request, slug, pk, kind)
    return _prepared_page(request, prepared)


def _prepared_page(
    request: HttpRequest, prepared: PreparedPaper, *, refused=None, status: int = 200
) -> HttpResponse:
    meeting = prepared.meeting
    problems, warnings = papers_service.problems(prepared)
    paper = papers_service.build_prepared(prepared)
    issued = IssuedPaper.objects.filter(meeting=meeting, kind=prepared.kind).for_listing()
    return render(
        request,
        "reporting/prepared.html",
        {
            "plan": meeting.plan,
            "meeting": meeting,
            "prepared": prepared,
            "paper": paper,
            "body": render_body(paper, vector=True),
            "problems": refused or problems,
            "warnings": warnings,
            "formats": Kind.FORMATS[prepared.kind],
            "issued": issued,
            "next_version": len(issued) + 1,
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def front_sheet_edit(request: HttpRequest, slug: str, pk: int, kind: str) -> HttpResponse:
    prepared = _prepared(request, slug, pk, kind)
    meeting = prepared.meeting
    back = _prepared_url(prepared)
    if request.method == "POST":
        form = FrontSheetForm(request.POST, meeting=meeting)
        if form.is_valid():
            values = {name: form.cleaned_data[name] for name in FrontSheetForm.FIELDS}
            try:
                papers_service.save_front_sheet(
                    prepared,
                    values,
                    version=form.cleaned_data.get("version") or 0,
                    user=request.user,
                )
            except EditConflict as conflict:
                return _front_sheet_conflict(request, form, conflict, prepared, back)
            messages.success(request, "Front sheet saved")
            return redirect(back)
        status = 400
    else:
        form = FrontSheetForm(initial=FrontSheetForm.initial_for(prepared), meeting=meeting)
        status = 200
    if kind == Kind.SCRUTINY:
        # The scrutiny panel takes no decisions: it notes the progress reported.
        form.fields.pop("asks")
        form.helper.layout = form.build_layout()
    return render(
        request,
        "reporting/front_sheet_form.html",
        {
            "plan": meeting.plan,
            "meeting": meeting,
            "prepared": prepared,
            "form": form,
            "back": back,
        },
        status=status,
    )


def _front_sheet_conflict(request, form, conflict: EditConflict, prepared, back) -> HttpResponse:
    """Someone saved the front sheet since this user opened it: their changes
    shown above the user's own answers, which now carry the current version."""
    current = conflict.current
    data = form.data.copy()
    data["version"] = current.version
    form.data = data
    form.add_error(
        None,
        "Someone else changed this front sheet while you were editing it. Your changes have "
        "not been saved. Check what they changed, then save again to apply your changes.",
    )
    meeting = prepared.meeting
    entries = history_of(current, meeting.plan.slug)[:5]
    return render(
        request,
        "reporting/front_sheet_form.html",
        {
            "plan": meeting.plan,
            "meeting": meeting,
            "prepared": prepared,
            "form": form,
            "back": back,
            "conflict_changes": entries,
        },
        status=409,
    )


@login_required
@require_GET
def prepared_download(
    request: HttpRequest, slug: str, pk: int, kind: str, fmt: str
) -> HttpResponse:
    """A preview file of the prepared paper, marked as not issued."""
    _check_kind(kind, fmt)
    prepared = _prepared(request, slug, pk, kind)
    front = papers_service.front_sheet(prepared)
    content = cache.cached(
        prepared.meeting.plan,
        kind,
        fmt,
        prepared.title,
        front,
        prepared.as_at,
        lambda: render_file(papers_service.build_prepared(prepared), fmt),
    )
    stem = f"{kind}-{prepared.as_at.isoformat()}-draft-{prepared.classification}"
    return _download(content, fmt, prepared.meeting.plan, stem)


@login_required
@require_http_methods(["GET", "POST"])
def prepared_issue(request: HttpRequest, slug: str, pk: int, kind: str) -> HttpResponse:
    """Issue the prepared paper: first a page saying exactly what will go out
    (paper, version, meeting, as-at date, files, warnings); then, confirmed,
    every file stored, frozen, as the next version. The confirmation carries
    the front sheet's version: if the front sheet changed since it was
    shown, the page is shown again rather than issuing something unseen."""
    prepared = _prepared(request, slug, pk, kind)
    if request.method == "GET":
        return _issue_page(request, prepared)
    seen = request.POST.get("version", "")
    if not (seen.isascii() and seen.isdigit() and int(seen) == prepared.version):
        return _issue_page(
            request,
            prepared,
            changed=(
                "The front sheet has changed since this page was opened: check what will "
                "be issued, then issue it"
            ),
            status=409,
        )
    try:
        issued = papers_service.issue_paper(prepared, user=request.user)
    except papers_service.IssueRefused as refusal:
        return _issue_page(request, prepared, refused=refusal.problems, status=400)
    meeting = prepared.meeting
    messages.success(
        request, f"{issued.title} (version {issued.version}) issued to {meeting.title}"
    )
    return redirect("reporting:meeting", meeting.plan.slug, meeting.pk)


def _issue_page(
    request: HttpRequest,
    prepared: PreparedPaper,
    *,
    refused: list[str] | None = None,
    changed: str = "",
    status: int = 200,
) -> HttpResponse:
    meeting = prepared.meeting
    problems, warnings = papers_service.problems(prepared)
    issued = IssuedPaper.objects.filter(meeting=meeting, kind=prepared.kind).for_listing()
    return render(
        request,
        "reporting/issue_confirm.html",
        {
            "plan": meeting.plan,
            "meeting": meeting,
            "prepared": prepared,
            "as_at_label": format_plan_date(prepared.as_at),
            "problems": refused or problems,
            "changed": changed,
            "warnings": warnings,
            "files": [FILE_NAMES[fmt] for fmt in Kind.FORMATS[prepared.kind]],
            "issued": issued,
            "next_version": len(issued) + 1,
        },
        status=status,
    )


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
    kind = Kind.for_meeting(meeting.kind)
    can_issue = perms.can_issue_papers(request.user, plan)
    prepared = (
        PreparedPaper.objects.filter(meeting=meeting, kind=kind).first() if can_issue else None
    )
    return render(
        request,
        "reporting/meeting.html",
        {
            "plan": plan,
            "meeting": meeting,
            "papers": papers,
            "kind": kind,
            "kind_title": Kind.TITLES[kind],
            "can_issue": can_issue and not meeting.cancelled,
            "prepared": prepared,
            # The latest version of the meeting's own paper issued, if any.
            "latest_issued": max(
                (p for p in papers if p.kind == kind), key=lambda p: p.version, default=None
            ),
        },
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
    stem = f"{issued.filename_stem}-{issued.classification}"
    return _download(issued.file(fmt), fmt, issued.meeting.plan, stem)
