"""The returns page for the next board, its "Remind now" buttons and
settings, and each person's own e-mail settings.

The returns pages are for the plan's administrators (others 403, non-members
404: plans.permissions.get_plan_for_returns); e-mail settings are each
signed-in person's own.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from plans import permissions as perms
from plans.models import Membership, Plan
from plans.saving import save_with_history

from . import emails
from .emails import Planned, Recipient
from .forms import EmailPreferencesForm, RemindForm, ReturnSettingsForm
from .models import EmailPreferences, Message, ReturnSettings
from .returns import PlanReturn, cycle_for, items_for
from .services import record_and_send

GET_POST = require_http_methods(["GET", "POST"])
MESSAGES_PER_PAGE = 50


def _plan_return(plan: Plan) -> tuple[PlanReturn | None, set[int]]:
    """The next return with its items, and the ids of the members who may be
    reminded about it (active, with an address)."""
    today = timezone.localdate()
    cycle = cycle_for(plan, today)
    if cycle is None:
        return None, set()
    member_ids = set(
        Membership.objects.filter(plan=plan, user__is_active=True)
        .exclude(user__email="")
        .values_list("user_id", flat=True)
    )
    return items_for(plan, cycle), member_ids


def _page(request: HttpRequest, plan: Plan, remind_form=None, status: int = 200) -> HttpResponse:
    returns, member_ids = _plan_return(plan)
    owners = []
    if returns is not None:
        owing = returns.owners_owing(member_ids)
        for items in owing.values():
            user = items[0].owner_user
            owners.append({"user": user, "areas": [item.area.number for item in items]})
        owners.sort(key=lambda o: o["areas"][0])
    history = Message.objects.for_returns_page(plan)
    page = Paginator(history, MESSAGES_PER_PAGE).get_page(request.GET.get("page"))
    failed = list(Message.objects.for_returns_page(plan).filter(status=Message.Status.FAILED)[:20])
    return render(
        request,
        "reminders/returns.html",
        {
            "plan": plan,
            "returns": returns,
            "cycle": returns.cycle if returns else None,
            "owners": owners,
            "unreachable": [
                item
                for item in (returns.owed if returns else [])
                if item.owner_user is None or item.owner_user.pk not in member_ids
            ],
            "messages_page": page,
            "failed": failed,
            "rules": ReturnSettings.for_plan(plan),
            "remind_form": remind_form,
            "today": timezone.localdate(),
        },
        status=status,
    )


@login_required
@require_GET
def returns(request: HttpRequest, slug: str) -> HttpResponse:
    plan = perms.get_plan_for_returns(request.user, slug)
    return _page(request, plan)


@login_required
@require_POST
def remind(request: HttpRequest, slug: str) -> HttpResponse:
    """Remind one owner, or every owner still owing, now. Idempotent for the
    day: the log's unique key makes a second press (or a double click) send
    nothing more, and says so."""
    plan = perms.get_plan_for_returns(request.user, slug)
    form = RemindForm(request.POST)
    returns, member_ids = _plan_return(plan)
    if form.is_valid() and returns is None:
        form.add_error(None, "There is no meeting to remind owners about")
    owing = returns.owners_owing(member_ids) if returns is not None else {}
    if form.is_valid():
        chosen = owing if form.cleaned_data["everyone"] else {}
        owner = form.cleaned_data.get("owner")
        if not form.cleaned_data["everyone"]:
            if owner in owing:
                chosen = {owner: owing[owner]}
            else:
                form.add_error(None, "That owner has no update still to come for the next meeting")
        if not owing and form.cleaned_data["everyone"]:
            form.add_error(None, "Every owner who can be reminded has already sent their update")
    if not form.is_valid():
        return _page(request, plan, remind_form=form, status=400)

    today = timezone.localdate()
    cycle = returns.cycle
    planned = []
    for items in chosen.values():
        numbers = [item.area.number for item in items]
        context = emails.return_context(cycle, numbers, plan.slug, today)
        planned.append(
            Planned(
                plan.pk,
                Recipient.of(items[0].owner_user),
                Message.Kind.RETURN_DUE,
                f"meeting:{cycle.meeting.pk}",
                today,
                context,
                requested_by_id=request.user.pk,
            )
        )
    with transaction.atomic():
        new = record_and_send(planned)
    names = [_name(items[0].owner_user) for items in chosen.values()]
    if new:
        sent = ", ".join(_name(chosen[p.recipient.id][0].owner_user) for p in new)
        messages.success(request, f"Reminder e-mailed to {sent}")
    already = len(planned) - len(new)
    if already:
        if len(names) == 1:
            messages.info(request, f"{names[0]} has already been reminded today")
        else:
            messages.info(
                request,
                f"{already} owner{'s have' if already > 1 else ' has'} already been reminded today",
            )
    return redirect("reminders:returns", plan.slug)


def _name(user) -> str:
    return user.get_full_name() or user.get_username()


@login_required
@GET_POST
def return_settings(request: HttpRequest, slug: str) -> HttpResponse:
    plan = perms.get_plan_for_returns(request.user, slug)
    rules = ReturnSettings.for_plan(plan)
    if request.method == "POST":
        form = ReturnSettingsForm(request.POST)
        if form.is_valid():
            form.apply(rules)
            reason = form.cleaned_data["reason"] or "Return settings changed"
            save_with_history(rules, reason=reason, user=request.user)
            messages.success(request, "Return settings saved")
            return redirect("reminders:returns", plan.slug)
    else:
        form = ReturnSettingsForm(initial=ReturnSettingsForm.initial_for(rules))
    status = 400 if form.errors else 200
    return render(
        request,
        "reminders/settings_form.html",
        {
            "form": form,
            "plan": plan,
            "title": "Return settings",
            "back": reverse("reminders:returns", args=[plan.slug]),
            "button": "Save settings",
        },
        status=status,
    )


@login_required
@GET_POST
def email_settings(request: HttpRequest) -> HttpResponse:
    prefs = EmailPreferences.for_user(request.user)
    if request.method == "POST":
        form = EmailPreferencesForm(request.POST)
        if form.is_valid():
            form.apply(prefs)
            save_with_history(prefs, reason="E-mail settings changed", user=request.user)
            messages.success(request, "Your e-mail settings have been saved")
            return redirect("reminders:email_settings")
    else:
        form = EmailPreferencesForm(initial=EmailPreferencesForm.initial_for(prefs))
    status = 400 if form.errors else 200
    return render(
        request,
        "reminders/email_settings.html",
        {"form": form, "title": "Your e-mail settings"},
        status=status,
    )
