"""Recording progress updates and signing them off."""

import datetime
import re

import pytest
from django.urls import reverse

from plans.models import ProgressUpdate
from plans.roles import PLAN_ADMINISTRATOR
from tests import factories
from tests.support.forms import update_post

pytestmark = pytest.mark.django_db


def new_url(world) -> str:
    return reverse("plans:update_new", args=[world.plan.slug, world.area.number])


def test_officer_submits_an_update_and_history_names_them(world, clients):
    response = clients["officer"].post(new_url(world), {**update_post(), "submit": "1"})
    update = ProgressUpdate.objects.get(narrative__startswith="Audits")
    assert response.status_code == 302
    assert response["Location"] == reverse("plans:update", args=[update.pk])
    assert update.state == ProgressUpdate.State.SUBMITTED
    assert update.author == world.users["officer"]
    assert update.as_at == datetime.date(2015, 6, 1)
    assert update.submitted_at is not None
    row = update.history.get()
    assert (row.history_user, row.history_change_reason) == (
        world.users["officer"],
        "Submitted for sign-off",
    )


def test_save_as_draft_keeps_it_private_and_editable(world, clients):
    clients["officer"].post(new_url(world), {**update_post(), "draft": "1"})
    update = ProgressUpdate.objects.get(narrative__startswith="Audits")
    assert update.state == ProgressUpdate.State.DRAFT
    area_page = clients["board"].get(reverse("plans:area", args=[world.plan.slug, 1]))
    assert b"Audits of supervision" not in area_page.content
    edit = reverse("plans:update_edit", args=[update.pk])
    response = clients["officer"].post(
        edit, {**update_post(narrative="Reworded."), "version": update.version, "submit": "1"}
    )
    assert response.status_code == 302
    update.refresh_from_db()
    assert (update.narrative, update.state, update.version) == ("Reworded.", "submitted", 2)


def test_worse_rag_needs_a_reason(world, clients):
    response = clients["officer"].post(new_url(world), {**update_post(rag="red"), "submit": "1"})
    assert response.status_code == 400
    assert b"Enter why the status is worse than the last approved status" in response.content
    assert b"govuk-error-summary" in response.content
    assert response.content.decode().count("<title>Error: ") == 1
    assert not ProgressUpdate.objects.filter(rag="red").exists()
    response = clients["officer"].post(
        new_url(world),
        {**update_post(rag="red", rag_reason="Staff vacancies in two teams."), "submit": "1"},
    )
    assert response.status_code == 302
    assert ProgressUpdate.objects.get(rag="red").rag_reason == "Staff vacancies in two teams."


@pytest.mark.parametrize(
    ("rag", "reason", "next_steps", "untold"),
    [
        # Amber or red tells its story: why, and what happens next.
        ("amber", "", "Agency cover from July.", {"rag_reason": "Enter why the status is Amber"}),
        ("red", "Vacancies.", "", {"next_steps": "Enter the next steps"}),
        ("amber", "Vacancies.", "Agency cover from July.", {}),
        # Green or blue needs neither, unless worse than the last approved status.
        ("green", "", "", {}),
        ("blue", "", "", {}),
    ],
)
def test_amber_or_red_says_why_and_what_happens_next(
    world, clients, rag, reason, next_steps, untold
):
    # An area of the officer's with no approved status yet: only the status
    # itself asks for the story.
    area = factories.ImprovementAreaFactory(plan=world.plan, number=9, lead=world.area.lead)
    url = reverse("plans:update_new", args=[world.plan.slug, area.number])
    posted = update_post(rag=rag, rag_reason=reason, next_steps=next_steps)
    response = clients["officer"].post(url, {**posted, "draft": "1"})
    page = response.content.decode()
    if untold:
        assert response.status_code == 400
        assert not ProgressUpdate.objects.filter(area=area).exists()
        for field, message in untold.items():
            assert message in page
            assert f'href="#id_{field}"' in page  # the error summary links to the field
    else:
        assert response.status_code == 302
        assert ProgressUpdate.objects.get(area=area, rag=rag).rag_reason == reason


def test_better_or_same_rag_needs_no_reason(world, clients):
    for rag in ("green", "blue"):
        response = clients["officer"].post(new_url(world), {**update_post(rag=rag), "draft": "1"})
        assert response.status_code == 302


