"""A real SMTP server (aiosmtpd) and a fake GOV.UK Notify API, both on loopback,
started by the tests that use them; and a plan with boards around the Spring
bank holiday of 2026 (Monday 25 May).

The board of Tuesday 9 June 2026 needs updates 10 working days before it: by
Tuesday 26 May (the bank holiday and the weekend are not working days).
Owners are reminded 5 working days before (Monday 18 May) and 1 working day
before (Friday 22 May, not the bank holiday), and chased on the working day
after (Wednesday 27 May).
"""

from __future__ import annotations

import datetime
import json
import socket
import threading
import uuid
from email import message_from_bytes, policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt
import pytest
from aiosmtpd.controller import Controller
from django.utils import timezone

from plans.models import Meeting
from tests import factories

NEXT_BOARD = datetime.date(2026, 6, 9)
PREVIOUS_BOARD = datetime.date(2026, 3, 12)
DUE = datetime.date(2026, 5, 26)
FIRST_REMINDER = datetime.date(2026, 5, 18)
LAST_REMINDER = datetime.date(2026, 5, 22)
BANK_HOLIDAY = datetime.date(2026, 5, 25)
MISSED = datetime.date(2026, 5, 27)


def at(day: datetime.date, hour: int = 9) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def boards(plan) -> tuple[Meeting, Meeting]:
    previous = factories.MeetingFactory(plan=plan, date=PREVIOUS_BOARD, title="Improvement Board")
    upcoming = factories.MeetingFactory(plan=plan, date=NEXT_BOARD, title="Improvement Board")
    return previous, upcoming


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Inbox:
    """What the SMTP server was given; ``refuse`` makes it refuse those addresses."""

    def __init__(self) -> None:
        self.messages: list = []
        self.refuse: set[str] = set()
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 Mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        parsed = message_from_bytes(envelope.content, policy=policy.default)
        with self.lock:
            self.messages.append((envelope.rcpt_tos[:], parsed))
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list:
        return [m for rcpts, m in self.messages if address in rcpts]

    def subjects(self) -> list[tuple[str, str]]:
        return sorted((rcpts[0], str(m["Subject"])) for rcpts, m in self.messages)

    def clear(self) -> None:
        self.messages.clear()


@pytest.fixture
def smtp(settings):
    """A real SMTP server on loopback, and the settings that send to it."""
    inbox = Inbox()
    port = inbox.port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 5
    settings.NOTIFY_API_KEY = ""
    settings.DEFAULT_FROM_EMAIL = "improvement-plan-tracker@plymouth.example.org"
    try:
        yield inbox
    finally:
        controller.stop()


class FakeNotify:
    """GOV.UK Notify's send-an-e-mail endpoint, checking the client's JWT;
    ``fail`` makes it answer 500, ``refuse`` 400 for those addresses."""

    def __init__(self, service_id: str, secret: str) -> None:
        self.service_id = service_id
        self.secret = secret
        self.requests: list[dict] = []
        self.fail = False
        self.refuse: set[str] = set()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                token = self.headers.get("Authorization", "").removeprefix("Bearer ")
                try:
                    claims = jwt.decode(token, fake.secret, algorithms=["HS256"])
                    assert claims["iss"] == fake.service_id
                except Exception:  # noqa: BLE001
                    return self._answer(403, {"errors": [{"error": "AuthError"}]})
                if self.path != "/v2/notifications/email":
                    return self._answer(404, {"errors": [{"error": "NotFound"}]})
                if fake.fail:
                    return self._answer(500, {"errors": [{"error": "Exception"}]})
                if body.get("email_address") in fake.refuse:
                    error = {"error": "ValidationError", "message": "Not a valid email address"}
                    return self._answer(400, {"errors": [error]})
                fake.requests.append(body)
                return self._answer(
                    201, {"id": str(uuid.uuid4()), "reference": body.get("reference")}
                )

            def _answer(self, status: int, data: dict) -> None:
                payload = json.dumps({**data, "status_code": status}).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def notify(settings):
    service_id, secret = str(uuid.uuid4()), str(uuid.uuid4())
    fake = FakeNotify(service_id, secret)
    settings.NOTIFY_API_KEY = f"test_key-{service_id}-{secret}"
    settings.NOTIFY_TEMPLATE_ID = "f33517ff-2a88-4f6e-b855-c550268ce08a"
    settings.NOTIFY_BASE_URL = fake.url
    settings.EMAIL_TIMEOUT = 5
    try:
        yield fake
    finally:
        fake.stop()
