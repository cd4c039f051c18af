"""A database outage under load, over real HTTP: does the service survive it honestly?

The test starts its own PostgreSQL 15 cluster (fsync off, loopback only), loads
the seed plan and the load test's accounts into it, and serves it with gunicorn
in production settings (gunicorn.conf.py, two workers). Three officers sign in
and read pages, download a CSV and record progress updates through the real form
(each form's one-time ``form_token`` included) while PostgreSQL is stopped
twice: a fast shutdown held for 4 s, then a crash (``-m immediate``) held 2.5 s.

It checks that while the database is down every answer is a 503 with
Retry-After (the named "unavailable" page, or plain text for a download), that
no answer anywhere is a 500 or 400, that the first page after PostgreSQL takes
connections again comes within 2 s, and that the log holds a line or two per
failed request and no tracebacks. After the load each officer posts every save
that failed once more, with the same token, as an officer told "nothing was
lost, try again" would; then every update the officers believe saved must be in
the database once, with its history row and its token, and a retried save must
land on the record its first post made, if that post did make one.

Runs in the suite's SQLite pass only (see ``pytestmark``).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import psycopg2
import pytest

from loadtest.run import (
    AREAS,
    MARKER_PREFIX,
    OFFICER_USERNAME,
    PASSWORD,
    PLAN,
    _Client,
    _csrf_token,
    _today,
)
from tests.support.servers import ROOT, Gunicorn, free_port, prepare, production_env

# The cluster is this test's own and it needs no test database from pytest-django,
# so it would run unchanged in both passes of scripts/test.sh; once is enough (it
# takes ~25 s), and the SQLite pass is the one where DATABASE_URL is unset.
pytestmark = [
    pytest.mark.skipif(
        bool(os.environ.get("DATABASE_URL")),
        reason="runs in the SQLite pass (it starts its own PostgreSQL cluster)",
    ),
    # gunicorn keeps the real clock, and refuses an update as at a day after
    # its today: the officers' dates come from the same clock.
    pytest.mark.real_clock,
]

PG_BIN = Path("/usr/lib/postgresql/15/bin")
OFFICERS = 3
# (seconds into the load, pg_ctl stop mode, seconds the database stays down)
OUTAGES = [(3.0, "fast", 4.0), (3.0, "immediate", 2.5)]
AFTER_LAST = 2.5  # seconds of load after the last recovery
RECOVERY = 2.0  # the first page after PostgreSQL is back comes within this
THINK = 0.1  # seconds between one officer's requests
FORMS_IN_HAND = 2  # update forms an officer holds open (tabs), to post during an outage
LOG_LINES_PER_503 = 3
UNAVAILABLE_PAGE = "Sorry, the service is unavailable"
# The settings' defaults: outside any plan, as the 503 page is, the service alone
# (INSTALLATION_NAME is empty).
NAMES = ("Improvement Plan Tracker",)
UPDATE_AT = re.compile(r"^(?:https?://[^/]+)?/updates/(\d+)/$")
FORM_TOKEN = re.compile(
    r'<input[^>]*name="form_token"[^>]*value="([^"]+)"|'
    r'<input[^>]*value="([^"]+)"[^>]*name="form_token"'
)

_P = f"/plans/{PLAN}"
# label -> (path maker, is a download); the officers' reads, in turn.
READS = {
    "plan overview": (lambda n: f"{_P}/", False),
    "area": (lambda n: f"{_P}/areas/{n % AREAS + 1}/", False),
    "dashboard": (lambda n: f"{_P}/dashboard/", False),
    "csv download": (
        lambda n: f"{_P}/papers/scrutiny-summary/download/csv/?as_at=2015-05-31",
        True,
    ),
}
# One officer's round: every read, and two saves (a save is a POST, then its page).
ROUND = ["plan overview", "save", "area", "csv download", "save", "dashboard", "area"]


# --- The cluster -------------------------------------------------------------------------


class Cluster:
    """A throwaway PostgreSQL 15 cluster, as scripts/pg.sh makes one."""

    def __init__(self) -> None:
        if not (PG_BIN / "pg_ctl").exists():
            pytest.fail(f"PostgreSQL 15 binaries not found ({PG_BIN})")
        self.dir = Path(tempfile.mkdtemp(prefix="ipt-outage-pg."))
        self.as_pg: list[str] = []
        if os.getuid() == 0:  # initdb refuses to run as root
            shutil.chown(self.dir, "postgres", "postgres")
            self.as_pg = ["runuser", "-u", "postgres", "--"]
        self.data = self.dir / "data"
        self.port = free_port()
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/improvement"

    def _run(self, program: str, *args: str) -> None:
        command = [*self.as_pg, str(PG_BIN / program), *args]
        done = subprocess.run(
            command, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60
        )
        if done.returncode != 0:
            raise RuntimeError(f"{program} {' '.join(args)}: {done.stdout}{done.stderr}")

    def create(self) -> None:
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8")
        self.start()
        self._run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres",
                  "improvement")  # fmt: skip

    def start(self) -> None:
        """Returns once PostgreSQL accepts connections (pg_ctl -w)."""
        options = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.dir / "log"), "-w", "-t", "30",
                  "-o", options, "start")  # fmt: skip

    def stop(self, mode: str) -> None:
        """Returns once the server has exited."""
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "-t", "30", "stop")

    def remove(self) -> None:
        if (self.data / "postmaster.pid").exists():
            try:
                self.stop("immediate")
            except (RuntimeError, subprocess.TimeoutExpired):
                pass
        shutil.rmtree(self.dir, ignore_errors=True)

    def rows(self, sql: str, *params) -> list[tuple]:
        with psycopg2.connect(self.url, connect_timeout=5) as db, db.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()


SETUP = f"""
import django
django.setup()
from django.core.management import call_command
call_command("migrate", interactive=False, verbosity=0)
call_command("createcachetable", verbosity=0)  # the cache of rendered papers
from loadtest.run import prepare_users
from plans.seed import load_plan
load_plan()
prepare_users({OFFICERS + 1})  # the officers, and one more for the recovery probe
"""

# Afterwards: the load test's own integrity check, the records by marker, the tokens.
CHECK = """
import dataclasses, json, sys, django
django.setup()
from loadtest.run import check_integrity
from plans.models import ProgressUpdate, UsedFormToken
asked = json.load(sys.stdin)
integrity = check_integrity(asked["written"], asked["prefix"])
ids = {}
for pk, narrative in ProgressUpdate.objects.filter(
    narrative__startswith=asked["prefix"]
).values_list("pk", "narrative"):
    ids.setdefault(narrative, []).append(pk)
