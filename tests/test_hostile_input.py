"""Random and hostile values thrown at every form and query parameter, as
each role: never a 500, nothing stored changes unless the input was valid,
and user text always comes back escaped."""

import datetime

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from plans.models import Action, ImprovementArea, Milestone, ProgressUpdate
from reporting.models import IssuedPaper, PreparedPaper
from reporting.services import prepare
from tests import factories
from tests.conftest import client_for, make_world
from tests.support.examples import examples

SCRIPT = "<script>alert('x')</script>"
HOSTILE = [
    SCRIPT,
    '"><img src=x onerror=alert(1)>',
    '=HYPERLINK("http://evil","x")',
    "\x00",
    "a\x00b",
    "x" * 20_000,
    "2015-02-30",
    "31",
    "-1",
    "0",
    "99999999999999999999",
    "1.5",
    "",
    " ",
    "red",
    "approve",
    "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 ✓",
    "' OR 1=1 --",
    "../../etc/passwd",
]
values = st.one_of(st.sampled_from(HOSTILE), st.text(max_size=40), st.integers().map(str))
TRACKED = [ImprovementArea, Action, Milestone, ProgressUpdate, IssuedPaper, PreparedPaper]

UPDATE_FIELDS = [
    "as_at_0",
    "as_at_1",
    "as_at_2",
    "rag",
    "narrative",
    "next_steps",
    "evidence",
    "rag_reason",
    "submit",
    "version",
]
ACTION_FIELDS = [
    "reference",
    "title",
    "description",
    "owner",
    "partners",
    "status",
    "version",
    *[f"{date}_{i}" for date in ("start_date", "due_date") for i in range(3)],
]
# name -> (method, fields); URLs are built from the world.
FORMS = {
    "update_new": ("post", UPDATE_FIELDS),
    "milestone_new": (
        "post",
        [
            "title",
            "action",
            "due_date_0",
            "due_date_1",
            "due_date_2",
            "due_precision",
            "note",
            "version",
        ],
    ),
    "milestone_edit": (
        "post",
        [
            "title",
            "action",
            "due_date_0",
            "due_date_1",
            "due_date_2",
            "due_precision",
            "note",
            "reason",
            "version",
        ],
    ),
    "milestone_complete": (
        "post",
        ["completed_date_0", "completed_date_1", "completed_date_2", "reason", "version"],
    ),
    "milestone_reforecast": (
        "post",
        ["forecast_date_0", "forecast_date_1", "forecast_date_2", "reason", "version"],
    ),
    "action_new": ("post", ACTION_FIELDS),
    "area_edit": ("post", ["recommendation", "theme", "lead", "reason", "version"]),
    "action_edit": ("post", [*ACTION_FIELDS, "reason"]),
    "update_edit": ("post", [*UPDATE_FIELDS, "draft"]),
    "papers": ("get", ["as_at", "as_at_0", "as_at_1", "as_at_2"]),
    "area_page": ("get", ["page"]),
    "overview": ("get", ["rag", "theme", "lead", "overdue", "sort", "dir"]),
    "password": ("post", ["old_password", "new_password1", "new_password2"]),
    "review": ("post", ["decision", "comment", "version"]),
    "dashboard": ("get", ["as_at", "stale_days", "as_at_0", "as_at_1", "as_at_2"]),
    "paper": ("get", ["as_at"]),
    "download": ("get", ["as_at"]),
    "front_sheet": (
        "post",
        [
            "as_at_0",
            "as_at_1",
            "as_at_2",
            "title",
            "committee",
            "agenda_item",
            "report_of",
            "author",
            "contact",
            "purpose",
            "recommendations",
            "briefing",
            "background_papers",
            "classification",
            "version",
        ],
    ),  # fmt: skip
    "issue": ("post", ["version"]),
    "login": ("post", ["username", "password"]),
}


def urls(world, submitted, draft, panel) -> dict[str, str]:
    slug, n = world.plan.slug, world.area.number
    prepared = [slug, panel.pk, "scrutiny-summary"]
    return {
        "action_edit": reverse("plans:action_edit", args=[world.action.pk]),
        "update_edit": reverse("plans:update_edit", args=[draft.pk]),
        "papers": reverse("reporting:papers", args=[slug]),
        "area_page": reverse("plans:area", args=[slug, n]),
        "overview": reverse("plans:plan", args=[slug]),
        "password": reverse("password_change"),
        "update_new": reverse("plans:update_new", args=[slug, n]),
        "milestone_new": reverse("plans:milestone_new", args=[slug, n]),
        "milestone_edit": reverse("plans:milestone_edit", args=[world.milestone.pk]),
        "milestone_complete": reverse("plans:milestone_complete", args=[world.milestone.pk]),
        "milestone_reforecast": reverse("plans:milestone_reforecast", args=[world.milestone.pk]),
        "action_new": reverse("plans:action_new", args=[slug, n]),
        "area_edit": reverse("plans:area_edit", args=[slug, n]),
        "review": reverse("plans:update_review", args=[submitted.pk]),
        "dashboard": reverse("reporting:dashboard", args=[slug]),
        "paper": reverse("reporting:paper", args=[slug, "board-report"]),
        "download": reverse("reporting:paper_download", args=[slug, "scrutiny-summary", "xlsx"]),
        "front_sheet": reverse("reporting:front_sheet", args=prepared),
        "issue": reverse("reporting:prepared_issue", args=prepared),
        "login": reverse("login"),
    }


@pytest.fixture
def setting(db):
    world = make_world()
    submitted = factories.ProgressUpdateFactory(
        area=world.area, author=world.users["officer"], state="submitted"
    )
    draft = factories.ProgressUpdateFactory(area=world.area, author=world.users["officer"])
    factories.MeetingFactory(plan=world.plan, date=datetime.date(2015, 6, 30))
    panel = factories.MeetingFactory(
        plan=world.plan, kind="scrutiny_panel", date=datetime.date(2015, 6, 15)
    )
    prepare(panel, "scrutiny-summary", world.users["scrutiny"])
    clients = {name: client_for(user) for name, user in world.users.items()}
    return world, urls(world, submitted, draft, panel), clients


def snapshot() -> dict:
    return {m.__name__: (m.objects.count(), m.history.count()) for m in TRACKED}


@settings(
    max_examples=examples(200),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    form=st.sampled_from(sorted(FORMS)),
    role=st.sampled_from(["officer", "other_officer", "admin", "board", "scrutiny", "outsider"]),
    data=st.data(),
)
def test_hostile_input_never_breaks_anything(setting, form, role, data):
    world, form_urls, clients = setting
    method, fields = FORMS[form]
    chosen = data.draw(st.lists(st.sampled_from(fields), unique=True), label="fields")
    payload = {name: data.draw(values, label=name) for name in chosen}
    # Sometimes point an id field at another plan's records.
    if "action" in payload and data.draw(st.booleans(), label="foreign id"):
        payload["action"] = str(factories.ActionFactory(area=world.other_plan_area).pk)
    before = snapshot()
    response = getattr(clients[role], method)(form_urls[form], payload)
    assert response.status_code < 500, (form, role, payload, response.status_code)
    if response.status_code >= 400:
        assert snapshot() == before, (form, role, payload)
    if response.get("Content-Type", "").startswith("text/html"):
        body = response.content.decode()
        assert SCRIPT not in body
        assert "<img src=x onerror" not in body
