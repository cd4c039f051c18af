"""Helpers shared by the measures views."""

from __future__ import annotations

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

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