tokens = {}
for token, model, pk in UsedFormToken.objects.filter(token__in=asked["tokens"]).values_list(
    "token", "model", "object_id"
):
    tokens.setdefault(str(token), []).append([model, pk])
print(json.dumps({"integrity": dataclasses.asdict(integrity), "line": integrity.line(),
                  "ids": ids, "tokens": tokens}))
"""


@pytest.fixture
def cluster():
    cluster = Cluster()
    try:
        cluster.create()
        yield cluster
    finally:
        cluster.remove()  # even when the test fails, or the cluster never started


def server_env(cluster: Cluster, folder: Path) -> dict:
    env = production_env(folder / "unused.sqlite3")
    env.update(DATABASE_URL=cluster.url, SECRET_KEY="outage-test-only-secret-key-" + "x" * 32)
    return env


@dataclass
class Server:
    base: str
    log: Path


@pytest.fixture
def server(cluster, tmp_path):
    env = server_env(cluster, tmp_path)
    prepare(env, SETUP)
    # The repository's gunicorn settings (graceful_timeout and all), with two workers.
    server = Gunicorn(env, tmp_path / "gunicorn.log", workers=2)
    try:
        server.wait_until_up(timeout=30)
        yield Server(server.base, server.log)
    finally:
        server.stop(signal.SIGTERM, timeout=35)  # graceful: gunicorn.conf.py's graceful_timeout


# --- The officers --------------------------------------------------------------------------


@dataclass
class Exchange:
    """One request and its answer, timed on the test's monotonic clock."""

    who: str
    label: str
    method: str
    path: str
    started: float
    ended: float
    status: int  # 0: no answer
    location: str = ""
    retry_after: str | None = None
    content_type: str = ""
    body: str = ""
    detail: str = ""  # the client's note on a failure

    @property
    def download(self) -> bool:
        return "/download/" in self.path

    def __str__(self) -> str:
        return f"{self.who} {self.method} {self.path} -> {self.status or 'no answer'}"


@dataclass
class Form:
    path: str
    csrf: str
    token: str


@dataclass
class Save:
    who: str
    form: Form
    data: dict
    marker: str
    first: Exchange
    retry: Exchange | None = None

    @property
    def answer(self) -> Exchange:
        """What the officer was told in the end."""
        return self.retry or self.first


def saved_id(exchange: Exchange) -> int | None:
    """The update's id when a save was answered as done: a redirect to its page."""
    match = UPDATE_AT.match(exchange.location) if exchange.status == 302 else None
    return int(match.group(1)) if match else None


