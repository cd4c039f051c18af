"""Privilege escalation over real HTTP: gunicorn, production settings, CSRF tokens.

A plan administrator and another plan's officer sign in through the sign-in
page, as a browser would, and try to make themselves more than they are: open
the admin site, make themselves superusers, join another plan, rewrite history.
Each attempt must be refused by the application itself (the service's 403 page,
not a CSRF failure) and must write nothing. The operator's control attempts
show that the same requests, tokens and all, do get through when allowed.

To try another escalation, add an ``Attempt`` to ATTEMPTS. Paths and form
values may name ``{me}`` (the user's id), ``{own_plan}`` and ``{other_plan}``
(a plan they are a member of, and one they are not), ``{user_<name>}`` (any
user's id) and the ids in ``make_accounts`` (tests/support/servers.py).

One gunicorn serves the whole module, on a throwaway SQLite file (whatever
database the rest of the suite uses: the server and the test must share it).
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.support.servers import (
    ACCOUNTS_SETUP,
    Browser,
    Gunicorn,
    prepare,
    production_env,
)

REFUSED_PAGE = "You do not have permission to do that"  # templates/403.html
SIGNED_IN = ["admin", "outsider", "operator"]
# gunicorn keeps the real clock: so does the test that signs in to it.
pytestmark = pytest.mark.real_clock


@dataclass(frozen=True)
class Attempt:
    who: str
    method: str
    path: str
    data: dict = field(default_factory=dict)
    status: int = 403
    # Whether it writes (only the operator's controls should).
    writes: bool = False

    def __str__(self) -> str:
        return f"{self.who}-{self.method}-{self.path}"


def escalations(who: str) -> list[Attempt]:
    """What a signed-in non-operator might try in the admin site."""
    return [
        Attempt(who, "GET", "/admin/"),
        Attempt(who, "GET", "/admin/login/"),
        Attempt(who, "GET", "/admin/auth/user/{me}/change/"),
        Attempt(
            who,
            "POST",
            "/admin/auth/user/{me}/change/",
            {
                "username": who,
                "is_active": "on",
                "is_staff": "on",
                "is_superuser": "on",
                "date_joined_0": "2015-01-01",
                "date_joined_1": "09:00:00",
            },
        ),
        Attempt(
            who,
            "POST",
            "/admin/auth/user/{me}/password/",
            {"password1": "New-pass-1234567", "password2": "New-pass-1234567"},
        ),
        Attempt(
            who,
            "POST",
            "/admin/auth/user/add/",
            {
                "username": f"{who}-twin",
                "password1": "Twin-pass-1234567",
                "usable_password": "true",
                "password2": "Twin-pass-1234567",
            },
        ),
        Attempt(
            who,
            "POST",
            "/admin/plans/membership/add/",
            {"plan": "{other_plan}", "user": "{me}", "role": "plan_administrator"},
        ),
        Attempt(
            who,
            "POST",
            "/admin/plans/progressupdate/{approved}/history/{approved_history}/",
            {"narrative": "Rewritten", "rag": "red", "state": "approved", "_save": "Revert"},
        ),
        Attempt(who, "POST", "/admin/logout/"),
    ]


def membership_escalations() -> list[Attempt]:
    """What a plan administrator, or another plan's officer, might try in the
    service's own member pages (plans/views/setup/members.py)."""
    members = "/plans/{own_slug}/set-up/members"
    return [
        # A role above plan administrator does not exist to be given: a form error.
        Attempt(
            "admin",
            "POST",
            members + "/{membership_board}/role/",
            {"role": "superuser", "reason": "Promote"},
            status=400,
        ),
        # Another plan's members, by its address or by a membership id of its own.
        Attempt(
            "admin",
            "POST",
            "/plans/{other_slug}/set-up/members/add/",
            {"account": "admin", "role": "plan_administrator", "reason": "Join"},
            status=404,
        ),
        Attempt(
            "admin",
            "POST",
            members + "/{membership_outsider}/role/",
            {"role": "board_member", "reason": "Demote"},
            status=404,
        ),
        Attempt(
            "admin",
            "POST",
            members + "/{membership_outsider}/remove/",
            {"reason": "Remove"},
            status=404,
        ),
        # The operator's account is not a plan administrator's to touch.
        Attempt(
            "admin",
            "POST",
            members + "/add/",
            {"account": "operator", "role": "officer", "reason": "Add"},
            status=400,
        ),
        # The last plan administrator cannot leave the plan without one.
        Attempt("admin", "POST", members + "/{membership_admin}/remove/", {"reason": "Go"}, 400),
        Attempt(
            "admin",
            "POST",
            members + "/{membership_admin}/role/",
            {"role": "officer", "reason": "Step down"},
            status=400,
        ),
        # An officer is refused the set-up of their own plan, and another plan's is not there.
        Attempt(
            "outsider",
            "POST",
            members + "/{membership_outsider}/role/",
            {"role": "plan_administrator", "reason": "Promote myself"},
        ),
        Attempt(
            "outsider",
            "POST",
            "/plans/{other_slug}/set-up/members/add/",
            {"account": "outsider", "role": "plan_administrator", "reason": "Join"},
            status=404,
        ),
    ]


