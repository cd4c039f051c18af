"""The plan overview's filters and sort: which of the plan's areas it lists
(by RAG status, theme, lead, overdue milestones or actions) and in what order (any
column, either way).

Both are read from the address, by a GET form, so that a filtered, sorted
list can be bookmarked and shared. Every value must be one of the plan's own
choices: a theme or lead of another plan is simply not among them, so it is an
error on the form and never reaches a query. Sorting always ends with the
area's number, so that areas that tie keep one order.
"""

from __future__ import annotations

import functools
import operator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Div, Field, Fieldset, Layout, Size
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Case, Count, F, IntegerField, OuterRef, Q, QuerySet, Subquery, When
from django.db.models.functions import Lower

from core.rag import NOT_RATED, RAG, STATUSES

from .models import ImprovementArea, Owner, Plan, ProgressUpdate

# The RAG filter's value for an area nobody has rated (no approved update), and
# the theme and lead filters' value for an area without one.
NONE = "none"
ASCENDING, DESCENDING = "asc", "desc"


@dataclass(frozen=True)
class Column:
    """A column of the overview's table, and how it sorts: ``key`` is the
    ``sort`` in the address; ``ascending`` and ``descending`` say the order in
    words ("Red to Blue"), in the header link and the page's summary."""

    key: str
    label: str
    name: str  # in a sentence: "sorted by current status"
    ascending: str
    descending: str
    numeric: bool = False

    def order(self, descending: bool) -> str:
        return self.descending if descending else self.ascending


COLUMNS: tuple[Column, ...] = (
    Column("number", "No.", "area number", "lowest first", "highest first"),
    Column("recommendation", "Recommendation", "recommendation", "A to Z", "Z to A"),
    Column("lead", "Lead", "lead", "A to Z", "Z to A"),
    # By severity, as the RAG table orders it (core/rag.py): best to worst.
    Column("rag", "Current status", "current status", "Blue to Red", "Red to Blue"),
    Column("updated", "Last update", "last update", "oldest first", "newest first"),
    Column(
        "overdue",
        "Overdue",
        "overdue milestones and actions",
        "fewest first",
        "most first",
        numeric=True,
    ),
)
COLUMN = {c.key: c for c in COLUMNS}
DEFAULT_SORT = "number"


def _severity() -> Subquery:
    """The area's current status as its severity (Blue 0 … Red 3; none when not
    rated), from its latest approved update: one subquery, like the status."""
    latest = ProgressUpdate.objects.filter(area=OuterRef("pk")).latest_approved_first()
    rank = Case(
        *[When(rag=s.value, then=RAG.severity(s.value)) for s in STATUSES],
        output_field=IntegerField(),
    )
    return Subquery(latest.annotate(rank=rank).values("rank")[:1])


def _sort_expression(key: str) -> Any:
    """What a column sorts on. Areas with nothing in it (not rated, no lead,
    no approved update) come last whichever way it sorts."""
    return {
        "number": F("number"),
        "recommendation": Lower("recommendation"),
        "lead": Lower("lead__job_title"),
        "rag": F("current_severity"),
        "updated": F("current_as_at"),
        "overdue": F("overdue_total"),
    }[key]


@dataclass(frozen=True)
class Selection:
    """The filters and sort the overview shows: only values the form accepted.

    ``rag`` holds RAG values and ``NONE`` (not rated); ``theme`` and ``lead``
    are "" (any), ``NONE``, or the id of one of the plan's own.
    """

    rag: tuple[str, ...] = ()
    theme: str = ""
    lead: str = ""
    overdue: bool = False
    sort: str = DEFAULT_SORT
    descending: bool = False

    @property
    def filtered(self) -> bool:
        return bool(self.rag or self.theme or self.lead or self.overdue)

    def apply(self, areas: QuerySet[ImprovementArea]) -> QuerySet[ImprovementArea]:
        """``areas`` (``for_overview()``'s, which are annotated with the status
        and overdue count) filtered and sorted. Still one query."""
        wanted = Q()
        if self.rag:
            rated = [value for value in self.rag if value != NONE]
            either_of = [Q(current_rag__in=rated)] if rated else []
            if NONE in self.rag:
                either_of.append(Q(current_rag__isnull=True))
            wanted &= functools.reduce(operator.or_, either_of)
        for name, value in (("theme", self.theme), ("lead", self.lead)):
            if value == NONE:
                wanted &= Q(**{f"{name}__isnull": True})
            elif value:
                wanted &= Q(**{f"{name}_id": int(value)})
        if self.overdue:
            wanted &= Q(overdue_total__gt=0)
        areas = areas.filter(wanted)
        if self.sort == "rag":
            areas = areas.annotate(current_severity=_severity())
        expression = _sort_expression(self.sort)
        first = (
            expression.desc(nulls_last=True) if self.descending else expression.asc(nulls_last=True)
        )
        return areas.order_by(first, "number") if self.sort != "number" else areas.order_by(first)

    def filter_query(self) -> list[tuple[str, str]]:
        """The filters as the address carries them."""
        query = [("rag", value) for value in self.rag]
        query += [(name, value) for name, value in (("theme", self.theme), ("lead", self.lead))]
        query.append(("overdue", "yes" if self.overdue else ""))
        return [(name, value) for name, value in query if value]

    def sort_query(self, sort: str, descending: bool) -> list[tuple[str, str]]:
        if sort == DEFAULT_SORT and not descending:
            return []  # the page as it first opens
        return [("sort", sort), ("dir", DESCENDING if descending else ASCENDING)]

    def address(
        self,
        path: str,
        *,
        sort: str | None = None,
        descending: bool | None = None,
        filters: bool = True,
    ) -> str:
        """The overview's address with these filters (unless ``filters`` is
        false) and this sort, or another."""
        query = self.filter_query() if filters else []
        query += self.sort_query(
            self.sort if sort is None else sort,
            self.descending if descending is None else descending,
        )
        return f"{path}?{urlencode(query)}" if query else path