@pytest.mark.parametrize(
    ("as_at", "message"),
    [
        ((31, 2, 2015), "The as-at date must be a real date"),
        ((1, 13, 2015), "The as-at date must be a real date"),
        (("", 5, 2015), "The as-at date must include a day"),
        (("x", 5, 2015), "The as-at date must be a real date"),
        ((1, 1, 1899), "The as-at date must be between 2000 and 2100"),
        ((1, 1, 99999), "The as-at date must be a real date"),
        (("", "", ""), "Enter the as-at date"),
    ],
)
def test_bad_dates_get_a_clear_message_and_store_nothing(world, clients, as_at, message):
    response = clients["officer"].post(new_url(world), {**update_post(as_at=as_at), "submit": "1"})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert ProgressUpdate.objects.count() == 1


def test_future_as_at_dates_are_refused(world, clients):
    tomorrow = datetime.date.today() + datetime.timedelta(days=2)
    response = clients["officer"].post(new_url(world), update_post(as_at=tomorrow))
    assert response.status_code == 400
    assert "The as-at date must be today or in the past" in response.content.decode()


def test_rag_must_come_from_the_scale_and_text_has_limits(world, clients):
    response = clients["officer"].post(new_url(world), update_post(rag="purple"))
    assert response.status_code == 400 and "Select a RAG status" in response.content.decode()
    response = clients["officer"].post(new_url(world), update_post(narrative="x" * 5001))
    assert "Progress must be 5,000 characters or fewer" in response.content.decode()
    response = clients["officer"].post(new_url(world), update_post(narrative="a\x00b"))
    assert response.status_code == 400
    response = clients["officer"].post(new_url(world), update_post(evidence="javascript:alert(1)"))
    assert "Enter each evidence link as a web address" in response.content.decode()
    assert ProgressUpdate.objects.count() == 1


def test_user_text_is_escaped(world, clients):
    script = "<script>alert('x')</script>"
    clients["officer"].post(new_url(world), {**update_post(narrative=script), "submit": "1"})
    update = ProgressUpdate.objects.get(narrative=script)
    page = clients["admin"].get(reverse("plans:update", args=[update.pk])).content.decode()
    assert script not in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page


def submitted(world, author="officer") -> ProgressUpdate:
    return factories.ProgressUpdateFactory(
        area=world.area,
        author=world.users[author],
        state=ProgressUpdate.State.SUBMITTED,
        rag="amber",
        narrative="Caseloads are falling.",
    )


def test_administrator_approves_and_it_becomes_the_current_status(world, clients):
    update = submitted(world)
    url = reverse("plans:update_review", args=[update.pk])
    response = clients["admin"].post(url, {"decision": "approve", "version": update.version})
    assert response.status_code == 302
    update.refresh_from_db()
    assert update.state == "approved" and update.approved_by == world.users["admin"]
    assert update.history.first().history_user == world.users["admin"]
    overview = clients["board"].get(reverse("plans:plan", args=[world.plan.slug]))
    assert "Amber – at risk" in overview.content.decode()


def test_return_needs_a_comment_and_goes_back_to_the_author(world, clients):
    update = submitted(world)
    url = reverse("plans:update_review", args=[update.pk])
    response = clients["admin"].post(url, {"decision": "return", "version": update.version})
    assert response.status_code == 400
    assert "Enter a comment saying what needs to change" in response.content.decode()
    response = clients["admin"].post(
        url, {"decision": "return", "comment": "Add the audit figures.", "version": update.version}
    )
    assert response.status_code == 302
    update.refresh_from_db()
    assert (update.state, update.review_comment) == ("returned", "Add the audit figures.")
    my_work = clients["officer"].get(reverse("plans:my_work")).content.decode()
    assert "Add the audit figures." in my_work
    # Not current status: the overview still shows the approved Green.
    overview = clients["board"].get(reverse("plans:plan", args=[world.plan.slug])).content.decode()
    # The list of areas (below the RAG key and the filters, which name every status).
    areas = overview[overview.index('<tbody class="govuk-table__body">') :]
    assert areas.count("Green – on track") == 1
    assert "Amber – at risk" not in areas


def test_nobody_approves_their_own_update(world, clients):
    admin_update = submitted(world, author="admin")
    url = reverse("plans:update_review", args=[admin_update.pk])
    assert clients["admin"].post(url, {"decision": "approve", "version": 1}).status_code == 403
    admin_update.refresh_from_db()
    assert admin_update.state == "submitted"


