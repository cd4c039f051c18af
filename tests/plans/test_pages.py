"""What every page carries: one h1, a named title, skip link, breadcrumbs,
the RAG key wherever a status shows, and the council's own branding
(tests/test_councils.py checks each plan names its own council)."""

import datetime
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from tests.conftest import client_for
from tests.support.pages import urls_for

pytestmark = pytest.mark.django_db


# Pages about no one plan: their titles name the service (and whoever runs the
# installation, when INSTALLATION_NAME is set: empty in tests).
OUTSIDE_A_PLAN = ("my_work", "plan_list")


def test_every_page_has_one_h1_a_title_and_a_skip_link(world, clients):
    council = world.plan.council.name
    for page, url in urls_for(world).items():
        response = clients["admin"].get(url)
        if response.status_code != 200:
            continue
        html = response.content.decode()
        assert len(re.findall(r"<h1[ >]", html)) == 1, page
        title = re.search(r"<title>(.*?)</title>", html, re.S).group(1)
        ending = "– Improvement Plan Tracker"
        assert title.endswith(ending if page in OUTSIDE_A_PLAN else f"{ending} – {council}"), page
        assert not title.startswith(" –"), page
        assert 'class="govuk-skip-link"' in html and 'id="main-content"' in html, page
        if page not in ("my_work", "plan_list"):
            assert "govuk-breadcrumbs" in html, page
        if "app-rag--" in html:
            assert "RAG key" in html, page


def test_council_branding_not_govuk(client):
    html = client.get(reverse("login")).content.decode()
    assert '<span class="app-header__council">Improvement Plan Tracker</span>' in html
    assert "GOV.UK" not in html
    assert "govuk-header__logotype" not in html and "crown" not in html.lower()
    css = (Path(settings.BASE_DIR) / "static" / "build" / "application.css").read_text()
    assert "GDS Transport" not in css
    assert "arial" in css.lower()
    assert "@font-face" not in css


def test_accessibility_statement_is_public_and_linked_from_every_page(client, clients):
    page = client.get(reverse("plans:accessibility")).content.decode()
    assert "WCAG" in page and "2.2" in page
    html = clients["board"].get(reverse("plans:my_work")).content.decode()
    assert reverse("plans:accessibility") in html


def test_sign_in_sign_out_and_change_password(world, client):
    response = client.post(reverse("login"), {"username": "board", "password": "wrong"})
    assert response.status_code == 400
    assert "Enter a correct user name and password" in response.content.decode()
    assert "<title>Error: Sign in" in response.content.decode()
    response = client.post(
        reverse("login"), {"username": "board", "password": "correct-horse-battery"}
    )
    assert response.status_code == 302
    response = client.post(
        reverse("password_change"),
        {"old_password": "nope", "new_password1": "a", "new_password2": "b"},
    )
    assert response.status_code == 400
    assert "Your current password is not right" in response.content.decode()
    response = client.post(
        reverse("password_change"),
        {
            "old_password": "correct-horse-battery",
            "new_password1": "Plymouth-board-2015!",
            "new_password2": "Plymouth-board-2015!",
        },
    )
    assert response.status_code == 302
    assert client.post(reverse("logout")).status_code == 302
    assert client.get(reverse("plans:my_work")).status_code == 302


def test_repeated_failures_lock_the_account(world, client):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "officer", "password": "guess"})
    # Locked: even the right password is refused, with a page that says so.
    response = client.post(
        reverse("login"), {"username": "officer", "password": "correct-horse-battery"}
    )
    assert response.status_code == 429
    assert "Too many wrong attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_sessions_end_after_inactivity(world, time_machine):
    """30 minutes without a request signs the user out; each request starts
    the 30 minutes again (on the test's clock, tests/conftest.py)."""
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST is True
    client = client_for(world.users["officer"])
    url = reverse("plans:my_work")
    for _ in range(2):
        time_machine.shift(datetime.timedelta(minutes=29))
        assert client.get(url).status_code == 200
    time_machine.shift(datetime.timedelta(minutes=31))
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_area_updates_come_a_page_at_a_time(world, clients):
    from tests import factories

    for i in range(24):
        factories.ProgressUpdateFactory(
            area=world.area, approved=True, narrative=f"Update number {i:02d}."
        )
    url = reverse("plans:area", args=[world.plan.slug, world.area.number])
    first = clients["board"].get(url).content.decode()
    assert first.count("Update number") == 10 and "Page 1 of 3 (25 updates)" in first
    last = clients["board"].get(url, {"page": 3}).content.decode()
    assert last.count("Update number") == 4 and "Page 3 of 3" in last
    for bad in ("abc", "-1", "999"):
        assert clients["board"].get(url, {"page": bad}).status_code == 200
