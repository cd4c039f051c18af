"""The load test, short: three users for eight seconds against live_server.

scripts/load.sh runs the full one against gunicorn on PostgreSQL.
"""

import threading

import pytest
from django.db import connections

from loadtest.run import prepare_users, report, run_load
from plans.seed import load_plan


class _OneAtATime:
    """Runs a WSGI app for one request at a time (the whole response, to its close)."""

    def __init__(self, app) -> None:
        self.app = app
        self.lock = threading.Lock()

    def __call__(self, environ, start_response):
        with self.lock:
            body = self.app(environ, start_response)
            try:
                return list(body)
            finally:
                if hasattr(body, "close"):
                    body.close()


@pytest.fixture
def load_server(transactional_db, live_server):
    """live_server, answering one request at a time when the test database is
    SQLite in memory.

    pytest-django starts live_server once a session, before the test database
    exists, so it hands its request threads no connection: each opens its own
    connection to the shared-cache in-memory database. SQLite locks whole tables
    between such connections and never waits for them, so any two overlapping
    requests (even a page view against a session save) fail with "database table
    is locked": a 500, or a 400 when it is the session save that fails. That is
    the test harness, so there the requests are served one after another. On
    PostgreSQL they run concurrently, as they do under gunicorn in load.sh.
    """
    connection = connections["default"]
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        httpd = live_server.thread.httpd
        httpd.set_app(_OneAtATime(httpd.get_app()))
        yield live_server
        httpd.set_app(httpd.get_app().app)
    else:
        yield live_server


@pytest.mark.django_db(transaction=True)
def test_users_reading_and_writing_at_once_get_no_errors_and_lose_no_writes(load_server):
    load_plan()
    prepare_users(3)

    result = run_load(load_server.url, seconds=8, users=3)
    print(report(result))  # shown when the test fails, or with -s

    failures = [
        f"{s.method} {s.path} -> {s.status}: {s.detail}" for s in result.samples if not s.ok
    ]
    assert result.errors == 0, "\n".join(failures + result.problems)
    assert result.server_errors == 0
    assert result.requests > 20
    assert result.writes >= 3
    integrity = result.integrity
    assert integrity is not None
    assert integrity.written == result.writes
    assert integrity.stored_once == result.writes, integrity.line()
    assert (integrity.lost, integrity.doubled, integrity.faults) == ([], [], [])
    assert result.ok
