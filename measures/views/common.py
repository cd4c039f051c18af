"""Helpers shared by the measures views."""

from __future__ import annotations

import datetime

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from plans.models import Plan
from reporting import snapshot as snap
from reporting.forms import AsAtForm, as_at_data, today

CONFLICT = (
    "Someone else changed this while you were editing it. Your changes have not been saved. "
    "The form now shows what is recorded; check it, then save again."
)


def page(
    request: HttpRequest, template: str, context: dict, *, form: forms.Form | None = None
) -> HttpResponse:
    """A page with a form: a POST (or a GET with bad parameters) whose form has
    errors answers 400, with the error summary at the top (base.html)."""
    status = 200
    if form is not None and form.is_bound and form.errors:
        status = 400
    return render(request, template, {"form": form, **context}, status=status)


def as_at_or_form(request: HttpRequest, plan: Plan) -> tuple[datetime.date | None, AsAtForm]:
    """The as-at date asked for (default today), or None and the form with its error."""
    data = as_at_data(request.GET)
    first_day = snap.first_recorded(plan)
    if data is None:
        return today(), AsAtForm(plan=plan, first_day=first_day)
    form = AsAtForm(data, plan=plan, first_day=first_day)
    if not form.is_valid():
        return None, form
    return form.cleaned_data["as_at"], form


def bad_as_at(request: HttpRequest, plan: Plan, form: AsAtForm, title: str) -> HttpResponse:
    return render(
        request,
        "reporting/bad_as_at.html",
        {"plan": plan, "form": form, "title": title},
        status=400,
    )
