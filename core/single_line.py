"""Text that is meant to be one line: a plan's title, an organisation's name, a
person's name.

These reach e-mail subjects and senders' names (reminders/emails.py,
reminders/sending.py), where a line break is a header injection: Django refuses
to send the message at all (BadHeaderError). Forms refuse them (``validator``);
sending cleans any already stored (``single_line``), so one bad title never
stops a plan's e-mails.
"""

from __future__ import annotations

import re
from email.utils import formataddr, parseaddr

from django.conf import settings
from django.core.exceptions import ValidationError

# C0 and C1 control characters (line feed, carriage return, tab, escape, NEL…)
# and Unicode's line and paragraph separators: none belongs in a one-line name.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def is_single_line(value: str) -> bool:
    return CONTROL_CHARACTERS.search(value) is None


def single_line(value: str) -> str:
    """``value`` on one line: control characters and runs of white space become
    one space, with none at either end."""
    return " ".join(CONTROL_CHARACTERS.sub(" ", value).split())


def validator(message: str):
    """A form field validator refusing line breaks and other control characters
    with ``message`` (GOV.UK wording: "Enter the plan's title on one line")."""

    def validate(value: str) -> None:
        if value and not is_single_line(value):
            raise ValidationError(message, code="single_line")

    return validate


def sender_address(council_name: str) -> str:
    """DEFAULT_FROM_EMAIL's address, with the plan's council as the name
    recipients see (on one line: it is a header)."""
    _, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    return formataddr((single_line(council_name), address or settings.DEFAULT_FROM_EMAIL))
