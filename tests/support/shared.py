"""Data built once for a module and shared by its tests.

``@module_data`` makes a module-scoped fixture that builds its data once, as a
test would (on the test day, quick password hashing, a private cache of
papers), inside a transaction held open until the module's last test and then
rolled back. Each test runs in its own savepoint within it (pytest-django's
``db``), so whatever a test writes is undone before the next: every test starts
from the same data, as if it had built it itself.

A test that does not use the shared data must not see it: tests/conftest.py
runs a module's other tests first, and fails any that would run while shared
data is in the database.
"""

from __future__ import annotations

import contextlib

import pytest
import time_machine
from django.conf import global_settings, settings
from django.core.cache import caches
from django.db import transaction
from django.test import override_settings

from tests.support.clock import test_day

# Tests make hundreds of accounts: hash their passwords in microseconds, not
# with Django's production PBKDF2 (about a third of a second each). Hashes made
# the production way still check (the default hashers stay listed).
QUICK_PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.MD5PasswordHasher",
    *global_settings.PASSWORD_HASHERS,
]

# Names of the fixtures made by ``module_data``.
SHARED_FIXTURES: set[str] = set()
# Those holding data in the database now.
ACTIVE: set[str] = set()


@contextlib.contextmanager
def as_in_a_test():
    """Settings and clock as tests/conftest.py gives each test."""
    papers = {
        **settings.CACHES,
        "papers": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "shared",
        },
    }
    with (
        time_machine.travel(test_day(), tick=True),
        override_settings(PASSWORD_HASHERS=QUICK_PASSWORD_HASHERS, CACHES=papers),
    ):
        caches["papers"].clear()
        try:
            yield
        finally:
            caches["papers"].clear()


def module_data(build):
    """Decorator: ``build()``'s result, built once for the module (see above)."""
    name = build.__name__
    SHARED_FIXTURES.add(name)

    @pytest.fixture(scope="module", name=name)
    def fixture(django_db_setup, django_db_blocker):
        with django_db_blocker.unblock():
            held = transaction.atomic()
            held.__enter__()
            try:
                with as_in_a_test():
                    value = build()
            except BaseException:
                transaction.set_rollback(True)
                held.__exit__(None, None, None)
                raise
        ACTIVE.add(name)
        try:
            yield value
        finally:
            ACTIVE.discard(name)
            with django_db_blocker.unblock():
                transaction.set_rollback(True)
                held.__exit__(None, None, None)

    fixture.__doc__ = build.__doc__
    return fixture


def shared_last(items: list) -> None:
    """Within each run of a module's tests, those that use shared data after
    the others (order otherwise kept), so that the others never see it."""
    result, run = [], []

    def flush() -> None:
        result.extend(i for i in run if not uses_shared(i))
        result.extend(i for i in run if uses_shared(i))
        run.clear()

    for item in items:
        if run and getattr(item, "module", None) is not getattr(run[-1], "module", None):
            flush()
        run.append(item)
    flush()
    items[:] = result


def uses_shared(item) -> bool:
    return bool(SHARED_FIXTURES & set(getattr(item, "fixturenames", ())))
