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
from django.test import Client
from django.urls import reverse

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
