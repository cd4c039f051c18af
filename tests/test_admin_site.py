"""The admin site: operators (superusers) only, and held to the plan's rules.

Nobody else reaches it (403, never a sign-in loop); approved updates, issued
papers and every record's history are read-only; every save is version-checked,
bumps the version and records the operator and a reason; deletions that would
change other records behind history's back are refused.
"""

import datetime

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from plans.models import Action, Membership, Milestone, ProgressUpdate
from plans.roles import Role
from plans.saving import save_with_history
from reporting.models import IssuedPaper
from reporting.papers import Kind
from tests import factories
from tests.conftest import ROLES, client_for
from tests.support.forms import milestone_post
from tests.support.pages import all_patterns, form_data, sample_url

pytestmark = pytest.mark.django_db

User = get_user_model()
REFUSED_PAGE = "You do not have permission to do that"


@pytest.fixture
def operator(world):
    return User.objects.create_superuser("operator", "operator@example.org", "x-Long-pass-42")


@pytest.fixture
def op(operator):
    return client_for(operator)


def admin_url(name: str, *args) -> str:
    return reverse(f"admin:{name}", args=args)


def history_ids(obj) -> list[int]:
    return list(obj.history.order_by("history_id").values_list("history_id", flat=True))


def opened(client, url: str) -> dict:
    response = client.get(url)
    assert response.status_code == 200
    return form_data(response)


def issued_paper(world) -> IssuedPaper:
    meeting = factories.MeetingFactory(plan=world.plan)
    paper = IssuedPaper(
        meeting=meeting,
        kind=Kind.ALL[0],
        version=1,
        as_at=datetime.date(2015, 5, 31),
        title="Scrutiny summary",
        html="<p>As issued</p>",
        docx=b"docx",
        pdf=b"pdf",
        issued_by=world.users["scrutiny"],
        issued_at=timezone.now(),
    )
    save_with_history(paper, reason="Issued", user=world.users["scrutiny"])
    return paper


# --- Only operators ---------------------------------------------------------------------


def admin_urls(world) -> list[str]:
    """Every admin URL pattern (with made-up ids), plus real records' pages."""
    urls = [sample_url(name, p) for name, p in all_patterns() if name.startswith("admin:")]
    action_history = history_ids(world.action)[0]
    urls += [
        admin_url("plans_action_change", world.action.pk),
        admin_url("plans_action_history", world.action.pk),
        admin_url("plans_action_simple_history", world.action.pk, action_history),
        admin_url("plans_progressupdate_change", world.approved.pk),
        admin_url("auth_user_change", world.users["admin"].pk),
        admin_url("plans_membership_add"),
        "/admin/no/such/page/",
    ]
    return urls


def test_signed_in_users_who_are_not_operators_are_refused_everywhere(world, clients):
    staff = factories.UserFactory(username="staff")
    staff.is_staff = True  # What used to open the admin site: not any more.
    staff.save()
    refused = {name: clients[name] for name in ROLES} | {"staff": client_for(staff)}
    urls = admin_urls(world)
    assert len(urls) > 60
    failures = []
    for who, client in refused.items():
        for url in urls:
            for method in ("get", "post"):
                response = getattr(client, method)(url)
                if response.status_code != 403 or REFUSED_PAGE not in response.content.decode():
                    failures.append(f"{method.upper()} {url} as {who}: {response.status_code}")
    assert not failures, "\n".join(failures)
    assert not User.objects.filter(is_superuser=True).exists()


@pytest.mark.parametrize("who", ROLES)
def test_no_redirect_loop_for_signed_in_non_operators(world, client, who):
    # Signed in through the service's own sign-in page, asking for the admin site.
    login = reverse("login") + "?next=/admin/"
    response = client.post(
        login, {"username": who, "password": "correct-horse-battery"}, follow=True
    )
    assert response.status_code == 403
    assert [url for url, _ in response.redirect_chain] == ["/admin/"]
    for url in (
        "/admin/",
        "/admin/login/",
        "/admin/login/?next=/admin/",
        "/admin/logout/",
        admin_url("plans_action_change", world.action.pk),
        admin_url("auth_user_change", world.users[who].pk),
    ):
        response = client.get(url, follow=True)
        assert (response.status_code, response.redirect_chain) == (403, []), url