def test_approving_twice_or_a_draft_is_refused(world, clients):
    update = submitted(world)
    url = reverse("plans:update_review", args=[update.pk])
    clients["admin"].post(url, {"decision": "approve", "version": 1})
    rows = update.history.count()
    # Approving again (Back and submit, or a second tab) says what happened.
    again = clients["admin"].post(url, {"decision": "approve", "version": 2}, follow=True)
    assert again.redirect_chain == [(reverse("plans:update", args=[update.pk]), 302)]
    assert "This update has already been approved" in again.content.decode()
    # A draft is its author's alone: for the administrator it does not exist.
    draft = factories.ProgressUpdateFactory(area=world.area, author=world.users["officer"])
    draft_url = reverse("plans:update_review", args=[draft.pk])
    assert clients["admin"].post(draft_url, {"decision": "approve"}).status_code == 404
    assert update.history.count() == rows


def test_two_administrators_approving_at_once_the_second_is_told(world, clients):
    second = factories.UserFactory(username="admin2")
    factories.join(world.plan, {second: PLAN_ADMINISTRATOR})
    from tests.conftest import client_for

    update = submitted(world)
    url = reverse("plans:update_review", args=[update.pk])
    first_form = clients["admin"].get(url)
    second_client = client_for(second)
    second_client.get(url)
    assert first_form.status_code == 200
    clients["admin"].post(url, {"decision": "return", "comment": "Needs figures", "version": 1})
    response = second_client.post(url, {"decision": "approve", "version": 1}, follow=True)
    # Returned meanwhile: no longer reviewable, and the page says why.
    assert response.redirect_chain[0][1] == 302
    assert "This update has been returned to its author" in response.content.decode()
    update.refresh_from_db()
    assert update.state == "returned"


def test_sign_off_queue_lists_submitted_updates_only(world, clients):
    mine = submitted(world)
    factories.ProgressUpdateFactory(area=world.area, author=world.users["officer"])
    page = clients["admin"].get(reverse("plans:sign_off", args=[world.plan.slug])).content.decode()
    assert reverse("plans:update_review", args=[mine.pk]) in page
    assert page.count("Review<span") == 1


def refusals(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if "permission refused" in r.getMessage()]


def test_submitting_an_edited_draft_twice_says_so_and_writes_nothing(world, clients, caplog):
    draft = factories.ProgressUpdateFactory(area=world.area, author=world.users["officer"])
    edit = reverse("plans:update_edit", args=[draft.pk])
    posted = {**update_post(narrative="Reworded."), "version": draft.version, "submit": "1"}
    caplog.set_level("INFO", logger="plans.audit")
    assert clients["officer"].post(edit, posted).status_code == 302
    rows = draft.history.count()
    # Back, and submit the same page again.
    again = clients["officer"].post(edit, posted, follow=True)
    assert again.redirect_chain == [(reverse("plans:update", args=[draft.pk]), 302)]
    page = again.content.decode()
    assert "This update has already been submitted for sign-off" in page
    assert draft.history.count() == rows
    draft.refresh_from_db()
    assert (draft.state, draft.version) == ("submitted", 2)
    # Opening the edit page again says the same.
    reopened = clients["officer"].get(edit, follow=True).content.decode()
    assert "This update has already been submitted for sign-off" in reopened
    assert refusals(caplog) == []
    # A real refusal is logged, so the silence above means something.
    assert (
        clients["board"].post(reverse("plans:update_new", args=[world.plan.slug, 1])).status_code
        == 403
    )
    assert len(refusals(caplog)) == 1


def test_reopening_an_approved_review_says_so_and_is_not_a_refusal(world, clients, caplog):
    update = submitted(world)
    url = reverse("plans:update_review", args=[update.pk])
    clients["admin"].post(url, {"decision": "approve", "version": 1})
    caplog.set_level("INFO", logger="plans.audit")
    for response in (
        clients["admin"].get(url, follow=True),
        clients["admin"].post(
            url, {"decision": "return", "comment": "x", "version": 2}, follow=True
        ),
    ):
        assert response.redirect_chain == [(reverse("plans:update", args=[update.pk]), 302)]
        assert "This update has already been approved" in response.content.decode()
    assert refusals(caplog) == []
    update.refresh_from_db()
    assert update.state == "approved"


def submit_url(update) -> str:
    return reverse("plans:update_submit", args=[update.pk])


