"""Stopping the service drops nothing in flight: on SIGTERM, gunicorn (with the
project's gunicorn.conf.py) lets a worker finish the request it is serving
before it exits, within the graceful timeout."""

from __future__ import annotations

import signal
import threading
import time
import urllib.request

import pytest

from tests.support.servers import ACCOUNTS_SETUP, Browser, Gunicorn, prepare, production_env

# gunicorn keeps the real clock: so does the test that talks to it.
pytestmark = pytest.mark.real_clock

# The first PDF a fresh worker makes loads WeasyPrint and its fonts: a request
# that is certainly still being served a moment after it was sent.
SLOW = "/plans/childrens-services/papers/scrutiny-summary/download/pdf/"


def test_a_stop_lets_the_request_in_flight_finish(tmp_path):
    env = production_env(tmp_path / "db.sqlite3")
    prepare(env, ACCOUNTS_SETUP)
    server = Gunicorn(env, tmp_path / "gunicorn.log")
    try:
        server.wait_until_up(timeout=30)
        base = server.base
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
        server.process.send_signal(signal.SIGTERM)
        in_flight.join(timeout=60)
        server.process.wait(timeout=40)
    finally:
        server.stop(signal.SIGKILL)
    log = server.log

    assert answer["status"] == 200
    assert answer["body"].startswith(b"%PDF-")
    # It was still being served when the stop came, and the stop waited for it.
    assert answer["done"] > stopped
    assert server.process.returncode == 0
    assert "Handling signal: term" in log.read_text()
