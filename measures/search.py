"""Success measures in the plan's search (plans/search/): found by their name
and definition, each leading to its own page. Registered from
MeasuresConfig.ready."""

from __future__ import annotations

from django.urls import reverse

from plans.search.plan_kinds import in_area
from plans.search.registry import Kind, Place, register

from .models import Measure


def _measure(measure: Measure) -> Place:
    return Place(
        measure.name,
        reverse("measures:measure", args=[measure.pk]),
        f"Success measure in {in_area(measure.area, measure.action)}",
    )


register(
    Kind(
        key="measures",
        heading="Success measures",
        plural="success measures",
        singular="success measure",
        order=50,
        fields=("name", "definition"),
        records=lambda plan: Measure.objects.filter(area__plan=plan).select_related(
            "area__plan", "action"
        ),
        place=_measure,
        excerpt_fields=("definition",),
        ordering=("area__number", "order", "name"),
    )
)
