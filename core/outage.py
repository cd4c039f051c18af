"""When the database is unavailable: an honest 503, one log line, no false failures.

While PostgreSQL is stopped, restarting or unreachable, every request that needs
it fails with OperationalError or InterfaceError, wherever it first touches the
database (often the session, in a middleware). Django would answer 500 and log
a traceback for each; here the error handler answers 503 with Retry-After and a
page that names the service and who runs it, and each failed request logs one line.
The first failure in a process logs "unavailable since", and the first answer
after it "back after N s", so an operator reads an outage in two lines.
"""

from __future__ import annotations

import logging
import threading
import time

from django.db.utils import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

from .context_processors import service

log = logging.getLogger("core.outage")

RETRY_AFTER_SECONDS = 30
UNAVAILABLE_ERRORS = (OperationalError, InterfaceError)

_lock = threading.Lock()
_down_since: float | None = None


def is_unavailable(exc: BaseException | None) -> bool:
    """Whether ``exc`` (or what it was raised from) says the database cannot be reached."""
    seen = 0
    while exc is not None and seen < 10:
        if isinstance(exc, UNAVAILABLE_ERRORS):
            return True
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return False


def one_line(exc: BaseException | None) -> str:
    """The database's own message, first line only (psycopg's run to several)."""
    while exc is not None and not isinstance(exc, UNAVAILABLE_ERRORS):
        exc = exc.__cause__ or exc.__context__
    text = str(exc or "").strip().splitlines()
    return text[0][:200] if text else type(exc).__name__


def note_down(exc: BaseException | None) -> None:
    global _down_since
    with _lock:
        if _down_since is None:
            _down_since = time.monotonic()
            log.error("database unavailable since %s: %s", time.strftime("%H:%M:%S"), one_line(exc))


def note_up() -> None:
    """Called when a request has used the database again."""
    global _down_since
    if _down_since is None:  # the usual case: no lock, no work
        return
    with _lock:
        if _down_since is not None:
            log.warning("database back after %.1f s", time.monotonic() - _down_since)
            _down_since = None


def is_download(request: HttpRequest) -> bool:
    path = request.path_info
    return "/download/" in path or path.startswith("/issued/") and path.count("/") > 3


def unavailable_response(request: HttpRequest, exc: BaseException | None) -> HttpResponse:
    """503 with Retry-After: the page, or plain text for a download.

    Rendered from settings alone (no request context, session, user or CSP
    nonce), since any of those may be what failed.
    """
    note_down(exc)
    log.warning(
        "database unavailable: %s %s answered 503: %s",
        request.method,
        request.path,
        one_line(exc),
    )
    if is_download(request):
        response = HttpResponse(
            "The service is unavailable: try again in a few minutes.\n",
            content_type="text/plain; charset=utf-8",
            status=503,
        )
    else:
        html = render_to_string("503.html", service(request))
        response = HttpResponse(html, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    # Logged above in one line: Django's own log of the 5xx would add a traceback.
    response._has_been_logged = True
    response.database_unavailable = True
    return response
