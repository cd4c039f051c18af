"""The plan's workbook pages: export, import with a preview and a
confirmation, and the progress updates workbook.

Nothing is written until the user confirms a preview without errors. The rows
read from the upload (never the file) wait in a PendingImport, the user's own,
until they confirm or cancel (or it expires: workbook/models.py).

A big file's check and import answer with a progress page (workbook/streaming.py)
instead of making the user wait on the upload or preview page.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from plans import permissions as perms
from plans.models import Plan
from plans.views.common import posted

from . import engine, progress, streaming
from .export import plan_workbook, sheet_csv
from .forms import ConfirmForm, UploadForm
from .layout import XLSX_TYPE
from .models import PENDING_HOURS, AlreadyConfirmed, PendingImport, expired_before
from .reading import Unreadable, max_upload_bytes, read_steps, read_upload, survey
from .registry import sheet_for, sheets
from .steps import run

PLAN, PROGRESS = PendingImport.Kind.PLAN, PendingImport.Kind.PROGRESS
GET_POST = require_http_methods(["GET", "POST"])


def _download(name: str, data: bytes, content_type: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
@require_GET
def hub(request: HttpRequest, slug: str) -> HttpResponse:
    plan = perms.get_plan_for_workbook(request.user, slug, whole_plan=False)
    return render(
        request,
        "workbook/hub.html",
        {
            "plan": plan,
            "title": "Workbooks",
            "whole_plan": perms.can_exchange_plan_workbook(request.user, plan),
            "sheets": [s for s in sheets()],
        },
    )


@login_required
@require_GET
def export_plan(request: HttpRequest, slug: str) -> HttpResponse:
    plan = perms.get_plan_for_workbook(request.user, slug, whole_plan=True)
    name, data = plan_workbook(plan)
    return _download(name, data, XLSX_TYPE)


@login_required
@require_GET
def export_csv(request: HttpRequest, slug: str, sheet: str) -> HttpResponse:
    plan = perms.get_plan_for_workbook(request.user, slug, whole_plan=True)
    found = sheet_for(sheet)
    if found is None:
        raise Http404("No such sheet")
    name, data = sheet_csv(plan, found)
    return _download(name, data, "text/csv; charset=utf-8")


@login_required
@require_GET
def export_progress(request: HttpRequest, slug: str) -> HttpResponse:
    plan = perms.get_plan_for_workbook(request.user, slug, whole_plan=False)
    name, data = progress.progress_workbook(request.user, plan)
    return _download(name, data, XLSX_TYPE)


def _check(kind: str, user, plan: Plan, book) -> engine.Preview:
    if kind == PLAN:
        return engine.check(engine.Context(plan, user), book)
    return progress.check(user, plan, book)


def _check_steps(kind: str, user, plan: Plan, book):
    if kind == PLAN:
        return engine.check_steps(engine.Context(plan, user), book)
    return progress.check_steps(user, plan, book)


def _titles(kind: str) -> dict:
    if kind == PLAN:
        return {"title": "Import the plan from a workbook", "back_name": "workbook:hub"}
    return {"title": "Import progress updates", "back_name": "workbook:hub"}


def _upload(request: HttpRequest, slug: str, kind: str) -> HttpResponse:
    plan = perms.get_plan_for_workbook(request.user, slug, whole_plan=kind == PLAN)
    context = {"plan": plan, "kind": kind, **_titles(kind)}
    too_big = int(request.META.get("CONTENT_LENGTH") or 0) > max_upload_bytes() + 100_000
    form = UploadForm(None if too_big else posted(request), request.FILES or None)
    if too_big:
        # Refused before the body is read into memory.
        form = UploadForm({}, {})
        form.is_valid()
        form.errors.clear()
        form.add_error("file", f"The file must be smaller than {max_upload_bytes() // 2**20} MB")
        return render(request, "workbook/upload.html", {"form": form, **context}, status=413)
    if request.method != "POST" or not form.is_valid():
        status = 400 if request.method == "POST" else 200
        return render(request, "workbook/upload.html", {"form": form, **context}, status=status)
    upload = form.cleaned_data["file"]
    name = upload.name.rsplit("/", 1)[-1].rsplit("\\", 1)[-1][:200]
    try:
        if upload.size > max_upload_bytes():
            raise Unreadable(f"The file must be smaller than {max_upload_bytes() // 2**20} MB")
        content = upload.read()
        # Every refusal but a row's errors, decided before any page is sent.
        found = survey(name, content)
        if found.rows >= streaming.preview_rows() and not found.formulas:
            return _streamed_upload(request, plan, kind, name, content, found.rows)
        book = read_upload(name, content)
    except Unreadable as refused:
        form.add_error("file", refused.message)
        return render(request, "workbook/upload.html", {"form": form, **context}, status=400)
    preview = _check(kind, request.user, plan, book)
    if preview.has_errors:
        # Nothing is kept: the user corrects the file and uploads it again.
        return _preview_page(request, plan, kind, name, preview, None, status=400)
    pending = _pending_import(request.user, plan, kind, name, book, preview)
    _keep(pending)
    return redirect("workbook:preview", plan.slug, pending.pk)


def _pending_import(user, plan, kind, name, book, preview) -> PendingImport:
    """The checked rows, to wait for the confirmation (not saved yet: ``_keep``)."""
    return PendingImport(
        plan=plan,
        user=user,
        kind=kind,
        file_name=name,
        rows=engine.book_to_json(book),
        fingerprint=preview.fingerprint,
    )


def _keep(pending: PendingImport) -> None:
    """Save ``pending``, in place of the user's earlier one for the same plan and kind."""
    PendingImport.objects.filter(created_at__lt=expired_before()).delete()
    PendingImport.objects.filter(user=pending.user, plan=pending.plan, kind=pending.kind).delete()
    pending.save(force_insert=True)


