"""Stopping the service drops nothing in flight: on SIGTERM, gunicorn (with the
project's gunicorn.conf.py) lets a worker finish the request it is serving
before it exits, within the graceful timeout."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import threading
import time
import urllib.request

import pytest

from tests.test_escalation_http import ROOT, SETUP, Browser, free_port, production_env

# gunicorn keeps the real clock: so does the test that talks to it.
pytestmark = pytest.mark.real_clock

# The first PDF a fresh worker makes loads WeasyPrint and its fonts: a request
# that is certainly still being served a moment after it was sent.
SLOW = "/plans/childrens-services/papers/scrutiny-summary/download/pdf/"


def test_a_stop_lets_the_request_in_flight_finish(tmp_path):
    env = production_env(tmp_path / "db.sqlite3")
    setup = subprocess.run(
        [sys.executable, "-c", SETUP], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert setup.returncode == 0, setup.stderr
    json.loads(setup.stdout.strip().splitlines()[-1])
    port = free_port()
    env.update(GUNICORN_BIND=f"127.0.0.1:{port}", WEB_CONCURRENCY="1")
    log = tmp_path / "gunicorn.log"
    with open(log, "wb") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "improvement.wsgi"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=out,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(base + "/health/", timeout=2) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                time.sleep(0.1)
            assert server.poll() is None and time.monotonic() < deadline, log.read_text()
        browser = Browser(base)
        browser.sign_in("scrutiny")

        answer = {}

        def download() -> None:
            request = urllib.request.Request(base + SLOW)
            with browser.opener.open(request, timeout=60) as response:
                answer.update(status=response.status, body=response.read())
            answer["done"] = time.monotonic()

        in_flight = threading.Thread(target=download)
        in_flight.start()
        time.sleep(0.3)
        stopped = time.monotonic()
        server.send_signal(signal.SIGTERM)
        in_flight.join(timeout=60)
        server.wait(timeout=40)
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()

    assert answer["status"] == 200
    assert answer["body"].startswith(b"%PDF-")
    # It was still being served when the stop came, and the stop waited for it.
    assert answer["done"] > stopped
    assert server.returncode == 0
    assert "Handling signal: term" in log.read_text()
