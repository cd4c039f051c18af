"""Measures in templates: the derived RAG as a word in a coloured tag, the
direction of travel with its arrow, and the rules pages ask about."""

from django import template
from django.utils.safestring import mark_safe

from core.rag import rag_tag
from plans import permissions as perms
from plans.models import ILLUSTRATIVE_MARK

from .. import html

register = template.Library()


@register.simple_tag
def measure_rag(value: str | None, label: str) -> str:
    """'On target' / 'Near target' / 'Off target' in the RAG colours; never colour alone."""
    return mark_safe(rag_tag(value, label))  # noqa: S308 (escaped there)


@register.simple_tag
def travel(direction: str) -> str:
    return mark_safe(html.travel(direction))  # noqa: S308 (escaped there)


@register.simple_tag
def measure_chart(card) -> str:
    """A measure's SVG chart and the table of its figures (measures/html.py)."""
    return html.chart(card)


@register.simple_tag
def scorecard_rows(cards, plan_slug: str, as_at) -> str:
    return html.scorecard_rows(cards, plan_slug, as_at)


@register.filter
def may_enter_figures(plan, user) -> bool:
    return bool(plan) and perms.may_enter_any_figures(user, plan)


@register.filter
def is_illustrative(plan) -> bool:
    """A plan of made-up data (the demo council's): labelled on every page."""
    return bool(plan) and ILLUSTRATIVE_MARK in getattr(plan, "title", "")
