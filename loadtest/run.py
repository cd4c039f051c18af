"""Load test: signed-in users reading, downloading and writing at the same time.

    python -m loadtest.run --base http://127.0.0.1:8000 --seconds 60 --users 8

(``scripts/load.sh`` runs it against gunicorn on a throwaway PostgreSQL cluster.)

Before the load, the users are prepared through the ORM (``prepare_users``): one
officer account per virtual user, each holding its own owner role, and a board
member. Each virtual user is then a thread with its own keep-alive connection
and cookie jar. It signs in through the real sign-in form and, until the time is
up, picks from a weighted mix of page views, paper downloads and progress
updates saved as drafts (a write is about one request in five). With two or more
users, the last virtual user is the board member, who only reads.

Every request is timed and checked: a 5xx, a connection error or any status
other than the one the request should get counts as an error. Afterwards every
update the generator wrote (the server answered 302) must be stored exactly once,
with exactly one history row naming its author, and no update it did not see
written may exist. The exit code is 0 only with no errors, at least one write
and a clean integrity check.

Standard library only, and loopback only: the base URL must be 127.0.0.1,
::1 or localhost.
"""

from __future__ import annotations

import argparse
import datetime
import http.client
import http.cookiejar
import ipaddress
import math
import os
import random
import re
import sys
import threading
import time
import traceback
import urllib.parse
import urllib.request
import uuid
from collections import defaultdict
from dataclasses import dataclass, field

PLAN = "childrens-services-2015"
AREAS = 17
PASSWORD = "load-test-only-password-Xq7v2Lm9"
OFFICER_USERNAME = "load-officer-{}"
BOARD_USERNAME = "load-board"
MARKER_PREFIX = "load-"
TIMEOUT = 30.0  # seconds, for every socket operation of every request
# How long after the deadline to wait for a user thread: a write begun just before
# it is up to three requests, and a GET may be sent twice.
JOIN_GRACE = 4 * TIMEOUT

_P = f"/plans/{PLAN}"
_SCRUTINY = f"{_P}/papers/scrutiny-summary"

# (label, weight, path maker) for the reads; every one should answer 200.
READS: list[tuple[str, int, object]] = [
    ("plan overview", 12, lambda rng: f"{_P}/"),
    ("area", 20, lambda rng: f"{_P}/areas/{rng.randint(1, AREAS)}/"),
    ("my work", 10, lambda rng: "/my-work/"),
    ("dashboard", 8, lambda rng: f"{_P}/dashboard/"),
    ("scrutiny summary", 6, lambda rng: f"{_SCRUTINY}/?as_at=2015-05-31"),
    ("plan changes", 6, lambda rng: f"{_P}/changes/"),
    ("csv download", 4, lambda rng: f"{_SCRUTINY}/download/csv/?as_at=2015-05-31"),
    ("docx download", 3, lambda rng: f"{_SCRUTINY}/download/docx/?as_at=2015-05-31"),
    # PDFs take far longer to make than anything else: rarely.
    ("pdf download", 1, lambda rng: f"{_P}/papers/board-report/download/pdf/?as_at=2015-06-30"),
]
# A write is three requests (the form, the POST, the page it redirects to), so
# with this weight about one request in five is a POST that writes.
WRITE_WEIGHT = 30
WRITE = "write"

_CSRF_RE = re.compile(r'name="csrfmiddlewaretoken"\s+value="([^"]+)"')


# --- What was measured -------------------------------------------------------


@dataclass
class Sample:
    label: str
    method: str
    path: str
    status: int  # 0 when there was no answer (connection error, timeout)
    ms: float
    ok: bool
    detail: str = ""


@dataclass
class Integrity:
    written: int
    stored_once: int = 0  # stored exactly once, by its author, with one "+" history row
    lost: list[str] = field(default_factory=list)
    doubled: list[str] = field(default_factory=list)
    faults: list[str] = field(default_factory=list)  # stored once but wrong (author, history)

    @property
    def ok(self) -> bool:
        return (
            not self.lost
            and not self.doubled
            and not self.faults
            and self.stored_once == self.written
        )

    def line(self) -> str:
        text = (
            f"writes: {self.stored_once} stored once with history, "
            f"{len(self.lost)} lost, {len(self.doubled)} doubled"
        )
        if self.faults:
            text += f", {len(self.faults)} with faults"
        return text


