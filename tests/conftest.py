"""Shared fixtures: a small plan with one user for each role, and clients; and
the day every test runs on."""

import datetime
from dataclasses import dataclass

import pytest
from django.test import Client

from plans.models import Action, ImprovementArea, Milestone, Plan, ProgressUpdate
from plans.roles import BOARD_MEMBER, OFFICER, PLAN_ADMINISTRATOR, SCRUTINY_OFFICER
from tests import factories
from tests.support import examples, shared  # noqa: F401 (examples: hypothesis's profile)
from tests.support.clock import LONDON, PINNED, london, on_day, test_day  # noqa: F401 (shared)
from tests.support.static_files import walked_once

ROLES = ["officer", "other_officer", "admin", "board", "scrutiny", "outsider"]


@pytest.fixture(scope="session", autouse=True)
def static_files_walked_once():
    """Each test client's middleware reuses one walk of the static files
    (tests/support/static_files.py): half a second a client otherwise."""
    with walked_once():
        yield


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    shared.shared_last(items)


@pytest.fixture(autouse=True)
def no_shared_data_unless_asked(request):
    """A test sees data shared by its module's tests (tests/support/shared.py)
    only if it asks for it."""
    unasked = shared.ACTIVE - set(request.fixturenames)
    if unasked:
        pytest.fail(f"shared data {sorted(unasked)} is in the database, unasked for")


@pytest.fixture(autouse=True)
def pinned_clock(request, time_machine):
    """Every test runs on PINNED, or on the day its
    ``@pytest.mark.time_machine(...)`` names, with the clock ticking (timeouts,
    sessions and lockouts still see time pass). TEST_TODAY=2027-02-28 moves the
    default, to find tests that pass only on some days. Tests marked
    ``real_clock`` are left on the real one."""
    if request.node.get_closest_marker("real_clock"):
        return time_machine
    if not request.node.get_closest_marker("time_machine"):
        time_machine.move_to(test_day(), tick=True)
    return time_machine


@dataclass
class World:
    plan: Plan
    area: ImprovementArea  # led by ``officer``
    other_area: ImprovementArea  # led by ``other_officer``
    action: Action  # in ``area``, owned by ``officer``
    milestone: Milestone  # in ``area``, under ``action``
    approved: ProgressUpdate  # the area's current status (Green)
    other_plan: Plan
    other_plan_area: ImprovementArea
    users: dict


def make_world() -> World:
    roles = {
        "officer": OFFICER,
        "other_officer": OFFICER,
        "admin": PLAN_ADMINISTRATOR,
        "board": BOARD_MEMBER,
        "scrutiny": SCRUTINY_OFFICER,
    }
    users = {name: factories.UserFactory(username=name) for name in [*roles, "outsider"]}
    plan = factories.PlanFactory(slug="childrens-services", title="Children's Services Plan")
    factories.join(plan, {users[name]: role for name, role in roles.items()})
    council = plan.organisation
    lead = factories.OwnerFactory(
        job_title="Head of Children's Social Care", user=users["officer"], organisation=council
    )
    other_lead = factories.OwnerFactory(
        job_title="Head of Early Help", user=users["other_officer"], organisation=council
    )
    area = factories.ImprovementAreaFactory(
        plan=plan, number=1, lead=lead, recommendation="Ensure reasonable workloads."
    )
    other_area = factories.ImprovementAreaFactory(plan=plan, number=2, lead=other_lead)
    action = factories.ActionFactory(area=area, reference="1.1", owner=lead)
    milestone = factories.MilestoneFactory(
        area=area, action=action, title="Framework in place", due_date=datetime.date(2015, 6, 30)
    )
    approved = factories.ProgressUpdateFactory(
        area=area,
        approved=True,
        rag="green",
        author=users["officer"],
        approved_by=users["admin"],
        as_at=datetime.date(2015, 5, 1),
    )
    other_plan = factories.PlanFactory(slug="other-council", title="Another council's plan")
    # An officer of another council's plan: must see nothing of this one.
    factories.join(other_plan, {users["outsider"]: OFFICER})
    other_plan_area = factories.ImprovementAreaFactory(
        plan=other_plan,
        number=1,
        lead=factories.OwnerFactory(user=users["outsider"], organisation=other_plan.organisation),
    )
    return World(
        plan, area, other_area, action, milestone, approved, other_plan, other_plan_area, users
    )


@pytest.fixture(autouse=True)
def fresh_paper_cache(settings, tmp_path_factory):
    """Each test its own cache of rendered papers: test databases reuse ids, so
    a file kept by one test must never be served to another."""
    from django.core.cache import caches

    settings.CACHES = {
        **settings.CACHES,
        "papers": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": str(tmp_path_factory.mktemp("papers")),
        },
    }
    caches["papers"].clear()
    yield
    caches["papers"].clear()


@pytest.fixture(autouse=True)
def quick_password_hashing(settings):
    """Tests make hundreds of accounts: hash their passwords in microseconds,
    not Django's production PBKDF2 (about a third of a second each). Hashes
    made the production way still check (the default hashers stay listed);
    servers started in a subprocess keep the production settings."""
    settings.PASSWORD_HASHERS = shared.QUICK_PASSWORD_HASHERS


@pytest.fixture
def world(db) -> World:
    return make_world()


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def clients(world) -> dict[str, Client]:
    """A signed-in client for each role, plus ``anonymous``."""
    result = {name: client_for(user) for name, user in world.users.items()}
    result["anonymous"] = Client()
    return result
