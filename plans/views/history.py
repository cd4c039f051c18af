"""History pages: every change to a record, and the plan's (or an area's)
changes, filtered and a page at a time."""

from __future__ import annotations

import datetime
from typing import Any

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Layout, Size
from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.utils.text import Truncator
from django.views.decorators.http import require_GET

from core.forms import PlanDateField
from plans import permissions as perms
from plans.history import (
    ChangeFilter,
    ChangePage,
    change_page,
    history_of,
    kinds_for,
    people,
    start_of_day,
)
from plans.models import ImprovementArea, Plan

PER_PAGE = 50


class OptionalDateField(PlanDateField):
    """A day/month/year date that may be left empty."""

    def compress(self, data_list: list[str]) -> datetime.date | None:
        return super().compress(data_list) if data_list else None


class ChangeFilterForm(forms.Form):
    """Which changes to list: by area, person, kind of record and dates. A GET
    form; every choice is one the viewer may make, so anything else is refused."""

    area = forms.TypedChoiceField(
        label="Area",
        required=False,
        coerce=int,
        empty_value=None,
        error_messages={"invalid_choice": "Select an area from the list"},
    )
    person = forms.ChoiceField(
        label="Changed by",
        required=False,
        error_messages={"invalid_choice": "Select a person from the list"},
    )
    kind = forms.ChoiceField(
        label="Kind of record",
        required=False,
        error_messages={"invalid_choice": "Select a kind of record from the list"},
    )
    status_only = forms.BooleanField(
        label="Status changes only",
        required=False,
        help_text=(
            "Updates approved (each sets its area's RAG status), milestones completed "
            "or reopened, and actions whose status changed"
        ),
    )
    from_date = OptionalDateField(
        label="From date",
        required=False,
        help_text="Changes on or after this day. For example, 1 4 2015",
    )
    to_date = OptionalDateField(
        label="To date", required=False, help_text="Changes on or before this day"
    )

    def __init__(
        self, data: QueryDict, *, plan: Plan, viewer, area: ImprovementArea | None = None
    ) -> None:
        super().__init__(data)
        self.plan = plan
        self.fixed_area = area
        self.areas = {}
        if area is None:
            self.areas = {a.number: a for a in plan.areas.order_by("number")}
            self.fields["area"].choices = [("", "All areas")] + [
                (n, f"Area {n}: {Truncator(a.recommendation).chars(50)}")
                for n, a in self.areas.items()
            ]
        else:
            del self.fields["area"]
        self.fields["person"].choices = [("", "Anyone")] + people(plan, viewer, area=area)
        self.fields["kind"].choices = [("", "Every kind of record")] + [
            (s.key, s.label) for s in kinds_for(viewer, plan, area=area is not None)
        ]
        self.helper = FormHelper()
        self.helper.form_tag = False
        # A GET form: crispy would otherwise add a CSRF token, which would end
        # up in the address bar and the logs.
        self.helper.form_method = "get"
        self.helper.label_size = Size.SMALL
        self.helper.legend_size = Size.SMALL
        self.helper.layout = Layout(*[Field(name) for name in self.fields])

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("from_date"), data.get("to_date")
        if start and end and end < start:
            self.add_error("to_date", "The to date must be the same as or after the from date")
        return data

    @property
    def active(self) -> bool:
        return self.is_bound and any(self.data.get(k) for k in self.data if k != "page")

    def filters(self) -> ChangeFilter:
        data = self.cleaned_data
        area = self.fixed_area
        if data.get("area") is not None:
            area = self.areas[data["area"]]
        person = data.get("person") or ""
        start, end = data.get("from_date"), data.get("to_date")
        return ChangeFilter(
            area=area,
            person=int(person) if person.isdigit() else None,
            by_system=person == "system",
            kind=data.get("kind") or None,
            status_only=bool(data.get("status_only")),
            since=start_of_day(start) if start else None,
            until=start_of_day(end + datetime.timedelta(days=1)) if end else None,
        )