def test_anonymous_users_are_sent_to_the_service_sign_in_page(client):
    for url, next_url in [
        ("/admin/", "/admin/"),
        ("/admin/plans/action/", "/admin/plans/action/"),
        ("/admin/login/", "/admin/"),
        ("/admin/login/?next=/admin/plans/", "/admin/plans/"),
    ]:
        response = client.get(url, follow=True)
        assert response.status_code == 200, url
        assert response.redirect_chain[-1][0] == reverse("login") + f"?next={next_url}", url
        assert len(response.redirect_chain) == 1, url


def test_an_operator_opens_every_change_list_and_add_page(world, op, operator, rf):
    issued_paper(world)
    request = rf.get("/admin/")
    request.user = operator
    checked = 0
    for model, model_admin in admin.site._registry.items():
        info = model._meta.app_label, model._meta.model_name
        assert op.get(admin_url("{}_{}_changelist".format(*info))).status_code == 200, info
        expected = 200 if model_admin.has_add_permission(request) else 403
        assert op.get(admin_url("{}_{}_add".format(*info))).status_code == expected, info
        obj = model._default_manager.first()
        if obj is not None:
            assert op.get(admin_url("{}_{}_change".format(*info), obj.pk)).status_code == 200, info
            assert op.get(admin_url("{}_{}_history".format(*info), obj.pk)).status_code == 200, info
        checked += 1
    assert checked >= 12
    assert op.get(admin_url("reporting_issuedpaper_add")).status_code == 403
    assert op.get("/admin/").status_code == 200


def test_the_operator_is_sent_on_from_the_admin_sign_in_page(op):
    response = op.get("/admin/login/")
    assert (response.status_code, response["Location"]) == (302, "/admin/")


# --- Read-only records and history ----------------------------------------------------------


def test_an_approved_update_is_read_only(world, op):
    url = admin_url("plans_progressupdate_change", world.approved.pk)
    page = op.get(url).content.decode()
    assert 'name="narrative"' not in page and 'name="_save"' not in page
    before = ProgressUpdate.objects.values().get(pk=world.approved.pk)
    rows = history_ids(world.approved)
    response = op.post(url, {"narrative": "Rewritten", "rag": "red", "opened_version": "1"})
    assert response.status_code == 403
    delete = op.post(admin_url("plans_progressupdate_delete", world.approved.pk), {"post": "yes"})
    assert delete.status_code == 403
    assert ProgressUpdate.objects.values().get(pk=world.approved.pk) == before
    assert history_ids(world.approved) == rows


def test_no_bulk_delete_of_approved_updates(world, op):
    response = op.post(
        admin_url("plans_progressupdate_changelist"),
        {"action": "delete_selected", "_selected_action": [world.approved.pk], "post": "yes"},
    )
    assert response.status_code == 403
    assert ProgressUpdate.objects.filter(pk=world.approved.pk).exists()


def test_history_forms_show_past_versions_and_change_nothing_when_posted(world, op):
    submitted = factories.ProgressUpdateFactory(area=world.area, state="submitted")
    paper = issued_paper(world)
    for obj, name in [
        (world.approved, "plans_progressupdate"),
        (submitted, "plans_progressupdate"),
        (paper, "reporting_issuedpaper"),
        (world.action, "plans_action"),
        (world.milestone, "plans_milestone"),
    ]:
        model = type(obj)
        row = history_ids(obj)[0]
        url = admin_url(f"{name}_simple_history", obj.pk, row)
        page = op.get(url)
        assert page.status_code == 200, name
        html = page.content.decode()
        assert 'name="_save"' not in html and "Revert" not in html, name
        assert 'name="title"' not in html and 'name="narrative"' not in html, name

        before = list(model.objects.filter(pk=obj.pk).values())
        rows = history_ids(obj)
        posted = {"narrative": "Rewritten", "title": "Rewritten", "rag": "red", "_save": "Revert"}
        response = op.post(url, posted)
        assert response.status_code == 403, name
        assert list(model.objects.filter(pk=obj.pk).values()) == before, name
        assert history_ids(obj) == rows, name
    history = op.get(admin_url("plans_action_history", world.action.pk)).content.decode()
    assert "View history" in history


