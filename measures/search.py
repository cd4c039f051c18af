"""Success measures in the plan's search (plans/search/): found by their name
and definition, shown on their area's page. Registered from
MeasuresConfig.ready."""

from __future__ import annotations

from plans.search.plan_kinds import area_url, in_area
from plans.search.registry import Kind, Place, register

from .models import Measure


def _measure(measure: Measure) -> Place:
    return Place(
        measure.name,
        area_url(measure.area, f"measure-{measure.pk}"),
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
