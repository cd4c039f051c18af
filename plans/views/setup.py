"""Plan set-up, for the plan's administrators: its details, themes, owners,
partner organisations, meetings and members, without the admin site.

Every page checks ``can_manage_plan`` (others 403; non-members 404). The views
read forms and call plans/administration.py, which holds the rules and writes
with history; a refusal comes back as a form error (400), a stale form as a
conflict (409), and a double submit finds the record the first one made.
"""

from __future__ import annotations

import hashlib

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.views.decorators.http import require_GET, require_http_methods

from plans import administration as admin
from plans import permissions as perms
from plans.forms_setup import (
    AddMemberForm,
    GovSetPasswordForm,
    MeetingForm,
    NewAccountForm,
    OwnerForm,
    PartnerForm,
    PlanDetailsForm,
    ReasonForm,
    RemoveForm,
    RoleForm,
    ThemeForm,
)
from plans.history import history_of
from plans.models import Meeting, Organisation, Owner, Plan, Theme

from .common import posted

FORM = "plans/setup/form.html"
GET_POST = require_http_methods(["GET", "POST"])


def _plan(request: HttpRequest, slug: str) -> Plan:
    plan = perms.get_plan_for_user(request.user, slug)
    perms.require(perms.can_manage_plan(request.user, plan))
    return plan


def _url(name: str, plan: Plan, *args: object) -> str:
    return reverse(f"plans:{name}", args=[plan.slug, *args])


def _form_page(
    request: HttpRequest,
    form,
    *,
    plan: Plan,
    title: str,
    back: str,
    status: int | None = None,
    **ctx,
) -> HttpResponse:
    """A set-up form page; a POST with errors answers 400 (409 for a conflict)."""
    if status is None:
        status = 400 if request.method == "POST" and form.errors else 200
    context = {"form": form, "plan": plan, "title": title, "back": back, **ctx}
    return render(request, ctx.get("template", FORM), context, status=status)


def _refused(form, refusal: admin.Refused) -> None:
    form.add_error(refusal.field if refusal.field in form.fields else None, refusal.message)


def _conflict(request, form, changed: admin.Changed, *, plan: Plan, **ctx) -> HttpResponse:
    """Someone saved the record after this user opened it: show what they
    changed above the user's own answers, which now carry the current version."""
    current = changed.current
    model = type(current)
    since = (
        model.history.filter(history_id=changed.expected_version)
        .values_list("history_date", flat=True)
        .first()
    )
    entries = [e for e in history_of(current, plan.slug) if since is None or e.when > since]
    data = form.data.copy()
    data["version"] = current.version
    form.data = data
    form.add_error(
        None,
        "Someone else changed this while you were editing it. Your changes have not been "
        "saved. Check what they changed, then save again to apply your changes.",
    )
    return _form_page(request, form, plan=plan, status=409, conflict_changes=entries, **ctx)


def _submit(request: HttpRequest, form, page: dict, save) -> HttpResponse:
    """The page of a set-up form: on a valid POST, ``save(cleaned_data)`` calls
    the service and returns the message to show; then back to ``page["back"]``.
    A refusal is a form error (400), a stale form the conflict page (409)."""
    if request.method == "POST" and form.is_valid():
        try:
            done = save(form.cleaned_data)
        except admin.Refused as refusal:
            _refused(form, refusal)
        except admin.Changed as changed:
            return _conflict(request, form, changed, **page)
        else:
            messages.success(request, done)
            return redirect(page["back"])
    return _form_page(request, form, **page)


def _token(form) -> object:
    return form.cleaned_data.get("form_token")


def _link_base(request: HttpRequest) -> str:
    return request.build_absolute_uri("/")


# --- The hub ------------------------------------------------------------------------------


@login_required
@require_GET
def hub(request: HttpRequest, slug: str) -> HttpResponse:
    plan = _plan(request, slug)
    return render(request, "plans/setup/hub.html", {"plan": plan, "title": "Plan set-up"})


# --- The plan's details ---------------------------------------------------------------------


