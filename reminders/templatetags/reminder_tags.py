from django import template
from django.utils.html import format_html

from core.dates import long_date_with_weekday
from reminders.models import Message

register = template.Library()

STATUS_TAGS = {
    Message.Status.PENDING: "govuk-tag--grey",
    Message.Status.SENDING: "govuk-tag--blue",
    Message.Status.SENT: "govuk-tag--green",
    Message.Status.RETRYING: "govuk-tag--orange",
    Message.Status.FAILED: "govuk-tag--red",
    Message.Status.CANCELLED: "govuk-tag--grey",
}


@register.filter
def long_date(value) -> str:
    """'Friday 12 June 2026'."""
    return long_date_with_weekday(value) if value else ""


@register.simple_tag
def message_status_tag(message: Message) -> str:
    return format_html(
        '<strong class="govuk-tag {}">{}</strong>',
        STATUS_TAGS.get(message.status, ""),
        message.get_status_display(),
    )
