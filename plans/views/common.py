"""Helpers shared by the form views."""

from __future__ import annotations

import datetime

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from core.asat import AsAtForm
from core.asat import as_at_or_form as _as_at_or_form
from plans.history import history_of
from plans.models import Plan
from plans.saving import EditConflict
from plans.snapshot import first_recorded


def form_page(
    request: HttpRequest, form: forms.Form, template: str, *, title: str, **context: object
) -> HttpResponse:
    """Render a form page; a POST that failed validation answers 400, with the
    error summary at the top of the page."""
    status = 400 if request.method == "POST" and form.errors else 200
    return render(request, template, {"form": form, "title": title, **context}, status=status)


def conflict_response(
    request: HttpRequest,
    form: forms.Form,
    conflict: EditConflict,
    template: str,
    *,
    title: str,
    plan,
    **context: object,
) -> HttpResponse:
    """Someone saved the record after this user opened it: nothing was written.

    Show what they changed (from history) above the user's own answers, which
    stay in the form with the current version, so saving again re-applies them
    knowingly. Answers 409.
    """
    current = conflict.current
    changes = [
        entry
        for entry in history_of(current, plan.slug)
        if entry.version is not None and entry.version > conflict.expected_version
    ]
    data = form.data.copy()
    data["version"] = current.version
    form.data = data
    form.add_error(
        None,
        "Someone else changed this while you were editing it. Your changes have not been "
        "saved. Check what they changed, then save again to apply your changes.",
    )
    return render(
        request,
        template,
        {"form": form, "title": title, "plan": plan, "conflict_changes": changes, **context},
        status=409,
    )


def posted(request: HttpRequest):
    """The POST data to bind a form to, or None on GET (an empty POST is still a POST)."""
    return request.POST if request.method == "POST" else None


def as_at_or_form(request: HttpRequest, plan: Plan) -> tuple[datetime.date | None, AsAtForm]:
    """The as-at date a plan's page or paper is asked for (today when none is),
    with its form; None and the form with its error when the plan holds nothing
    on that day or the date is not one."""
    return _as_at_or_form(request.GET, first_recorded(plan))


def bad_as_at(request: HttpRequest, plan: Plan, form: AsAtForm, title: str) -> HttpResponse:
    """The page that says why an as-at date cannot be shown (400)."""
    return render(
        request,
        "reporting/bad_as_at.html",
        {"plan": plan, "form": form, "title": title},
        status=400,
    )
