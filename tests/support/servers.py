"""Test servers: gunicorn in production settings, in its own process, on a
loopback port; the database set up for it by another process; and a browser
that signs in to it as a person would.

``Gunicorn`` is the one way tests start a server: it starts it, waits until it
answers /health/, and stops it (the signal and timeout are the test's choice).
"""

from __future__ import annotations

import atexit
import http.cookiejar
import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from django.contrib.auth.hashers import PBKDF2PasswordHasher

from loadtest.run import LoopbackCookiePolicy

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "correct-horse-battery"  # tests/factories.py
CSRF_RE = re.compile(r'name="csrfmiddlewaretoken"\s+value="([^"]+)"')


class QuickPBKDF2(PBKDF2PasswordHasher):
    """For making the accounts only: the server checks these hashes with the
    usual hasher (the iterations are in the hash) and re-hashes at sign-in."""

    iterations = 1000


def make_accounts() -> dict:
    """Run in the setup process (Django set up on the server's database)."""
    from django.contrib.auth import get_user_model
    from django.test import override_settings

    from plans.models import Membership
    from tests.conftest import make_world

    with override_settings(PASSWORD_HASHERS=["tests.support.servers.QuickPBKDF2"]):
        world = make_world()
        operator = get_user_model().objects.create_superuser(
            "operator", "operator@example.org", PASSWORD
        )
    users = {**world.users, "operator": operator}
    return {
        "users": {name: user.pk for name, user in users.items()},
        "plans": {
            "admin": [world.plan.pk, world.other_plan.pk],
            "outsider": [world.other_plan.pk, world.plan.pk],
            "operator": [world.plan.pk, world.other_plan.pk],
        },
        "slugs": {
            "admin": [world.plan.slug, world.other_plan.slug],
            "outsider": [world.other_plan.slug, world.plan.slug],
            "operator": [world.plan.slug, world.other_plan.slug],
        },
        # Each account's one membership (the outsider's is in the other plan).
        "memberships": {m.user.username: m.pk for m in Membership.objects.select_related("user")},
        "approved": world.approved.pk,
        "approved_history": world.approved.history.earliest("history_id").history_id,
    }


# Migrates the server's database and makes ``make_accounts``'s accounts; prints their ids.
ACCOUNTS_SETUP = """
import json, django
django.setup()
from django.core.management import call_command
call_command("migrate", interactive=False, verbosity=0)
call_command("createcachetable", verbosity=0)  # the cache of rendered papers
from tests.support.servers import make_accounts
print(json.dumps(make_accounts()))
"""


def production_env(database: Path) -> dict:
    """As a server has it (DEBUG off, secure cookies), on plain http to loopback."""
    unset = ("DEBUG", "DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE", "STATIC_MANIFEST")
    env = {k: v for k, v in os.environ.items() if k not in unset}
    env.update(
        DJANGO_SETTINGS_MODULE="improvement.settings",
        DATABASE_URL=f"sqlite:///{database}",
        SECRET_KEY="escalation-test-only-secret-key-" + "x" * 32,
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="false",
        STATIC_MANIFEST="false",
        PYTHONPATH=str(ROOT),
    )
    return env


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- A browser ---------------------------------------------------------------------------


@dataclass
class Answer:
    status: int
    location: str
    text: str


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # Every answer is seen as it is: a redirect loop would show.


class Browser:
    """Cookies (secure ones too, on loopback) and the CSRF token of the last form seen."""

    def __init__(self, base: str) -> None:
        self.base = base
        jar = http.cookiejar.CookieJar(LoopbackCookiePolicy())
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(jar), _NoRedirects
        )
        self.token: str | None = None

    def request(self, method: str, path: str, data: dict | None = None) -> Answer:
        body = None
        if method == "POST":
            form = {**(data or {}), "csrfmiddlewaretoken": self.token or ""}
            body = urllib.parse.urlencode(form, doseq=True).encode()
        request = urllib.request.Request(self.base + path, data=body, method=method)
        try:
            with self.opener.open(request, timeout=30) as response:
                status, headers, content = response.status, response.headers, response.read()
        except urllib.error.HTTPError as error:
            status, headers, content = error.code, error.headers, error.read()
        text = content.decode("utf-8", "replace")
        token = CSRF_RE.search(text)
        if token:
            self.token = token.group(1)
        return Answer(status, headers.get("Location", ""), text)

    def sign_in(self, username: str) -> None:
        login = "/accounts/login/"
        assert self.request("GET", login).status == 200
        answer = self.request("POST", login, {"username": username, "password": PASSWORD})
        assert answer.status == 302, f"{username} could not sign in: {answer.status}"
        # Signing in changes the CSRF token: take the new one from the page they land on.
        for _ in range(5):
            answer = self.request("GET", urllib.parse.urlsplit(answer.location).path)
            if answer.status != 302:
                break
        assert answer.status == 200 and self.token, f"{username} landed on {answer.status}"


