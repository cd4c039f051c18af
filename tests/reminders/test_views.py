"""The returns page, "Remind now", the settings pages and My work's due dates."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core.dates import long_date_with_weekday as long_date
from plans.models import ProgressUpdate
from reminders.models import EmailPreferences, Message, ReturnSettings
from reminders.workdays import add_working_days, working_days_before
from tests import factories

pytestmark = pytest.mark.django_db


def today() -> datetime.date:
    return timezone.localdate()


@pytest.fixture
def board(world):
    factories.MeetingFactory(plan=world.plan, date=today() - datetime.timedelta(days=40))
    return factories.MeetingFactory(plan=world.plan, date=today() + datetime.timedelta(days=40))


def returns_url(world) -> str:
    return reverse("reminders:returns", args=[world.plan.slug])


def remind_url(world) -> str:
    return reverse("reminders:remind", args=[world.plan.slug])


@pytest.mark.parametrize(
    "role, status",
    [("admin", 200), ("officer", 403), ("board", 403), ("scrutiny", 403), ("outsider", 404)],
)
def test_only_plan_administrators_see_the_returns_pages(world, clients, board, role, status):
    client = clients[role]
    assert client.get(returns_url(world)).status_code == status
    settings_url = reverse("reminders:return_settings", args=[world.plan.slug])
    assert client.get(settings_url).status_code == status
    response = client.post(remind_url(world), {"everyone": "true"})
    assert response.status_code == (302 if status == 200 else status)
    if status != 200:
        assert not Message.objects.exists()


def test_anonymous_users_are_sent_to_sign_in(client, world):
    for url in (returns_url(world), remind_url(world), reverse("reminders:email_settings")):
        assert "/login/" in client.get(url)["Location"]


def test_the_returns_page_shows_who_has_and_has_not_updated(world, clients, board):
    factories.ProgressUpdateFactory(
        area=world.other_area,
        author=world.users["other_officer"],
        as_at=today() - datetime.timedelta(days=2),
        state=ProgressUpdate.State.SUBMITTED,
    )
    response = clients["admin"].get(returns_url(world))
    html = response.content.decode()
    due = working_days_before(board.date, 10)
    assert long_date(due) in html
    assert "Worked out from the meeting date" in html
    rows = html.split('<h2 class="govuk-heading-m">Areas</h2>')[1].split('id="owners"')[0]
    assert "Area 1" in rows and "Missing" in rows
    assert "Area 2" in rows and "Waiting for sign-off" in rows
    owners = html.split('id="owners"')[1].split('id="sent"')[0]
    assert 'Remind now<span class="govuk-visually-hidden"> Test' in owners
    assert f'value="{world.users["officer"].pk}"' in owners
    assert f'value="{world.users["other_officer"].pk}"' not in owners


def test_the_returns_page_says_when_no_board_is_planned(world, clients):
    html = clients["admin"].get(returns_url(world)).content.decode()
    assert "No Improvement Board meeting with a date is planned" in html


def test_remind_now_sends_once_a_day(world, clients, board):
    client = clients["admin"]
    officer = world.users["officer"]
    response = client.post(remind_url(world), {"owner": officer.pk}, follow=True)
    assert response.status_code == 200
    assert "Reminder e-mailed to" in response.content.decode()
    (message,) = mail.outbox
    assert message.to == ["officer@example.org"]
    assert long_date(working_days_before(board.date, 10)) in message.subject
    logged = Message.objects.get()
    assert (logged.kind, logged.status, logged.requested_by) == (
        "return_due",
        "sent",
        world.users["admin"],
    )
    # Pressed again (or a double click): nothing more, and the page says so.
    response = client.post(remind_url(world), {"owner": officer.pk}, follow=True)
    assert "already been reminded today" in response.content.decode()
    assert len(mail.outbox) == 1
    # The history lists it, with what it said.
    html = client.get(returns_url(world)).content.decode()
    assert "Return reminder" in html and message.subject in html


def test_remind_all_missing(world, clients, board):
    response = clients["admin"].post(remind_url(world), {"everyone": "true"})
    assert response.status_code == 302
    assert sorted(m.to[0] for m in mail.outbox) == [
        "officer@example.org",
        "other_officer@example.org",
    ]
    clients["admin"].post(remind_url(world), {"everyone": "true"})
    assert len(mail.outbox) == 2


@pytest.mark.parametrize("data", [{}, {"owner": "abc"}, {"owner": "999999"}, {"owner": "-1"}])
def test_bad_remind_requests_get_an_error_summary(world, clients, board, data):
    response = clients["admin"].post(remind_url(world), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "govuk-error-summary" in html and "There is a problem" in html
    assert mail.outbox == []


def test_reminding_an_owner_of_another_plan_is_refused(world, clients, board):
    response = clients["admin"].post(remind_url(world), {"owner": world.users["outsider"].pk})
    assert response.status_code == 400
    assert mail.outbox == []


def test_return_settings_are_saved_with_history(world, clients, board):
    url = reverse("reminders:return_settings", args=[world.plan.slug])
    data = {
        "working_days_before": "5",
        "trigger_kinds": ["improvement_board", "scrutiny_panel"],
        "reminder_offsets": "3, 1, 3",
        "reason": "Board asked for later returns",
    }
    assert clients["admin"].post(url, data).status_code == 302
    rules = ReturnSettings.objects.get(plan=world.plan)
    assert (rules.working_days_before, rules.kinds, rules.offsets) == (
        5,
        ["improvement_board", "scrutiny_panel"],
        [3, 1],
    )
    last = rules.history.first()
    assert (last.history_user, last.history_change_reason) == (
        world.users["admin"],
        "Board asked for later returns",
    )
    html = clients["admin"].get(returns_url(world)).content.decode()
    assert long_date(working_days_before(board.date, 5)) in html


@pytest.mark.parametrize(
    "data, error",
    [
        (
            {
                "working_days_before": "",
                "trigger_kinds": ["improvement_board"],
                "reminder_offsets": "5",
            },
            "Enter how many working days",
        ),
        (
            {
                "working_days_before": "0",
                "trigger_kinds": ["improvement_board"],
                "reminder_offsets": "5",
            },
            "from 1 to 60",
        ),
        (
            {"working_days_before": "10", "reminder_offsets": "5"},
            "Select at least one kind of meeting",
        ),
        (
            {"working_days_before": "10", "trigger_kinds": ["nonsense"], "reminder_offsets": "5"},
            "Select kinds of meeting from the list",
        ),
        (
            {
                "working_days_before": "10",
                "trigger_kinds": ["improvement_board"],
                "reminder_offsets": "five",
            },
            "Enter whole numbers of working days",
        ),
        (
            {
                "working_days_before": "10",
                "trigger_kinds": ["improvement_board"],
                "reminder_offsets": "40",
            },
            "from 1 to 30",
        ),
    ],
)
def test_bad_return_settings_get_an_error_summary_and_change_nothing(world, clients, data, error):
    url = reverse("reminders:return_settings", args=[world.plan.slug])
    response = clients["admin"].post(url, data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "govuk-error-summary" in html and error in html
    assert not ReturnSettings.objects.exists()


def test_people_choose_their_optional_e_mails(world, clients):
    url = reverse("reminders:email_settings")
    client = clients["officer"]
    assert "Do you want the weekly summary?" in client.get(url).content.decode()
    response = client.post(url, {"weekly_digest": "yes", "milestone_nudges": "no"})
    assert response.status_code == 302
    prefs = EmailPreferences.objects.get(user=world.users["officer"])
    assert (prefs.weekly_digest, prefs.milestone_nudges) == (True, False)
    assert prefs.history.first().history_user == world.users["officer"]
    bad = client.post(url, {"weekly_digest": "maybe"})
    assert bad.status_code == 400
    assert "Select yes or no" in bad.content.decode()


def test_my_work_shows_due_dates_and_overdue_in_words(world, clients):
    # A board 3 working days away: its updates were due 7 working days ago.
    factories.MeetingFactory(plan=world.plan, date=today() - datetime.timedelta(days=60))
    meeting = factories.MeetingFactory(plan=world.plan, date=add_working_days(today(), 3))
    due = working_days_before(meeting.date, 10)
    html = clients["officer"].get(reverse("plans:my_work")).content.decode()
    section = html.split("Updates due for the next board")[1].split("<h2")[0]
    assert f"Area 1: update due by {long_date(due)}" in section
    assert '<strong class="govuk-tag govuk-tag--red">Overdue</strong>' in section
    assert "worked out from the meeting date" in section


def test_my_work_due_date_before_it_is_overdue(world, clients, board):
    due = working_days_before(board.date, 10)
    html = clients["officer"].get(reverse("plans:my_work")).content.decode()
    section = html.split("Updates due for the next board")[1].split("<h2")[0]
    assert f"update due by {long_date(due)}" in section
    assert "Overdue" not in section
    # Once submitted, it is no longer due.
    factories.ProgressUpdateFactory(
        area=world.area,
        author=world.users["officer"],
        as_at=today(),
        state=ProgressUpdate.State.SUBMITTED,
    )
    html = clients["officer"].get(reverse("plans:my_work")).content.decode()
    assert "no update is due from you" in html


def test_the_navigation_links_the_returns_page_for_administrators_only(world, clients, board):
    url = returns_url(world)
    plan_page = reverse("plans:plan", args=[world.plan.slug])
    assert f'href="{url}"' in clients["admin"].get(plan_page).content.decode()
    for role in ("officer", "board", "scrutiny"):
        assert f'href="{url}"' not in clients[role].get(plan_page).content.decode()


# --- Query budgets -------------------------------------------------------------------------

OVERHEAD = 7  # session, user, permissions, session renewal (tests/plans/test_budgets.py)


def grow(world, n: int, start: int) -> None:
    admin = world.users["admin"]
    for i in range(start, start + n):
        user = factories.UserFactory(username=f"owner{i}")
        factories.join(world.plan, {user: "officer"})
        lead = factories.OwnerFactory(organisation=world.plan.organisation, user=user)
        area = factories.ImprovementAreaFactory(plan=world.plan, number=i, lead=lead)
        factories.ProgressUpdateFactory(
            area=area, author=user, as_at=today(), state=ProgressUpdate.State.SUBMITTED
        )
        Message.objects.create(
            plan=world.plan,
            recipient=user,
            kind="return_due",
            about=f"meeting:{i}",
            due_on=today(),
            email=user.email,
            subject="s",
            body_text="b",
            body_html="b",
            link="l",
            status="failed" if i % 2 else "sent",
            sent_at=timezone.now(),
            requested_by=admin,
        )
        factories.ImprovementAreaFactory(plan=world.plan, number=i + 500, lead=world.area.lead)


def count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_the_returns_page_makes_a_fixed_number_of_queries(world, clients, board):
    # plan; meetings with settings; members; areas with leads; updates in the
    # cycle; settings; messages count and page; failed messages
    budget = OVERHEAD + 9
    url = returns_url(world)
    grow(world, 2, 10)
    small = count(clients["admin"], url)
    grow(world, 30, 20)
    large = count(clients["admin"], url)
    assert small == large <= budget, (small, large)


def test_my_work_pays_two_queries_for_due_dates(world, clients, board):
    url = reverse("plans:my_work")
    grow(world, 2, 10)
    small = count(clients["officer"], url)
    grow(world, 30, 20)
    large = count(clients["officer"], url)
    # tests/plans/test_budgets.py's six, plus meetings with settings and the updates in the
    # cycle, plus the success measures the officer owns (measures/pages.py: figures due)
    assert small == large <= OVERHEAD + 6 + 2 + 1, (small, large)


def test_return_settings_changes_are_in_the_plans_changes(world, clients):
    from tests.support.pages import listed

    url = reverse("reminders:return_settings", args=[world.plan.slug])
    data = {
        "working_days_before": "5",
        "trigger_kinds": ["improvement_board", "scrutiny_panel"],
        "reminder_offsets": "3, 1",
        "reason": "Board asked for later returns",
    }
    assert clients["admin"].post(url, data).status_code == 302
    data |= {"working_days_before": "7", "trigger_kinds": ["improvement_board"]}
    data["reason"] = "Scrutiny no longer needs a return"
    assert clients["admin"].post(url, data).status_code == 302
    changes = reverse("plans:plan_changes", args=[world.plan.slug])
    for role in ("admin", "board"):
        text = listed(clients[role].get(changes)).replace(" .", ".")
        assert "Changed: Return settings (when updates are due before meetings)" in text, text
        assert "Updates due (working days before the meeting): 5 → 7" in text, text
        assert "Scrutiny no longer needs a return" in text
        assert "Reminders (working days before the due date): 3, 1" in text, text
    assert "improvement_board" not in text
    assert (
        "Meetings that need a return: Improvement Board, Scrutiny panel → Improvement Board" in text
    )
    other = reverse("plans:plan_changes", args=[world.other_plan.slug])
    assert "Return settings" not in listed(clients["outsider"].get(other))
