"""Two app servers, one database, no sticky sessions.

Two gunicorns (the project's gunicorn.conf.py, production settings) serve one
database, as two servers behind a load balancer would, and each request goes to
whichever of the two the test picks: sign in on one and work on the other; a
failed sign-in counts on both; a form's one-time token and a workbook's pending
import made on one are honoured on the other; a paper rendered by one is served
from the shared cache by the other, and an edit on one changes the next download
from the other; ``send_reminders`` run on both servers at once sends each
message once.

On the PostgreSQL pass the servers share a fresh database in the test
command's throwaway cluster; on the SQLite pass, one database file.
"""

from __future__ import annotations

import datetime
import io
import os
import re
import signal
import sqlite3
import subprocess
import sys
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import openpyxl
import psycopg2
import pytest
from aiosmtpd.controller import Controller
from pypdf import PdfReader

from improvement import settings as configured
from tests.reminders.conftest import FIRST_REMINDER, Inbox, at
from tests.support.servers import (
    PASSWORD,
    ROOT,
    Browser,
    Gunicorn,
    free_port,
    prepare,
    production_env,
)

SLUG = "childrens-services"
PAPER = f"/plans/{SLUG}/papers/scrutiny-summary/download/pdf/"
# The gunicorns keep the real clock: so does the test that talks to them.
pytestmark = pytest.mark.real_clock

SETUP = """
import json, django
django.setup()
from django.core.management import call_command
call_command("migrate", interactive=False, verbosity=0)
call_command("createcachetable", verbosity=0)
from django.test import override_settings
from tests.conftest import make_world
from tests.reminders.conftest import boards
with override_settings(PASSWORD_HASHERS=["tests.support.servers.QuickPBKDF2"]):
    world = make_world()
boards(world.plan)
print(json.dumps({"area": world.area.number}))
"""


class Database:
    """The servers' database, for the test to look into."""

    def __init__(self, url: str) -> None:
        self.url = url

    def rows(self, sql: str, params: tuple = ()) -> list[tuple]:
        if self.url.startswith("sqlite:///"):
            with sqlite3.connect(self.url.removeprefix("sqlite:///")) as db:
                return db.execute(sql.replace("%s", "?"), params).fetchall()
        with psycopg2.connect(self.url) as db, db.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    def one(self, sql: str, params: tuple = ()):
        return self.rows(sql, params)[0][0]


def _fresh_database(tmp: Path):
    """A new database the servers share, and how to drop it afterwards."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        return f"sqlite:///{tmp / 'db.sqlite3'}", lambda: None
    name = f"two_servers_{uuid.uuid4().hex[:12]}"
    admin = psycopg2.connect(url)
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f"CREATE DATABASE {name}")
    parts = urllib.parse.urlsplit(url)

    def drop() -> None:
        with admin.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin.close()

    return urllib.parse.urlunsplit(parts._replace(path=f"/{name}")), drop


@dataclass
class Servers:
    a: str
    b: str
    database: Database
    env: dict
    logs: list[Path]


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    folder = tmp_path_factory.mktemp("two-servers")
    url, drop = _fresh_database(folder)
    env = production_env(folder / "unused.sqlite3")
    env.update(DATABASE_URL=url, SECRET_KEY="two-servers-test-only-secret-key-" + "x" * 32)
    started = []
    try:
        prepare(env, SETUP)
        logs = [folder / "a.log", folder / "b.log"]
        # Both start at once; then each is waited for.
        started = [Gunicorn(env, log) for log in logs]
        for server in started:
            server.wait_until_up()
        yield Servers(started[0].base, started[1].base, Database(url), env, logs)
    finally:
        for server in started:
            server.process.send_signal(signal.SIGINT)
        for server in started:
            server.stop()
        drop()


class Client(Browser):
    """One browser, its requests sent to either server (one cookie jar)."""

    def __init__(self, servers: Servers) -> None:
        super().__init__(servers.a)
        self.servers = servers

    def on(self, server: str) -> Client:
        self.base = getattr(self.servers, server)
        return self

    def get_bytes(self, path: str) -> bytes:
        with self.opener.open(self.base + path, timeout=60) as response:
            assert response.status == 200
            return response.read()

    def post_file(self, path: str, name: str, content: bytes):
        boundary = uuid.uuid4().hex
        body = (
            (
                f"--{boundary}\r\n"
                'Content-Disposition: form-data; name="csrfmiddlewaretoken"\r\n\r\n'
                f"{self.token}\r\n--{boundary}\r\n"
                f'Content-Disposition: form-data; name="file"; filename="{name}"\r\n'
                "Content-Type: application/octet-stream\r\n\r\n"
            ).encode()
            + content
            + f"\r\n--{boundary}--\r\n".encode()
        )
        request = urllib.request.Request(
            self.base + path,
            data=body,
            method="POST",
            headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
        )
        try:
            with self.opener.open(request, timeout=60) as response:
                return response.status, response.headers.get("Location", ""), response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.headers.get("Location", ""), error.read()


class _Fields(HTMLParser):
    """The values a browser would post from the page's form whose action is ``action``."""

    def __init__(self, action: str) -> None:
        super().__init__()
        self.action, self.inside, self.fields, self.textarea = action, False, {}, None
        self.select = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("action", "") in ("", self.action)
        elif not self.inside:
            return
        elif tag == "input" and attrs.get("name"):
            kind = attrs.get("type", "text")
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            if kind not in ("submit", "button"):
                self.fields[attrs["name"]] = attrs.get("value", "")
        elif tag == "textarea":
            self.textarea = attrs["name"]
            self.fields[self.textarea] = ""
        elif tag == "select":
            self.select = attrs["name"]
        elif tag == "option" and self.select and "selected" in attrs:
            self.fields[self.select] = attrs.get("value", "")

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "textarea":
            self.textarea = None
        elif tag == "select":
            self.select = None

    def handle_data(self, data):
        if self.textarea:
            self.fields[self.textarea] += data