# Migrating a new SQLite file takes several seconds (a commit, and so an fsync,
# a migration): it is done once a run, and each server's new database starts as
# a copy (``migrated_sqlite``).
_MIGRATED: list[Path] = []
MIGRATE = """
import django
django.setup()
from django.core.management import call_command
call_command("migrate", interactive=False, verbosity=0)
"""


def migrated_sqlite(database: Path) -> None:
    """Make ``database`` a new SQLite database with every migration applied:
    a copy of one migrated for the first caller in this run. Whoever then runs
    ``migrate`` on it finds nothing to do, as on any up-to-date database."""
    if not _MIGRATED:
        folder = Path(tempfile.mkdtemp(prefix="ipt-migrated."))
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        template = folder / "db.sqlite3"
        _run_setup(production_env(template), MIGRATE, timeout=300)
        _MIGRATED.append(template)
    # SQLite's backup API: a consistent copy, whatever the journal holds.
    with sqlite3.connect(_MIGRATED[0]) as source, sqlite3.connect(database) as copy:
        source.backup(copy)
    source.close()
    copy.close()


def prepare(env: dict, script: str, *, timeout: int = 300) -> dict | None:
    """Run ``script`` (Python: set the database up) as the server will run, in
    its own process; what it prints last, as JSON, if anything. A new SQLite
    database starts as an already migrated copy (``migrated_sqlite``)."""
    url = env.get("DATABASE_URL", "")
    if url.startswith("sqlite:///") and not Path(url.removeprefix("sqlite:///")).exists():
        migrated_sqlite(Path(url.removeprefix("sqlite:///")))
    return _run_setup(env, script, timeout=timeout)


def _run_setup(env: dict, script: str, *, timeout: int) -> dict | None:
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    return json.loads(lines[-1]) if lines else None


class Gunicorn:
    """gunicorn serving the service on a free loopback port.

    ``config``: with the project's gunicorn.conf.py (graceful timeout and all,
    WEB_CONCURRENCY workers) or with gunicorn's defaults; ``args`` go on its
    command line after the bind. Use it as a context manager (started and up
    inside, stopped after), or ``wait_until_up`` and ``stop`` by hand to start
    several at once.
    """

    def __init__(
        self, env: dict, log: Path, *args: str, config: bool = True, workers: int = 1
    ) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = log
        bind = f"127.0.0.1:{self.port}"
        command = [sys.executable, "-m", "gunicorn"]
        if config:
            command += ["-c", "gunicorn.conf.py"]
            env = {**env, "GUNICORN_BIND": bind, "WEB_CONCURRENCY": str(workers)}
        else:
            command += ["--bind", bind, "--workers", str(workers)]
        command += [*args, "improvement.wsgi"]
        with open(log, "wb") as out:
            self.process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=out)

    def wait_until_up(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while True:
            try:
                with urllib.request.urlopen(f"{self.base}/health/", timeout=2) as answer:
                    if answer.status == 200:
                        return
            except OSError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop(signal.SIGKILL)
                raise AssertionError(f"gunicorn did not start:\n{self.log.read_text()}")
            time.sleep(0.05)

    def stop(self, sig: int = signal.SIGINT, timeout: float = 15) -> int:
        """Stop it (SIGINT: at once; SIGTERM: gracefully) and wait; its exit code."""
        if self.process.poll() is None:
            self.process.send_signal(sig)
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            return self.process.wait()

    def __enter__(self) -> Gunicorn:
        self.wait_until_up()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()