ATTEMPTS = [
    *escalations("admin"),
    *escalations("outsider"),
    *membership_escalations(),
    # Controls: the operator, with the same kind of session and token, gets in...
    Attempt("operator", "GET", "/admin/", status=200),
    Attempt(
        "operator",
        "POST",
        "/admin/plans/membership/add/",
        {"plan": "{other_plan}", "user": "{user_board}", "role": "board_member"},
        status=302,
        writes=True,
    ),
    # ...but not even the operator rewrites history.
    Attempt(
        "operator",
        "POST",
        "/admin/plans/progressupdate/{approved}/history/{approved_history}/",
        {"narrative": "Rewritten", "rag": "red", "_save": "Revert"},
    ),
]


# --- The server ---------------------------------------------------------------------------


@dataclass
class Server:
    base: str
    database: Path
    log: Path
    ids: dict

    def context(self, who: str) -> dict:
        own, other = self.ids["plans"][who]
        own_slug, other_slug = self.ids["slugs"][who]
        return {
            "me": self.ids["users"][who],
            "own_plan": own,
            "other_plan": other,
            "own_slug": own_slug,
            "other_slug": other_slug,
            **{f"membership_{name}": pk for name, pk in self.ids["memberships"].items()},
            "approved": self.ids["approved"],
            "approved_history": self.ids["approved_history"],
            **{f"user_{name}": pk for name, pk in self.ids["users"].items()},
        }

    def fingerprint(self) -> dict:
        """What an escalation would change: accounts, roles, updates, history, the admin log."""
        queries = {
            "users": "SELECT id, username, password, is_superuser, is_staff, is_active "
            "FROM auth_user ORDER BY id",
            "groups": "SELECT user_id, group_id FROM auth_user_groups ORDER BY id",
            "permissions": "SELECT user_id, permission_id FROM auth_user_user_permissions",
            "memberships": "SELECT id, plan_id, user_id, role FROM plans_membership ORDER BY id",
            "updates": "SELECT id, state, rag, narrative, version FROM plans_progressupdate "
            "ORDER BY id",
            "update history": "SELECT count(*) FROM plans_historicalprogressupdate",
            "membership history": "SELECT count(*) FROM plans_historicalmembership",
            "admin log": "SELECT count(*) FROM django_admin_log",
        }
        with sqlite3.connect(self.database) as db:
            return {name: db.execute(sql).fetchall() for name, sql in queries.items()}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("escalation")
    database = folder / "db.sqlite3"
    env = production_env(database)
    ids = prepare(env, ACCOUNTS_SETUP)
    # gunicorn's own defaults (one worker, here with two threads), not gunicorn.conf.py.
    with Gunicorn(
        env,
        folder / "gunicorn.log",
        "--threads",
        "2",
        "--access-logfile",
        "/dev/null",
        config=False,
    ) as gunicorn:
        yield Server(gunicorn.base, database, gunicorn.log, ids)


@pytest.fixture(scope="module")
def browsers(server) -> dict[str, Browser]:
    signed_in = {}
    for username in SIGNED_IN:
        browser = Browser(server.base)
        browser.sign_in(username)
        signed_in[username] = browser
    return signed_in


# --- The attempts ---------------------------------------------------------------------------


def fill(value, context: dict):
    if isinstance(value, list):
        return [fill(v, context) for v in value]
    return str(value).format(**context)


@pytest.mark.parametrize("attempt", ATTEMPTS, ids=str)
def test_escalation_attempt(server, browsers, attempt):
    context = server.context(attempt.who)
    path = fill(attempt.path, context)
    data = {key: fill(value, context) for key, value in attempt.data.items()}
    before = server.fingerprint()

    answer = browsers[attempt.who].request(attempt.method, path, data)

    assert answer.status == attempt.status, (answer.status, answer.location, answer.text[:500])
    if attempt.status == 403:
        # Refused by the application, not by a missing or wrong CSRF token.
        assert REFUSED_PAGE in answer.text, answer.text[:500]
    # A refusal writes nothing; a control that may write shows the request did arrive.
    assert (server.fingerprint() != before) == attempt.writes


def test_nobody_was_made_an_operator_and_the_server_logged_no_errors(server, browsers):
    with sqlite3.connect(server.database) as db:
        operators = db.execute(
            "SELECT username FROM auth_user WHERE is_superuser OR is_staff ORDER BY username"
        ).fetchall()
    assert operators == [("operator",)]
    # Refusals are logged as warnings (with Django's traceback); errors are 500s.
    log = server.log.read_text()
    assert not re.search(r"\b(ERROR|CRITICAL)\b|Internal Server Error|WORKER TIMEOUT", log), log
