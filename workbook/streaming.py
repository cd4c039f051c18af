"""A progress page for the slow steps, without JavaScript.

Checking a big upload (about 2.5 s for a 3,000-area plan's 15,000 rows) and
saving a big import (about 9 s) run inside the request. For a file big enough
to take more than about 2 s, the answer is streamed instead of waited for: the
top of the GOV.UK page goes first, with "Checking your workbook…", then a line
as the work proceeds ("Checked 6,000 of 15,000 rows", at most two a second),
then the result (the preview, or the import's outcome with a link onwards) and
the rest of the page. The browser shows each part as it arrives. A smaller
file keeps the ordinary answers: a redirect to the preview, a 400 page.

What this changes, and what it does not:

- Every refusal that can be decided before the work starts is, and keeps its
  4xx: the size, the file type, macros, zip bombs and formulas
  (reading.survey), the form's own errors, permissions and CSRF (checked
  before the view runs). A big file with formulas is therefore checked the
  ordinary way, without the progress page, to answer with its 400 preview
  listing every formula cell.
- A problem found once the page has begun (rows with errors, a damaged sheet,
  the plan changed before the import, the database gone) cannot change the
  status, sent with the first part: the page is a 200 whose result is the
  GOV.UK error summary, and nothing is written. The import's writes are all in
  one transaction that is committed only after the last row is written, and an
  upload's rows are kept (PendingImport) only once the whole file is checked.
- The top of the page, with its CSP nonce, CSRF token and messages, is rendered
  before the view returns, so the middleware sees them as for any page:
  Content-Security-Policy carries the nonce, Cache-Control is private,
  no-store (improvement/middleware.py sets headers, which a streamed answer has
  too), and the session is saved. Nothing later needs the nonce or a message.
- A database outage before the page begins is the usual 503 (improvement/
  outage.py); one after is logged the same way and shown as the result.
- The work runs as the page is sent, in the request's thread (WSGI: gunicorn
  iterates the answer in the worker that ran the view), so the import's
  transaction spans the steps; if the browser goes away mid-way the server
  closes the answer, the work is closed with it, and the transaction is
  rolled back. (Under ASGI Django would gather the whole page first: still
  correct, without the progress.)
"""

from __future__ import annotations

import logging
import time
import uuid

from django.conf import settings
from django.http import HttpRequest, StreamingHttpResponse
from django.template.loader import render_to_string
from django.utils.html import format_html

from core import outage

from .steps import Step, Steps

log = logging.getLogger("workbook")

# A file with this many rows (in all its sheets) may take more than 2 s to read
# and check (~0.17 ms a row: 15,000 rows took 2.5 s), so it gets a progress page.
PREVIEW_STREAM_ROWS = 5_000
# Confirming writes too (up to ~0.9 ms a row: 1,500 new rows took 1.3 s), so
# it streams from fewer rows.
IMPORT_STREAM_ROWS = 1_500
# The least time between two progress lines (besides the end of each stage).
PROGRESS_SECONDS = 0.5


def preview_rows() -> int:
    return getattr(settings, "WORKBOOK_PREVIEW_STREAM_ROWS", PREVIEW_STREAM_ROWS)


def import_rows() -> int:
    return getattr(settings, "WORKBOOK_IMPORT_STREAM_ROWS", IMPORT_STREAM_ROWS)


def _interval() -> float:
    return getattr(settings, "WORKBOOK_PROGRESS_SECONDS", PROGRESS_SECONDS)


def progress_response(
    request: HttpRequest, context: dict, work: Steps[str], failure: dict
) -> StreamingHttpResponse:
    """The page of templates/workbook/progress.html, with ``work``'s steps as
    lines and its result (HTML) below them.

    ``context`` fills the page (``plan``, ``title``, ``doing``, ``wait``);
    ``failure`` the result if ``work`` raises (``message``, ``back_url``,
    ``back_text``), drawn without the request, which may need the database.
    """
    lines_mark, result_mark = f"lines-{uuid.uuid4().hex}", f"result-{uuid.uuid4().hex}"
    html = render_to_string(
        "workbook/progress.html",
        {**context, "lines_mark": lines_mark, "result_mark": result_mark},
        request=request,
    )
    top, rest = html.split(lines_mark)
    middle, bottom = rest.split(result_mark)

    def body():
        yield top
        shown = time.monotonic()  # "Checking your workbook…" is the first line
        last, said = None, None
        try:
            while True:
                try:
                    last = next(work)
                except StopIteration as finished:
                    result = finished.value
                    break
                # A line at most every so often, and at the end of each stage.
                if time.monotonic() - shown >= _interval() or last.done == last.total:
                    shown, said = time.monotonic(), last
                    yield _line(last)
            if last is not None and last is not said:
                yield _line(last)
        except Exception as error:
            result = _failed(request, error, failure)
            yield _line("Stopped: nothing has been saved")
        finally:
            # Closes the work if the browser went away mid-way: an import's
            # transaction is rolled back, as it is for an error.
            work.close()
        yield middle + result + bottom

    response = StreamingHttpResponse(body(), content_type="text/html; charset=utf-8")
    # A proxy (nginx) must pass each part on as it comes, not hold the page.
    response["X-Accel-Buffering"] = "no"
    return response


def _line(step: Step | str) -> str:
    return format_html("<li>{}</li>\n", str(step))


def _failed(request: HttpRequest, error: Exception, failure: dict) -> str:
    if outage.is_unavailable(error):
        outage.note_down(error)
        log.warning(
            "database unavailable: %s %s stopped after its progress page began: %s",
            request.method,
            request.path,
            outage.one_line(error),
        )
    else:
        log.error(
            "%s %s failed after its progress page began",
            request.method,
            request.path,
            exc_info=error,
        )
    return render_to_string("workbook/_stream_failed.html", failure)
