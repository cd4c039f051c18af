"""Set-up pages: the hub, the plan's details and its themes."""

from __future__ import annotations

from typing import Any

from django.db.models import Count
from django.http import Http404

from plans.forms_setup.common import RemoveForm
from plans.forms_setup.details import PlanDetailsForm, ThemeForm
from plans.models import Plan, Theme
from plans.setup import details as service

from .common import SetUpList, SetUpPage, added


class Hub(SetUpList):
    template_name = "plans/setup/hub.html"
    title = "Plan set-up"


class Details(SetUpPage):
    form_class = PlanDetailsForm
    back = "setup"
    title = "Plan details"
    button = "Save"

    def initial(self) -> dict[str, Any]:
        return PlanDetailsForm.initial_for(self.plan)

    def save(self, data: dict[str, Any], form) -> str:
        service.save_plan_details(
            plan=self.plan,
            values=data,
            by=self.request.user,
            reason=data["reason"],
            expected_version=data["version"] or 0,
        )
        return "The plan's details have been saved"


# --- Themes ---------------------------------------------------------------------------------


class Themes(SetUpList):
    template_name = "plans/setup/themes.html"
    title = "Themes"

    def rows(self, plan: Plan) -> dict[str, Any]:
        return {"themes": Theme.objects.filter(plan=plan).annotate(area_count=Count("areas"))}


class ThemePage(SetUpPage):
    back = "setup_themes"

    def find(self, pk: int) -> Theme:
        theme = (
            Theme.objects.filter(plan=self.plan, pk=pk).select_related("plan__organisation").first()
        )
        if theme is None:
            raise Http404("No such theme")
        theme.plan = self.plan
        return theme


class ThemeNew(ThemePage):
    form_class = ThemeForm
    title = "Add a theme"
    button = "Add theme"

    def save(self, data: dict[str, Any], form) -> str:
        theme, created = service.add_theme(
            plan=self.plan,
            name=data["name"],
            order=data["order"],
            by=self.request.user,
            token=form.token,
        )
        return f"Theme “{theme.name}” {added(created)}"


class ThemeEdit(ThemePage):
    title = "Change a theme"
    button = "Save"

    def make_form(self, data) -> ThemeForm:
        theme = self.record
        initial = {"name": theme.name, "order": theme.order, "version": theme.version}
        return ThemeForm(data, initial=initial, editing=True)

    def save(self, data: dict[str, Any], form) -> str:
        service.edit_theme(
            theme=self.record,
            name=data["name"],
            order=data["order"],
            by=self.request.user,
            reason=data["reason"] or "Theme changed",
            expected_version=data["version"] or 0,
        )
        return f"Theme “{self.record.name}” saved"


class ThemeRemove(ThemePage):
    form_class = RemoveForm
    button = "Remove theme"
    warning = True

    def page(self) -> dict[str, Any]:
        page = {**super().page(), "title": f"Remove the theme “{self.record.name}”"}
        in_use = service.areas_using(self.record)
        if in_use:
            # Say why before anyone fills the form in; a POST is refused the same way.
            page["blocked"] = service.in_use_message(in_use)
        return page

    def save(self, data: dict[str, Any], form) -> str:
        service.remove_theme(theme=self.record, by=self.request.user, reason=data["reason"])
        return f"Theme “{self.record.name}” removed"