@dataclass
class LoadResult:
    base_url: str
    users: int
    seconds: float  # asked for
    elapsed: float  # from the first sign-in to the last thread finishing
    samples: list[Sample] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # failures that are not one request
    written: dict[str, str] = field(default_factory=dict)  # marker -> user name
    reconnects: int = 0  # idle keep-alive connections the server had closed (GETs retried)
    integrity: Integrity | None = None

    @property
    def requests(self) -> int:
        return len(self.samples)

    @property
    def rps(self) -> float:
        return self.requests / self.elapsed if self.elapsed > 0 else 0.0

    @property
    def server_errors(self) -> int:
        return sum(1 for s in self.samples if s.status >= 500)

    @property
    def other_failures(self) -> int:
        return sum(1 for s in self.samples if not s.ok and s.status < 500) + len(self.problems)

    @property
    def errors(self) -> int:
        return self.server_errors + self.other_failures

    @property
    def writes(self) -> int:
        return len(self.written)

    @property
    def ok(self) -> bool:
        return (
            self.errors == 0
            and self.writes >= 1
            and self.integrity is not None
            and self.integrity.ok
        )


# --- Preparing the users (ORM) -----------------------------------------------


def prepare_users(users: int) -> None:
    """Create (or reset) ``users`` officer accounts, each with its own owner
    role, and the board member; all members of the seed plan, which lets
    officers record updates on any area. Idempotent."""
    from django.contrib.auth import get_user_model
    from django.db import transaction

    from plans.models import Owner, Plan
    from plans.roles import BOARD_MEMBER, OFFICER
    from plans.services import ensure_membership

    user_model = get_user_model()

    def account(username: str, role: str):
        user, _ = user_model.objects.get_or_create(username=username)
        user.set_password(PASSWORD)
        user.is_active = True
        user.save()
        ensure_membership(plan=plan, user=user, role=role, reason="Load test account")
        return user

    with transaction.atomic():
        plan = Plan.objects.select_related("organisation").get(slug=PLAN)
        for i in range(users):
            user = account(OFFICER_USERNAME.format(i), OFFICER)
            owner = Owner.objects.filter(
                job_title=f"Load test officer {i}", organisation=plan.organisation
            ).first()
            if owner is None:
                owner = Owner(
                    job_title=f"Load test officer {i}", organisation=plan.organisation, user=user
                )
            if owner.pk is None or owner.user_id != user.pk:
                owner.user = user
                owner._change_reason = "Load test"
                owner.save()
        account(BOARD_USERNAME, BOARD_MEMBER)
        if not plan.officers_may_update_any_area:
            # Officers may only update areas they lead, unless the plan says otherwise.
            plan.officers_may_update_any_area = True
            plan._change_reason = "Load test"
            plan.save()


# --- HTTP ----------------------------------------------------------------------


def _is_loopback(host: str | None) -> bool:
    if not host:
        return False
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class LoopbackCookiePolicy(http.cookiejar.DefaultCookiePolicy):
    """Sends Secure cookies to loopback over plain http, as browsers do (they
    count http://localhost as a secure context). The service marks its session
    and CSRF cookies Secure whenever DEBUG is off."""

    def return_ok_secure(self, cookie, request) -> bool:
        if cookie.secure and _is_loopback(urllib.parse.urlsplit(request.full_url).hostname):
            return True
        return super().return_ok_secure(cookie, request)


class _Answer:
    def __init__(self, status: int, headers: http.client.HTTPMessage, body: bytes) -> None:
        self.status = status
        self.headers = headers
        self.body = body

    def info(self) -> http.client.HTTPMessage:  # what CookieJar.extract_cookies reads
        return self.headers


