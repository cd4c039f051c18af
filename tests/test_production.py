"""Production readiness: deploy checks, headers, health check, audit log."""

import logging
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import DatabaseError
from django.test import Client, RequestFactory
from django.urls import path, reverse

ROOT = Path(__file__).resolve().parent.parent


def test_check_deploy_is_clean_under_production_settings():
    # As a server has it: none of the test run's own switches.
    unset = ("DEBUG", "SECURE_SSL_REDIRECT", "DJANGO_ALLOW_ASYNC_UNSAFE", "STATIC_MANIFEST")
    env = {k: v for k, v in os.environ.items() if k not in unset}
    env.update(
        SECRET_KEY="p" * 20 + "-production-like-secret-key-value",
        ALLOWED_HOSTS="plans.example.gov.uk",
        STATIC_MANIFEST="true",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "DEBUG"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.django_db
def test_health_check_needs_no_login_and_says_nothing_else(client):
    response = client.get(reverse("health"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_health_check_reports_a_database_failure(client, monkeypatch):
    from django.db.backends.utils import CursorWrapper

    def broken(self, sql, params=None):
        raise DatabaseError("down")

    monkeypatch.setattr(CursorWrapper, "execute", broken)
    response = client.get(reverse("health"))
    assert response.status_code == 503 and response.json() == {"status": "unavailable"}


@pytest.mark.django_db
def test_pages_carry_a_strict_content_security_policy(client):
    response = client.get(reverse("login"))
    policy = response["Content-Security-Policy"]
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy
    nonce = re.search(r"'nonce-([^']+)'", policy).group(1)
    html = response.content.decode()
    inline = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", html)
    assert inline and all(f'nonce="{nonce}"' in attrs for attrs in inline)
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.django_db
def test_audit_log_lines_and_no_secrets(world, clients, client, caplog):
    caplog.set_level(logging.INFO)
    client.post(reverse("login"), {"username": "board", "password": "Sup3r-secret-guess"})
    client.post(reverse("login"), {"username": "board", "password": "correct-horse-battery"})
    clients["board"].get(reverse("plans:sign_off", args=[world.plan.slug]))
    other = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT + 1):
        other.post(reverse("login"), {"username": "scrutiny", "password": "Wr0ng-again"})
    text = caplog.text
    assert "failed sign-in: 'board'" in text
    assert "sign-in: board from" in text
    assert f"permission refused: board GET /plans/{world.plan.slug}/sign-off/" in text
    assert "locked out: 'scrutiny'" in text
    for secret in ("Sup3r-secret-guess", "correct-horse-battery", "Wr0ng-again", "sessionid"):
        assert secret not in text


# Nothing a signed-in user is shown is kept by a cache.

NO_STORE = "private, no-store"


@pytest.mark.django_db
def test_signed_in_pages_downloads_and_redirects_are_not_stored(world, clients):
    slug = world.plan.slug
    page = clients["board"].get(reverse("plans:plan", args=[slug]))
    assert page.status_code == 200 and page["Cache-Control"] == NO_STORE
    csv = reverse("reporting:paper_download", args=[slug, "scrutiny-summary", "csv"])
    download = clients["board"].get(csv)
    assert download.status_code == 200 and download["Content-Type"].startswith("text/csv")
    assert download["Cache-Control"] == NO_STORE
    # Refusals and redirects too, including the one straight after signing in.
    assert clients["board"].get(reverse("plans:sign_off", args=[slug]))["Cache-Control"] == NO_STORE
    signing_in = Client().post(
        reverse("login"), {"username": "board", "password": "correct-horse-battery"}
    )
    assert signing_in.status_code == 302 and signing_in["Cache-Control"] == NO_STORE


@pytest.mark.django_db
def test_anonymous_pages_static_files_and_the_health_check_are_left_alone(world, clients, client):
    for url in (reverse("plans:accessibility"), reverse("login"), "/no-such-page/"):
        assert client.get(url).get("Cache-Control") != NO_STORE, url
    # The health check keeps its own never_cache, even for a signed-in browser.
    health = clients["board"].get(reverse("health"))
    assert "no-cache" in health["Cache-Control"] and health["Cache-Control"] != NO_STORE
    static = clients["board"].get(settings.STATIC_URL + "images/favicon.svg")
    assert static.get("Cache-Control") != NO_STORE


# The 500 page, drawn from settings alone.


def _boom(request):
    raise RuntimeError("something broke")


# This module is also the URLconf of the 500 test: the service's own patterns
# and handler500, plus a page that fails.
from improvement import urls as _service_urls  # noqa: E402

urlpatterns = [path("boom/", _boom), *_service_urls.urlpatterns]
handler500 = _service_urls.handler500


@pytest.mark.django_db
@pytest.mark.urls("tests.test_production")
def test_the_500_page_names_the_service_and_who_runs_it(world, settings):
    settings.DEBUG = False
    settings.SERVICE_NAME = "Test Tracker"
    settings.INSTALLATION_NAME = "Testshire Council"
    signed_in = Client(raise_request_exception=False)
    signed_in.force_login(world.users["board"])
    for client in (signed_in, Client(raise_request_exception=False)):
        response = client.get("/boom/")
        html = response.content.decode()
        assert response.status_code == 500
        assert "<title>Sorry, there is a problem with the service – Test Tracker" in html
        assert "Test Tracker is run by Testshire Council." in html
        assert "something broke" not in html and "Traceback" not in html
        # No inline script without its nonce (CSP would block it and report it).
        assert "<script nonce" not in html


def test_the_500_page_needs_no_middleware():
    from improvement.views import server_error

    # A bare request: no session, no user, no CSP nonce.
    response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    assert settings.SERVICE_NAME in response.content.decode()


# Signing out.


@pytest.mark.django_db
def test_signing_out_lands_on_a_signed_out_page(world, clients):
    client = clients["board"]
    response = client.post(reverse("logout"))
    assert response.status_code == 302 and response["Location"] == reverse("logged_out")
    page = client.get(response["Location"])
    html = page.content.decode()
    assert page.status_code == 200 and not page.wsgi_request.user.is_authenticated
    assert '<h1 class="govuk-heading-l">You have signed out</h1>' in html
    assert f'<a class="govuk-link" href="{reverse("login")}">Sign in again</a>' in html
    assert "Signed in as" not in html
    # Still signed in (an old link): not told otherwise.
    other = clients["scrutiny"].get(reverse("logged_out"))
    assert other.status_code == 302 and other["Location"] == reverse("plans:home")
