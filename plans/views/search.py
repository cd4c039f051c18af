"""Finding anything in a plan (plans/search/)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from plans import permissions as perms
from plans.search.form import SearchForm, typed
from plans.search.query import search_plan


@login_required
@require_GET
def search(request: HttpRequest, slug: str) -> HttpResponse:
    """The plan's search: the form alone when nothing was asked; the hits by
    kind; a search too long to run comes back in the box with an error (400)."""
    plan = perms.get_plan_for_user(request.user, slug)
    form = SearchForm(typed(request.GET))
    groups, text, status = None, "", 200
    if form.is_bound and not form.is_valid():
        status = 400
    elif form.is_bound and form.cleaned_data["q"]:
        text = form.cleaned_data["q"]
        groups = search_plan(plan, text)
    return render(
        request,
        "plans/search.html",
        {
            "plan": plan,
            "form": form,
            "text": text,
            "groups": groups,
            "total": sum(g.total for g in groups or ()),
            "title": f"Search results for ‘{text}’" if text else "Search this plan",
        },
        status=status,
    )