class Browser:
    """A signed-in user, on loadtest.run's client (keep-alive, cookies, GETs resent once)."""

    def __init__(self, base: str, username: str, exchanges: list[Exchange]) -> None:
        self.client = _Client(base, [], {"reconnects": 0})
        self.username = username
        self.exchanges = exchanges

    def request(self, label: str, method: str, path: str, form: dict | None = None) -> Exchange:
        started = time.monotonic()
        answer = self.client.request(
            label, method, path, form=form, referer=self.client.base + path if form else None
        )
        exchange = Exchange(self.username, label, method, path, started, time.monotonic(), 0)
        if answer is None:
            exchange.detail = self.client.samples[-1].detail
        else:
            exchange.status = answer.status
            exchange.location = answer.headers.get("Location", "")
            exchange.retry_after = answer.headers.get("Retry-After")
            exchange.content_type = answer.headers.get("Content-Type", "")
            exchange.body = answer.body.decode("utf-8", "replace")
        self.exchanges.append(exchange)
        return exchange

    def sign_in(self, password: str) -> None:
        login = "/accounts/login/"
        page = self.request("sign-in form", "GET", login)
        token = _csrf_token(page.body.encode())
        assert page.status == 200 and token, page
        form = {"username": self.username, "password": password, "csrfmiddlewaretoken": token}
        answer = self.request("sign in", "POST", login, form)
        assert answer.status == 302, f"{self.username} could not sign in: {answer}"


class Officer(Browser):
    """Reads in turn and saves updates from the forms in hand; a failed save is kept to retry."""

    def __init__(self, base: str, index: int, exchanges: list[Exchange], run_id: str) -> None:
        super().__init__(base, OFFICER_USERNAME.format(index), exchanges)
        self.index = index
        self.run_id = run_id
        self.forms: list[Form] = []
        self.saves: list[Save] = []
        self.problems: list[str] = []
        self.turn = 0

    def open_form(self) -> None:
        path = f"{_P}/areas/{(self.index * 5 + self.turn) % AREAS + 1}/updates/new/"
        page = self.request("update form", "GET", path)
        if page.status != 200:
            return
        token = FORM_TOKEN.search(page.body)
        csrf = _csrf_token(page.body.encode())
        if token is None or csrf is None:
            self.problems.append(f"{self.username}: no form_token or CSRF token on {path}")
            return
        self.forms.append(Form(path, csrf, token.group(1) or token.group(2)))

    def save(self) -> None:
        form = self.forms.pop(0)
        today = _today()
        marker = f"{MARKER_PREFIX}{self.run_id}-{uuid.uuid4()}"
        data = {
            "csrfmiddlewaretoken": form.csrf,
            "form_token": form.token,
            "as_at_0": str(today.day),
            "as_at_1": str(today.month),
            "as_at_2": str(today.year),
            "rag": "green",
            "narrative": marker,
            "next_steps": "",
            "evidence": "",
            "rag_reason": "",
            "draft": "1",
        }
        answer = self.request("update save", "POST", form.path, data)
        self.saves.append(Save(self.username, form, data, marker, answer))
        if saved_id(answer) is not None:
            self.request("update page", "GET", urllib.parse.urlsplit(answer.location).path)

    def run(self, done: threading.Event) -> None:
        try:
            while not done.is_set():
                if len(self.forms) < FORMS_IN_HAND:
                    self.open_form()
                action = ROUND[self.turn % len(ROUND)]
                if action == "save":
                    if self.forms:
                        self.save()
                else:
                    make_path, _ = READS[action]
                    self.request(action, "GET", make_path(self.turn))
                self.turn += 1
                time.sleep(THINK)
        except Exception as error:  # noqa: BLE001 - a crash of the generator is a failure
            self.problems.append(f"{self.username}: the officer crashed: {error!r}")
        finally:
            self.client.close()

    def retry_failed_saves(self) -> None:
        """What an officer told "try again" does: the same form, the same token."""
        for save in self.saves:
            if saved_id(save.first) is None:
                save.retry = self.request("update save (retry)", "POST", save.form.path, save.data)
        self.client.close()


# --- The outages ---------------------------------------------------------------------------


@dataclass
class Outage:
    mode: str
    stopping: float = 0.0  # pg_ctl stop called
    down: float = 0.0  # pg_ctl stop returned: the server has exited
    starting: float = 0.0  # pg_ctl start called
    up: float = 0.0  # pg_ctl start returned: connections accepted
    first_page: float | None = None  # the first page answered 200 after ``up``
    log_from: int = 0  # the log's size when the outage began


