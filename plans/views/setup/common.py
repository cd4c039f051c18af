"""The one shape of the set-up pages: a list page (SetUpList) and a form page
(SetUpPage) that each section's pages fill in."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.views import View

from plans import permissions as perms
from plans.models import Plan
from plans.saving import DuplicateRecord, EditConflict
from plans.setup.common import Refused

from ..common import conflict_response, posted

FORM = "plans/setup/form.html"
# What the set-up services refuse with, shown against the form's field.
REFUSALS = (Refused, DuplicateRecord)


def plan_to_manage(request: HttpRequest, slug: str) -> Plan:
    plan = perms.get_plan_for_user(request.user, slug)
    perms.require(perms.can_manage_plan(request.user, plan))
    return plan


def url_of(name: str, plan: Plan, *args: object) -> str:
    return reverse(f"plans:{name}", args=[plan.slug, *args])


def link_base(request: HttpRequest) -> str:
    return request.build_absolute_uri("/")


def added(created: bool) -> str:
    return "added" if created else "was already added"


def show_refusal(form: forms.Form, refusal: Refused | DuplicateRecord) -> None:
    form.add_error(refusal.field if refusal.field in form.fields else None, refusal.message)


@method_decorator(login_required, name="dispatch")
class SetUpList(View):
    """A set-up list page: the plan, what ``rows(plan)`` adds, its template."""

    http_method_names = ["get"]
    template_name = ""
    title = ""

    def rows(self, plan: Plan) -> dict[str, Any]:
        return {}

    def get(self, request: HttpRequest, slug: str) -> HttpResponse:
        plan = plan_to_manage(request, slug)
        context = {"plan": plan, "title": self.title, **self.rows(plan)}
        return render(request, self.template_name, context)


@dataclass
class Done:
    """What a form page did: the message, and where to go next if not back to
    the list (``to``). ``failed``: the main thing was done but a part was not
    (an e-mail not sent), so the message shows as an error."""

    message: str
    failed: bool = False
    to: str | None = None


@method_decorator(login_required, name="dispatch")
class SetUpPage(View):
    """A set-up form page. The plan (for its administrators only), perhaps one
    of its records (``find``), a form (``make_form``); on a valid POST
    ``save(data)`` calls plans/setup/ and says what was done, then the user goes
    back to the list page (``back``, a URL name). A refusal is a form error
    (400), a stale form the conflict page (409)."""

    http_method_names = ["get", "post"]
    form_class: type[forms.Form]
    back = ""
    title = ""
    button = ""
    intro = ""
    warning = False
    template_name = FORM

    plan: Plan
    record: Any = None

    def find(self, pk: int) -> Any:
        """The record the page is about, of this plan only (else Http404)."""
        raise NotImplementedError

    def initial(self) -> dict[str, Any] | None:
        return None

    def make_form(self, data) -> forms.Form:
        return self.form_class(data, initial=self.initial())

    def page(self) -> dict[str, Any]:
        """The page's wording and what else its template shows."""
        shown = {"button": self.button, "intro": self.intro, "warning": self.warning}
        return {"title": self.title, **{key: value for key, value in shown.items() if value}}

    def save(self, data: dict[str, Any], form: forms.Form) -> str | Done:
        raise NotImplementedError

    def get(self, request: HttpRequest, slug: str, pk: int | None = None) -> HttpResponse:
        self.plan = plan_to_manage(request, slug)
        if pk is not None:
            self.record = self.find(pk)
        form = self.make_form(posted(request))
        context = {"plan": self.plan, "back": url_of(self.back, self.plan), **self.page()}
        if request.method == "POST" and form.is_valid():
            try:
                done = self.save(form.cleaned_data, form)
            except REFUSALS as refusal:
                show_refusal(form, refusal)
            except EditConflict as conflict:
                return conflict_response(request, form, conflict, self.template_name, **context)
            else:
                return self.finish(done if isinstance(done, Done) else Done(done))
        status = 400 if request.method == "POST" and form.errors else 200
        return render(request, self.template_name, {"form": form, **context}, status=status)

    # One handler: a GET shows the form, a POST also saves it.
    post = get

    def finish(self, done: Done) -> HttpResponse:
        (messages.error if done.failed else messages.success)(self.request, done.message)
        return redirect(done.to or url_of(self.back, self.plan))
