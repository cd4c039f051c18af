"""The sign-in lockout counts each client, not the proxy in front of the service.

Five wrong passwords lock one (user name, client address) pair: the same
person signing in from elsewhere is not locked out, and X-Forwarded-For is
believed only from a trusted proxy, so nobody can dodge the lockout, or shift
it onto someone else, by sending the header themselves.
"""

import datetime
import logging

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.test import Client, RequestFactory
from django.urls import reverse

from core.client_address import client_address
from improvement.views import duration_words
from tests import factories

PASSWORD = "correct-horse-battery"
PROXY = "10.0.0.5"


@pytest.fixture
def trusted_proxy(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/24"]


def sign_in(client: Client, password: str, forwarded_for: str | None = None):
    extra = {"HTTP_X_FORWARDED_FOR": forwarded_for} if forwarded_for else {}
    return client.post(reverse("login"), {"username": "board", "password": password}, **extra)


def fail(client: Client, forwarded_for: str | None = None, times: int | None = None) -> None:
    for _ in range(times or settings.AXES_FAILURE_LIMIT):
        sign_in(client, "Wr0ng-password", forwarded_for)


def is_signed_in(response) -> bool:
    return response.status_code == 302 and response.wsgi_request.user.is_authenticated


# The address itself.


def address(remote: str, forwarded_for: str | None = None) -> str | None:
    extra = {"HTTP_X_FORWARDED_FOR": forwarded_for} if forwarded_for is not None else {}
    return client_address(RequestFactory().get("/", REMOTE_ADDR=remote, **extra))


def test_without_trusted_proxies_the_header_is_ignored(settings):
    settings.TRUSTED_PROXIES = []
    assert address("198.51.100.20", "203.0.113.7") == "198.51.100.20"


def test_a_trusted_proxy_is_believed_about_its_client(trusted_proxy):
    assert address(PROXY, "203.0.113.7") == "203.0.113.7"
    # The right-most address that is not a trusted proxy: what the client wrote
    # itself (left of it) is ignored, and a chain of trusted proxies is walked.
    assert address(PROXY, "1.1.1.1, 203.0.113.7") == "203.0.113.7"
    assert address(PROXY, "1.1.1.1, 203.0.113.7, 10.0.0.9") == "203.0.113.7"
    assert address(PROXY, "203.0.113.7:51234") == "203.0.113.7"
    assert address(PROXY, "[2001:db8::1]:443") == "2001:db8::1"
    # No header, or rubbish in it: the proxy that passed the request on.
    assert address(PROXY) == PROXY
    assert address(PROXY, "unknown") == PROXY
    assert address(PROXY, "1.1.1.1, not-an-address, 10.0.0.9") == "10.0.0.9"


def test_an_untrusted_sender_of_the_header_is_not_believed(trusted_proxy):
    assert address("198.51.100.20", "203.0.113.7") == "198.51.100.20"
    assert address("::ffff:198.51.100.20", "203.0.113.7") == "198.51.100.20"


# The lockout behind a proxy.


@pytest.mark.django_db
def test_behind_a_trusted_proxy_one_client_is_locked_and_another_is_not(trusted_proxy):
    factories.UserFactory(username="board")
    proxy = Client(REMOTE_ADDR=PROXY)
    fail(proxy, forwarded_for="203.0.113.7")
    # Client A: locked, even with the right password.
    locked = sign_in(proxy, PASSWORD, "203.0.113.7")
    assert locked.status_code == 429 and not locked.wsgi_request.user.is_authenticated
    attempt = AccessAttempt.objects.get()
    assert (attempt.username, attempt.ip_address) == ("board", "203.0.113.7")
    # Client B, through the same proxy: signs in.
    assert is_signed_in(sign_in(Client(REMOTE_ADDR=PROXY), PASSWORD, "198.51.100.9"))


@pytest.mark.django_db
def test_a_client_cannot_dodge_the_lockout_with_its_own_header(trusted_proxy):
    factories.UserFactory(username="board")
    proxy = Client(REMOTE_ADDR=PROXY)
    for n in range(settings.AXES_FAILURE_LIMIT):
        # The proxy appends the real address after whatever the client sent.
        sign_in(proxy, "Wr0ng-password", f"192.0.2.{n}, 203.0.113.7")
    assert sign_in(proxy, PASSWORD, "192.0.2.99, 203.0.113.7").status_code == 429


@pytest.mark.django_db
def test_a_forwarded_for_header_from_an_untrusted_address_is_ignored(trusted_proxy):
    factories.UserFactory(username="board")
    attacker = Client(REMOTE_ADDR="198.51.100.20")
    # A new made-up address on every attempt: still one client, so still locked.
    for n in range(settings.AXES_FAILURE_LIMIT):
        sign_in(attacker, "Wr0ng-password", f"203.0.113.{n}")
    assert sign_in(attacker, PASSWORD, "203.0.113.200").status_code == 429
    assert AccessAttempt.objects.get().ip_address == "198.51.100.20"
    # Nor can the attacker lock out a colleague's address by naming it.
    colleague = Client(REMOTE_ADDR=PROXY)
    assert is_signed_in(sign_in(colleague, PASSWORD, "203.0.113.0"))


@pytest.mark.django_db
def test_a_stranger_cannot_lock_a_colleague_out_from_elsewhere():
    factories.UserFactory(username="board")
    fail(Client(REMOTE_ADDR="198.51.100.20"))
    assert is_signed_in(sign_in(Client(REMOTE_ADDR="198.51.100.21"), PASSWORD))


@pytest.mark.django_db
def test_the_audit_log_names_the_client_not_the_proxy(trusted_proxy, caplog):
    caplog.set_level(logging.INFO, logger="plans.audit")
    factories.UserFactory(username="board")
    sign_in(Client(REMOTE_ADDR=PROXY), "Wr0ng-password", "203.0.113.7")
    sign_in(Client(REMOTE_ADDR=PROXY), PASSWORD, "198.51.100.9")
    assert "failed sign-in: 'board' from 203.0.113.7" in caplog.text
    assert "sign-in: board from 198.51.100.9" in caplog.text


# What the locked-out person is told.


@pytest.mark.django_db
def test_the_lockout_page_says_how_long_in_words():
    factories.UserFactory(username="board")
    client = Client()
    fail(client)
    response = sign_in(client, PASSWORD)
    html = response.content.decode()
    assert response.status_code == 429
    assert "Too many wrong attempts" in html
    assert "locked for 15 minutes" in html
    assert "PT15M" not in html and "PT" not in html.split("<main", 1)[1]


@pytest.mark.django_db
def test_the_lockout_lifts_after_the_cool_off(time_machine):
    """15 minutes after the last try (on the test's clock, tests/conftest.py);
    a try while locked out counts as one."""
    factories.UserFactory(username="board")
    client = Client()
    fail(client)
    time_machine.shift(datetime.timedelta(minutes=14))
    assert sign_in(client, PASSWORD).status_code == 429
    time_machine.shift(datetime.timedelta(minutes=16))
    assert is_signed_in(sign_in(client, PASSWORD))


@pytest.mark.django_db
def test_the_lockout_page_follows_the_setting(settings):
    settings.AXES_COOLOFF_TIME = 1 / 60  # hours, as the settings give it: one minute
    factories.UserFactory(username="board")
    client = Client()
    fail(client)
    assert "locked for 1 minute." in sign_in(client, PASSWORD).content.decode()


@pytest.mark.parametrize(
    "minutes, words",
    [
        (1, "1 minute"),
        (15, "15 minutes"),
        (60, "1 hour"),
        (90, "1 hour and 30 minutes"),
        (120, "2 hours"),
        (24 * 60, "1 day"),
        (24 * 60 + 61, "1 day, 1 hour and 1 minute"),
        (0.5, "30 seconds"),
    ],
)
def test_duration_words(minutes, words):
    assert duration_words(datetime.timedelta(minutes=minutes)) == words