def run_outages(
    cluster: Cluster, probe: Browser, log: Path, outages: list[Outage], done: threading.Event
) -> None:
    """Stops and restarts PostgreSQL on OUTAGES' timetable; after each restart a
    probe asks for the plan overview until it is served."""
    try:
        for outage, (wait, _, hold) in zip(outages, OUTAGES, strict=True):
            time.sleep(wait)
            outage.log_from = log.stat().st_size
            outage.stopping = time.monotonic()
            cluster.stop(outage.mode)
            outage.down = time.monotonic()
            time.sleep(hold)
            outage.starting = time.monotonic()
            cluster.start()
            outage.up = time.monotonic()
            while time.monotonic() < outage.up + RECOVERY + 3:
                if probe.request("probe", "GET", f"{_P}/").status == 200:
                    break
                time.sleep(0.05)
        time.sleep(AFTER_LAST)
    finally:
        done.set()
        probe.client.close()


# --- The checks ----------------------------------------------------------------------------


def check_answers(exchanges: list[Exchange], outages: list[Outage]) -> list[str]:
    problems = []
    for e in exchanges:
        if e.status in (0, 400, 500) or e.status not in (200, 302, 503):
            problems.append(f"{e}: {e.detail or e.body[:300]!r}")
        elif e.status == 302 and e.method == "GET":
            problems.append(f"{e}: redirected to {e.location}")  # e.g. signed out by the outage
        elif e.label.startswith("update save") and e.status == 302 and saved_id(e) is None:
            problems.append(f"{e}: a save redirected to {e.location}, not to its update")
        if e.status == 503:
            problems += check_unavailable(e)
            # A 503 only for a request that met an outage, or its recovery.
            if not any(e.ended >= o.stopping and e.started <= o.up + RECOVERY for o in outages):
                problems.append(f"{e}: 503 with the database up")
        for o in outages:
            # While the server is down (not stopping, not starting) nothing else will do.
            if e.started >= o.down and e.ended <= o.starting and e.status != 503:
                problems.append(f"{e}: while PostgreSQL was down ({o.mode} stop)")
    return problems


def check_unavailable(e: Exchange) -> list[str]:
    problems = []
    if not (e.retry_after or "").strip().isdigit():
        problems.append(f"{e}: Retry-After {e.retry_after!r}")
    if e.download:
        if not e.content_type.startswith("text/plain") or "<html" in e.body.lower():
            problems.append(f"{e}: a download's 503 is not plain text ({e.content_type})")
    else:
        missing = [text for text in (UNAVAILABLE_PAGE, *NAMES) if text not in e.body]
        if missing:
            problems.append(f"{e}: the 503 page does not say {missing}")
    return problems


def check_recovery(exchanges: list[Exchange], outages: list[Outage]) -> list[str]:
    problems = []
    pages = [e for e in exchanges if e.status == 200 and e.method == "GET" and not e.download]
    for o in outages:
        after = [e.ended for e in pages if e.ended >= o.up]
        o.first_page = min(after) if after else None
        if o.first_page is None or o.first_page - o.up > RECOVERY:
            waited = "none" if o.first_page is None else f"{o.first_page - o.up:.2f} s"
            problems.append(f"after the {o.mode} stop, the first page came: {waited}")
    return problems


def check_log(text: str, exchanges: list[Exchange]) -> tuple[list[str], str]:
    failed = [e for e in exchanges if e.status == 503]
    paths = {e.path.split("?")[0] for e in failed}
    # A path followed by the end of the path (Django logs request.path, gunicorn's
    # access log the path and query): the overview's is a prefix of every other.
    about = re.compile(
        r"database|(?:" + "|".join(re.escape(p) for p in paths) + r')(?:[\s?"]|$)', re.I
    ) if paths else re.compile("database", re.I)  # fmt: skip
    lines = [line for line in text.splitlines() if about.search(line)]
    problems = []
    if "Traceback" in text:
        problems.append("the gunicorn log has a traceback")
    if failed and len(lines) > LOG_LINES_PER_503 * len(failed):
        problems.append(f"{len(lines)} log lines for {len(failed)} 503 answers")
    return problems, f"{len(lines)} log lines about {len(failed)} 503 answers"


def check_saves(saves: list[Save], before_retry: dict, stored: dict) -> list[str]:
    """``before_retry`` and ``stored``: marker -> ids in the database, before the
    retries and at the end; ``stored["tokens"]``: token -> [[model, object id]]."""
    problems = []
    for save in saves:
        first, final = saved_id(save.first), saved_id(save.answer)
        ids = stored["ids"].get(save.marker, [])
        tokens = stored["tokens"].get(save.form.token, [])
        name = f"{save.who}'s save {save.marker} (first answer {save.first.status})"
        if final is None:
            problems.append(f"{name}: retried and still not saved ({save.answer})")
        if first is None and before_retry.get(save.marker):
            made = before_retry[save.marker]
            if final not in made:
                problems.append(f"{name}: the first post made {made}, the retry went to {final}")
        if ids != [final]:
            problems.append(f"{name}: told {final}, stored as {ids}")
        if tokens != [["plans.ProgressUpdate", final]]:
            problems.append(f"{name}: its form token is recorded as {tokens}")
    return problems


