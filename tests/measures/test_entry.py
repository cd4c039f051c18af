"""Entering figures and defining measures: who may, and what bad input gets."""

from decimal import Decimal

import pytest
from django.urls import reverse

from measures.models import Measure, MeasureSettings, MeasureValue
from tests.support.forms import figure_url, last_month, post_figure

pytestmark = pytest.mark.django_db


def test_who_may_open_the_figure_page(clients, measures):
    url = figure_url(measures.mine)
    expected = {
        "officer": 200,  # the measure's owner
        "other_officer": 403,
        "admin": 200,
        "board": 403,
        "scrutiny": 403,
        "outsider": 404,
    }
    got = {role: clients[role].get(url).status_code for role in expected}
    assert got == expected
    assert clients["admin"].get(figure_url(measures.elsewhere)).status_code == 404
    assert clients["anonymous"].get(url).status_code == 302


def test_the_owner_enters_a_figure_and_it_reaches_the_area_page(clients, measures, world):
    response = post_figure(clients["officer"], measures.mine, "86.5", comment="Audit month")
    assert response.status_code == 302
    value = MeasureValue.objects.get(measure=measures.mine)
    assert value.value == Decimal("86.5")
    assert value.entered_by == world.users["officer"]
    assert value.history.get().history_change_reason == "Figure entered"
    page = clients["board"].get(reverse("plans:area", args=[world.plan.slug, 1])).content.decode()
    assert "86.5%" in page
    assert "Near target" in page  # within 5% of 90: derived, and said so
    assert "calculated from the figures" in page


@pytest.mark.parametrize(
    "value, message",
    [
        ("NaN", "Enter a number"),
        ("inf", "Enter a number"),
        ("1e5", "Enter a number"),
        ("=SUM(A1)", "Enter a number"),
        ("-3", "0 or more"),
        ("150", "between 0 and 100"),
        ("9" * 30, "less than 1,000,000,000"),
        ("", "Enter the figure"),
    ],
)
def test_bad_figures_get_an_error_and_store_nothing(clients, measures, value, message):
    response = post_figure(clients["officer"], measures.mine, value)
    assert response.status_code == 400
    body = response.content.decode()
    assert "govuk-error-summary" in body
    assert message in body
    assert not MeasureValue.objects.exists()


@pytest.mark.parametrize("period", ["2999-01-01", "2015-02-30", "2015-03-15", "x", ""])
def test_bad_and_future_periods_are_refused(clients, measures, period):
    response = clients["officer"].post(
        figure_url(measures.mine), {"period": period, "value": "50", "comment": "", "reason": ""}
    )
    assert response.status_code == 400
    assert not MeasureValue.objects.exists()
    bad_get = clients["officer"].get(
        reverse("measures:figure", args=[measures.mine.pk]), {"period": period}
    )
    assert bad_get.status_code == 400
    assert "govuk-error-summary" in bad_get.content.decode()


def test_a_correction_needs_a_reason_and_keeps_the_earlier_figure(clients, measures):
    assert post_figure(clients["officer"], measures.mine, "70").status_code == 302
    value = MeasureValue.objects.get()
    refused = post_figure(clients["officer"], measures.mine, "75", version=value.version)
    assert refused.status_code == 400
    assert "reason for correcting" in refused.content.decode()
    assert MeasureValue.objects.get().value == Decimal("70")
    done = post_figure(
        clients["officer"], measures.mine, "75", version=value.version, reason="Recount"
    )
    assert done.status_code == 302
    assert [h.value for h in MeasureValue.objects.get().history.order_by("history_date")] == [
        Decimal("70"),
        Decimal("75"),
    ]
    # The same figure again writes nothing.
    again = post_figure(clients["officer"], measures.mine, "75", version=value.version + 1)
    assert again.status_code == 302
    assert MeasureValue.history.count() == 2


def test_a_stale_correction_is_refused(clients, measures):
    post_figure(clients["officer"], measures.mine, "70")
    post_figure(clients["admin"], measures.mine, "72", version=1, reason="Admin's recount")
    stale = post_figure(clients["officer"], measures.mine, "74", version=1, reason="Mine")
    assert stale.status_code == 409
    assert MeasureValue.objects.get().value == Decimal("72")


def test_refused_roles_cannot_post_figures(clients, measures):
    for role in ("other_officer", "board", "scrutiny"):
        assert post_figure(clients[role], measures.mine, "50").status_code == 403
    assert post_figure(clients["outsider"], measures.mine, "50").status_code == 404
    assert post_figure(clients["officer"], measures.theirs, "50").status_code == 403
    assert not MeasureValue.objects.exists()


