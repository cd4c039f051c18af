"""How messages leave: GOV.UK Notify when NOTIFY_API_KEY is set, otherwise
Django's e-mail framework (SMTP through the council's relay, configured by the
EMAIL_* settings; the console when DEBUG is on).

A sender's ``send(message)`` returns the provider's reference (Notify's id, or
"") and raises on any failure; the caller records the outcome, asking the
sender's ``permanent(error)`` whether trying again could ever help.

The subject and the sender's name are put on one line as they are sent: a
message recorded before titles were checked must still go (core/single_line.py).
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection

from core.single_line import sender_address, single_line

from .models import Message


def backend_label() -> str:
    backend = settings.EMAIL_BACKEND.rsplit(".", 2)
    name = backend[-2] if len(backend) >= 2 else settings.EMAIL_BACKEND
    return {"smtp": "smtp", "console": "console", "locmem": "memory"}.get(name, name)[:30]


class DjangoMailSender:
    """One connection for the whole run, reopened after a failure."""

    def __init__(self) -> None:
        self.name = backend_label()
        self.connection = get_connection(fail_silently=False)

    def send(self, message: Message) -> str:
        council = message.plan.council.name
        email = EmailMultiAlternatives(
            subject=single_line(message.subject),
            body=message.body_text,
            from_email=sender_address(council),
            to=[message.email],
            connection=self.connection,
        )
        email.attach_alternative(message.body_html, "text/html")
        try:
            email.send()
        except Exception:
            # A broken connection would fail every later message: start afresh.
            try:
                self.connection.close()
            except Exception:  # noqa: BLE001 - closing a dead connection may fail too
                pass
            raise
        return ""

    @staticmethod
    def permanent(error: Exception) -> bool:
        """Django refuses to build the message (a header with a line break:
        BadHeaderError; a recipient that is not an address): it never will.
        A server's refusal (SMTPRecipientsRefused) may pass, and is retried."""
        return isinstance(error, ValueError)

    def close(self) -> None:
        try:
            self.connection.close()
        except Exception:  # noqa: BLE001
            pass


class NotifySender:
    """GOV.UK Notify, through its Python client, with one generic template
    (NOTIFY_TEMPLATE_ID) whose subject is ((subject)) and body ((body)). The
    name recipients see is the Notify service's name, set in Notify."""

    name = "notify"

    def __init__(self) -> None:
        from notifications_python_client.notifications import NotificationsAPIClient

        self.client = NotificationsAPIClient(
            settings.NOTIFY_API_KEY,
            base_url=settings.NOTIFY_BASE_URL,
            timeout=settings.EMAIL_TIMEOUT,
        )

    def send(self, message: Message) -> str:
        response = self.client.send_email_notification(
            email_address=message.email,
            template_id=settings.NOTIFY_TEMPLATE_ID,
            personalisation={"subject": single_line(message.subject), "body": message.body_text},
            reference=f"message-{message.pk}",
            email_reply_to_id=settings.NOTIFY_REPLY_TO_ID or None,
        )
        return str(response.get("id", ""))[:100]

    @staticmethod
    def permanent(error: Exception) -> bool:
        """Notify answered 400: it refuses this message as it is (a recipient
        that is not an address, a personalisation it cannot use)."""
        from notifications_python_client.errors import HTTPError

        return isinstance(error, HTTPError) and error.status_code == 400

    def close(self) -> None:
        self.client.request_session.close()


def get_sender() -> DjangoMailSender | NotifySender:
    return NotifySender() if settings.NOTIFY_API_KEY else DjangoMailSender()