def test_service_survives_a_database_outage_honestly(cluster, server):
    started = time.monotonic()
    run_id = uuid.uuid4().hex[:8]
    exchanges: list[Exchange] = []  # list.append is atomic: shared by all threads
    officers = [Officer(server.base, i, exchanges, run_id) for i in range(OFFICERS)]
    probe = Browser(server.base, OFFICER_USERNAME.format(OFFICERS), exchanges)
    for browser in [*officers, probe]:
        browser.sign_in(PASSWORD)

    outages = [Outage(mode) for _, mode, _ in OUTAGES]
    done = threading.Event()
    threads = [threading.Thread(target=o.run, args=(done,), daemon=True) for o in officers]
    load_started = time.monotonic()
    for thread in threads:
        thread.start()
    run_outages(cluster, probe, server.log, outages, done)
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "an officer never finished"
    load_seconds = time.monotonic() - load_started

    saves = [save for officer in officers for save in officer.saves]
    failed = [save.marker for save in saves if saved_id(save.first) is None]
    before_retry: dict[str, list[int]] = {}
    for pk, marker in cluster.rows(
        "SELECT id, narrative FROM plans_progressupdate WHERE narrative = ANY(%s)", failed
    ):
        before_retry.setdefault(marker, []).append(pk)
    for officer in officers:
        officer.retry_failed_saves()
    log_text = server.log.read_text(errors="replace")

    asked = {
        "prefix": f"{MARKER_PREFIX}{run_id}-",
        "written": {s.marker: s.who for s in saves if saved_id(s.answer) is not None},
        "tokens": [s.form.token for s in saves],
    }
    check = subprocess.run(
        [sys.executable, "-c", CHECK], input=json.dumps(asked), cwd=ROOT,
        env=server_env(cluster, server.log.parent), capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert check.returncode == 0, check.stderr
    stored = json.loads(check.stdout.strip().splitlines()[-1])
    integrity = stored["integrity"]

    problems = [p for officer in officers for p in officer.problems]
    problems += check_answers(exchanges, outages)
    problems += check_recovery(exchanges, outages)
    log_problems, log_summary = check_log(log_text, exchanges)
    problems += log_problems
    problems += check_saves(saves, before_retry, stored)
    problems += integrity["lost"] + integrity["doubled"] + integrity["faults"]

    # The load must have met the outages: 503s for pages, downloads and saves.
    in_outage = [e for e in exchanges if e.status == 503]
    for kind, chosen in [
        ("page", [e for e in in_outage if e.method == "GET" and not e.download]),
        ("download", [e for e in in_outage if e.download]),
        ("save", [e for e in in_outage if e.method == "POST"]),
    ]:
        if not chosen:
            problems.append(f"no {kind} was answered 503: the load missed the outages")
    if sum(1 for s in saves if saved_id(s.first) is not None) < OFFICERS:
        problems.append("fewer saves than officers went through first time")

    tally = Counter(e.status for e in exchanges)
    lines = [
        f"load {load_seconds:.1f} s, {len(exchanges)} requests, "
        f"{len(in_outage)} answered 503, test {time.monotonic() - started:.1f} s so far",
        f"saves: {len(saves)}, {len(failed)} failed first time "
        f"({sum(1 for m in failed if before_retry.get(m))} of them stored all the same), "
        f"{stored['line']}",
        "answers: " + ", ".join(f"{n} × {code or 'none'}" for code, n in sorted(tally.items())),
        log_summary,
    ]
    for o in outages:
        first = f"{o.first_page - o.up:.2f} s" if o.first_page is not None else "never"
        lines.append(
            f"{o.mode} stop: {o.down - o.stopping:.1f} s to stop, down {o.starting - o.down:.1f}"
            f" s, {o.up - o.starting:.1f} s to start; first page after it {first}"
        )
    print("\n".join(lines))
    outage_log = server.log.read_bytes()[outages[0].log_from :].decode(errors="replace")
    outage_log = outage_log.splitlines()
    assert not problems, "\n".join(
        [*problems[:40], "", *lines, "", "log from the first outage:", *outage_log[:20]]
    )
    assert integrity["stored_once"] == len(asked["written"]), stored["line"]