def test_a_draft_is_submitted_from_its_own_page(world, clients, caplog):
    draft = factories.ProgressUpdateFactory(area=world.area, author=world.users["officer"])
    page = clients["officer"].get(reverse("plans:update", args=[draft.pk])).content.decode()
    assert f'action="{submit_url(draft)}"' in page
    assert "Submit for sign-off" in page
    assert 'name="version" value="1"' in page
    assert 'data-prevent-double-click="true"' in page
    response = clients["officer"].post(submit_url(draft), {"version": 1}, follow=True)
    assert response.redirect_chain == [(reverse("plans:update", args=[draft.pk]), 302)]
    assert "Update submitted for sign-off" in response.content.decode()
    draft.refresh_from_db()
    assert (draft.state, draft.version) == ("submitted", 2) and draft.submitted_at
    row = draft.history.first()
    assert (row.history_user, row.history_change_reason) == (
        world.users["officer"],
        "Submitted for sign-off",
    )
    # Submitted: no button any more, and a second post says what happened.
    page = clients["officer"].get(reverse("plans:update", args=[draft.pk])).content.decode()
    assert submit_url(draft) not in page
    caplog.set_level("INFO", logger="plans.audit")
    again = clients["officer"].post(submit_url(draft), {"version": 1}, follow=True)
    assert "This update has already been submitted for sign-off" in again.content.decode()
    assert draft.history.count() == 2 and refusals(caplog) == []


def test_only_the_author_may_submit_and_only_by_post(world, clients):
    draft = factories.ProgressUpdateFactory(area=world.area, author=world.users["officer"])
    assert clients["officer"].get(submit_url(draft)).status_code == 405
    # Someone else's draft does not exist for them.
    assert clients["admin"].post(submit_url(draft), {"version": 1}).status_code == 404
    page = clients["officer"].get(reverse("plans:update", args=[world.approved.pk])).content
    assert submit_url(world.approved).encode() not in page
    draft.refresh_from_db()
    assert draft.state == "draft"


def test_submitting_a_draft_changed_meanwhile_or_worse_without_a_reason_is_refused(world, clients):
    draft = factories.ProgressUpdateFactory(area=world.area, author=world.users["officer"])
    edit = reverse("plans:update_edit", args=[draft.pk])
    clients["officer"].post(edit, {**update_post(rag="red", rag_reason="Vacancies"), "version": 1})
    # The page was opened at version 1; the draft is at 2 now (another tab).
    response = clients["officer"].post(submit_url(draft), {"version": 1}, follow=True)
    assert "This update changed after you opened it" in response.content.decode()
    draft.refresh_from_db()
    assert (draft.state, draft.version) == ("draft", 2)

    # A draft saved before a better status was approved: worse now, so it needs a reason.
    worse = factories.ProgressUpdateFactory(
        area=world.area, author=world.users["officer"], rag="amber"
    )
    response = clients["officer"].post(submit_url(worse), {"version": 1}, follow=True)
    assert "Enter why the status is worse than the last approved status (Green – on track)" in (
        response.content.decode()
    )
    worse.refresh_from_db()
    assert worse.state == "draft"
    # With its reason, but amber with no next steps (saved before they were asked for).
    worse.rag_reason, worse.next_steps = "Two teams carry vacancies.", ""
    worse.save()
    response = clients["officer"].post(submit_url(worse), {"version": 1}, follow=True)
    assert "Enter the next steps: what will happen while the status is Amber" in (
        response.content.decode()
    )
    worse.refresh_from_db()
    assert worse.state == "draft"


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html))


def test_sign_off_queue_and_review_show_the_area_and_the_status_change(world, clients):
    update = submitted(world)
    update.rag_reason = "Two teams carry vacancies."
    update.save()
    first = factories.ProgressUpdateFactory(
        area=world.other_area, author=world.users["other_officer"], state="submitted", rag="blue"
    )
    queue = text_of(
        clients["admin"].get(reverse("plans:sign_off", args=[world.plan.slug])).content.decode()
    )
    assert "1. Ensure reasonable workloads." in queue
    assert "Green – on track → changing to Amber – at risk" in queue
    assert "Reason: Two teams carry vacancies." in queue
    # Area 2 has no approved update yet.
    assert f"{world.other_area.number}. " in queue
    assert "Not yet rated → changing to Blue – complete" in queue
    assert first.rag_reason == ""

    review = clients["admin"].get(reverse("plans:update_review", args=[update.pk]))
    page = text_of(review.content.decode())
    assert "1. Ensure reasonable workloads." in page
    assert "Green – on track → changing to Amber – at risk" in page
    assert "Two teams carry vacancies." in page