def form_fields(html: str, action: str = "") -> dict:
    parser = _Fields(action)
    parser.feed(html)
    parser.fields.pop("csrfmiddlewaretoken", None)
    return parser.fields


def signed_in(servers: Servers, username: str, on: str) -> Client:
    client = Client(servers).on(on)
    client.sign_in(username)
    return client


def test_signed_in_on_one_server_works_on_the_other(servers):
    officer = signed_in(servers, "officer", on="a")
    page = officer.on("b").request("GET", "/my-work/")
    assert page.status == 200 and "Sign in" not in page.text
    # A form fetched from one server, its one-time token and all, posted to the other.
    new_action = f"/plans/{SLUG}/areas/1/actions/new/"
    form = officer.on("b").request("GET", new_action)
    assert form.status == 200
    values = {**form_fields(form.text, new_action), "reference": "1.9", "title": "Audit"}
    first = officer.on("a").request("POST", new_action, values)
    assert first.status == 302, first.text[:2000]
    # Posted again (a double click, a retry after a lost answer) to the other server:
    # it lands where the first went and adds nothing.
    again = officer.on("b").request("POST", new_action, values)
    assert again.status == 302 and again.location == first.location
    added = servers.database.one(
        "SELECT COUNT(*) FROM plans_action WHERE reference = %s AND title = %s", ("1.9", "Audit")
    )
    assert added == 1
    # Signing out on one server signs the browser out of both.
    home = officer.on("b").request("GET", "/my-work/")
    officer.token = re.search(r'name="csrfmiddlewaretoken"\s+value="([^"]+)"', home.text)[1]
    assert officer.on("b").request("POST", "/accounts/logout/").status in (200, 302)
    assert officer.on("a").request("GET", "/my-work/").status == 302


def test_failed_sign_ins_count_on_both_servers(servers):
    limit = configured.AXES_FAILURE_LIMIT
    for attempt in range(limit):
        client = Client(servers).on("ab"[attempt % 2])
        client.request("GET", "/accounts/login/")
        refused = client.request(
            "POST", "/accounts/login/", {"username": "board", "password": "wrong-password"}
        )
        assert refused.status != 302
    for server in ("a", "b"):
        client = Client(servers).on(server)
        client.request("GET", "/accounts/login/")
        answer = client.request(
            "POST", "/accounts/login/", {"username": "board", "password": PASSWORD}
        )
        assert answer.status != 302, f"signed in on {server} despite the lockout"
        assert "locked" in answer.text.lower()


