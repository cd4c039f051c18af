from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from core import rag
from plans.models import ProgressUpdate, format_plan_date

register = template.Library()

STATE_TAGS = {
    ProgressUpdate.State.DRAFT: "govuk-tag--grey",
    ProgressUpdate.State.SUBMITTED: "govuk-tag--blue",
    ProgressUpdate.State.RETURNED: "govuk-tag--orange",
    ProgressUpdate.State.APPROVED: "govuk-tag--green",
}


@register.simple_tag
def rag_tag(value: str | None, assessed: bool = False) -> str:
    """A RAG status as its word in a coloured tag: never colour alone. A status
    nobody gave (``assessed`` when the plan was loaded) carries the mark the key
    explains."""
    return mark_safe(rag.rag_tag(value, rag.rag_label(value, assessed)))  # noqa: S308 (escaped there)


@register.simple_tag
def rag_word_tag(value: str | None) -> str:
    """A status as its colour word alone ("Amber", "Not rated") in its tag,
    where the key beside it gives the meanings (the dashboard's counts)."""
    word = rag.rag_label(value).split(" – ")[0]
    return mark_safe(rag.rag_tag(value, word))  # noqa: S308 (escaped there)


@register.simple_tag
def state_tag(value: str) -> str:
    return format_html(
        '<strong class="govuk-tag {}">{}</strong>',
        STATE_TAGS.get(value, ""),
        ProgressUpdate.State(value).label,
    )


@register.filter
def plan_date(value, precision: str = "day") -> str:
    return format_plan_date(value, precision)


@register.simple_tag
def rag_meanings() -> list[tuple[str, str]]:
    """The RAG key's lines, from the RAG table (core/rag.py)."""
    return [(value, meaning) for value, _label, meaning in rag.rag_key()]


@register.simple_tag
def assessed_meaning() -> tuple[str, str]:
    """The assessed mark and what it means, for the key."""
    return rag.ASSESSED_MARK, rag.ASSESSED_MEANING
