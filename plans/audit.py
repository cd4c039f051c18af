"""Audit log lines: sign-ins, failed sign-ins, lockouts and refusals.

Approvals and issued papers are logged where they happen (the views). No line
carries a password, a session key or any other secret: only user names, the
address, and the page.
"""

from __future__ import annotations

import logging

from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.views.defaults import permission_denied

from core.client_address import client_address

log = logging.getLogger("plans.audit")


def _address(request: HttpRequest | None) -> str:
    # The client's, as the lockout counts it: behind a proxy, not the proxy's.
    return (client_address(request) if request is not None else None) or "?"


def on_login(sender, request, user, **kwargs) -> None:
    log.info("sign-in: %s from %s", user.get_username(), _address(request))


def on_login_failed(sender, credentials, request=None, **kwargs) -> None:
    # Only the user name: never the password Django passes along (masked or not).
    log.warning(
        "failed sign-in: %r from %s", str(credentials.get("username", ""))[:150], _address(request)
    )


def on_locked_out(sender, request, username, ip_address, **kwargs) -> None:
    log.warning("locked out: %r from %s", str(username)[:150], ip_address)


def forbidden(request: HttpRequest, exception: PermissionDenied) -> HttpResponse:
    """handler403: log the refusal, then the usual 403 page."""
    user = request.user.get_username() if request.user.is_authenticated else "anonymous"
    log.warning("permission refused: %s %s %s", user, request.method, request.path)
    return permission_denied(request, exception)


def connect() -> None:
    from axes.signals import user_locked_out

    user_logged_in.connect(on_login, dispatch_uid="plans.audit.login")
    user_login_failed.connect(on_login_failed, dispatch_uid="plans.audit.login_failed")
    user_locked_out.connect(on_locked_out, dispatch_uid="plans.audit.locked_out")
