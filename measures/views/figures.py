"""Entering figures: one measure's (from the area page), many at once (this
month's figures), or from a file (preview, then confirm)."""

from __future__ import annotations

import datetime

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from core.forms import GovForm
from plans import permissions as perms
from plans.models import Plan
from plans.saving import EditConflict
from plans.views.common import posted

from .. import periods, services, upload
from ..checks import FigureError
from ..forms import FigureForm, FiguresForm, UploadForm, parse_period_choice, period_choices, today
from ..models import Frequency, Measure, MeasureValue, UploadConfirmation
from ..readings import cards_now
from .common import CONFLICT, page
from .definitions import area_url

MAX_ERRORS_LISTED = 50


class PeriodChoiceForm(GovForm):
    """The period a figures page is for, chosen from a list (a GET form)."""

    period = forms.ChoiceField(
        label="Period",
        error_messages={
            "required": "Select a period",
            "invalid_choice": "Select a period from the list",
        },
    )

    def __init__(self, *args, frequency: str, day: datetime.date, **kwargs) -> None:
        self.frequency = frequency
        self.day = day
        # Its own ids: the entry form on the same page has a period field too.
        kwargs.setdefault("auto_id", "choose_%s")
        super().__init__(*args, **kwargs)
        del self.fields["version"]
        self.fields["period"].choices = period_choices(frequency, day)
        self.helper.form_method = "get"
        self.helper.layout = self.build_layout()

    def clean_period(self) -> datetime.date:
        return parse_period_choice(self.cleaned_data["period"], self.frequency, self.day)


def _period_from(request: HttpRequest, frequency: str, default: datetime.date):
    """(period, the chooser form): the period asked for in ``?period=``, or the
    default; (None, form with its error) when it is not one that may be chosen."""
    day = today()
    if "period" not in request.GET:
        return default, PeriodChoiceForm(
            frequency=frequency, day=day, initial={"period": default.isoformat()}
        )
    chooser = PeriodChoiceForm(request.GET, frequency=frequency, day=day)
    if not chooser.is_valid():
        return None, chooser
    return chooser.cleaned_data["period"], chooser


def _history(measure: Measure, period: datetime.date) -> list:
    """Every recorded version of the period's figure, newest first."""
    return list(
        MeasureValue.history.filter(measure_id=measure.pk, period=period)
        .select_related("history_user")
        .order_by("-history_date", "-history_id")
    )