def _upload_url(plan: Plan, kind: str) -> str:
    name = "workbook:import" if kind == PLAN else "workbook:progress_import"
    return reverse(name, args=[plan.slug])


def _streamed_upload(request, plan, kind, name, content, rows):
    """The check of a big file, with its progress on the page, then the preview."""

    def work():
        try:
            book = yield from read_steps(name, content, rows)
        except Unreadable as refused:  # a damaged sheet, found as it is read
            book, preview = None, engine.Preview([], file_errors=[refused.message])
        else:
            preview = yield from _check_steps(kind, request.user, plan, book)
        if preview.has_errors:
            # Nothing is kept: the user corrects the file and uploads it again.
            return _preview_html(request, plan, kind, name, preview, None)
        pending = _pending_import(request.user, plan, kind, name, book, preview)
        html = _preview_html(request, plan, kind, name, preview, pending)
        _keep(pending)  # only once the page that confirms it is drawn
        return html

    return streaming.progress_response(
        request,
        {
            "plan": plan,
            "title": f"Check the changes in {name}",
            "doing": "Checking your workbook…",
            "wait": "A large workbook takes a few seconds to check. Stay on this page: what "
            "the file would change is shown below when the check has finished. Nothing is "
            "saved until you confirm.",
        },
        work(),
        {
            "message": "The file could not be checked. Try again in a few minutes",
            "back_url": _upload_url(plan, kind),
            "back_text": "Upload the file again",
        },
    )


@login_required
@GET_POST
def import_plan(request: HttpRequest, slug: str) -> HttpResponse:
    return _upload(request, slug, PLAN)


@login_required
@GET_POST
def import_progress(request: HttpRequest, slug: str) -> HttpResponse:
    return _upload(request, slug, PROGRESS)


def _preview_context(plan, kind, name, preview, pending, form=None) -> dict:
    return {
        "plan": plan,
        "kind": kind,
        "title": f"Check the changes in {name}",
        "file_name": name,
        "preview": preview,
        "pending": pending,
        "form": form or ConfirmForm(),
        "sheets": preview.by_sheet(),
    }


def _preview_page(request, plan, kind, name, preview, pending, *, status=200, form=None):
    context = _preview_context(plan, kind, name, preview, pending, form)
    return render(request, "workbook/preview.html", context, status=status)


def _preview_html(request, plan, kind, name, preview, pending, form=None) -> str:
    """The preview as the result of a progress page."""
    context = {**_preview_context(plan, kind, name, preview, pending, form), "streamed": True}
    return render_to_string("workbook/_preview_body.html", context, request=request)


class _Gone(Exception):
    def __init__(self, plan: Plan) -> None:
        super().__init__(plan.slug)
        self.plan = plan


GONE = (
    "This import is no longer waiting to be confirmed: it has been confirmed or cancelled, "
    f"or it expired (an import waits {PENDING_HOURS} hours for its confirmation). Nothing "
    "has been saved by this request."
)


def _gone(request, plan: Plan, status: int = 404) -> HttpResponse:
    """A confirmation of an import that is not (or no longer) the user's to
    confirm: replayed, expired, cancelled, someone else's or another plan's."""
    form = ConfirmForm({})
    form.is_valid()
    form.add_error(None, GONE)
    return render(
        request,
        "workbook/import_gone.html",
        {"plan": plan, "title": "This import cannot be confirmed", "form": form},
        status=status,
    )


def _pending(request, slug: str, pk) -> tuple[Plan, PendingImport]:
    plan = perms.get_plan_for_user(request.user, slug)
    try:
        pending = perms.get_pending_import_for_user(
            request.user, plan, PendingImport.objects.filter(created_at__gte=expired_before()), pk
        )
    except Http404:
        raise _Gone(plan) from None
    perms.require(
        perms.can_exchange_plan_workbook(request.user, plan)
        if pending.kind == PLAN
        else perms.can_bulk_update(request.user, plan)
    )
    return plan, pending


def _confirm_steps(request, plan: Plan, pending: PendingImport, book, remove: bool):
    if pending.kind == PLAN:
        return engine.confirm_steps(
            plan=plan,
            user=request.user,
            file_name=pending.file_name,
            book=book,
            fingerprint=pending.fingerprint,
            remove=remove,
            pending=pending.pk,
        )
    return progress.confirm_steps(
        user=request.user,
        plan=plan,
        file_name=pending.file_name,
        book=book,
        fingerprint=pending.fingerprint,
        pending=pending.pk,
    )


