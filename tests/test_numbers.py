"""Every number a form, an upload or an address takes is bounded by the column
that keeps it: extreme values (huge, negative, NaN, infinity, 1e309, many
decimals, other scripts' digits, full-width digits, empty, white space) are
a form error (a 4xx, or a 200 that shows the error), never a 500, and nothing
outside its column is ever stored. (A default tolerance of 99999999 in a
column of eight digits used to be a 500.)

``CASES`` is the table of every numeric field of every form (and of the
numbers read by hand from uploads and addresses): the first test walks every
Form class in the project and fails on a numeric field the table does not
cover, or one not bound to its column (core/numbers.py)."""

from __future__ import annotations

import csv
import importlib
import inspect
import io
import itertools
import pkgutil
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django import forms
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from core.numbers import WholeNumberField, column_range
from measures.fields import FigureField
from measures.forms import FigureForm, FiguresForm, MeasureForm, SettingsForm
from measures.models import Measure, MeasureSettings, MeasureValue
from plans.admin import VersionedFormMixin
from plans.forms_setup.details import PlanDetailsForm, ThemeForm
from plans.models import Milestone, Plan, Theme
from reminders.forms import RemindForm, ReturnSettingsForm
from reminders.models import ReturnSettings, parse_numbers
from tests.conftest import client_for
from tests.measures.conftest import Measures, make_measure
from tests.support.examples import examples
from tests.support.forms import last_month
from tests.support.pages import form_data

pytestmark = pytest.mark.django_db

APPS = ("plans", "measures", "reminders", "reporting", "workbook")

# What the brief of every such field must survive, each value posted to every field.
EXTREMES = [
    "99999999",
    "999999999999999999999999999999999999999",
    "-1",
    "-99999999999",
    "NaN",
    "inf",
    "-inf",
    "1e309",
    "0.0000000001",
    "12.345678901234567890",
    "٣",
    "१२",
    "１２",
    "",
    "   ",
    "²",
    "1_000",
]
# And, at random, anything else a number could be typed as.
NUMBER_TEXT = st.one_of(
    st.integers(min_value=-(10**40), max_value=10**40).map(str),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.floats().map(repr),
    st.text(alphabet="0123456789٠١٢٣४५６７.,-+eE _%", max_size=25),
)
PER_FIELD = 25  # at random, besides the EXTREMES


# --- The table ------------------------------------------------------------------------


@dataclass
class Ctx:
    world: object
    measures: object
    clients: dict
    operator: object  # a signed-in client of a superuser (the admin site)
    made: itertools.count


@dataclass(frozen=True)
class Case:
    name: str
    form: type[forms.BaseForm] | None  # None: a number read by hand (upload, address)
    fields: tuple[str, ...]  # as the form declares them ("value_*": one per measure)
    send: Callable[[Ctx, str, str], object]  # (ctx, field, value) → response


def _post(client, url: str, data: dict, field: str, value: str):
    return client.post(url, {**data, field: value})


def send_settings(ctx: Ctx, field: str, value: str):
    current = MeasureSettings.objects.filter(plan=ctx.world.plan).first()
    data = {
        "default_tolerance": "5",
        "default_tolerance_kind": "percent",
        "figures_due_days": "15",
        "version": str(current.version) if current else "1",
    }
    url = reverse("measures:settings", args=[ctx.world.plan.slug])
    return _post(ctx.clients["admin"], url, data, field, value)


def send_measure(ctx: Ctx, field: str, value: str):
    data = {
        "name": f"Measure {next(ctx.made)}",
        "unit": "number",
        "polarity": "higher",
        "frequency": "monthly",
        "baseline_value": "10",
        "target_value": "80",
        "tolerance": "2",
        "tolerance_kind": "absolute",
    }
    url = reverse("measures:measure_new", args=[ctx.world.plan.slug, ctx.world.area.number])
    return _post(ctx.clients["admin"], url, data, field, value)


def _figure_now(ctx: Ctx) -> MeasureValue | None:
    return MeasureValue.objects.filter(measure=ctx.measures.mine, period=last_month()).first()


def send_figure(ctx: Ctx, field: str, value: str):
    current = _figure_now(ctx)
    data = {
        "period": last_month().isoformat(),
        "value": "50",
        "comment": "",
        "reason": "Recounted",
        "version": str(current.version) if current else "",
    }
    url = reverse("measures:figure", args=[ctx.measures.mine.pk])
    return _post(ctx.clients["admin"], url, data, field, value)


