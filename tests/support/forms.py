"""Form posts as the service's pages send them: progress updates, actions,
milestones and monthly figures."""

import datetime

from django.urls import reverse
from django.utils import timezone

from measures import periods


def date_fields(name: str, day: datetime.date | tuple) -> dict:
    d, m, y = (day.day, day.month, day.year) if isinstance(day, datetime.date) else day
    return {f"{name}_0": str(d), f"{name}_1": str(m), f"{name}_2": str(y)}


def update_post(rag="green", as_at=(1, 6, 2015), **extra) -> dict:
    return {
        **date_fields("as_at", as_at),
        "rag": rag,
        "narrative": "Audits of supervision show improvement.",
        "next_steps": "Roll out to all teams.",
        "evidence": "https://intranet.example.org/audit",
        **extra,
    }


def milestone_post(**extra) -> dict:
    return {
        "title": "Framework in place",
        "action": "",
        **date_fields("due_date", (30, 6, 2015)),
        "due_precision": "day",
        "note": "",
        "version": 1,
        **extra,
    }


def action_post(**extra) -> dict:
    return {
        "reference": "1.2",
        "title": "Service area action plans",
        "description": "",
        "owner": "",
        "status": "in_progress",
        "version": 1,
        **extra,
    }


def last_month() -> datetime.date:
    return periods.last_ended(timezone.localdate(), "monthly")


def figure_url(measure, period=None) -> str:
    url = reverse("measures:figure", args=[measure.pk])
    return url + (f"?period={period.isoformat()}" if period else "")


def post_figure(client, measure, value, period=None, **extra):
    period = period or last_month()
    data = {"period": period.isoformat(), "value": value, "comment": "", "reason": "", **extra}
    return client.post(figure_url(measure), data)