class _Client:
    """One virtual user's browser: a keep-alive connection and a cookie jar."""

    def __init__(self, base_url: str, samples: list[Sample], counters: dict[str, int]) -> None:
        parts = urllib.parse.urlsplit(base_url)
        self.base = base_url.rstrip("/")
        self.host = parts.hostname
        self.port = parts.port or 80
        self.jar = http.cookiejar.CookieJar(LoopbackCookiePolicy())
        self.samples = samples
        self.counters = counters
        self.conn: http.client.HTTPConnection | None = None

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def request(
        self,
        label: str,
        method: str,
        path: str,
        *,
        form: dict[str, str] | None = None,
        referer: str | None = None,
        expect: int = 200,
    ) -> _Answer | None:
        url = self.base + path
        cookie_request = urllib.request.Request(url, method=method)
        self.jar.add_cookie_header(cookie_request)
        headers = {"User-Agent": "ipt-loadtest/1", "Accept": "text/html,*/*"}
        if cookie_request.has_header("Cookie"):
            headers["Cookie"] = cookie_request.get_header("Cookie")
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if referer:
            headers["Referer"] = referer
        # A GET on a reused connection that the server has closed while idle is
        # sent again once on a new connection, as browsers do; a POST never is.
        attempts = 2 if method == "GET" else 1
        started = time.perf_counter()
        for attempt in range(attempts):
            reused = self.conn is not None
            if self.conn is None:
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=TIMEOUT)
            try:
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                data = response.read()
            except (
                http.client.RemoteDisconnected,
                BrokenPipeError,
                ConnectionResetError,
            ) as error:
                self.close()
                if reused and attempt + 1 < attempts:
                    self.counters["reconnects"] += 1
                    continue
                return self._failed(label, method, path, started, error)
            except (OSError, http.client.HTTPException) as error:
                self.close()
                return self._failed(label, method, path, started, error)
            break
        ms = (time.perf_counter() - started) * 1000
        answer = _Answer(response.status, response.msg, data)
        self.jar.extract_cookies(answer, cookie_request)
        if response.will_close:
            self.close()
        ok = response.status == expect
        detail = ""
        if not ok:
            detail = f"expected {expect}"
            if response.status in (301, 302, 303):
                detail += f", redirected to {response.getheader('Location')}"
            else:
                snippet = data[:200].decode("utf-8", "replace").replace("\n", " ")
                detail += f": {snippet}"
        self.samples.append(Sample(label, method, path, response.status, ms, ok, detail))
        return answer

    def _failed(
        self, label: str, method: str, path: str, started: float, error: BaseException
    ) -> None:
        ms = (time.perf_counter() - started) * 1000
        detail = f"{type(error).__name__}: {error}"
        self.samples.append(Sample(label, method, path, 0, ms, False, detail))
        return None


def _csrf_token(body: bytes) -> str | None:
    match = _CSRF_RE.search(body.decode("utf-8", "replace"))
    return match.group(1) if match else None


def _today() -> datetime.date:
    """Today where the service is (its TIME_ZONE): the form refuses later dates."""
    from django.conf import settings

    if settings.configured:
        from django.utils import timezone

        return timezone.localdate()
    return datetime.date.today()


# --- A virtual user ------------------------------------------------------------


@dataclass
class _UserRun:
    username: str
    writes: bool
    seed: int
    samples: list[Sample] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    written: dict[str, str] = field(default_factory=dict)
    counters: dict[str, int] = field(default_factory=lambda: {"reconnects": 0})


def _sign_in(client: _Client, run: _UserRun) -> bool:
    login = "/accounts/login/"
    page = client.request("sign-in form", "GET", login)
    if page is None or page.status != 200:
        run.problems.append(f"{run.username}: the sign-in form did not load")
        return False
    token = _csrf_token(page.body)
    if token is None:
        run.problems.append(f"{run.username}: no CSRF token on the sign-in form")
        return False
    answer = client.request(
        "sign in",
        "POST",
        login,
        form={"username": run.username, "password": PASSWORD, "csrfmiddlewaretoken": token},
        referer=client.base + login,
        expect=302,
    )
    if answer is None or answer.status != 302:
        run.problems.append(f"{run.username}: could not sign in")
        return False
    return True


