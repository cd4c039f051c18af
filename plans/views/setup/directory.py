"""Set-up pages: the council's directory, owners and partner organisations."""

from __future__ import annotations

from typing import Any

from django.http import Http404

from plans.forms_setup.directory import OwnerForm, PartnerForm
from plans.models import Organisation, Owner, Plan
from plans.setup import directory as service

from .common import SetUpList, SetUpPage, added

OWNER_FIELDS = ("job_title", "organisation", "user")
PARTNER_FIELDS = ("name", "short_name", "kind")


def _values(data: dict[str, Any], names: tuple[str, ...]) -> dict[str, Any]:
    return {name: data[name] for name in names}


# --- Owners -----------------------------------------------------------------------------------


class Owners(SetUpList):
    template_name = "plans/setup/owners.html"
    title = "Owners"

    def rows(self, plan: Plan) -> dict[str, Any]:
        return {"owners": service.owners_for(plan)}


class OwnerNew(SetUpPage):
    back = "setup_owners"
    title = "Add an owner"
    button = "Add owner"

    def make_form(self, data) -> OwnerForm:
        return OwnerForm(data, plan=self.plan)

    def save(self, data: dict[str, Any], form) -> str:
        owner, created = service.add_owner(
            plan=self.plan,
            values=_values(data, OWNER_FIELDS),
            by=self.request.user,
            token=form.token,
        )
        return f"Owner “{owner.job_title}” {added(created)}"


class OwnerEdit(SetUpPage):
    back = "setup_owners"
    title = "Change an owner"
    button = "Save"
    intro = "Owners are shared by all of your council's plans: a change here shows in each."

    def find(self, pk: int) -> Owner:
        """An owner in the plan's council's directory; another council's is not found."""
        owner = service.owners_for(self.plan).filter(pk=pk).first()
        if owner is None:
            raise Http404("No such owner")
        return owner

    def make_form(self, data) -> OwnerForm:
        owner = self.record
        initial = {
            "job_title": owner.job_title,
            "organisation": owner.organisation_id,
            "user": owner.user_id,
            "version": owner.version,
        }
        return OwnerForm(data, initial=initial, plan=self.plan, owner=owner)

    def save(self, data: dict[str, Any], form) -> str:
        service.edit_owner(
            plan=self.plan,
            owner=self.record,
            values=_values(data, OWNER_FIELDS),
            by=self.request.user,
            reason=data["reason"] or "Owner changed",
            expected_version=data["version"] or 0,
        )
        return f"Owner “{self.record.job_title}” saved"


# --- Partner organisations -------------------------------------------------------------------


class Partners(SetUpList):
    template_name = "plans/setup/partners.html"
    title = "Partner organisations"

    def rows(self, plan: Plan) -> dict[str, Any]:
        return {"partners": service.partners_of(plan)}


class PartnerNew(SetUpPage):
    form_class = PartnerForm
    back = "setup_partners"
    title = "Add a partner organisation"
    button = "Add organisation"

    def save(self, data: dict[str, Any], form) -> str:
        organisation, created = service.add_partner(
            plan=self.plan,
            values=_values(data, PARTNER_FIELDS),
            by=self.request.user,
            token=form.token,
        )
        return f"{organisation.name} {added(created)}"


class PartnerEdit(SetUpPage):
    back = "setup_partners"
    title = "Change a partner organisation"
    button = "Save"

    def find(self, pk: int) -> Organisation:
        organisation = service.partners_of(self.plan).filter(pk=pk).first()
        if organisation is None:
            raise Http404("No such partner organisation")
        return organisation

    def make_form(self, data) -> PartnerForm:
        organisation = self.record
        initial = {**_values(vars(organisation), PARTNER_FIELDS), "version": organisation.version}
        return PartnerForm(data, initial=initial, editing=True)

    def save(self, data: dict[str, Any], form) -> str:
        service.edit_partner(
            plan=self.plan,
            organisation=self.record,
            values=_values(data, PARTNER_FIELDS),
            by=self.request.user,
            reason=data["reason"] or "Partner organisation changed",
            expected_version=data["version"] or 0,
        )
        return f"{self.record.name} saved"