STALE = (
    "The plan changed after you checked this file, so nothing has been saved. "
    "Check the changes as they are now, then confirm again."
)


def _stale(pending: PendingImport, form: ConfirmForm, stale: engine.Stale) -> None:
    pending.fingerprint = stale.preview.fingerprint
    pending.save(update_fields=["fingerprint"])
    form.add_error(None, STALE)


def _rows(pending: PendingImport) -> int:
    return sum(len(sheet.get("rows", [])) for sheet in pending.rows.values())


def _next_page(plan: Plan, kind: str) -> tuple[str, str]:
    if kind == PLAN:
        return reverse("plans:plan", args=[plan.slug]), "Go to the plan"
    return reverse("plans:my_work"), "Go to your work"


def _streamed_confirm(request, plan: Plan, pending: PendingImport, book, form: ConfirmForm):
    """A big import, with its progress on the page, then its outcome."""
    remove = form.cleaned_data["remove"]

    def work():
        try:
            done = yield from _confirm_steps(request, plan, pending, book, remove)
        except engine.Stale as stale:
            _stale(pending, form, stale)
            name = pending.file_name
            return _preview_html(request, plan, pending.kind, name, stale.preview, pending, form)
        except AlreadyConfirmed:
            return render_to_string(
                "workbook/_import_gone.html", {"plan": plan, "message": GONE}, request=request
            )
        # Committed (the pending import with it): nothing from here on may say
        # otherwise, so the page is drawn without the database.
        next_url, next_text = _next_page(plan, pending.kind)
        return render_to_string(
            "workbook/_imported.html",
            {
                "message": _done_message(pending.kind, done, remove),
                "file_name": pending.file_name,
                "next_url": next_url,
                "next_text": next_text,
            },
        )

    saving = "the changes" if pending.kind == PLAN else "the progress updates"
    return streaming.progress_response(
        request,
        {
            "plan": plan,
            "title": f"Saving {saving} from {pending.file_name}",
            "doing": f"Saving {saving}…",
            "wait": "The file is checked against the plan again, then every change is saved "
            "together, or none is. Stay on this page until it says the import has finished.",
        },
        work(),
        {
            "message": "The import could not be finished, so nothing has been saved. "
            "Try again in a few minutes",
            "back_url": reverse("workbook:preview", args=[plan.slug, pending.pk]),
            "back_text": "Back to the changes",
        },
    )


@login_required
@GET_POST
def preview(request: HttpRequest, slug: str, pk) -> HttpResponse:
    try:
        plan, pending = _pending(request, slug, pk)
    except _Gone as gone:
        return _gone(request, gone.plan)
    book = engine.book_from_json(pending.rows)
    form = ConfirmForm(posted(request))
    if request.method == "POST" and form.is_valid():
        if _rows(pending) >= streaming.import_rows():
            return _streamed_confirm(request, plan, pending, book, form)
        try:
            done = run(_confirm_steps(request, plan, pending, book, form.cleaned_data["remove"]))
        except engine.Stale as stale:
            _stale(pending, form, stale)
            return _preview_page(
                request,
                plan,
                pending.kind,
                pending.file_name,
                stale.preview,
                pending,
                status=409,
                form=form,
            )
        except AlreadyConfirmed:
            # Another post of this confirmation saved it first.
            return _gone(request, plan, status=409)
        messages.success(request, _done_message(pending.kind, done, form.cleaned_data["remove"]))
        if pending.kind == PLAN:
            return redirect("plans:plan", plan.slug)
        return redirect("plans:my_work")
    preview = _check(pending.kind, request.user, plan, book)
    if preview.fingerprint != pending.fingerprint:
        # The plan changed since the upload: what the user sees now is what confirms.
        pending.fingerprint = preview.fingerprint
        pending.save(update_fields=["fingerprint"])
    status = 400 if request.method == "POST" else 200
    return _preview_page(
        request, plan, pending.kind, pending.file_name, preview, pending, status=status, form=form
    )


def _done_message(kind: str, preview: engine.Preview, removed: bool) -> str:
    if kind == PROGRESS:
        n = len(preview.writes)
        return f"{n} progress update{'s' if n != 1 else ''} saved"
    new = sum(1 for o in preview.writes if o.status == "new")
    changed = len(preview.writes) - new
    said = f"Imported: {new} new and {changed} changed record{'s' if changed != 1 else ''}"
    if removed and preview.deletable:
        said += f", {len(preview.deletable)} deleted"
    return said


@login_required
@require_POST
def cancel(request: HttpRequest, slug: str, pk) -> HttpResponse:
    try:
        plan, pending = _pending(request, slug, pk)
    except _Gone as gone:
        return _gone(request, gone.plan)
    pending.delete()
    messages.success(request, "Import cancelled: nothing was saved")
    return redirect(reverse("workbook:hub", args=[plan.slug]))
