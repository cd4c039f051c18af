"""Every view needs a signed-in user, and every role gets exactly its rights.

The permission matrix tries every page with every role; a refused role gets
403 (may see the plan but not do this) or 404 (may not see the plan at all).
"""

import pytest
from django.urls import reverse

from plans.models import ProgressUpdate
from tests.support.pages import all_patterns, sample_url, urls_for

pytestmark = pytest.mark.django_db

# Pages open to everyone: signing in and out, the accessibility statement and
# the health check. Every admin URL, its sign-in and sign-out pages included,
# sends anonymous users to the service's sign-in page (tests/test_admin_site.py
# checks that signed-in users who are not operators get 403 there).
PUBLIC = {
    "login",
    "plans:accessibility",
    "logout",
    "logged_out",
    "health",
    # The e-mailed set-password link: the token in it is the key.
    "set_password",
}


def test_every_view_but_the_public_ones_requires_login(client, world):
    checked = 0
    for name, pattern in all_patterns():
        if name in PUBLIC:
            continue
        url = sample_url(name, pattern)
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            assert response.status_code == 302, (name, method, response.status_code)
            assert "/login/" in response["Location"], (name, response["Location"])
        checked += 1
    assert checked > 25


def test_public_pages_answer_without_login(client):
    assert client.get(reverse("login")).status_code == 200
    assert client.get(reverse("plans:accessibility")).status_code == 200


# allowed, refused, not found (cannot see the plan, or a draft or submitted
# update that is not theirs to read), and "already done": the record moved on,
# so the user is sent to its page with a message saying so (not a refusal).
A, R, N, D = 200, 403, 404, 302

# page: (officer, other_officer, admin, board, scrutiny, outsider)
GET_MATRIX = {
    "my_work": (A, A, A, A, A, A),
    "plan_list": (A, A, A, A, A, A),
    "plan": (A, A, A, A, A, N),
    "plan_changes": (A, A, A, A, A, N),
    "search": (A, A, A, A, A, N),
    "sign_off": (R, R, A, R, R, N),
    "area": (A, A, A, A, A, N),
    "area_edit": (R, R, A, R, R, N),
    "area_history": (A, A, A, A, A, N),
    "update_new": (A, R, A, R, R, N),
    "action_new": (A, R, A, R, R, N),
    "milestone_new": (A, R, A, R, R, N),
    "update": (A, A, A, A, A, N),
    "update_edit": (D, R, R, R, R, N),  # approved: its author is told so
    "update_review": (R, R, D, R, R, N),  # approved: the administrator is told so
    "submitted_review": (R, N, A, N, N, N),  # submitted: author and administrators
    "draft_edit": (A, N, N, N, N, N),  # the officer's own draft
    "draft": (A, N, N, N, N, N),  # drafts are private to their author
    "action_edit": (A, R, A, R, R, N),
    "action_history": (A, A, A, A, A, N),
    "milestone_edit": (A, R, A, R, R, N),
    "milestone_complete": (A, R, A, R, R, N),
    "milestone_reforecast": (A, R, A, R, R, N),
    "milestone_history": (A, A, A, A, A, N),
}
ROLE_ORDER = ["officer", "other_officer", "admin", "board", "scrutiny", "outsider"]


def test_permission_matrix_for_every_page_and_role(world, clients):
    urls = urls_for(world)
    assert set(urls) == set(GET_MATRIX)
    failures = []
    for page, expected in GET_MATRIX.items():
        for role, status in zip(ROLE_ORDER, expected, strict=True):
            got = clients[role].get(urls[page]).status_code
            if got != status:
                failures.append(f"{page} as {role}: expected {status}, got {got}")
    assert not failures, "\n".join(failures)


POSTED_PAGES = [
    p
    for p in GET_MATRIX
    if p
    not in (
        "my_work",
        "plan_list",
        "plan",
        "area",
        "plan_changes",
        "search",
        "sign_off",
        "update",
        "draft",
        "area_history",
        "action_history",
        "milestone_history",
    )
]


def test_refused_roles_cannot_write_by_posting(world, clients):
    """A POST from a role without the right is refused and writes nothing;
    an allowed role posting an empty form gets the form back with errors (400)."""
    urls = urls_for(world)
    models = [type(world.area), type(world.action), type(world.milestone), ProgressUpdate]
    before = {m: m.history.count() for m in models}
    failures = []
    for page in POSTED_PAGES:
        for role, status in zip(ROLE_ORDER, GET_MATRIX[page], strict=True):
            got = clients[role].post(urls[page], {}).status_code
            want = 400 if status == A else status
            if got != want:
                failures.append(f"POST {page} as {role}: expected {want}, got {got}")
    assert not failures, "\n".join(failures)
    assert {m: m.history.count() for m in models} == before


def test_officers_may_update_any_area_when_the_administrator_allows(world, clients):
    url = reverse("plans:update_new", args=[world.plan.slug, world.area.number])
    assert clients["other_officer"].get(url).status_code == 403
    world.plan.officers_may_update_any_area = True
    world.plan.save()
    assert clients["other_officer"].get(url).status_code == 200
    # Board members still cannot.
    assert clients["board"].get(url).status_code == 403


def test_unknown_ids_are_not_found(clients, world):
    for url in (
        "/updates/999999/",
        "/actions/999999/edit/",
        "/milestones/999999/complete/",
        "/plans/no-such-plan/",
        f"/plans/{world.plan.slug}/areas/99/",
    ):
        assert clients["admin"].get(url).status_code == 404, url
