from __future__ import annotations

import datetime
import sys

from axes.helpers import get_cool_off, get_failure_limit
from django.conf import settings
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, HttpResponseServerError, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from core import outage
from core.context_processors import service


@never_cache
@require_GET
def health(request: HttpRequest) -> JsonResponse:
    """For load balancers and monitoring: no login, and no data in the answer."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as error:
        outage.note_down(error)
        return JsonResponse({"status": "unavailable"}, status=503)
    outage.note_up()
    return JsonResponse({"status": "ok"})


def duration_words(delta: datetime.timedelta) -> str:
    """'15 minutes', '1 hour', '1 day and 2 hours': a length of time as people say it."""
    seconds = round(delta.total_seconds())
    if seconds < 60:
        return f"{seconds} second{'' if seconds == 1 else 's'}"
    minutes = round(seconds / 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    parts = [
        f"{value} {unit}{'' if value == 1 else 's'}"
        for value, unit in ((days, "day"), (hours, "hour"), (minutes, "minute"))
        if value
    ]
    return " and ".join(parts) if len(parts) < 3 else f"{parts[0]}, {parts[1]} and {parts[2]}"


def locked_out(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict | None = None,
) -> HttpResponse:
    """AXES_LOCKOUT_CALLABLE: axes' own page, saying how long in words, not 'PT15M'."""
    cool_off = get_cool_off(request)
    context = {
        "failure_limit": get_failure_limit(request, credentials),
        "cooloff_words": duration_words(cool_off) if cool_off else "",
    }
    return render(
        request, settings.AXES_LOCKOUT_TEMPLATE, context, status=settings.AXES_HTTP_RESPONSE_CODE
    )


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: the page with the names of the service and of who runs it, or the
    503 "service unavailable" page when what failed is the database.

    Rendered without the request: whatever failed may have been the session,
    the database or a middleware, so no context processor runs and the page
    needs nothing but settings (and no CSP nonce; it has no inline script then).
    """
    failure = sys.exc_info()[1]
    if outage.is_unavailable(failure):
        return outage.unavailable_response(request, failure)
    html = render_to_string("500.html", service(request))
    return HttpResponseServerError(html)


@require_GET
def signed_out(request: HttpRequest) -> HttpResponse:
    """Where signing out lands (LOGOUT_REDIRECT_URL): a page, not the sign-in form."""
    if request.user.is_authenticated:
        # Followed an old link while signed in: they have not signed out.
        return redirect("plans:home")
    return render(request, "registration/logged_out.html")
