"""Measures in templates: the derived RAG as a word in a coloured tag, the
direction of travel with its arrow, and the rules pages ask about."""

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from plans import permissions as perms

from .. import rag as mrag
from ..demo import ILLUSTRATIVE_MARK

register = template.Library()


@register.simple_tag
def measure_rag(value: str | None, label: str) -> str:
    """'On target' / 'Near target' / 'Off target' in the RAG colours; never colour alone."""
    if not value:
        return format_html('<strong class="app-rag app-rag--none">{}</strong>', label)
    return format_html('<strong class="app-rag app-rag--{}">{}</strong>', value, label)


@register.simple_tag
def travel(direction: str) -> str:
    arrows = {mrag.IMPROVING: "▲", mrag.WORSENING: "▼", mrag.UP: "↑", mrag.DOWN: "↓"}
    if not direction:
        return mark_safe("–")
    arrow = arrows.get(direction)
    if arrow:
        return format_html('<span aria-hidden="true">{} </span>{}', arrow, direction)
    return direction


@register.filter
def may_enter_figures(plan, user) -> bool:
    return bool(plan) and perms.may_enter_any_figures(user, plan)


@register.filter
def is_illustrative(plan) -> bool:
    """A plan of made-up data (the demo council's): labelled on every page."""
    return bool(plan) and ILLUSTRATIVE_MARK in getattr(plan, "title", "")