@login_required
@GET_POST
def details(request: HttpRequest, slug: str) -> HttpResponse:
    plan = _plan(request, slug)
    initial = PlanDetailsForm.initial_for(plan, admin.history_version(plan))
    form = PlanDetailsForm(posted(request), initial=initial)
    page = {"plan": plan, "title": "Plan details", "back": _url("setup", plan), "button": "Save"}

    def save(data: dict) -> str:
        admin.save_plan_details(
            plan=plan,
            values=data,
            by=request.user,
            reason=data["reason"],
            expected_version=data["version"] or 0,
        )
        return "The plan's details have been saved"

    return _submit(request, form, page, save)


# --- Themes ---------------------------------------------------------------------------------


@login_required
@require_GET
def themes(request: HttpRequest, slug: str) -> HttpResponse:
    plan = _plan(request, slug)
    rows = Theme.objects.filter(plan=plan).annotate(area_count=Count("areas"))
    return render(
        request, "plans/setup/themes.html", {"plan": plan, "themes": rows, "title": "Themes"}
    )


def _theme(plan: Plan, pk: int) -> Theme:
    theme = Theme.objects.filter(plan=plan, pk=pk).select_related("plan__organisation").first()
    if theme is None:
        raise Http404("No such theme")
    theme.plan = plan
    return theme


@login_required
@GET_POST
def theme_new(request: HttpRequest, slug: str) -> HttpResponse:
    plan = _plan(request, slug)
    form = ThemeForm(posted(request))
    page = {
        "plan": plan,
        "title": "Add a theme",
        "back": _url("setup_themes", plan),
        "button": "Add theme",
    }

    def save(data: dict) -> str:
        theme, created = admin.add_theme(
            plan=plan, name=data["name"], order=data["order"], by=request.user, token=_token(form)
        )
        return f"Theme “{theme.name}” {_added(created)}"

    return _submit(request, form, page, save)


def _added(created: bool) -> str:
    return "added" if created else "was already added"


@login_required
@GET_POST
def theme_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    plan = _plan(request, slug)
    theme = _theme(plan, pk)
    initial = {"name": theme.name, "order": theme.order, "version": admin.history_version(theme)}
    form = ThemeForm(posted(request), initial=initial, editing=True)
    page = {
        "plan": plan,
        "title": "Change a theme",
        "back": _url("setup_themes", plan),
        "button": "Save",
    }

    def save(data: dict) -> str:
        admin.edit_theme(
            theme=theme,
            name=data["name"],
            order=data["order"],
            by=request.user,
            reason=data["reason"] or "Theme changed",
            expected_version=data["version"] or 0,
        )
        return f"Theme “{theme.name}” saved"

    return _submit(request, form, page, save)