class YesCheckbox(forms.CheckboxInput):
    """A checkbox that sends "yes", and hands the field exactly what it got,
    so that anything else is an error rather than quietly a tick."""

    def __init__(self) -> None:
        # The class by hand: crispy-forms-gds gives it only to a CheckboxInput by name.
        super().__init__(
            attrs={"class": "govuk-checkboxes__input"}, check_test=lambda value: value == "yes"
        )

    def format_value(self, value: Any) -> str:
        return "yes"

    def value_from_datadict(self, data, files, name: str) -> Any:
        return data.get(name)


class YesField(forms.Field):
    widget = YesCheckbox

    def to_python(self, value: Any) -> bool:
        if value in (None, ""):
            return False
        if value == "yes":
            return True
        raise ValidationError(self.error_messages["invalid"], code="invalid")


class Choices(forms.MultipleChoiceField):
    """Several of a list; an empty value (``?rag=``) is none of them."""

    def to_python(self, value: Any) -> list[str]:
        return [v for v in super().to_python(value) if v != ""]


SORT_ERROR = "Sort the areas by selecting a column heading in the table"


class OverviewForm(forms.Form):
    """The overview's filters, with the sort the page is in (``sort``, ``dir``,
    carried by the column headings' links and kept by the form as hidden
    fields). Choices are the plan's own; the queries that make them are a fixed
    three: themes, leads, and the plan's areas counted."""

    rag = Choices(
        label="Current status",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Select current statuses from the list"},
    )
    theme = forms.ChoiceField(
        label="Theme",
        required=False,
        error_messages={"invalid_choice": "Select a theme from the list"},
    )
    lead = forms.ChoiceField(
        label="Lead",
        required=False,
        error_messages={"invalid_choice": "Select a lead from the list"},
    )
    overdue = YesField(
        label="Only areas with an overdue milestone or action",
        required=False,
        error_messages={
            "invalid": (
                "Select ‘Only areas with an overdue milestone or action’, or leave it unselected"
            )
        },
    )

    def __init__(self, data, *, plan: Plan) -> None:
        super().__init__(data)
        counts = plan.areas.aggregate(
            total=Count("pk"),
            without_theme=Count("pk", filter=Q(theme__isnull=True)),
            without_lead=Count("pk", filter=Q(lead__isnull=True)),
        )
        self.total = counts["total"]
        self.fields["rag"].choices = [s.choice for s in STATUSES] + [(NONE, NOT_RATED.label)]
        self.themes = {str(t.pk): t.name for t in plan.themes.order_by("order", "name")}
        self.fields["theme"].choices = (
            [("", "All themes")]
            + list(self.themes.items())
            + ([(NONE, "No theme")] if counts["without_theme"] else [])
        )
        leads = (
            Owner.objects.filter(areas_led__plan=plan)
            .select_related("organisation")
            .distinct()
            .order_by("job_title", "organisation__name")
        )
        self.leads = {str(o.pk): str(o) for o in leads}
        self.fields["lead"].choices = (
            [("", "All leads")]
            + list(self.leads.items())
            + ([(NONE, "No lead yet")] if counts["without_lead"] else [])
        )
        if not self.themes:
            del self.fields["theme"]  # a plan without themes: nothing to choose
        self.helper = FormHelper()
        self.helper.form_tag = False
        # A GET form: crispy would otherwise add a CSRF token, which would end
        # up in the address bar and the logs.
        self.helper.form_method = "get"
        self.helper.label_size = Size.SMALL
        self.helper.legend_size = Size.SMALL
        selects = [
            Field.select(name, css_class="govuk-!-width-full")
            for name in ("theme", "lead")
            if name in self.fields
        ]
        self.helper.layout = Layout(
            Div(
                Div(
                    # Its own template: crispy's gives the first box an id that
                    # the error summary does not link to.
                    Field.checkboxes(
                        "rag",
                        legend_size=Size.SMALL,
                        small=True,
                        template="plans/_overview_rag_filter.html",
                    ),
                    css_class="govuk-grid-column-one-third",
                ),
                Div(*selects, css_class="govuk-grid-column-one-third"),
                Div(
                    Fieldset(
                        Field.checkbox("overdue", small=True),
                        legend="Overdue",
                        legend_size=Size.SMALL,
                    ),
                    css_class="govuk-grid-column-one-third",
                ),
                css_class="govuk-grid-row",
            )
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        sort = self.data.get("sort") or DEFAULT_SORT
        direction = self.data.get("dir") or ASCENDING
        if sort not in COLUMN or direction not in (ASCENDING, DESCENDING):
            raise ValidationError(SORT_ERROR)
        data["sort"], data["descending"] = sort, direction == DESCENDING
        return data

    def selection(self) -> Selection:
        """What the page shows: what was valid of what was asked. A field in
        error counts as not filtered; a bad sort as the first column's."""
        data = getattr(self, "cleaned_data", {})
        rag = data.get("rag") or ()
        return Selection(
            # In the RAG table's order, however the address had them.
            rag=tuple(value for value, _label in self.fields["rag"].choices if value in rag),
            theme=data.get("theme") or "",
            lead=data.get("lead") or "",
            overdue=bool(data.get("overdue")),
            sort=data.get("sort", DEFAULT_SORT),
            descending=data.get("descending", False),
        )

    def describe(self, selection: Selection) -> list[str]:
        """The filters applied, in words: ["Amber or Red", "theme Leadership"]."""
        parts = []
        if selection.rag:
            words = {value: value.capitalize() for value, _label in self.fields["rag"].choices}
            words[NONE] = NOT_RATED.label.lower()
            parts.append(either([words[value] for value in words if value in selection.rag]))
        if selection.theme == NONE:
            parts.append("no theme")
        elif selection.theme:
            parts.append(f"theme {self.themes[selection.theme]}")
        if selection.lead == NONE:
            parts.append("no lead yet")
        elif selection.lead:
            parts.append(f"lead {self.leads[selection.lead]}")
        if selection.overdue:
            parts.append("with an overdue milestone or action")
        return parts


def either(words: list[str]) -> str:
    """The words joined: "Red", "Amber or Red", "Green, Amber or Red"."""
    return " or ".join([", ".join(words[:-1]), words[-1]]) if len(words) > 1 else words[0]


@dataclass
class Header:
    """A column heading: its sort link, and ``aria_sort`` when the table is
    sorted by it."""

    column: Column
    href: str
    next_order: str  # what following the link does, in words
    aria_sort: str = ""


def headers(selection: Selection, path: str) -> list[Header]:
    """The table's column headings, each linking to the list sorted by it
    (ascending, or the other way if it is sorted by it already), filters kept."""
    result = []
    for column in COLUMNS:
        current = column.key == selection.sort
        descending = current and not selection.descending
        header = Header(
            column=column,
            href=selection.address(path, sort=column.key, descending=descending),
            next_order=column.order(descending),
        )
        if current:
            header.aria_sort = "descending" if selection.descending else "ascending"
        result.append(header)
    return result


@dataclass
class OverviewPage:
    """What the template shows of the filters and sort."""

    selection: Selection
    headers: list[Header]
    shown: int
    total: int
    filters: list[str]
    sorted_by: str
    clear: str  # the address without filters, in the same order
    sort_fields: list[tuple[str, str]]  # the form's hidden fields, to keep the sort


def overview_page(form: OverviewForm, path: str, shown: int) -> OverviewPage:
    selection = form.selection()
    column = COLUMN[selection.sort]
    return OverviewPage(
        selection=selection,
        headers=headers(selection, path),
        shown=shown,
        total=form.total,
        filters=form.describe(selection),
        sorted_by=f"{column.name}, {column.order(selection.descending)}",
        clear=selection.address(path, filters=False),
        sort_fields=selection.sort_query(selection.sort, selection.descending),
    )