def _write(client: _Client, run: _UserRun, rng: random.Random, run_id: str, deadline: float):
    path = f"{_P}/areas/{rng.randint(1, AREAS)}/updates/new/"
    page = client.request("update form", "GET", path)
    if page is None or page.status != 200:
        return
    token = _csrf_token(page.body)
    if token is None:
        run.problems.append(f"{run.username}: no CSRF token on {path}")
        return
    today = _today()
    marker = f"{MARKER_PREFIX}{run_id}-{uuid.uuid4()}"
    answer = client.request(
        "update save (POST)",
        "POST",
        path,
        form={
            "csrfmiddlewaretoken": token,
            "as_at_0": str(today.day),
            "as_at_1": str(today.month),
            "as_at_2": str(today.year),
            "rag": "green",
            "narrative": marker,
            "next_steps": "",
            "evidence": "",
            "rag_reason": "",
            "draft": "1",
        },
        referer=client.base + path,
        expect=302,
    )
    if answer is None or answer.status != 302:
        return
    run.written[marker] = run.username
    location = answer.headers.get("Location", "")
    target = urllib.parse.urlsplit(location)
    if target.path and time.monotonic() < deadline:
        query = f"?{target.query}" if target.query else ""
        client.request("update detail", "GET", target.path + query)


def _virtual_user(base_url: str, run: _UserRun, run_id: str, deadline: float) -> None:
    rng = random.Random(run.seed)
    client = _Client(base_url, run.samples, run.counters)
    actions = [label for label, _, _ in READS]
    weights = [weight for _, weight, _ in READS]
    paths = {label: make for label, _, make in READS}
    if run.writes:
        actions.append(WRITE)
        weights.append(WRITE_WEIGHT)
    try:
        if not _sign_in(client, run):
            return
        while time.monotonic() < deadline:
            action = rng.choices(actions, weights)[0]
            if action == WRITE:
                _write(client, run, rng, run_id, deadline)
            else:
                client.request(action, "GET", paths[action](rng))
    except Exception:  # noqa: BLE001 - a crash of the generator is a failure to report
        run.problems.append(f"{run.username}: the virtual user crashed\n{traceback.format_exc()}")
    finally:
        client.close()


def _roles(users: int) -> list[tuple[str, bool]]:
    """(user name, writes?) for each virtual user: officers, and with two or
    more users the last one is the board member instead."""
    roles = [(OFFICER_USERNAME.format(i), True) for i in range(users)]
    if users >= 2:
        roles[-1] = (BOARD_USERNAME, False)
    return roles


def run_load(base_url: str, seconds: float, users: int) -> LoadResult:
    """Run ``users`` virtual users against ``base_url`` for ``seconds``, then
    check with the ORM that every write was stored once (Django must be set up,
    on the server's database, and ``prepare_users(users)`` must have run)."""
    host = urllib.parse.urlsplit(base_url).hostname
    if not _is_loopback(host):
        raise ValueError(f"The load test only runs against loopback, not {host!r}")
    if users < 1 or seconds <= 0:
        raise ValueError("Need at least one user and a positive number of seconds")
    run_id = uuid.uuid4().hex[:8]
    seeds = random.Random()
    runs = [_UserRun(name, writes, seeds.randrange(2**32)) for name, writes in _roles(users)]
    started = time.monotonic()
    deadline = started + seconds
    threads = [
        threading.Thread(
            target=_virtual_user,
            args=(base_url, run, run_id, deadline),
            name=f"load-{run.username}",
            daemon=True,
        )
        for run in runs
    ]
    for thread in threads:
        thread.start()
    result = LoadResult(base_url, users, seconds, 0.0)
    for thread, run in zip(threads, runs, strict=True):
        thread.join(max(0.0, deadline + JOIN_GRACE - time.monotonic()))
        if thread.is_alive():
            result.problems.append(f"{run.username}: still running long after the deadline")
    result.elapsed = time.monotonic() - started
    for run in runs:
        # Copies: a thread that overran (reported above) may still be appending.
        result.samples.extend(list(run.samples))
        result.problems.extend(list(run.problems))
        result.written.update(run.written)
        result.reconnects += run.counters["reconnects"]
    result.integrity = check_integrity(result.written, f"{MARKER_PREFIX}{run_id}-")
    return result


# --- Integrity -------------------------------------------------------------------