def test_an_issued_paper_cannot_be_changed_or_deleted(world, op):
    paper = issued_paper(world)
    url = admin_url("reporting_issuedpaper_change", paper.pk)
    assert op.get(url).status_code == 200
    assert op.post(url, {"title": "Rewritten"}).status_code == 403
    assert (
        op.post(admin_url("reporting_issuedpaper_delete", paper.pk), {"post": "yes"}).status_code
        == 403
    )
    assert IssuedPaper.objects.get(pk=paper.pk).title == "Scrutiny summary"


# --- Progress updates' workflow ----------------------------------------------------------------


def test_the_admin_cannot_approve_or_change_the_workflow(world, op):
    update = factories.ProgressUpdateFactory(
        area=world.area,
        author=world.users["officer"],
        state=ProgressUpdate.State.SUBMITTED,
        submitted_at=timezone.now(),
    )
    url = admin_url("plans_progressupdate_change", update.pk)
    page = op.get(url)
    form = page.context["adminform"].form
    assert not {
        "state",
        "author",
        "submitted_at",
        "approved_by",
        "approved_at",
        "review_comment",
        "version",
    } & set(form.fields)
    data = form_data(page)
    data.update(
        state="approved",
        approved_by=str(world.users["admin"].pk),
        approved_at_0="2015-06-01",
        approved_at_1="10:00:00",
        author=str(op.session["_auth_user_id"]),
        review_comment="Approved by the admin",
        version="99",
        narrative="Corrected a typing slip",
    )
    response = op.post(url, data)
    assert response.status_code == 302
    update.refresh_from_db()
    assert update.narrative == "Corrected a typing slip"
    assert (update.state, update.approved_by, update.approved_at) == ("submitted", None, None)
    assert (update.author, update.review_comment, update.version) == (
        world.users["officer"],
        "",
        2,
    )


def test_an_update_approved_while_the_operator_had_it_open_is_not_changed(world, op, clients):
    update = factories.ProgressUpdateFactory(
        area=world.area, author=world.users["officer"], state="submitted"
    )
    url = admin_url("plans_progressupdate_change", update.pk)
    data = opened(op, url)
    review = reverse("plans:update_review", args=[update.pk])
    signed = clients["admin"].post(review, {"decision": "approve", "comment": "", "version": 1})
    assert signed.status_code == 302
    update.refresh_from_db()
    assert update.state == "approved"

    # Approved updates are read-only: refused, as if the form had never been open.
    response = op.post(url, {**data, "narrative": "Changed after approval"})
    assert response.status_code == 403
    assert ProgressUpdate.objects.get(pk=update.pk).narrative == update.narrative
    assert update.history.count() == 2


# --- Versions and reasons ---------------------------------------------------------------------


def test_an_admin_save_bumps_the_version_and_records_the_operator_and_reason(world, op, operator):
    url = admin_url("plans_milestone_change", world.milestone.pk)
    data = opened(op, url)
    assert data["opened_version"] == "1"
    response = op.post(url, {**data, "note": "Agreed at the board", "change_reason": "Typo"})
    assert response.status_code == 302
    milestone = Milestone.objects.get(pk=world.milestone.pk)
    assert (milestone.note, milestone.version) == ("Agreed at the board", 2)
    row = milestone.history.first()
    assert row.history_user == operator
    assert row.history_change_reason == "Changed in the admin site: Typo"


