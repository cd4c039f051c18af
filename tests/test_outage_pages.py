"""The error pages render whatever has failed: no request context, no session,
no database; and a database outage answers 503, not 500 or 400."""

import logging

import pytest
from django.db.utils import InterfaceError, OperationalError
from django.http import HttpResponse
from django.test import Client, RequestFactory, override_settings
from django.urls import path

from core import outage
from improvement import urls as service_urls
from improvement.views import server_error

# Who runs the installation: outside any plan, as these pages are, the pages name them.
RUN_BY = "Testshire Shared Services"


def _fails(exc):
    def view(request):
        raise exc

    return view


def _saves_then_session_fails(request):
    """A view that has done its write; the session's save on the way out will fail."""
    request.session["seen"] = True
    response = HttpResponse(status=302)
    response["Location"] = "/updates/1/"
    return response


urlpatterns = [
    path("page/", _fails(OperationalError("connection refused\nIs the server running?"))),
    path("gone/", _fails(InterfaceError("connection already closed"))),
    path("plans/p/papers/s/download/csv/", _fails(OperationalError("shutting down"))),
    path("bug/", _fails(ValueError("a bug"))),
    path("saved/", _saves_then_session_fails),
    # The service's own, which the pages link to.
    *service_urls.urlpatterns,
]
handler500 = "improvement.views.server_error"


def client() -> Client:
    return Client(raise_request_exception=False)


@override_settings(ROOT_URLCONF=__name__, INSTALLATION_NAME=RUN_BY)
@pytest.mark.parametrize("url", ["/page/", "/gone/"])
def test_an_outage_answers_503_with_the_named_page(url, caplog):
    with caplog.at_level(logging.INFO):
        response = client().get(url)
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    page = response.content.decode()
    assert "Sorry, the service is unavailable" in page
    assert "Improvement Plan Tracker" in page and RUN_BY in page
    assert "Nothing you had already saved has been lost" in page
    # One line for the request, no traceback.
    lines = [r for r in caplog.records if url in r.getMessage()]
    assert len(lines) == 1
    assert all(r.exc_info is None for r in caplog.records)
    assert "\n" not in lines[0].getMessage()


@override_settings(ROOT_URLCONF=__name__)
def test_a_download_gets_a_plain_503():
    response = client().get("/plans/p/papers/s/download/csv/")
    assert response.status_code == 503
    assert response["Content-Type"].startswith("text/plain")
    assert response["Retry-After"] == "30"


@override_settings(ROOT_URLCONF=__name__, INSTALLATION_NAME=RUN_BY)
def test_other_failures_are_still_500_with_the_names():
    response = client().get("/bug/")
    assert response.status_code == 500
    page = response.content.decode()
    assert "Sorry, there is a problem with the service" in page
    assert "Improvement Plan Tracker" in page and RUN_BY in page


@override_settings(ROOT_URLCONF=__name__)
@pytest.mark.django_db
@pytest.mark.parametrize("as_django_says", [False, True])
def test_a_save_that_was_stored_is_reported_as_done_when_the_session_save_fails(
    caplog, monkeypatch, as_django_says
):
    from django.contrib.sessions.backends.base import UpdateError
    from django.contrib.sessions.backends.db import SessionStore

    def save(self, must_create=False):
        try:
            raise OperationalError("server closed the connection unexpectedly")
        except OperationalError:
            if as_django_says:
                # What the database backend makes of it: "session interrupted", a 400.
                raise UpdateError from None
            raise

    monkeypatch.setattr(SessionStore, "save", save)
    response = client().get("/saved/")
    assert response.status_code == 302
    assert response["Location"] == "/updates/1/"
    assert any("session not saved" in r.getMessage() for r in caplog.records)


@override_settings(INSTALLATION_NAME=RUN_BY)
def test_the_error_pages_render_with_no_request_session_or_database():
    # No session, no user, no nonce on the request; and no database: without the
    # django_db mark any query here raises.
    request = RequestFactory().get("/anything/")
    try:
        raise OperationalError("could not connect to server")
    except OperationalError:
        unavailable = server_error(request)
    try:
        raise KeyError("bug")
    except KeyError:
        failed = server_error(request)
    plain = server_error(request)
    assert unavailable.status_code == 503
    assert failed.status_code == plain.status_code == 500
    for response in (unavailable, failed, plain):
        page = response.content.decode()
        assert "Improvement Plan Tracker" in page and RUN_BY in page
        assert "nonce" not in page


def test_an_outage_is_logged_once_when_it_starts_and_once_when_it_ends(caplog, monkeypatch):
    monkeypatch.setattr(outage, "_down_since", None)
    with caplog.at_level(logging.INFO, logger="core.outage"):
        for _ in range(3):
            outage.note_down(OperationalError("connection refused"))
        outage.note_up()
        outage.note_up()
    messages = [r.getMessage() for r in caplog.records]
    assert sum("unavailable since" in m for m in messages) == 1
    assert sum("back after" in m for m in messages) == 1