def test_a_workbook_checked_on_one_server_is_confirmed_on_the_other(servers):
    officer = signed_in(servers, "officer", on="b")
    book = openpyxl.load_workbook(
        io.BytesIO(officer.on("a").get_bytes(f"/plans/{SLUG}/workbook/progress.xlsx"))
    )
    sheet = book["Progress updates"]
    headers = [c.value for c in sheet[4]]
    row = next(r for r in range(5, sheet.max_row + 1) if sheet.cell(r, 1).value == 1)
    filled = {
        "As-at date": datetime.datetime(2015, 6, 30),
        "RAG": "Green – on track",
        "Progress": "Checked on one server, saved on the other.",
        "Save as": "Draft",
    }
    for header, value in filled.items():
        sheet.cell(row, headers.index(header) + 1).value = value
    out = io.BytesIO()
    book.save(out)
    upload = f"/plans/{SLUG}/workbook/progress/import/"
    officer.on("a").request("GET", upload)
    status, location, body = officer.on("a").post_file(upload, "returns.xlsx", out.getvalue())
    assert status == 302, body[:3000]
    preview = urllib.parse.urlsplit(location).path
    page = officer.on("b").request("GET", preview)
    assert page.status == 200 and "Checked on one server" in page.text
    done = officer.on("b").request("POST", preview, form_fields(page.text, preview))
    assert done.status == 302, done.text[:3000]
    saved = servers.database.one(
        "SELECT COUNT(*) FROM plans_progressupdate WHERE narrative = %s",
        ("Checked on one server, saved on the other.",),
    )
    assert saved == 1


def _cached(servers: Servers) -> set[tuple]:
    table = configured.CACHES["papers"]["LOCATION"]
    return set(servers.database.rows(f"SELECT cache_key, expires FROM {table}"))


def _text(pdf: bytes) -> str:
    return " ".join(
        " ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages
    )


def test_a_paper_rendered_by_one_server_is_served_by_the_other(servers):
    assert "DatabaseCache" in configured.CACHES["papers"]["BACKEND"]
    scrutiny = signed_in(servers, "scrutiny", on="a")
    before = _cached(servers)
    first = scrutiny.on("a").get_bytes(PAPER)
    kept = _cached(servers)
    assert first.startswith(b"%PDF-") and len(kept - before) == 1
    # From the other server: the same file, from the cache (no entry written again).
    assert scrutiny.on("b").get_bytes(PAPER) == first
    assert _cached(servers) == kept

    # An edit on the second server changes the next download from the first.
    admin = signed_in(servers, "admin", on="b")
    edit = f"/plans/{SLUG}/areas/1/edit/"
    form = admin.on("b").request("GET", edit)
    assert form.status == 200
    recommendation = "Ensure reasonable workloads for every social worker, edited on B."
    values = {
        **form_fields(form.text, edit),
        "recommendation": recommendation,
        "reason": "Reworded at the board",
    }
    saved = admin.on("b").request("POST", edit, values)
    assert saved.status == 302, saved.text[:3000]
    second = scrutiny.on("a").get_bytes(PAPER)
    assert second != first and recommendation in _text(second)
    assert scrutiny.on("b").get_bytes(PAPER) == second


def test_send_reminders_on_both_servers_at_once_sends_each_message_once(servers):
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    env = {
        **servers.env,
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(port),
    }
    command = [
        sys.executable,
        "manage.py",
        "send_reminders",
        "--now",
        at(FIRST_REMINDER).isoformat(),
    ]
    try:
        runs = [
            subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
            for _ in range(2)
        ]
        outputs = [run.communicate(timeout=120)[0] for run in runs]
        assert [run.returncode for run in runs] == [0, 0], outputs
        sent = sum(int(re.search(r"(\d+) sent", out).group(1)) for out in outputs)
        received = inbox.subjects()
        assert sent == len(received) >= 4, outputs
        assert len(set(received)) == len(received), received
    finally:
        controller.stop()


def test_neither_server_logged_an_error(servers):
    for log in servers.logs:
        text = log.read_text()
        assert "Traceback" not in text and " ERROR " not in text, text[-5000:]
