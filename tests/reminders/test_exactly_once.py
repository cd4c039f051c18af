"""Twice, or twice at once: nothing is sent twice."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from django.db import connection

from reminders import services
from reminders.models import Message
from tests.support.servers import migrated_sqlite

from .conftest import FIRST_REMINDER, at, boards


class CountingSender:
    name = "test"

    def __init__(self) -> None:
        self.sent: list[int] = []
        self.lock = threading.Lock()

    def send(self, message) -> str:
        with self.lock:
            self.sent.append(message.pk)
        return ""

    def close(self) -> None:
        pass


@pytest.mark.django_db
def test_interleaved_runs_record_and_send_each_message_once(world):
    boards(world.plan)
    today = FIRST_REMINDER
    # Both runs plan the same messages before either records them…
    first, second = services.plan_scheduled(today), services.plan_scheduled(today)
    assert first and [p.key for p in first] == [p.key for p in second]
    services.record(first)
    # …the second's insert finds them recorded (by the unique constraint).
    services.record(second)
    Message.objects.bulk_create(
        [services.emails.render(p, plan_title="x", council_name="y") for p in second],
        ignore_conflicts=True,
    )
    assert Message.objects.count() == len(first)
    # Both claim: the second finds nothing left to take.
    claimed_a = services.claim(at(today))
    claimed_b = services.claim(at(today))
    assert len(claimed_a) == len(first) and claimed_b == []
    sender = CountingSender()
    services.send_claimed(claimed_a, at(today), sender)
    services.send_claimed(claimed_b, at(today), sender)
    assert sorted(sender.sent) == sorted(m.pk for m in claimed_a)


ROOT = Path(__file__).resolve().parents[2]
SEED = (
    "from tests.conftest import make_world; from tests.reminders.conftest import boards; "
    "boards(make_world().plan)"
)


def test_two_send_reminders_processes_at_once_send_nothing_twice(smtp, tmp_path):
    """Two real processes on one SQLite file, as cron would start them on a
    server without PostgreSQL, both e-mailing through the SMTP server."""
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp.port),
    }
    manage = [sys.executable, str(ROOT / "manage.py")]
    migrated_sqlite(tmp_path / "db.sqlite3")
    subprocess.run([*manage, "migrate", "-v0"], env=env, cwd=ROOT, check=True, timeout=120)
    subprocess.run([*manage, "shell", "-c", SEED], env=env, cwd=ROOT, check=True, timeout=60)
    command = [*manage, "send_reminders", "--now", at(FIRST_REMINDER).isoformat()]
    runs = [
        subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    outputs = [run.communicate(timeout=120)[0] for run in runs]
    assert [run.returncode for run in runs] == [0, 0], outputs
    sent = sum(int(re.search(r"(\d+) sent", out).group(1)) for out in outputs)
    received = smtp.subjects()
    assert sent == len(received) >= 4, outputs
    assert len(set(received)) == len(received), received
    # A third run finds nothing to do.
    subprocess.run(command, env=env, cwd=ROOT, check=True, timeout=120, capture_output=True)
    assert len(smtp.subjects()) == sent


@pytest.mark.skipif(
    connection.vendor == "sqlite",
    reason="SQLite's shared in-memory test database cannot take two writers; "
    "the test above runs two processes on an SQLite file instead",
)
@pytest.mark.django_db(transaction=True)
def test_concurrent_runs_send_nothing_twice(world):
    boards(world.plan)
    sender = CountingSender()
    barrier = threading.Barrier(2)
    errors = []

    def one_run() -> None:
        try:
            barrier.wait(timeout=10)
            services.run(at(FIRST_REMINDER), sender=sender)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=one_run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors
    assert sender.sent, "something was due"
    assert len(sender.sent) == len(set(sender.sent)) == Message.objects.count()
    assert set(Message.objects.values_list("status", flat=True)) == {Message.Status.SENT}


@pytest.mark.django_db
def test_a_message_left_sending_by_a_dead_run_is_never_sent_again(world):
    boards(world.plan)
    services.record(services.plan_scheduled(FIRST_REMINDER))
    stuck = services.claim(at(FIRST_REMINDER, 8))  # and the run dies
    assert stuck
    sender = CountingSender()
    services.run(at(FIRST_REMINDER, 8), sender=sender)
    assert sender.sent == []  # still "sending", within the hour
    services.run(at(FIRST_REMINDER, 10), sender=sender)
    stuck_ids = {m.pk for m in stuck}
    assert not stuck_ids & set(sender.sent)
    # What did go is the report of each to the plan's administrator.
    reports = Message.objects.filter(pk__in=sender.sent)
    assert set(reports.values_list("kind", flat=True)) == {Message.Kind.DELIVERY_FAILED}
    assert reports.count() == len(stuck_ids)
    failed = Message.objects.filter(pk__in=stuck_ids)
    assert set(failed.values_list("status", flat=True)) == {Message.Status.FAILED}
    assert "may not have gone" in failed.first().last_error
