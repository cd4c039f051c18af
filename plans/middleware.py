"""Turns AlreadyDone (plans/permissions.py) into a clear outcome: the record's
page, with a message saying what happened. Not a refusal, so not logged as one."""

from django.contrib import messages
from django.shortcuts import redirect

from .permissions import AlreadyDone


class AlreadyDoneMiddleware:
    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, AlreadyDone):
            messages.info(request, exception.message)
            return redirect(exception.url)
        return None
