"""Set-up pages: the plan's members and their roles, new accounts, and the
page an e-mailed set-password link opens."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.http import Http404, HttpResponse
from django.urls import reverse, reverse_lazy

from plans import permissions as perms
from plans.forms_setup.common import ReasonForm, RemoveForm
from plans.forms_setup.members import (
    AddMemberForm,
    GovSetPasswordForm,
    NewAccountForm,
    RoleForm,
)
from plans.models import Membership, Plan
from plans.setup import members as service
from plans.setup.common import name_of

from .common import Done, SetUpList, SetUpPage, link_base, url_of


class Members(SetUpList):
    template_name = "plans/setup/members.html"
    title = "Members and roles"

    def rows(self, plan: Plan) -> dict[str, Any]:
        return {"members": service.members_of(plan)}


class MemberPage(SetUpPage):
    back = "setup_members"

    def find(self, pk: int) -> Membership:
        """A membership of this plan; another plan's id is not found."""
        membership = service.membership_in(self.plan, pk)
        if membership is None:
            raise Http404("No such member")
        self.name = name_of(membership.user)
        return membership


class MemberAdd(MemberPage):
    form_class = AddMemberForm
    title = "Add an existing account"
    button = "Add to the plan"

    def page(self) -> dict[str, Any]:
        link = (url_of("setup_member_new_account", self.plan), "create a new account")
        return {**super().page(), "intro_link": link}

    def save(self, data: dict[str, Any], form) -> str:
        user = service.find_account(data["account"], plan=self.plan)
        membership, created = service.add_member(
            plan=self.plan,
            user=user,
            role=data["role"],
            by=self.request.user,
            reason=data["reason"] or "Added to the plan",
            token=form.token,
        )
        name, role = name_of(membership.user), membership.get_role_display().lower()
        return f"{name} added as {role}" if created else f"{name} was already added as {role}"


class MemberNewAccount(MemberPage):
    form_class = NewAccountForm
    title = "Create an account"
    button = "Create account"

    def save(self, data: dict[str, Any], form) -> str | Done:
        user, created, sent = service.create_account(
            plan=self.plan,
            values=data,
            role=data["role"],
            by=self.request.user,
            reason=data["reason"],
            token=form.token,
            link_base=link_base(self.request),
        )
        name = name_of(user)
        if not created:
            return f"The account for {name} was already created"
        if sent:
            return f"Account created for {name}: we have e-mailed them a link to set a password"
        return Done(
            f"Account created for {name}, but the e-mail could not be sent: use "
            "“Send a set-password e-mail” below to try again",
            failed=True,
        )


class MemberRole(MemberPage):
    button = "Change role"

    def make_form(self, data) -> RoleForm:
        return RoleForm(data, initial={"role": self.record.role})

    def page(self) -> dict[str, Any]:
        role = self.record.get_role_display().lower()
        return {
            **super().page(),
            "title": f"Change {self.name}'s role",
            "intro": f"{self.name} is {role} in this plan.",
        }

    def save(self, data: dict[str, Any], form) -> Done:
        membership = self.record
        changed = service.change_role(
            plan=self.plan,
            membership=membership,
            role=data["role"],
            by=self.request.user,
            reason=data["reason"],
        )
        role = membership.get_role_display().lower()
        done = Done(f"{self.name} is now {role}" if changed else f"{self.name} was already {role}")
        if not perms.can_manage_plan(self.request.user, Plan.objects.get(pk=self.plan.pk)):
            # The administrator gave up the role: the plan's page is still theirs.
            done.to = reverse("plans:plan", args=[self.plan.slug])
        return done


class MemberRemove(MemberPage):
    form_class = RemoveForm
    button = "Remove from the plan"
    warning = True
    template_name = "plans/setup/member_remove.html"

    def page(self) -> dict[str, Any]:
        return {
            **super().page(),
            "title": f"Remove {self.name} from the plan",
            "member": self.record,
            "unlinking": service.owner_roles_to_unlink(self.record),
        }

    def save(self, data: dict[str, Any], form) -> Done:
        membership = self.record
        unlinked = service.remove_member(
            plan=self.plan, membership=membership, by=self.request.user, reason=data["reason"]
        )
        done = Done(f"{self.name} removed from the plan")
        if unlinked:
            done.message += ". Nobody holds these owner roles now: " + ", ".join(
                str(owner) for owner in unlinked
            )
        if membership.user_id == self.request.user.pk:
            done.to = reverse("plans:plan_list")
        return done


class MemberSendLink(MemberPage):
    button = "Send e-mail"

    def make_form(self, data) -> ReasonForm:
        form = ReasonForm(data)
        form.fields["reason"].required = False
        form.fields["reason"].label = "Note for the record (optional)"
        return form

    def page(self) -> dict[str, Any]:
        return {
            **super().page(),
            "title": f"Send {self.name} a set-password e-mail",
            "intro": (
                f"We will e-mail {self.record.user.email or 'them'} a link to set a new password. "
                "The link works once; any earlier link stops working when it is used."
            ),
        }

    def save(self, data: dict[str, Any], form) -> str | Done:
        sent = service.send_set_password_email(
            plan=self.plan,
            membership=self.record,
            by=self.request.user,
            link_base=link_base(self.request),
        )
        if sent:
            return f"Set-password e-mail sent to {self.name}"
        return Done(f"The e-mail to {self.name} could not be sent: try again later", failed=True)


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