def test_this_months_figures_page(clients, measures, world):
    url = reverse("measures:figures", args=[world.plan.slug])
    officer = clients["officer"].get(url)
    assert officer.status_code == 200
    body = officer.content.decode()
    assert measures.mine.name in body and measures.theirs.name not in body
    admin = clients["admin"].get(url).content.decode()
    assert measures.mine.name in admin and measures.theirs.name in admin
    for role in ("board", "scrutiny"):
        assert clients[role].get(url).status_code == 403
    assert clients["outsider"].get(url).status_code == 404
    month = last_month().isoformat()
    data = {
        "month": month,
        f"value_{measures.mine.pk}": "81",
        f"value_{measures.theirs.pk}": "",
    }
    saved = clients["admin"].post(url, data)
    assert saved.status_code == 302
    assert MeasureValue.objects.get().value == Decimal("81")
    # A correction without its reason, and a bad figure: nothing written.
    bad = clients["admin"].post(
        url,
        {
            "month": month,
            f"value_{measures.mine.pk}": "82",
            f"version_{measures.mine.pk}": "1",
            f"value_{measures.theirs.pk}": "NaN",
        },
    )
    assert bad.status_code == 400
    text = bad.content.decode()
    assert "enter the reason for correcting" in text
    assert "Enter a number" in text
    assert MeasureValue.objects.count() == 1
    assert MeasureValue.objects.get().value == Decimal("81")
    # An officer's post naming someone else's measure is ignored, not saved.
    clients["officer"].post(url, {"month": month, f"value_{measures.theirs.pk}": "5"})
    assert not MeasureValue.objects.filter(measure=measures.theirs).exists()
    assert clients["admin"].post(url, {"month": "2999-01-01"}).status_code == 400
    assert clients["admin"].get(url, {"period": "nonsense"}).status_code == 400


def test_defining_a_measure(clients, world):
    url = reverse("measures:measure_new", args=[world.plan.slug, world.area.number])
    for role, status in {
        "officer": 200,
        "other_officer": 403,
        "admin": 200,
        "board": 403,
        "outsider": 404,
    }.items():
        assert clients[role].get(url).status_code == status, role
    data = {
        "name": "Return interviews within 72 hours",
        "definition": "Interviews in 72 hours ÷ episodes",
        "unit": "percentage",
        "polarity": "higher",
        "frequency": "monthly",
        "target_value": "150",
        "tolerance": "2",
        "tolerance_kind": "",
    }
    bad = clients["officer"].post(url, data)
    assert bad.status_code == 400
    body = bad.content.decode()
    assert "between 0 and 100" in body and "Select how the tolerance is measured" in body
    data.update(target_value="80", tolerance_kind="absolute", owner=str(2**70))
    assert clients["officer"].post(url, data).status_code == 400  # out-of-range id
    data["owner"] = str(world.area.lead.pk)
    assert clients["officer"].post(url, data).status_code == 302
    measure = Measure.objects.get()
    assert measure.target_value == Decimal("80") and measure.tolerance_kind == "absolute"
    edit = reverse("measures:measure_edit", args=[measure.pk])
    assert clients["other_officer"].get(edit).status_code == 403
    changed = {**data, "target_value": "85", "reason": "", "version": "1"}
    assert clients["admin"].post(edit, changed).status_code == 400  # a reason is required
    changed["reason"] = "The board raised the target"
    assert clients["admin"].post(edit, changed).status_code == 302
    measure.refresh_from_db()
    assert measure.target_value == Decimal("85")
    assert measure.history.first().history_change_reason == "The board raised the target"
    stale = clients["officer"].post(edit, {**changed, "target_value": "70"})
    assert stale.status_code == 409
    measure.refresh_from_db()
    assert measure.target_value == Decimal("85")


def test_the_plans_measure_settings(clients, world, measures):
    url = reverse("measures:settings", args=[world.plan.slug])
    for role, status in {"officer": 403, "admin": 200, "board": 403, "outsider": 404}.items():
        assert clients[role].get(url).status_code == status, role
    assert not MeasureSettings.objects.exists()  # made when first saved, not when read
    data = {
        "default_tolerance": "10",
        "default_tolerance_kind": "percent",
        "figures_due_days": "400",
        "version": "1",
    }
    assert clients["admin"].post(url, data).status_code == 400
    data["figures_due_days"] = "10"
    assert clients["admin"].post(url, data).status_code == 302
    settings = MeasureSettings.objects.get(plan=world.plan)
    assert settings.default_tolerance == Decimal("10")
    # A change from version 1 makes version 2; a form still at version 1 is then refused.
    assert clients["admin"].post(url, {**data, "default_tolerance": "7"}).status_code == 302
    assert clients["admin"].post(url, {**data, "default_tolerance": "3"}).status_code == 409
    assert MeasureSettings.objects.get(plan=world.plan).default_tolerance == Decimal("7")
