"""The permission helpers, for templates: ``{% if plan|can_sign_off:user %}``.

Templates only decide what to show; the views check the same helpers before
doing anything (plans/permissions.py).
"""

from django import template

from plans import permissions as perms

register = template.Library()


@register.filter
def can_sign_off(plan, user) -> bool:
    return bool(plan) and perms.can_sign_off(user, plan)


@register.filter
def can_manage_plan(plan, user) -> bool:
    return bool(plan) and perms.can_manage_plan(user, plan)


@register.filter
def is_officer_in(plan, user) -> bool:
    return bool(plan) and perms.is_officer(user, plan)


@register.filter
def can_issue_papers(plan, user) -> bool:
    return bool(plan) and perms.can_issue_papers(user, plan)


@register.simple_tag
def only_plan(user):
    """The one plan the user holds a role in, or None: pages that are about no
    plan in particular (My work, the list of plans) still show that plan's menu,
    so the navigation is the same on every page."""
    plans = list(perms.visible_plans(user)[:2]) if user.is_authenticated else []
    return plans[0] if len(plans) == 1 else None