def send_figures(ctx: Ctx, field: str, value: str):
    pk = ctx.measures.mine.pk
    current = _figure_now(ctx)
    data = {
        "month": last_month().isoformat(),
        f"value_{pk}": "50",
        f"reason_{pk}": "Recounted",
        f"version_{pk}": str(current.version) if current else "",
    }
    url = reverse("measures:figures", args=[ctx.world.plan.slug])
    return _post(ctx.clients["admin"], url, data, field.replace("*", str(pk)), value)


def _date(name: str, day: int, month: int, year: int) -> dict:
    return {f"{name}_0": str(day), f"{name}_1": str(month), f"{name}_2": str(year)}


def send_details(ctx: Ctx, field: str, value: str):
    plan = Plan.objects.get(pk=ctx.world.plan.pk)
    data = {
        "title": "Children's Services Improvement Plan",
        "inspection_name": "Inspection of services for children",
        **_date("inspection_start", 6, 10, 2014),
        **_date("inspection_end", 30, 10, 2014),
        "judgement_areas": "Leadership",
        **_date("sent_to_inspectorate", 14, 4, 2015),
        "board_name": "Improvement Board",
        "board_description": "",
        "overview": "",
        "officers_may_update_any_area": "yes",
        "officers_see_submitted_updates": "no",
        "escalate_overdue_after_days": "30",
        "reason": "Agreed at the board",
        "version": str(plan.version),
    }
    url = reverse("plans:setup_details", args=[plan.slug])
    return _post(ctx.clients["admin"], url, data, field, value)


def send_theme(ctx: Ctx, field: str, value: str):
    data = {"name": f"Theme {next(ctx.made)}", "order": "3"}
    url = reverse("plans:setup_theme_new", args=[ctx.world.plan.slug])
    return _post(ctx.clients["admin"], url, data, field, value)


def send_return_settings(ctx: Ctx, field: str, value: str):
    data = {
        "working_days_before": "10",
        "trigger_kinds": ["improvement_board"],
        "reminder_offsets": "5, 1",
        "reason": "",
    }
    url = reverse("reminders:return_settings", args=[ctx.world.plan.slug])
    return _post(ctx.clients["admin"], url, data, field, value)


def send_remind(ctx: Ctx, field: str, value: str):
    url = reverse("reminders:remind", args=[ctx.world.plan.slug])
    return _post(ctx.clients["admin"], url, {}, field, value)


def send_admin(ctx: Ctx, field: str, value: str):
    url = reverse("admin:plans_milestone_change", args=[ctx.world.milestone.pk])
    data = {**form_data(ctx.operator.get(url)), "change_reason": "Tidying"}
    return _post(ctx.operator, url, data, field, value)


def send_upload(ctx: Ctx, field: str, value: str):
    """A CSV of one figure: the figure or the measure's id is ``value``;
    confirmed whenever its preview offers to save it."""
    cells = {"Measure ID": str(ctx.measures.mine.pk), "Period": f"{last_month():%Y-%m}"}
    cells["Figure"] = "50"
    cells[field] = value
    out = io.StringIO()
    csv.writer(out).writerows([list(cells), list(cells.values())])
    url = reverse("measures:upload", args=[ctx.world.plan.slug])
    client = ctx.clients["admin"]
    file = SimpleUploadedFile("f.csv", out.getvalue().encode())
    response = client.post(url, {"file": file, "reason": "Recounted"})
    token = re.search(r'name="token" value="([^"]+)"', response.content.decode())
    if response.status_code == 200 and token:
        confirm = reverse("measures:upload_confirm", args=[ctx.world.plan.slug])
        return client.post(confirm, {"token": token.group(1)})
    return response


def send_stale_days(ctx: Ctx, field: str, value: str):
    url = reverse("reporting:dashboard", args=[ctx.world.plan.slug])
    return ctx.clients["board"].get(url, {field: value})


def send_area_number(ctx: Ctx, field: str, value: str):
    """The plan's Areas sheet as CSV, its first area's number replaced (only
    checked: nothing is confirmed)."""
    client = ctx.clients["admin"]
    sheet = client.get(reverse("workbook:export_csv", args=[ctx.world.plan.slug, "areas"]))
    rows = list(csv.reader(io.StringIO(sheet.content.decode("utf-8-sig"))))
    rows[4][rows[3].index(field)] = value
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    file = SimpleUploadedFile("areas.csv", out.getvalue().encode())
    return client.post(reverse("workbook:import", args=[ctx.world.plan.slug]), {"file": file})