@login_required
@GET_POST
def theme_remove(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    plan = _plan(request, slug)
    theme = _theme(plan, pk)
    in_use = admin.areas_using(theme)
    form = RemoveForm(posted(request))
    page = {
        "plan": plan,
        "title": f"Remove the theme “{theme.name}”",
        "back": _url("setup_themes", plan),
        "button": "Remove theme",
        "warning": True,
    }
    if in_use:
        # Say why before anyone fills the form in; a POST is refused the same way.
        page["blocked"] = admin.in_use_message(in_use)

    def save(data: dict) -> str:
        admin.remove_theme(theme=theme, by=request.user, reason=data["reason"])
        return f"Theme “{theme.name}” removed"

    return _submit(request, form, page, save)


# --- Owners -----------------------------------------------------------------------------------


@login_required
@require_GET
def owners(request: HttpRequest, slug: str) -> HttpResponse:
    plan = _plan(request, slug)
    return render(
        request,
        "plans/setup/owners.html",
        {"plan": plan, "owners": admin.owners_for(plan), "title": "Owners"},
    )


def _owner(plan: Plan, pk: int) -> Owner:
    """An owner in the plan's council's directory; another council's is not found."""
    owner = admin.owners_for(plan).filter(pk=pk).first()
    if owner is None:
        raise Http404("No such owner")
    return owner


def _owner_values(data: dict) -> dict:
    return {name: data[name] for name in ("job_title", "organisation", "user")}


@login_required
@GET_POST
def owner_new(request: HttpRequest, slug: str) -> HttpResponse:
    plan = _plan(request, slug)
    form = OwnerForm(posted(request), plan=plan)
    page = {
        "plan": plan,
        "title": "Add an owner",
        "back": _url("setup_owners", plan),
        "button": "Add owner",
    }

    def save(data: dict) -> str:
        owner, created = admin.add_owner(
            plan=plan, values=_owner_values(data), by=request.user, token=_token(form)
        )
        return f"Owner “{owner.job_title}” {_added(created)}"

    return _submit(request, form, page, save)


@login_required
@GET_POST
def owner_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    plan = _plan(request, slug)
    owner = _owner(plan, pk)
    initial = {
        "job_title": owner.job_title,
        "organisation": owner.organisation_id,
        "user": owner.user_id,
        "version": admin.history_version(owner),
    }
    form = OwnerForm(posted(request), initial=initial, plan=plan, owner=owner)
    page = {
        "plan": plan,
        "title": "Change an owner",
        "back": _url("setup_owners", plan),
        "button": "Save",
        "intro": "Owners are shared by all of your council's plans: a change here shows in each.",
    }

    def save(data: dict) -> str:
        admin.edit_owner(
            plan=plan,
            owner=owner,
            values=_owner_values(data),
            by=request.user,
            reason=data["reason"] or "Owner changed",
            expected_version=data["version"] or 0,
        )
        return f"Owner “{owner.job_title}” saved"

    return _submit(request, form, page, save)


# --- Partner organisations -------------------------------------------------------------------


@login_required
@require_GET
def partners(request: HttpRequest, slug: str) -> HttpResponse:
    plan = _plan(request, slug)
    return render(
        request,
        "plans/setup/partners.html",
        {
            "plan": plan,
            "partners": admin.partners_of(plan),
            "title": "Partner organisations",
        },
    )


def _partner(plan: Plan, pk: int) -> Organisation:
    organisation = admin.partners_of(plan).filter(pk=pk).first()
    if organisation is None:
        raise Http404("No such partner organisation")
    return organisation


def _partner_values(data: dict) -> dict:
    return {name: data[name] for name in ("name", "short_name", "kind")}


@login_required
@GET_POST
def partner_new(request: HttpRequest, slug: str) -> HttpResponse:
    plan = _plan(request, slug)
    form = PartnerForm(posted(request))
    page = {
        "plan": plan,
        "title": "Add a partner organisation",
        "back": _url("setup_partners", plan),
        "button": "Add organisation",
    }

    def save(data: dict) -> str:
        organisation, created = admin.add_partner(
            plan=plan, values=_partner_values(data), by=request.user, token=_token(form)
        )
        return f"{organisation.name} {_added(created)}"

    return _submit(request, form, page, save)


@login_required
@GET_POST
def partner_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    plan = _plan(request, slug)
    organisation = _partner(plan, pk)
    initial = {
        **_partner_values(vars(organisation)),
        "version": admin.history_version(organisation),
    }
    form = PartnerForm(posted(request), initial=initial, editing=True)
    page = {
        "plan": plan,
        "title": "Change a partner organisation",
        "back": _url("setup_partners", plan),
        "button": "Save",
    }

    def save(data: dict) -> str:
        admin.edit_partner(
            plan=plan,
            organisation=organisation,
            values=_partner_values(data),
            by=request.user,
            reason=data["reason"] or "Partner organisation changed",
            expected_version=data["version"] or 0,
        )
        return f"{organisation.name} saved"

    return _submit(request, form, page, save)


# --- Meetings --------------------------------------------------------------------------------


@login_required
@require_GET
def meetings(request: HttpRequest, slug: str) -> HttpResponse:
    plan = _plan(request, slug)
    rows = Meeting.objects.filter(plan=plan).order_by("-date", "kind")
    return render(
        request, "plans/setup/meetings.html", {"plan": plan, "meetings": rows, "title": "Meetings"}
    )


def _meeting(plan: Plan, pk: int) -> Meeting:
    meeting = Meeting.objects.filter(plan=plan, pk=pk).first()
    if meeting is None:
        raise Http404("No such meeting")
    meeting.plan = plan
    return meeting


@login_required
@GET_POST
def meeting_new(request: HttpRequest, slug: str) -> HttpResponse:
    plan = _plan(request, slug)
    form = MeetingForm(posted(request))
    page = {
        "plan": plan,
        "title": "Add a meeting",
        "back": _url("setup_meetings", plan),
        "button": "Add meeting",
    }

    def save(data: dict) -> str:
        meeting, created = admin.add_meeting(
            plan=plan, values=data, by=request.user, token=_token(form)
        )
        return f"Meeting “{meeting.label}” {_added(created)}"

    return _submit(request, form, page, save)


@login_required
@GET_POST
def meeting_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    plan = _plan(request, slug)
    meeting = _meeting(plan, pk)
    initial = MeetingForm.initial_for(meeting, admin.history_version(meeting))
    form = MeetingForm(posted(request), initial=initial, editing=True)
    page = {
        "plan": plan,
        "title": "Change a meeting",
        "back": _url("setup_meetings", plan),
        "button": "Save",
    }

    def save(data: dict) -> str:
        admin.edit_meeting(
            meeting=meeting,
            values=data,
            by=request.user,
            reason=data["reason"] or "Meeting changed",
            expected_version=data["version"] or 0,
        )
        return f"Meeting “{meeting.label}” saved"

    return _submit(request, form, page, save)


def _meeting_cancelled(request: HttpRequest, slug: str, pk: int, *, cancel: bool) -> HttpResponse:
    plan = _plan(request, slug)
    meeting = _meeting(plan, pk)
    form = ReasonForm(posted(request))
    verb = "cancel" if cancel else "reinstate"
    page = {
        "plan": plan,
        "title": f"{verb.capitalize()} the meeting “{meeting.label}”",
        "back": _url("setup_meetings", plan),
        "button": f"{verb.capitalize()} meeting",
        "warning": cancel,
        "intro": (
            "The meeting stays in the list, marked cancelled, with any papers issued to it."
            if cancel
            else "The meeting will be listed as going ahead again."
        ),
    }
    if request.method == "POST" and form.is_valid():
        changed = admin.set_meeting_cancelled(
            meeting=meeting, cancelled=cancel, by=request.user, reason=form.cleaned_data["reason"]
        )
        done = "cancelled" if cancel else "reinstated"
        messages.success(
            request, f"Meeting “{meeting.label}” {done if changed else 'was already ' + done}"
        )
        return redirect(_url("setup_meetings", plan))
    return _form_page(request, form, **page)


@login_required
@GET_POST
def meeting_cancel(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    return _meeting_cancelled(request, slug, pk, cancel=True)


@login_required
@GET_POST
def meeting_reinstate(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    return _meeting_cancelled(request, slug, pk, cancel=False)


# --- Members -----------------------------------------------------------------------------------


@login_required
@require_GET
def members(request: HttpRequest, slug: str) -> HttpResponse:
    plan = _plan(request, slug)
    return render(
        request,
        "plans/setup/members.html",
        {"plan": plan, "members": admin.members_of(plan), "title": "Members and roles"},
    )


def _membership(plan: Plan, pk: int):
    """A membership of this plan; another plan's id is not found."""
    membership = admin.membership_in(plan, pk)
    if membership is None:
        raise Http404("No such member")
    return membership


@login_required
@GET_POST
def member_add(request: HttpRequest, slug: str) -> HttpResponse:
    plan = _plan(request, slug)
    form = AddMemberForm(posted(request))
    page = {
        "plan": plan,
        "title": "Add an existing account",
        "back": _url("setup_members", plan),
        "intro_link": (_url("setup_member_new_account", plan), "create a new account"),
    }
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = admin.find_account(data["account"], plan=plan)
            membership, created = admin.add_member(
                plan=plan,
                user=user,
                role=data["role"],
                by=request.user,
                reason=data["reason"] or "Added to the plan",
                token=_token(form),
            )
        except admin.Refused as refusal:
            _refused(form, refusal)
        else:
            name = membership.user.get_full_name() or membership.user.get_username()
            role = membership.get_role_display().lower()
            messages.success(
                request,
                f"{name} added as {role}" if created else f"{name} was already added as {role}",
            )
            return redirect(_url("setup_members", plan))
    return _form_page(request, form, button="Add to the plan", **page)


@login_required
@GET_POST
def member_new_account(request: HttpRequest, slug: str) -> HttpResponse:
    plan = _plan(request, slug)
    form = NewAccountForm(posted(request))
    page = {"plan": plan, "title": "Create an account", "back": _url("setup_members", plan)}
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user, created, sent = admin.create_account(
                plan=plan,
                values=data,
                role=data["role"],
                by=request.user,
                reason=data["reason"],
                token=_token(form),
                link_base=_link_base(request),
            )
        except admin.Refused as refusal:
            _refused(form, refusal)
        else:
            name = user.get_full_name() or user.get_username()
            if not created:
                messages.success(request, f"The account for {name} was already created")
            elif sent:
                messages.success(
                    request,
                    f"Account created for {name}: we have e-mailed them a link to set a password",
                )
            else:
                messages.error(
                    request,
                    f"Account created for {name}, but the e-mail could not be sent: use "
                    "“Send a set-password e-mail” below to try again",
                )
            return redirect(_url("setup_members", plan))
    return _form_page(request, form, button="Create account", **page)


@login_required
@GET_POST
def member_role(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    plan = _plan(request, slug)
    membership = _membership(plan, pk)
    name = membership.user.get_full_name() or membership.user.get_username()
    form = RoleForm(posted(request), initial={"role": membership.role})
    page = {
        "plan": plan,
        "title": f"Change {name}'s role",
        "back": _url("setup_members", plan),
        "button": "Change role",
        "intro": f"{name} is {membership.get_role_display().lower()} in this plan.",
    }
    if request.method == "POST" and form.is_valid():
        try:
            changed = admin.change_role(
                plan=plan,
                membership=membership,
                role=form.cleaned_data["role"],
                by=request.user,
                reason=form.cleaned_data["reason"],
            )
        except admin.Refused as refusal:
            _refused(form, refusal)
        else:
            role = membership.get_role_display().lower()
            messages.success(
                request, f"{name} is now {role}" if changed else f"{name} was already {role}"
            )
            if not perms.can_manage_plan(request.user, Plan.objects.get(pk=plan.pk)):
                # The administrator gave up the role: the plan's page is still theirs.
                return redirect("plans:plan", plan.slug)
            return redirect(_url("setup_members", plan))
    return _form_page(request, form, **page)


@login_required
@GET_POST
def member_remove(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    plan = _plan(request, slug)
    membership = _membership(plan, pk)
    name = membership.user.get_full_name() or membership.user.get_username()
    form = RemoveForm(posted(request))
    page = {
        "plan": plan,
        "title": f"Remove {name} from the plan",
        "back": _url("setup_members", plan),
        "button": "Remove from the plan",
        "warning": True,
        "template": "plans/setup/member_remove.html",
        "member": membership,
        "unlinking": admin.owner_roles_to_unlink(membership),
    }
    if request.method == "POST" and form.is_valid():
        try:
            unlinked = admin.remove_member(
                plan=plan,
                membership=membership,
                by=request.user,
                reason=form.cleaned_data["reason"],
            )
        except admin.Refused as refusal:
            _refused(form, refusal)
        else:
            said = f"{name} removed from the plan"
            if unlinked:
                said += ". Nobody holds these owner roles now: " + ", ".join(
                    str(owner) for owner in unlinked
                )
            messages.success(request, said)
            if membership.user_id == request.user.pk:
                return redirect("plans:plan_list")
            return redirect(_url("setup_members", plan))
    return _form_page(request, form, **page)


@login_required
@GET_POST
def member_send_link(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    plan = _plan(request, slug)
    membership = _membership(plan, pk)
    user = membership.user
    name = user.get_full_name() or user.get_username()
    form = ReasonForm(posted(request))
    form.fields["reason"].required = False
    form.fields["reason"].label = "Note for the record (optional)"
    page = {
        "plan": plan,
        "title": f"Send {name} a set-password e-mail",
        "back": _url("setup_members", plan),
        "button": "Send e-mail",
        "intro": (
            f"We will e-mail {user.email or 'them'} a link to set a new password. The link "
            "works once; any earlier link stops working when it is used."
        ),
    }
    if request.method == "POST" and form.is_valid():
        try:
            sent = admin.send_set_password_email(
                plan=plan, membership=membership, by=request.user, link_base=_link_base(request)
            )
        except admin.Refused as refusal:
            _refused(form, refusal)
        else:
            if sent:
                messages.success(request, f"Set-password e-mail sent to {name}")
            else:
                messages.error(request, f"The e-mail to {name} could not be sent: try again later")
            return redirect(_url("setup_members", plan))
    return _form_page(request, form, **page)


# --- Setting a password from the e-mailed link ---------------------------------------------------


class SetPasswordView(auth_views.PasswordResetConfirmView):
    """The page a new account's e-mailed link opens (also any later link a
    plan administrator sends). Public: the link itself is the credential."""

    form_class = GovSetPasswordForm
    template_name = "registration/set_password.html"
    success_url = reverse_lazy("login")

    def form_valid(self, form) -> HttpResponse:
        response = super().form_valid(form)
        messages.success(
            self.request,
            f"Your password has been set. Sign in with your user name, "
            f"{form.user.get_username()}, and your new password",
        )
        return response

    def form_invalid(self, form) -> HttpResponse:
        return self.render_to_response(self.get_context_data(form=form), status=400)


# --- Starting a plan, and its areas from the recommendations ------------------------------


@login_required
@GET_POST
def start_plan(request: HttpRequest) -> HttpResponse:
    """A new plan, by someone who may start plans for a council (plans/permissions.py)."""
    from plans.forms_setup import StartPlanForm

    councils = perms.councils_for_new_plans(request.user)
    perms.require(bool(councils))  # evaluated once: the form's choices reuse the rows
    form = StartPlanForm(posted(request), councils=councils)
    context = {"form": form, "title": "Start a plan", "councils": councils}
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            plan, created = admin.start_plan(
                council=data["council"], values=data, by=request.user, token=_token(form)
            )
        except admin.Refused as refusal:
            _refused(form, refusal)
        else:
            messages.success(
                request,
                f"Plan “{plan.title}” started: now add its improvement areas"
                if created
                else f"Plan “{plan.title}” was already started",
            )
            return redirect("plans:areas_from_recommendations", plan.slug)
    status = 400 if request.method == "POST" else 200
    return render(request, "plans/setup/start.html", context, status=status)


@login_required
@GET_POST
def areas_paste(request: HttpRequest, slug: str) -> HttpResponse:
    """Improvement areas from the inspection's recommendations, pasted as a
    numbered list: previewed first, saved on a second, explicit step."""
    from plans.forms_setup import RecommendationsForm

    plan = _plan(request, slug)
    form = RecommendationsForm(posted(request))
    context = {"plan": plan, "form": form, "title": "Add areas from the recommendations"}
    status = 200
    if request.method == "POST" and form.is_valid():
        text = form.cleaned_data["recommendations"]
        items, errors = admin.parse_recommendations(text)
        for error in errors:
            form.add_error("recommendations", error)
        # Saved only as checked: a list changed after its check is shown again first.
        context["checked"] = hashlib.sha256(text.encode()).hexdigest()
        as_checked = request.POST.get("checked") == context["checked"]
        if not errors and "save" in request.POST and not as_checked:
            messages.info(request, "The list changed after it was checked: check it again")
        elif not errors and "save" in request.POST:
            try:
                areas = admin.add_areas_from_recommendations(
                    plan=plan, items=items, by=request.user
                )
            except admin.Refused as refusal:
                _refused(form, refusal)
            else:
                messages.success(request, f"{len(areas)} improvement areas added")
                return redirect("plans:plan", plan.slug)
        if not form.errors:
            taken = set(
                plan.areas.filter(number__in=[n for n, _ in items]).values_list("number", flat=True)
            )
            if taken:
                form.add_error(
                    "recommendations",
                    f"The plan already has area{'s' if len(taken) > 1 else ''} "
                    f"{admin._and_list([str(n) for n in sorted(taken)])}: renumber the list",
                )
            context["items"] = items
    if request.method == "POST" and form.errors:
        status = 400
    context["existing"] = plan.areas.count()
    return render(request, "plans/setup/areas_paste.html", context, status=status)
