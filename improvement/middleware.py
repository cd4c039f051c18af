from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse


class PrivateCacheControlMiddleware:
    """``Cache-Control: private, no-store`` on every answer to a signed-in user.

    Plan pages and papers are not public: a shared proxy must not keep them, and
    the browser must not keep them on disk either, where the next person at a
    shared council computer could open them with the back button. Redirects are
    covered too, since they can carry the signed-in user's next page.
    Anonymous answers (the sign-in page, static files, the health check) keep
    whatever caching they had.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        path = request.path_info
        if path.startswith(settings.STATIC_URL) or path == "/health/":
            return response
        user = getattr(request, "user", None)
        if user is not None and _signed_in(user):
            # Replaces, rather than adds to, anything a view said: nothing a
            # signed-in user is shown may be stored.
            response["Cache-Control"] = "private, no-store"
        return response


def _signed_in(user) -> bool:
    """Whether the answer is for a signed-in user; if the database cannot say
    (an outage), treat it as one: private is the safe side."""
    from core import outage

    try:
        return user.is_authenticated
    except outage.UNAVAILABLE_ERRORS:
        return True