def _page_number(query: QueryDict) -> int:
    raw = query.get("page", "1").strip()
    # ASCII digits only: "²" is a digit to str.isdigit() but not to int().
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 6 or int(raw) < 1:
        raise ValidationError("The page number must be a whole number, 1 or more")
    return int(raw)


def _pagination(path: str, query: QueryDict, page: ChangePage) -> dict | None:
    """The GOV.UK pagination component's links: previous, next, and the first,
    last and nearby page numbers, with an ellipsis for each gap."""
    if page.num_pages <= 1:
        return None

    def href(number: int) -> str:
        q = query.copy()
        q.pop("page", None)
        if number > 1:
            q["page"] = str(number)
        return f"{path}?{q.urlencode()}" if q else path

    shown = sorted(
        {1, page.num_pages, page.number - 1, page.number, page.number + 1}
        & set(range(1, page.num_pages + 1))
    )
    if len(shown) > 1 and shown[1] == 3:
        shown.insert(1, 2)  # a gap of one page: show the page, not "…"
    if len(shown) > 1 and shown[-2] == page.num_pages - 2:
        shown.insert(-1, page.num_pages - 1)
    items: list[dict] = []
    for number in shown:
        if items and number - items[-1]["number"] > 1:
            items.append({"number": number - 1, "ellipsis": True})
        items.append({"number": number, "href": href(number), "current": number == page.number})
    return {
        "previous": href(page.number - 1) if page.number > 1 else "",
        "next": href(page.number + 1) if page.has_next else "",
        "items": items,
    }


def _changes(
    request: HttpRequest, *, plan: Plan, area: ImprovementArea | None, title: str, intro: str
) -> HttpResponse:
    form = ChangeFilterForm(request.GET, plan=plan, viewer=request.user, area=area)
    result = None
    if form.is_valid():
        try:
            number = _page_number(request.GET)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            result = change_page(
                plan, viewer=request.user, filters=form.filters(), page=number, per_page=PER_PAGE
            )
            if number > result.num_pages:
                form.add_error(
                    None,
                    f"There is no page {number}: the changes fill {result.num_pages} "
                    f"page{'s' if result.num_pages > 1 else ''}",
                )
                result = None
    return render(
        request,
        "plans/history.html",
        {
            "plan": plan,
            "area": area,
            "title": title,
            "intro": intro,
            "form": form,
            "page": result,
            "entries": result.entries if result else [],
            "pagination": _pagination(request.path, request.GET, result) if result else None,
        },
        status=200 if result else 400,
    )


@login_required
@require_GET
def area_history(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    area = perms.get_area_for_user(request.user, slug, number)
    return _changes(
        request,
        plan=area.plan,
        area=area,
        title=f"History of area {area.number}",
        intro=(
            "Every change to the area, its actions, milestones, progress updates, "
            "success measures and figures"
        ),
    )


@login_required
@require_GET
def plan_changes(request: HttpRequest, slug: str) -> HttpResponse:
    plan = perms.get_plan_for_user(request.user, slug)
    return _changes(
        request,
        plan=plan,
        area=None,
        title="Recent changes",
        intro="Changes to anything in the plan",
    )


def _record_page(request, *, plan, area, title, entries) -> HttpResponse:
    return render(
        request,
        "plans/history.html",
        {"plan": plan, "area": area, "title": title, "entries": entries, "intro": "Every change"},
    )


@login_required
@require_GET
def action_history(request: HttpRequest, pk: int) -> HttpResponse:
    action = perms.get_action_for_user(request.user, pk)
    return _record_page(
        request,
        plan=action.area.plan,
        area=action.area,
        title=f"History of action {action.reference}",
        entries=history_of(action, action.area.plan.slug),
    )


@login_required
@require_GET
def milestone_history(request: HttpRequest, pk: int) -> HttpResponse:
    milestone = perms.get_milestone_for_user(request.user, pk)
    return _record_page(
        request,
        plan=milestone.area.plan,
        area=milestone.area,
        title=f"History of milestone: {milestone.title}",
        entries=history_of(milestone, milestone.area.plan.slug),
    )