CASES = [
    Case(
        "measure settings",
        SettingsForm,
        ("default_tolerance", "figures_due_days", "version"),
        send_settings,
    ),
    Case("new measure", MeasureForm, ("baseline_value", "target_value", "tolerance"), send_measure),
    Case("a figure", FigureForm, ("value",), send_figure),
    Case("this month's figures", FiguresForm, ("value_*", "version_*"), send_figures),
    Case("plan details", PlanDetailsForm, ("escalate_overdue_after_days",), send_details),
    Case("new theme", ThemeForm, ("order",), send_theme),
    Case(
        "return settings",
        ReturnSettingsForm,
        ("working_days_before", "reminder_offsets"),
        send_return_settings,
    ),
    Case("remind now", RemindForm, ("owner",), send_remind),
    Case("admin site", VersionedFormMixin, ("opened_version",), send_admin),
    Case("figures upload", None, ("Figure", "Measure ID"), send_upload),
    Case("dashboard address", None, ("stale_days",), send_stale_days),
    Case("plan workbook", None, ("Area number",), send_area_number),
]


# --- Every numeric field of every form is in the table ---------------------------------

NUMERIC = (forms.IntegerField, forms.DecimalField, forms.FloatField, FigureField)
NUMERIC_NAMES = {"IntegerField", "DecimalField", "FloatField", "WholeNumberField", "FigureField"}
BOUND = (WholeNumberField, FigureField)
# A field added in __init__: self.fields[f"value_{m.pk}"] = FigureField(
ADDED = re.compile(r"self\.fields\[f?\"([^\"]+)\"\]\s*=\s*(?:forms\.)?(\w+)\(")


def project_forms() -> list[type[forms.BaseForm]]:
    for app in APPS:
        package = importlib.import_module(app)
        for module in pkgutil.walk_packages(package.__path__, f"{app}."):
            if ".migrations" not in module.name:
                importlib.import_module(module.name)

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    return sorted(
        {c for c in subclasses(forms.BaseForm) if c.__module__.split(".")[0] in APPS},
        key=lambda c: f"{c.__module__}.{c.__qualname__}",
    )


def declared_by(form: type, name: str) -> type:
    """The form class that declares the field ``name`` that ``form`` has (the
    same field object is every subclass's)."""
    field = form.base_fields[name]
    owners = [c for c in form.__mro__ if getattr(c, "declared_fields", {}).get(name) is field]
    return owners[-1] if owners else form


def numeric_fields(form: type) -> dict[tuple[str, str], object]:
    """{(declaring class, field name): the field, or the class name of one added
    in __init__} of every numeric field ``form`` has."""
    found: dict[tuple[str, str], object] = {}
    for name, field in form.base_fields.items():
        if isinstance(field, NUMERIC):
            found[(declared_by(form, name).__qualname__, name)] = field
    for klass in form.__mro__:
        if klass.__module__.split(".")[0] not in APPS or "__init__" not in vars(klass):
            continue
        for name, kind in ADDED.findall(inspect.getsource(vars(klass)["__init__"])):
            if kind in NUMERIC_NAMES:
                found[(klass.__qualname__, re.sub(r"\{[^}]*\}", "*", name))] = kind
    return found


def test_every_numeric_field_of_every_form_is_in_the_table_and_bound_to_its_column():
    covered = set()
    for case in CASES:
        if case.form is None:
            continue
        fields = numeric_fields(case.form)
        for name in case.fields:
            keys = [key for key in fields if key[1] == name]
            if not keys and name not in case.form.base_fields:
                raise AssertionError(f"{case.name}: {case.form.__name__} has no field {name}")
            covered.update(keys)
    found = {}
    for form in project_forms():
        found.update({key: form for key in numeric_fields(form)})
    assert found, "the walk found no numeric fields: is it looking in the right places?"
    missing = sorted(
        f"{form.__module__}.{key[0]}.{key[1]}" for key, form in found.items() if key not in covered
    )
    assert not missing, f"numeric fields not in CASES: {missing}"
    for form in project_forms():
        for key, field in numeric_fields(form).items():
            if isinstance(field, str):
                assert field in {"WholeNumberField", "FigureField"}, (key, field)
            else:
                assert isinstance(field, BOUND), f"{key} is not bound to a column"
                assert field.column, key


