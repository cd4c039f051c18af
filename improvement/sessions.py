"""The session middleware, honest about database outages.

Django's saves the session after the view, on the way out. If the database
went away after the view committed its write, the save fails: Django then
answers 500, or 400 "session interrupted", and the officer is told a stored
update failed. Here a failed save never overturns the view's answer: the
write stands and is reported as done (the session's renewal is all that is
lost, and the next request renews it). An answer that is already a 503 for
the outage is left alone.
"""

from __future__ import annotations

import logging

from django.contrib.sessions.middleware import SessionMiddleware as DjangoSessionMiddleware

from core import outage

log = logging.getLogger("core.outage")


class SessionMiddleware(DjangoSessionMiddleware):
    def process_response(self, request, response):
        if getattr(response, "database_unavailable", False):
            return response
        try:
            response = super().process_response(request, response)
        except Exception as error:
            if not outage.is_unavailable(error):
                raise
            outage.note_down(error)
            log.warning(
                "database unavailable: session not saved after %s %s (%s kept): %s",
                request.method,
                request.path,
                response.status_code,
                outage.one_line(error),
            )
            return response
        if response.status_code < 500:
            outage.note_up()
        return response
