"""Pages as the tests read them: every URL pattern with a sample URL, each
page of the small plan (tests/conftest.py) by name, the text of a history
page, and an admin form's values as the browser would send them back."""

import re
from html import unescape

from django.forms import CheckboxInput
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from plans.models import ProgressUpdate
from tests import factories


def all_patterns(resolver=None, namespace=""):
    resolver = resolver or get_resolver()
    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
            yield from all_patterns(p, ns)
        elif isinstance(p, URLPattern) and p.name:
            yield f"{namespace}{p.name}", p


def sample_url(name: str, pattern: URLPattern) -> str:
    converters = getattr(pattern.pattern, "converters", {})
    regex = pattern.pattern.regex
    if not converters and regex.groups:
        # Regular-expression patterns: the admin's app list, the history admin's views.
        if regex.groupindex:
            return reverse(name, kwargs={k: "plans" for k in regex.groupindex})
        return reverse(name, args=["1"] * regex.groups)
    kwargs = {
        key: 1 if type(converter).__name__ == "IntConverter" else "x"
        for key, converter in converters.items()
    }
    return reverse(name, kwargs=kwargs)


def urls_for(world) -> dict[str, str]:
    slug, n = world.plan.slug, world.area.number
    submitted = factories.ProgressUpdateFactory(
        area=world.area, author=world.users["officer"], state=ProgressUpdate.State.SUBMITTED
    )
    draft = factories.ProgressUpdateFactory(area=world.area, author=world.users["officer"])
    return {
        "my_work": reverse("plans:my_work"),
        "plan_list": reverse("plans:plan_list"),
        "plan": reverse("plans:plan", args=[slug]),
        "plan_changes": reverse("plans:plan_changes", args=[slug]),
        "search": reverse("plans:search", args=[slug]) + "?q=workloads",
        "sign_off": reverse("plans:sign_off", args=[slug]),
        "area": reverse("plans:area", args=[slug, n]),
        "area_edit": reverse("plans:area_edit", args=[slug, n]),
        "area_history": reverse("plans:area_history", args=[slug, n]),
        "update_new": reverse("plans:update_new", args=[slug, n]),
        "action_new": reverse("plans:action_new", args=[slug, n]),
        "milestone_new": reverse("plans:milestone_new", args=[slug, n]),
        "update": reverse("plans:update", args=[world.approved.pk]),
        "update_edit": reverse("plans:update_edit", args=[world.approved.pk]),
        "update_review": reverse("plans:update_review", args=[world.approved.pk]),
        "submitted_review": reverse("plans:update_review", args=[submitted.pk]),
        "draft_edit": reverse("plans:update_edit", args=[draft.pk]),
        "draft": reverse("plans:update", args=[draft.pk]),
        "action_edit": reverse("plans:action_edit", args=[world.action.pk]),
        "action_history": reverse("plans:action_history", args=[world.action.pk]),
        "milestone_edit": reverse("plans:milestone_edit", args=[world.milestone.pk]),
        "milestone_complete": reverse("plans:milestone_complete", args=[world.milestone.pk]),
        "milestone_reforecast": reverse("plans:milestone_reforecast", args=[world.milestone.pk]),
        "milestone_history": reverse("plans:milestone_history", args=[world.milestone.pk]),
    }


def main_text(response) -> str:
    html = response.content.decode()
    main = html[html.index("<main") : html.index("</main>")]
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main)))


def listed(response) -> str:
    """The change list's text, after the filter form."""
    html = response.content.decode()
    html = html[html.index("</details>", html.index("Filter the changes")) : html.index("</main>")]
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)))


def links(response) -> list[str]:
    html = response.content.decode()
    main = html[html.index("<main") : html.index("</main>")]
    return [unescape(h) for h in re.findall(r'href="([^"]+)"', main)]


def form_data(response) -> dict:
    """What the admin change form (and its inlines) would post back unchanged."""
    data = {}

    def add(form) -> None:
        for field in form:
            value = field.value()
            if isinstance(field.field.widget, CheckboxInput):
                if value:
                    data[field.html_name] = "on"
            elif isinstance(value, list | tuple):
                data[field.html_name] = [str(getattr(v, "pk", v)) for v in value]
            else:
                data[field.html_name] = "" if value is None else str(value)

    add(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        add(inline.formset.management_form)
        for form in inline.formset.forms:
            add(form)
    return data
