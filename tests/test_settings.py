"""The settings fail loudly on a bad or missing value rather than run unsafely."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def load_settings(**env: str) -> subprocess.CompletedProcess:
    """Import the settings in a fresh interpreter with only ``env`` set."""
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL")
    }
    code = (
        "import improvement.settings as s;"
        "print(s.DEBUG, s.DATABASES['default']['ENGINE'], s.ALLOWED_HOSTS)"
    )
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_debug_is_off_unless_asked_for_and_needs_a_secret_key():
    result = load_settings()
    assert result.returncode != 0
    assert "Set SECRET_KEY" in result.stderr


def test_a_short_secret_key_is_refused_in_production():
    result = load_settings(SECRET_KEY="short", ALLOWED_HOSTS="plan.example.org")
    assert "long random value" in result.stderr


def test_production_needs_allowed_hosts():
    result = load_settings(SECRET_KEY="x" * 50)
    assert "Set ALLOWED_HOSTS" in result.stderr


def test_production_settings_with_real_values_start_on_sqlite():
    result = load_settings(SECRET_KEY="x" * 50, ALLOWED_HOSTS="plan.example.org")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "django.db.backends.sqlite3", "['plan.example.org']"]


def test_database_url_switches_to_postgresql():
    result = load_settings(DEBUG="true", DATABASE_URL="postgres://u:p@127.0.0.1:5432/plans")
    assert result.returncode == 0, result.stderr
    assert "django.db.backends.postgresql" in result.stdout


@pytest.mark.parametrize("value", ["maybe", "2"])
def test_a_bad_boolean_fails_loudly(value):
    result = load_settings(DEBUG=value)
    assert "DEBUG must be true or false" in result.stderr


def test_trusted_proxies_must_be_addresses_or_networks():
    good = load_settings(
        SECRET_KEY="x" * 50, ALLOWED_HOSTS="a.example", TRUSTED_PROXIES="10.0.0.5, 10.1.0.0/16,::1"
    )
    assert good.returncode == 0, good.stderr
    bad = load_settings(SECRET_KEY="x" * 50, ALLOWED_HOSTS="a.example", TRUSTED_PROXIES="proxy")
    assert "TRUSTED_PROXIES must list addresses or networks, not 'proxy'" in bad.stderr