@login_required
@require_http_methods(["GET", "POST"])
def figure(request: HttpRequest, pk: int) -> HttpResponse:
    """One measure's figure for one period: enter it, or correct it with a reason."""
    measure = perms.get_measure_for_user(request.user, Measure.objects.filter(pk=pk), enter=True)
    area, plan = measure.area, measure.area.plan
    day = today()
    default = periods.last_ended(day, measure.frequency)
    if request.method == "POST":
        raw = request.POST.get("period", "")
        try:
            period = parse_period_choice(raw, measure.frequency, day)
        except ValidationError:
            period = default
        chooser = PeriodChoiceForm(
            frequency=measure.frequency, day=day, initial={"period": period.isoformat()}
        )
    else:
        period, chooser = _period_from(request, measure.frequency, default)
    context = {
        "plan": plan,
        "area": area,
        "measure": measure,
        "chooser": chooser,
        "title": f"Enter a figure: {measure.name}",
    }
    if period is None:
        return page(request, "measures/figure.html", {**context, "bad_period": True}, form=chooser)
    current = MeasureValue.objects.filter(measure=measure, period=period).first()
    initial = {"period": period.isoformat()}
    if current is not None:
        initial.update(
            value=f"{current.value.normalize():f}", comment=current.comment, version=current.version
        )
    form = FigureForm(posted(request), measure=measure, today=day, initial=initial)
    form.fields["period"].widget = forms.HiddenInput()
    context.update(
        period=period,
        period_label=periods.label(period, measure.frequency),
        current=current,
        history=_history(measure, period) if current else [],
        card=next((c for c in cards_now(area, day) if c.id == measure.pk), None),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            result = services.record_value(
                measure=measure,
                period=data["period"],
                value=data["value"],
                comment=data["comment"],
                user=request.user,
                reason=data["reason"],
                expected_version=data["version"] if current is not None else None,
                today=day,
            )
        except services.ReasonNeeded as needed:
            form.add_error(
                "reason",
                f"Enter the reason for correcting the figure: "
                f"{needed.current.value.normalize():f} is already recorded for "
                f"{context['period_label']}",
            )
        except EditConflict:
            form = FigureForm(
                {**request.POST.dict(), "version": current.version if current else 0},
                measure=measure,
                today=day,
            )
            form.is_valid()
            form.add_error(None, CONFLICT)
            response = page(request, "measures/figure.html", context, form=form)
            response.status_code = 409
            return response
        except FigureError as error:
            form.add_error("period", error.message)
        else:
            said = {
                "created": "Figure saved",
                "corrected": "Figure corrected",
                "unchanged": "No change: that figure was already recorded",
            }[result]
            messages.success(request, f"{said}: {measure.name}, {context['period_label']}")
            return redirect(area_url(area, measure.pk))
    return page(request, "measures/figure.html", context, form=form)


def _figures_month(request: HttpRequest):
    return _period_from(request, Frequency.MONTHLY, periods.last_ended(today(), Frequency.MONTHLY))


@login_required
@require_http_methods(["GET", "POST"])
def figures(request: HttpRequest, slug: str) -> HttpResponse:
    """This month's figures: every measure the user enters, one row each."""
    plan = perms.get_plan_for_user(request.user, slug)
    perms.require(perms.may_enter_any_figures(request.user, plan))
    context = {"plan": plan, "title": "Enter this month's figures"}
    if request.method == "POST":
        posted_month = PeriodChoiceForm(
            {"period": request.POST.get("month", "")}, frequency=Frequency.MONTHLY, day=today()
        )
        if not posted_month.is_valid():
            return page(
                request,
                "measures/figures.html",
                {**context, "bad_period": True, "chooser": posted_month},
                form=posted_month,
            )
        month = posted_month.cleaned_data["period"]
        chooser = PeriodChoiceForm(
            frequency=Frequency.MONTHLY, day=today(), initial={"period": month.isoformat()}
        )
    else:
        month, chooser = _figures_month(request)
    context["chooser"] = chooser
    if month is None:
        return page(request, "measures/figures.html", {**context, "bad_period": True}, form=chooser)
    measures = list(
        perms.enterable_measures(request.user, plan, Measure.objects.filter(area__plan=plan))
        .select_related("area", "owner__organisation")
        .order_by("area__number", "order", "name")
    )
    for m in measures:
        m.area.plan = plan
    frequency = {m.pk: m.frequency for m in measures}
    existing = {
        v.measure_id: v
        for v in MeasureValue.objects.filter(
            measure__in=measures,
            period__in={
                periods.start_of(month, Frequency.MONTHLY),
                periods.start_of(month, Frequency.QUARTERLY),
            },
        )
        if v.period == periods.start_of(month, frequency[v.measure_id])
    }
    form = FiguresForm(posted(request), measures=measures, month=month, existing=existing)
    context.update(
        month=month, month_label=periods.label(month, Frequency.MONTHLY), measures=measures
    )
    if request.method == "POST" and form.is_valid():
        rows = list(form.rows())
        if not rows:
            form.add_error(None, "Enter at least one figure")
            return page(request, "measures/figures.html", context, form=form)
        counts = {"created": 0, "corrected": 0, "unchanged": 0}
        try:
            with transaction.atomic():
                for measure, period, value, comment, reason in rows:
                    version = form.cleaned_data.get(f"version_{measure.pk}")
                    row = existing.get(measure.pk)
                    try:
                        result = services.record_value(
                            measure=measure,
                            period=period,
                            value=value,
                            comment=comment,
                            user=request.user,
                            reason=reason,
                            expected_version=version if row is not None else None,
                        )
                    except (services.ReasonNeeded, EditConflict, FigureError) as problem:
                        raise _RowProblem(measure, problem) from problem
                    counts[result] += 1
        except _RowProblem as failed:
            form.add_error(f"value_{failed.measure.pk}", failed.message)
            response = page(request, "measures/figures.html", context, form=form)
            if isinstance(failed.problem, EditConflict):
                response.status_code = 409
            return response
        messages.success(
            request,
            f"Figures for {context['month_label']} saved: {counts['created']} new, "
            f"{counts['corrected']} corrected, {counts['unchanged']} unchanged",
        )
        return redirect(
            reverse("measures:figures", args=[plan.slug]) + f"?period={month.isoformat()}"
        )
    return page(request, "measures/figures.html", context, form=form)


class _RowProblem(Exception):
    def __init__(self, measure: Measure, problem: Exception) -> None:
        super().__init__(str(problem))
        self.measure = measure
        self.problem = problem
        if isinstance(problem, EditConflict):
            self.message = (
                f"{measure.name}: someone else changed this figure meanwhile; nothing was saved. "
                "Reload the page to see it"
            )
        elif isinstance(problem, services.ReasonNeeded):
            self.message = f"{measure.name}: enter the reason for correcting the figure"
        else:
            self.message = f"{measure.name}: {getattr(problem, 'message', str(problem))}"


def _upload_page(
    request, plan: Plan, form: UploadForm, preview=None, token: str = ""
) -> HttpResponse:
    context = {
        "plan": plan,
        "title": "Upload figures",
        "preview": preview,
        "token": token,
        "max_rows": upload.MAX_ROWS,
    }
    return page(request, "measures/upload.html", context, form=form)


def _list_errors(form: UploadForm, preview: upload.Preview) -> None:
    errors = preview.errors
    for message in errors[:MAX_ERRORS_LISTED]:
        form.add_error(None, message)
    if len(errors) > MAX_ERRORS_LISTED:
        form.add_error(
            None, f"And {len(errors) - MAX_ERRORS_LISTED} more rows with errors: see the table"
        )


@login_required
@require_http_methods(["GET", "POST"])
def upload_figures(request: HttpRequest, slug: str) -> HttpResponse:
    """Upload a file of figures: a preview, with each row's errors. Nothing is
    written here; the preview's button confirms (upload_confirm)."""
    plan = perms.get_plan_for_user(request.user, slug)
    perms.require(perms.may_enter_any_figures(request.user, plan))
    if request.method == "GET":
        return _upload_page(request, plan, UploadForm())
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _upload_page(request, plan, form)
    file = form.cleaned_data["file"]
    try:
        preview = upload.preview(
            file.name, file.read(), plan=plan, user=request.user, today=today()
        )
    except upload.FileRefused as refused:
        form.add_error("file", refused.message)
        return _upload_page(request, plan, form)
    reason = form.cleaned_data["reason"]
    if preview.errors:
        _list_errors(form, preview)
    elif preview.corrections and not reason.strip():
        form.add_error(
            "reason",
            f"Enter the reason for the corrections: the file changes {preview.corrections} "
            f"figure{'s' if preview.corrections != 1 else ''} already recorded",
        )
    token = "" if form.errors else upload.sign(preview, plan=plan, user=request.user, reason=reason)
    return _upload_page(request, plan, form, preview, token)


def _errors_only(errors: list[str]) -> UploadForm:
    """An upload form carrying only these errors (for the error summary)."""
    form = UploadForm({}, {})
    form.errors.clear()
    for message in errors:
        form.add_error(None, message)
    return form


def _refused(request, plan: Plan, message: str, status: int) -> HttpResponse:
    response = _upload_page(request, plan, _errors_only([message]))
    response.status_code = status
    return response


UPLOAD_CONFLICT = (
    "Someone changed {count} after you checked this file, so nothing has been saved. "
    "Check what they changed, then upload the file again: its preview will show the "
    "figures as they are now."
)
MAX_CONFLICTS_SHOWN = 20


def _conflict(request, plan: Plan, changed: services.FiguresChanged) -> HttpResponse:
    """The conflict page (includes/conflict.html, as for a form): the changes
    made after the preview to the figures it would have written. 409."""
    count = len(changed.changed)
    figures = f"{count} figure{'s' if count != 1 else ''} in it"
    form = _errors_only([UPLOAD_CONFLICT.format(count=figures)])
    entries = upload.changes_after(changed.changed[:MAX_CONFLICTS_SHOWN], plan=plan)
    context = {
        "plan": plan,
        "title": "Upload figures",
        "max_rows": upload.MAX_ROWS,
        "conflict_changes": entries,
        "conflict_heading": "What changed after you checked the file",
        "conflict_advice": "Nothing from your file has been saved. Upload it again to see "
        "which of its figures would now change, and why, before saving.",
        "show_subject": True,
    }
    response = page(request, "measures/upload.html", context, form=form)
    response.status_code = 409
    return response


@login_required
@require_POST
def upload_confirm(request: HttpRequest, slug: str) -> HttpResponse:
    """Write the figures a preview accepted, re-checked now: all or none, once,
    and only if none of them changed after the preview."""
    plan = perms.get_plan_for_user(request.user, slug)
    perms.require(perms.may_enter_any_figures(request.user, plan))
    try:
        signed = upload.unsign(request.POST.get("token", ""), plan=plan, user=request.user)
    except upload.FileRefused as refused:
        return _refused(request, plan, refused.message, refused.status)
    if UploadConfirmation.objects.filter(pk=signed.id).exists():
        # Said before the rows are checked again; save_upload decides for certain.
        return _refused(request, plan, ALREADY_SAVED, 409)
    day = today()
    checked = upload.check(signed.rows, plan=plan, user=request.user, today=day)
    preview = upload.Preview(rows=checked, digest=signed.digest)
    if preview.errors:
        form = _errors_only([])
        _list_errors(form, preview)
        return _upload_page(request, plan, form, preview)
    try:
        outcome = services.save_upload(
            confirmation=signed.id,
            plan=plan,
            user=request.user,
            digest=signed.digest,
            rows=[(c.measure, c.period, c.figure, c.row.comment, c.row.seen) for c in checked],
            reason=signed.reason or "Uploaded",
            today=day,
        )
    except services.PreviewUsed:
        return _refused(request, plan, ALREADY_SAVED, 409)
    except services.FiguresChanged as changed:
        return _conflict(request, plan, changed)
    except (services.ReasonNeeded, FigureError) as problem:
        form = _errors_only([f"Nothing was saved: {getattr(problem, 'message', problem)}"])
        return _upload_page(request, plan, form, preview)
    messages.success(
        request,
        f"Figures saved from the file: {outcome.created} new, {outcome.corrected} corrected, "
        f"{outcome.unchanged} already recorded (no change)",
    )
    return redirect(reverse("measures:figures", args=[plan.slug]))


ALREADY_SAVED = (
    "The figures from this preview have already been saved, so nothing has been saved "
    "again. To change them, upload the file again: its preview shows the figures as they "
    "are now."
)