def test_saving_unchanged_writes_nothing(world, op):
    url = admin_url("plans_milestone_change", world.milestone.pk)
    rows = history_ids(world.milestone)
    assert op.post(url, opened(op, url)).status_code == 302
    assert Milestone.objects.get(pk=world.milestone.pk).version == 1
    assert history_ids(world.milestone) == rows


def test_a_stale_admin_form_is_refused_with_a_message_and_writes_nothing(world, op, clients):
    url = admin_url("plans_milestone_change", world.milestone.pk)
    data = opened(op, url)
    # Meanwhile the officer saves the milestone in the service.
    edit = reverse("plans:milestone_edit", args=[world.milestone.pk])
    assert clients["officer"].post(edit, milestone_post(note="Officer's note")).status_code == 302
    rows = history_ids(world.milestone)

    response = op.post(url, {**data, "note": "Operator's note"}, follow=True)
    assert response.status_code == 200
    assert response.redirect_chain == [(url, 302)]
    text = response.content.decode()
    assert "was changed by someone else after you opened it" in text
    assert "you opened version 1; it is now version 2" in text
    assert "Nothing was saved" in text
    milestone = Milestone.objects.get(pk=world.milestone.pk)
    assert (milestone.note, milestone.version) == ("Officer's note", 2)
    assert history_ids(world.milestone) == rows


def test_a_form_without_the_opened_version_is_refused(world, op):
    url = admin_url("plans_milestone_change", world.milestone.pk)
    data = opened(op, url)
    del data["opened_version"]
    response = op.post(url, {**data, "note": "No version"})
    assert response.status_code == 200
    assert "does not say which version you opened" in response.content.decode()
    assert Milestone.objects.get(pk=world.milestone.pk).note == ""


def test_an_officers_form_opened_before_an_admin_save_gets_the_conflict_page(world, op, clients):
    edit = reverse("plans:milestone_edit", args=[world.milestone.pk])
    assert 'name="version" value="1"' in clients["officer"].get(edit).content.decode()

    url = admin_url("plans_milestone_change", world.milestone.pk)
    assert op.post(url, {**opened(op, url), "note": "Operator's note"}).status_code == 302

    response = clients["officer"].post(edit, milestone_post(note="Officer's note"))
    assert response.status_code == 409
    assert "Someone else changed this while you were editing it" in response.content.decode()
    assert Milestone.objects.get(pk=world.milestone.pk).note == "Operator's note"


def test_actions_edited_on_their_areas_page_are_version_checked(world, op, operator):
    url = admin_url("plans_improvementarea_change", world.area.pk)
    data = opened(op, url)
    assert data["actions-0-opened_version"] == "1"
    assert "actions-0-DELETE" not in data
    response = op.post(url, {**data, "actions-0-title": "Renamed on the area's page"})
    assert response.status_code == 302
    action = Action.objects.get(pk=world.action.pk)
    assert (action.title, action.version) == ("Renamed on the area's page", 2)
    row = action.history.first()
    assert (row.history_user, row.history_change_reason) == (operator, "Changed in the admin site")
    # The area itself did not change: no new version, no history row.
    assert world.area.history.count() == 1

    # The same form again, now stale for the action: refused, nothing written.
    response = op.post(url, {**data, "actions-0-title": "Stale", "recommendation": "New"})
    assert response.status_code == 302
    assert "you opened version 1; it is now version 2" in op.get(url).content.decode()
    action.refresh_from_db()
    world.area.refresh_from_db()
    assert (action.title, action.version) == ("Renamed on the area's page", 2)
    assert world.area.recommendation == "Ensure reasonable workloads."