def check_integrity(written: dict[str, str], prefix: str) -> Integrity:
    """Every marker in ``written`` is stored exactly once, as a draft by the
    user who wrote it, with one history row ("+", by its author); nothing with
    ``prefix`` is stored that the generator did not see written."""
    from plans.models import ProgressUpdate

    found: dict[str, list] = defaultdict(list)
    for update in ProgressUpdate.objects.filter(narrative__startswith=prefix).select_related(
        "author"
    ):
        found[update.narrative].append(update)
    result = Integrity(written=len(written))
    for marker, username in sorted(written.items()):
        stored = found.get(marker, [])
        if not stored:
            result.lost.append(marker)
            continue
        if len(stored) > 1:
            result.doubled.append(f"{marker} stored {len(stored)} times")
            continue
        update = stored[0]
        faults = []
        if update.author is None or update.author.username != username:
            faults.append(f"author {update.author} is not {username}")
        if update.state != ProgressUpdate.State.DRAFT:
            faults.append(f"state {update.state}, not draft")
        history = list(update.history.all())
        if len(history) != 1:
            faults.append(f"{len(history)} history rows")
        elif history[0].history_type != "+":
            faults.append(f"history type {history[0].history_type!r}")
        elif history[0].history_user_id is None or history[0].history_user_id != update.author_id:
            faults.append(f"history user {history[0].history_user_id} is not the author")
        if faults:
            result.faults.append(f"update {update.pk} ({marker}): {'; '.join(faults)}")
        else:
            result.stored_once += 1
    for marker, stored in sorted(found.items()):
        if marker not in written:
            result.doubled.append(
                f"{marker} stored {len(stored)} time(s) but the generator did not see it written"
            )
    return result


# --- Report ----------------------------------------------------------------------


def _percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile of ``values`` (not empty)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


def report(result: LoadResult) -> str:
    lines = [
        f"Load test: {result.users} users for {result.seconds:g} s against {result.base_url}",
        f"requests: {result.requests} in {result.elapsed:.1f} s = {result.rps:.1f} per second",
        f"errors: {result.errors} (5xx: {result.server_errors}, "
        f"other failures: {result.other_failures})",
    ]
    if result.reconnects:
        lines.append(f"idle keep-alive connections reopened (GETs sent again): {result.reconnects}")
    by_label: dict[str, list[Sample]] = defaultdict(list)
    for sample in result.samples:
        by_label[sample.label].append(sample)
    width = max([len("page"), *(len(label) for label in by_label)])
    lines.append("")
    lines.append(f"{'page':<{width}}  {'count':>6}  {'errors':>6}  {'p50 ms':>8}  {'p95 ms':>8}")
    for label in sorted(by_label, key=lambda name: -len(by_label[name])):
        samples = by_label[label]
        ms = [s.ms for s in samples]
        bad = sum(1 for s in samples if not s.ok)
        lines.append(
            f"{label:<{width}}  {len(samples):>6}  {bad:>6}  "
            f"{_percentile(ms, 0.50):>8.0f}  {_percentile(ms, 0.95):>8.0f}"
        )
    failures = [s for s in result.samples if not s.ok]
    if failures or result.problems:
        lines.append("")
        lines.append("Failures (first 20):")
        for sample in failures[:20]:
            status = sample.status or "no answer"
            lines.append(f"  {sample.method} {sample.path} -> {status}: {sample.detail}")
        for problem in result.problems[:20]:
            lines.append(f"  {problem}")
    lines.append("")
    if result.integrity is not None:
        lines.append(result.integrity.line())
        integrity = result.integrity
        for text in (integrity.lost + integrity.doubled + integrity.faults)[:20]:
            lines.append(f"  {text}")
    if result.writes == 0:
        lines.append("No update was written.")
    lines.append("PASSED" if result.ok else "FAILED")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", required=True, help="e.g. http://127.0.0.1:8000 (loopback)")
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--users", type=int, default=8)
    args = parser.parse_args(argv)
    if not _is_loopback(urllib.parse.urlsplit(args.base).hostname):
        parser.error("--base must be a loopback address (127.0.0.1, ::1 or localhost)")
    if args.users < 1 or args.seconds <= 0:
        parser.error("--users and --seconds must be positive")

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "improvement.settings")
    import django

    django.setup()
    prepare_users(args.users)
    result = run_load(args.base, args.seconds, args.users)
    print(report(result), flush=True)
    return 0 if result.ok else 1


if __name__ == "__main__":
    sys.exit(main())