def test_the_table_reaches_hand_parsed_numbers_too():
    # The numbers no Form class declares: where each is read by hand.
    hand = {name for case in CASES if case.form is None for name in case.fields}
    assert {"Figure", "Measure ID", "stale_days", "Area number"} <= hand
    assert "reminder_offsets" in ReturnSettingsForm.base_fields  # parsed by parse_numbers
    with pytest.raises(ValueError):
        parse_numbers("٥, 1")


# --- Over HTTP: extreme values are form errors, and nothing invalid is stored -----------

TRACKED: tuple[type[models.Model], ...] = (
    MeasureSettings,
    Measure,
    MeasureValue,
    Plan,
    Theme,
    ReturnSettings,
    Milestone,
)


def stored_numbers_fit_their_columns() -> None:
    """Every number of every record these forms write is within its column
    (PostgreSQL's sizes, whatever the database: SQLite stores any integer in
    any integer column) and has no more decimal places than it keeps. The
    models' check constraints are the database's own to enforce."""
    for model in TRACKED:
        numeric = [
            f
            for f in model._meta.concrete_fields
            if isinstance(f, models.IntegerField | models.DecimalField)
            and not isinstance(f, models.AutoField)
        ]
        names = [f.attname for f in numeric]
        for row in model.objects.values_list(*names):
            for f, value in zip(numeric, row, strict=True):
                if value is None:
                    continue
                low, high = column_range((model, f.name))
                assert low <= value <= high, (model.__name__, f.name, value)
                if isinstance(f, models.DecimalField):
                    assert value == round(Decimal(value), f.decimal_places), (f.name, value)


def answered(response, case: Case, field: str, value: str) -> None:
    status = response.status_code
    assert status in (200, 302) or 400 <= status < 500, (case.name, field, value, status)
    if status >= 400 and response.get("Content-Type", "").startswith("text/html"):
        body = response.content.decode()
        assert "govuk-error-summary" in body or status in (403, 404, 409), (case.name, field)


@pytest.fixture
def ctx(world, clients) -> Ctx:
    operator = get_user_model().objects.create_superuser(
        "operator", "operator@example.org", "x-Long-pass-42"
    )
    measures = Measures(
        mine=make_measure(world.area, world.area.lead),
        # A number, in the same area: the figures page has more than one row.
        theirs=make_measure(world.area, world.area.lead, name="Caseload", unit="number"),
        elsewhere=make_measure(world.other_plan_area, world.other_plan_area.lead),
    )
    return Ctx(world, measures, clients, client_for(operator), itertools.count())


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_extreme_numbers_are_refused_never_a_500(case, ctx):
    def probe(field: str, value: str) -> None:
        response = case.send(ctx, field, value)
        answered(response, case, field, value)
        stored_numbers_fit_their_columns()

    for field in case.fields:
        for value in EXTREMES:
            probe(field, value)

    @settings(max_examples=examples(PER_FIELD * len(case.fields)), deadline=None, database=None)
    @given(field=st.sampled_from(case.fields), value=NUMBER_TEXT)
    def at_random(field: str, value: str) -> None:
        probe(field, value)

    at_random()


def test_a_default_tolerance_beyond_its_column_is_a_form_error(ctx):
    response = send_settings(ctx, "default_tolerance", "99999999")
    assert response.status_code == 400
    assert "Enter a default tolerance of 999,999.99 or less" in response.content.decode()
    assert not MeasureSettings.objects.exists()
    # A negative one is named for what it is, not "the figure".
    response = send_settings(ctx, "default_tolerance", "-5")
    assert response.status_code == 400
    assert "Enter a default tolerance of 0 or more" in response.content.decode()
    assert not MeasureSettings.objects.exists()
    assert send_settings(ctx, "default_tolerance", "999999.99").status_code == 302
    assert MeasureSettings.objects.get().default_tolerance == Decimal("999999.99")


@pytest.mark.parametrize("value", ["٣", "१२", "１２", "²", "1_000", "+5", " 12 "])
def test_only_the_digits_0_to_9_are_numbers(ctx, value):
    days = send_settings(ctx, "figures_due_days", value)
    assert days.status_code == 400 or value == " 12 "
    figure = send_figure(ctx, "value", value)
    assert figure.status_code == 400 or value == " 12 "
    if value != " 12 ":
        assert not MeasureValue.objects.exists()