def test_an_actions_partners_changed_in_the_admin_carry_the_reason(world, op, operator):
    police = factories.OrganisationFactory(name="Devon and Cornwall Police")
    url = admin_url("plans_action_change", world.action.pk)
    data = opened(op, url)
    response = op.post(url, {**data, "partners": [str(police.pk)], "change_reason": "Agreed"})
    assert response.status_code == 302
    action = Action.objects.get(pk=world.action.pk)
    assert list(action.partners.all()) == [police] and action.version == 2
    rows = list(action.history.order_by("-history_id")[:2])
    assert {r.history_change_reason for r in rows} == {"Changed in the admin site: Agreed"}
    assert {r.history_user for r in rows} == {operator}


# --- Memberships, adding and deleting -----------------------------------------------------------


def test_the_operator_manages_memberships(world, op, operator):
    board = world.users["board"]
    response = op.post(
        admin_url("plans_membership_add"),
        {"plan": world.other_plan.pk, "user": board.pk, "role": Role.BOARD_MEMBER},
    )
    assert response.status_code == 302
    membership = Membership.objects.get(plan=world.other_plan, user=board)
    row = membership.history.get()
    assert (row.history_user, row.history_change_reason) == (operator, "Added in the admin site")
    # The same again: the form says so, nothing is made twice.
    again = op.post(
        admin_url("plans_membership_add"),
        {"plan": world.other_plan.pk, "user": board.pk, "role": Role.OFFICER},
    )
    assert again.status_code == 200
    assert Membership.objects.filter(plan=world.other_plan, user=board).count() == 1

    delete = op.post(admin_url("plans_membership_delete", membership.pk), {"post": "yes"})
    assert delete.status_code == 302
    assert not Membership.objects.filter(pk=membership.pk).exists()
    row = Membership.history.filter(id=membership.pk).first()
    assert (row.history_type, row.history_change_reason) == ("-", "Deleted in the admin site")


def test_an_update_added_in_the_admin_is_the_operators_draft(world, op, operator):
    response = op.post(
        admin_url("plans_progressupdate_add"),
        {
            "area": world.area.pk,
            "as_at": "2015-06-01",
            "rag": "amber",
            "narrative": "From the committee paper",
            "source": "Committee paper, June 2015",
            "state": "approved",
        },
    )
    assert response.status_code == 302
    update = ProgressUpdate.objects.get(narrative="From the committee paper")
    assert (update.state, update.author, update.version) == ("draft", operator, 1)


def test_deleting_what_would_change_other_records_without_history_is_refused(world, op):
    # An approved update names the action: deleting the action would clear that.
    approved = factories.ProgressUpdateFactory(area=world.area, action=world.action, approved=True)
    delete = admin_url("plans_action_delete", world.action.pk)
    page = op.get(delete).content.decode()
    assert "would be cleared" in page
    refused = op.post(delete, {"post": "yes"})
    assert refused.status_code == 200 and "would be cleared" in refused.content.decode()
    assert Action.objects.filter(pk=world.action.pk).exists()
    bulk = op.post(
        admin_url("plans_action_changelist"),
        {"action": "delete_selected", "_selected_action": [world.action.pk], "post": "yes"},
    )
    assert bulk.status_code in (200, 403)
    assert Action.objects.filter(pk=world.action.pk).exists()
    assert ProgressUpdate.objects.get(pk=approved.pk).action == world.action

    # A user named in history is switched off, not deleted.
    officer = world.users["officer"]
    user_delete = admin_url("auth_user_delete", officer.pk)
    assert op.post(user_delete, {"post": "yes"}).status_code in (200, 403)
    assert User.objects.filter(pk=officer.pk).exists()


def test_deleting_a_milestone_keeps_its_history_with_a_reason(world, op, operator):
    response = op.post(admin_url("plans_milestone_delete", world.milestone.pk), {"post": "yes"})
    assert response.status_code == 302
    assert not Milestone.objects.filter(pk=world.milestone.pk).exists()
    row = Milestone.history.filter(id=world.milestone.pk).first()
    assert (row.history_type, row.history_user) == ("-", operator)
    assert row.history_change_reason == "Deleted in the admin site"
