"""Every change to every record is kept: who, when, which fields, old → new, why;
and the change lists tell it in the plan's words, to each role only what it may read."""

import datetime
import re
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from factory import SubFactory

from core.rag import RAG
from plans.models import Membership, Milestone, Owner, ProgressUpdate
from plans.roles import BOARD_MEMBER
from plans.saving import save_with_history
from tests import factories
from tests.support.budgets import BUDGETS, grow
from tests.support.pages import links, listed, main_text

pytestmark = pytest.mark.django_db

# For each model: a factory and one field to change, with its new value.
CHANGES = [
    (factories.OrganisationFactory, "short_name", "CCG"),
    (factories.OwnerFactory, "job_title", "Head of Early Help"),
    (factories.PlanFactory, "title", "Revised Improvement Plan"),
    (factories.ThemeFactory, "name", "Care leavers"),
    (factories.ImprovementAreaFactory, "recommendation", "Ensure reasonable workloads."),
    (factories.ActionFactory, "title", "Placement stability action plans"),
    (factories.MilestoneFactory, "due_date", datetime.date(2015, 7, 31)),
    (factories.ProgressUpdateFactory, "rag", RAG.AMBER),
    (factories.MeetingFactory, "title", "Improvement Board (June)"),
]


@pytest.mark.parametrize(("factory", "field", "new_value"), CHANGES)
def test_create_and_change_record_who_when_what_and_why(factory, field, new_value):
    creator = factories.UserFactory(username="creator")
    editor = factories.UserFactory(username="editor")
    obj = factory.build(**_parents(factory))
    save_with_history(obj, reason="Set up the plan", user=creator)
    created_at = obj.history.get().history_date
    old_value = getattr(obj, field)

    setattr(obj, field, new_value)
    save_with_history(obj, reason="Agreed at the board", user=editor)

    latest, first = list(obj.history.order_by("-history_date", "-history_id"))
    assert (first.history_type, first.history_user, first.history_change_reason) == (
        "+",
        creator,
        "Set up the plan",
    )
    assert (latest.history_type, latest.history_user, latest.history_change_reason) == (
        "~",
        editor,
        "Agreed at the board",
    )
    assert latest.history_date >= created_at
    delta = latest.diff_against(first)
    assert [(c.field, c.old, c.new) for c in delta.changes] == [(field, old_value, new_value)]
    # The record as it stood before the change.
    assert getattr(obj.history.as_of(created_at), field) == old_value


def _parents(factory) -> dict:
    """Saved parents for a built (unsaved) object, so only it is saved by the test."""
    return {
        name: declaration.get_factory()()
        for name, declaration in factory._meta.declarations.items()
        if isinstance(declaration, SubFactory)
    }


def test_as_of_a_past_date_returns_the_old_values():
    area = factories.ImprovementAreaFactory(recommendation="First wording.")
    action = factories.ActionFactory(area=area, title="First title")
    then = timezone.now()
    action.title = "Second title"
    save_with_history(action, reason="Renamed")
    area.recommendation = "Second wording."
    save_with_history(area, reason="Reworded")
    assert area.history.as_of(then).recommendation == "First wording."
    assert action.history.as_of(then).title == "First title"
    assert action.history.as_of(timezone.now()).title == "Second title"


def test_partner_changes_are_kept_in_history():
    action = factories.ActionFactory()
    police = factories.OrganisationFactory(name="Devon and Cornwall Police")
    before = timezone.now()
    action._change_reason = "Police join the protocol work"
    action.partners.add(police)
    latest = action.history.first()
    assert [p.organisation for p in latest.partners.all()] == [police]
    assert latest.history_change_reason == "Police join the protocol work"
    as_it_was = action.history.filter(history_date__lte=before).first()
    assert list(as_it_was.partners.all()) == []


def test_a_failed_save_records_no_history():
    area = factories.ImprovementAreaFactory()
    rows = area.history.count()
    area.recommendation = ""
    with pytest.raises(Exception, match="recommendation"):
        save_with_history(area, reason="Blanked")
    assert area.history.count() == rows


# --- Change lists: labels, filters, pages, and what each role may see ----------------

State = ProgressUpdate.State
# Texts a board member or scrutiny officer must never read in a change list.
SECRETS = [
    "DRAFT-SECRET",
    "EARLY-DRAFT-TEXT",
    "RETURNED-TEXT",
    "RETURN-COMMENT",
    "SUBMITTED-TEXT",
    "APPROVAL-COMMENT",
]


def update_workings(world) -> dict[str, ProgressUpdate]:
    """The officer's updates in every state of sign-off, each with texts that
    only the author and administrators may read."""
    officer, admin, area = world.users["officer"], world.users["admin"], world.area

    def new(narrative: str) -> ProgressUpdate:
        update = ProgressUpdate(
            area=area, as_at=datetime.date(2015, 6, 1), rag=RAG.AMBER, narrative=narrative
        )
        update.author = officer
        save_with_history(update, reason="Saved as a draft", user=officer)
        return update

    def submit(update: ProgressUpdate, narrative: str | None = None) -> None:
        if narrative:
            update.narrative = narrative
        update.state, update.submitted_at = State.SUBMITTED, timezone.now()
        save_with_history(update, reason="Submitted for sign-off", user=officer)

    def review(update: ProgressUpdate, approve: bool, comment: str) -> None:
        update.review_comment = comment
        if approve:
            update.state, update.approved_by = State.APPROVED, admin
            update.approved_at = timezone.now()
            reason = f"Approved: {comment}"
        else:
            update.state, reason = State.RETURNED, f"Returned to the author: {comment}"
        save_with_history(update, reason=reason, user=admin)

    draft = new("DRAFT-SECRET")
    returned = new("RETURNED-TEXT")
    submit(returned)
    review(returned, approve=False, comment="RETURN-COMMENT")
    submitted = new("SUBMITTED-TEXT")
    submit(submitted)
    approved = new("EARLY-DRAFT-TEXT")
    submit(approved, "PUBLISHED-TEXT")
    review(approved, approve=True, comment="APPROVAL-COMMENT")
    return {"draft": draft, "returned": returned, "submitted": submitted, "approved": approved}


def every_page(client, url: str) -> list:
    """The responses for every page of a paged change list."""
    pages = [client.get(url)]
    while 'rel="next"' in pages[-1].content.decode():
        (href,) = re.findall(r'href="([^"]+)" rel="next"', pages[-1].content.decode())
        pages.append(client.get(unescape(href)))
    return pages


def test_changes_are_told_in_the_plans_words(world, clients):
    admin, officer = world.users["admin"], world.users["officer"]
    milestone = world.milestone
    milestone.due_date = datetime.date(2015, 9, 30)
    save_with_history(milestone, reason="Contract signed late", user=admin)
    milestone.forecast_date = datetime.date(2015, 10, 31)
    save_with_history(milestone, reason="Re-forecast", user=admin)
    milestone.status, milestone.completed_date = (
        Milestone.Status.COMPLETE,
        datetime.date(2015, 10, 1),
    )
    save_with_history(milestone, reason="Done", user=admin)
    month = factories.MilestoneFactory(
        area=world.area, due_date=datetime.date(2015, 6, 30), due_precision="month"
    )
    month.due_date = datetime.date(2015, 7, 31)
    save_with_history(month, reason="Slipped a month", user=admin)

    text = main_text(clients["admin"].get(reverse("plans:milestone_history", args=[milestone.pk])))
    assert "Due date moved from 30 June 2015 to 30 September 2015" in text
    assert "Forecast date set to 31 October 2015" in text
    assert "Status: Open → Complete" in text
    assert "Completion date set to 1 October 2015" in text
    text = main_text(clients["admin"].get(reverse("plans:milestone_history", args=[month.pk])))
    assert "Due date moved from June 2015 to July 2015" in text
    assert "Due precision" not in text

    update = ProgressUpdate(area=world.area, as_at=datetime.date(2015, 6, 1), rag=RAG.AMBER)
    update.narrative, update.author = "Caseloads rising.", officer
    save_with_history(update, reason="Saved as a draft", user=officer)
    update.rag = RAG.RED
    update.state, update.submitted_at = State.SUBMITTED, timezone.now()
    save_with_history(update, reason="Submitted for sign-off", user=officer)
    update.state, update.review_comment = State.RETURNED, "Say why it is red"
    save_with_history(update, reason="Returned to the author: Say why it is red", user=admin)

    changes = reverse("plans:plan_changes", args=[world.plan.slug])
    for role in ("officer", "admin"):  # the author, and an administrator
        text = main_text(clients[role].get(changes))
        assert "RAG status: Amber → Red" in text, role
        assert "Submitted for sign-off: Update on area 1 as at 1 June 2015" in text, role
        assert "Returned to the author: Update on area 1 as at 1 June 2015" in text, role
        assert "Reviewer's comment added Say why it is red" in text, role
        # The scale's short words, and no bookkeeping.
        assert "Amber – at risk" not in text and "Rag status" not in text
        for hidden in ("Version", "Created at", "Submitted at", "Id:", "State:"):
            assert hidden not in text, (role, hidden)
    assert "Approved: Update on area 1 as at 1 May 2015" in text  # the world's own


def test_board_and_scrutiny_see_only_what_was_published(world, clients):
    updates = update_workings(world)
    factories.MeetingFactory(
        plan=world.plan, date=timezone.localdate() - datetime.timedelta(days=1)
    )
    slug = world.plan.slug
    lists = {
        "changes": reverse("plans:plan_changes", args=[slug]),
        "area history": reverse("plans:area_history", args=[slug, world.area.number]),
        "dashboard": reverse("reporting:dashboard_section", args=[slug, "changes"]),
    }
    for role in ("board", "scrutiny"):
        for name, url in lists.items():
            pages = every_page(clients[role], url)
            text = " ".join(main_text(page) for page in pages)
            assert all(page.status_code == 200 for page in pages), (role, name)
            leaked = [secret for secret in SECRETS if secret in text]
            assert not leaked, (role, name, leaked)
            # The approval, as published, is there; no step before it.
            assert "Approved: Update on area 1 as at 1 June 2015" in text, (role, name)
            if name != "dashboard":  # which lists a few changed fields, not the text
                assert "PUBLISHED-TEXT" in text, (role, name)
            assert "Submitted for sign-off" not in text and "Returned to the author" not in text
            opened = {
                href: clients[role].get(href).status_code
                for page in pages
                for href in links(page)
                if href.startswith("/updates/")
            }
            assert opened and set(opened.values()) == {200}, (role, name, opened)
            assert f"/updates/{updates['approved'].pk}/" in opened

    # The author and plan administrators see how it got there.
    for role in ("officer", "admin"):
        text = main_text(clients[role].get(lists["changes"]))
        assert "APPROVAL-COMMENT" in text and "EARLY-DRAFT-TEXT" in text, role
        assert "RETURN-COMMENT" in text, role
    # Another officer sees the officer's updates as published only.
    text = main_text(clients["other_officer"].get(lists["changes"]))
    assert "PUBLISHED-TEXT" in text
    assert not [secret for secret in SECRETS if secret in text]
    # Nobody but the author sees a draft, administrators included.
    assert "DRAFT-SECRET" not in main_text(clients["admin"].get(lists["changes"]))


def test_no_link_to_an_update_the_viewer_cannot_open(world, clients):
    """An officer allowed to read others' submitted updates sees their
    submission; once returned, the update is no longer theirs to open."""
    world.plan.officers_see_submitted_updates = True
    world.plan.save()
    updates = update_workings(world)
    url = reverse("plans:plan_changes", args=[world.plan.slug])
    response = clients["other_officer"].get(url)
    text = main_text(response)
    assert "Submitted for sign-off: Update on area 1" in text
    hrefs = [h for h in links(response) if h.startswith("/updates/")]
    assert f"/updates/{updates['returned'].pk}/" not in hrefs
    assert f"/updates/{updates['submitted'].pk}/" in hrefs
    for href in hrefs:
        assert clients["other_officer"].get(href).status_code == 200, href
    assert not [s for s in ("RETURN-COMMENT", "APPROVAL-COMMENT", "DRAFT-SECRET") if s in text]


def test_housekeeping_only_for_administrators_and_never_on_the_dashboard(world, clients):
    admin = world.users["admin"]
    factories.MeetingFactory(
        plan=world.plan, date=timezone.localdate() - datetime.timedelta(days=1)
    )
    newcomer = factories.UserFactory(username="newcomer", first_name="Nia", last_name="Newcomer")
    save_with_history(
        Membership(plan=world.plan, user=newcomer, role=BOARD_MEMBER), reason="Joined", user=admin
    )
    owner = Owner(job_title="Head of Quality Assurance", organisation=world.plan.organisation)
    save_with_history(owner, reason="New role", user=admin)
    owner.user = newcomer
    save_with_history(owner, reason="Linked to Nia's account", user=admin)
    save_with_history(
        factories.OrganisationFactory.build(
            name="Livewell Southwest", council=world.plan.organisation
        ),
        reason="New partner",
        user=admin,
    )
    changes = reverse("plans:plan_changes", args=[world.plan.slug])
    text = main_text(clients["admin"].get(changes))
    assert "Created: Membership: Nia Newcomer" in text and "Role: Board member" in text
    assert (
        "Owner: Head of Quality Assurance" in text and "Linked account set to Nia Newcomer" in text
    )
    assert "Organisation: Livewell Southwest" in text
    kinds = main_text(clients["admin"].get(changes, {"kind": "membership"}))
    assert "Membership: Nia Newcomer" in kinds and "Owner:" not in kinds

    dashboard = reverse("reporting:dashboard_section", args=[world.plan.slug, "changes"])
    for role in ("admin", "board", "officer", "scrutiny"):
        text = main_text(clients[role].get(dashboard))
        assert "Other changes" in text
        for housekeeping in ("Membership", "Owner:", "Organisation:", "Nia Newcomer"):
            assert housekeeping not in text.split("Other changes")[1], (
                role,
                housekeeping,
            )
    for role in ("board", "officer", "scrutiny"):
        text = main_text(clients[role].get(changes))
        assert "Membership" not in text and "Livewell" not in text, role
        assert "Head of Quality Assurance" not in text, role
        # Nor can they ask for it.
        response = clients[role].get(changes, {"kind": "membership"})
        assert response.status_code == 400
        assert "Select a kind of record from the list" in response.content.decode()


def test_filters_by_area_person_kind_and_dates(world, clients):
    admin, officer = world.users["admin"], world.users["officer"]
    other = world.other_area
    other.recommendation = "Reworded by the administrator."
    save_with_history(other, reason="AREA-TWO-CHANGE", user=admin)
    world.action.title = "Renamed by the officer"
    save_with_history(world.action, reason="ACTION-CHANGE", user=officer)
    july = timezone.make_aware(datetime.datetime(2015, 7, 1, 12))
    world.milestone.note = "Noted in July"
    save_with_history(world.milestone, reason="JULY-CHANGE", user=admin, when=july)
    url = reverse("plans:plan_changes", args=[world.plan.slug])
    client = clients["board"]

    text = listed(client.get(url, {"area": other.number}))
    assert "AREA-TWO-CHANGE" in text and "ACTION-CHANGE" not in text and "JULY-CHANGE" not in text
    text = listed(client.get(url, {"person": officer.pk}))
    assert "ACTION-CHANGE" in text and "AREA-TWO-CHANGE" not in text
    assert "by The system" not in text
    text = listed(client.get(url, {"person": "system"}))
    assert "by The system" in text and "ACTION-CHANGE" not in text
    text = listed(client.get(url, {"kind": "milestone"}))
    assert "JULY-CHANGE" in text and "ACTION-CHANGE" not in text and "Area 2" not in text
    july_only = {"from_date_0": "1", "from_date_1": "7", "from_date_2": "2015"}
    july_only |= {"to_date_0": "1", "to_date_1": "7", "to_date_2": "2015"}
    response = client.get(url, july_only)
    assert response.status_code == 200
    text = listed(response)
    assert "JULY-CHANGE" in text and "1 change matching the filters" in text
    text = listed(client.get(url, {**july_only, "kind": "action"}))
    assert "No changes matching the filters" in text
    # Filters and paging on the area's history too.
    area_url = reverse("plans:area_history", args=[world.plan.slug, world.area.number])
    text = listed(client.get(area_url, {"kind": "action"}))
    assert "ACTION-CHANGE" in text and "JULY-CHANGE" not in text


def test_the_filter_form_is_a_plain_get_form(world, clients):
    html = clients["board"].get(reverse("plans:plan_changes", args=[world.plan.slug]))
    html = html.content.decode()
    form = html[html.index('<form method="get"') :]
    form = form[: form.index("</form>")]
    assert "csrfmiddlewaretoken" not in form and "action=" not in form
    assert 'name="from_date_0"' in form and 'name="kind"' in form


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"area": "99"}, "Select an area from the list"),
        ({"area": "one"}, "Select an area from the list"),
        ({"person": "999999"}, "Select a person from the list"),
        ({"person": "'; drop table"}, "Select a person from the list"),
        ({"kind": "paper"}, "Select a kind of record from the list"),
        (
            {"from_date_0": "31", "from_date_1": "2", "from_date_2": "2015"},
            "The from date must be a real date",
        ),
        ({"from_date_0": "1", "from_date_2": "2015"}, "The from date must include a month"),
        (
            {"from_date_0": "2", "from_date_1": "7", "from_date_2": "2015"}
            | {"to_date_0": "1", "to_date_1": "7", "to_date_2": "2015"},
            "The to date must be the same as or after the from date",
        ),
        ({"page": "0"}, "The page number must be a whole number, 1 or more"),
        ({"page": "two"}, "The page number must be a whole number, 1 or more"),
        ({"page": "²"}, "The page number must be a whole number, 1 or more"),
        ({"page": "99999999999999999999"}, "The page number must be a whole number, 1 or more"),
        ({"page": "7"}, "There is no page 7: the changes fill 1 page"),
    ],
)
def test_bad_filters_are_a_400_with_an_error_summary(world, clients, query, message):
    for url in (
        reverse("plans:plan_changes", args=[world.plan.slug]),
        reverse("plans:area_history", args=[world.plan.slug, world.area.number]),
    ):
        if "area" in query and "/areas/" in url:
            continue  # an area's own history has no area filter: the key is ignored
        response = clients["board"].get(url, query)
        assert response.status_code == 400, (url, query)
        html = unescape(response.content.decode())
        assert "govuk-error-summary" in html and message in html, (url, query)
        assert "<title>Error: " in html


def test_changes_come_a_page_at_a_time(world, clients):
    admin = world.users["admin"]
    for i in range(60):
        world.milestone.note = f"Note {i}"
        save_with_history(world.milestone, reason=f"Change {i:02d}", user=admin)
    url = reverse("plans:plan_changes", args=[world.plan.slug])
    first = clients["board"].get(url, {"kind": "milestone"})
    text = main_text(first)
    total = Milestone.history.filter(area__plan=world.plan).count()
    assert f"Changes 1 to 50 of {total}" in text
    assert "Change 59" in text and "Change 10" in text and "Change 09" not in text
    assert text.index("Change 59") < text.index("Change 10")  # newest first
    html = first.content.decode()
    assert 'class="govuk-pagination"' in html and 'aria-current="page"' in html
    (next_href,) = re.findall(r'href="([^"]+)" rel="next"', html)
    assert "kind=milestone" in unescape(next_href) and "page=2" in next_href
    second = clients["board"].get(unescape(next_href))
    text = main_text(second)
    assert f"Changes 51 to {total} of {total}" in text
    assert "Change 09" in text and "Change 00" in text and "Change 10" not in text
    assert 'rel="next"' not in second.content.decode()
    # The area's history is paged the same way.
    area_url = reverse("plans:area_history", args=[world.plan.slug, world.area.number])
    text = main_text(clients["board"].get(area_url, {"page": "2"}))
    assert "Changes 51 to" in text


def test_change_lists_make_a_fixed_number_of_queries_on_any_page(world, clients):
    grow(world, 20)
    slug = world.plan.slug
    pages = {
        "plan_changes": [
            reverse("plans:plan_changes", args=[slug]) + query
            for query in (
                "",
                "?page=3",
                f"?person={world.users['admin'].pk}&page=2",
                "?kind=update",
            )
        ],
        "area_history": [
            reverse("plans:area_history", args=[slug, world.area.number]) + query
            for query in ("", "?page=2", "?kind=milestone")
        ],
    }
    for role in ("admin", "board"):
        for budget, urls in pages.items():
            for url in urls:
                with CaptureQueriesContext(connection) as ctx:
                    response = clients[role].get(url)
                assert response.status_code == 200, url
                assert len(ctx.captured_queries) <= BUDGETS[budget], (role, url)


def test_a_plan_row_that_changes_nothing_is_left_out(world, clients):
    """Adding a member used to write an empty row of the plan's own (before roles
    were memberships); upgraded plans keep those rows, but nobody reads them."""
    plan = world.plan
    save_with_history(plan, reason="Member added to the plan")  # nothing differs
    plan.officers_may_update_any_area = True
    save_with_history(plan, reason="Officers may update any area")
    plan.sent_to_inspectorate = None
    save_with_history(plan, reason="Date not known")
    save_with_history(plan, reason="Saved again with the date still empty")
    url = reverse("plans:plan_changes", args=[plan.slug]) + "?kind=plan"
    for role in ("admin", "board"):
        page = unescape(clients[role].get(url).content.decode())
        assert "Member added to the plan" not in page, role
        assert "Saved again with the date still empty" not in page, role
        assert "Officers may update any area" in page, role
        assert "Date not known" in page, role


def test_status_changes_only(world, clients):
    """Recent changes, status changes only: approvals (which set an area's
    RAG), milestones completed or reopened, actions' status; not edits."""
    admin, officer = world.users["admin"], world.users["officer"]
    update = ProgressUpdate(
        area=world.area, as_at=datetime.date(2015, 7, 1), rag="amber", narrative="N", author=officer
    )
    save_with_history(update, reason="Draft", user=officer)
    update.state, update.submitted_at = ProgressUpdate.State.SUBMITTED, timezone.now()
    save_with_history(update, reason="Submitted", user=officer)
    update.state, update.approved_by, update.approved_at = "approved", admin, timezone.now()
    save_with_history(update, reason="Approved", user=admin)
    world.milestone.title = "A RENAMED milestone"
    save_with_history(world.milestone, reason="Clearer", user=admin)
    world.milestone.status, world.milestone.completed_date = "complete", datetime.date(2015, 7, 2)
    save_with_history(world.milestone, reason="Done", user=admin)
    world.action.status = "in_progress"
    save_with_history(world.action, reason="Started", user=admin)
    world.action.title = "A RETITLED action"
    save_with_history(world.action, reason="Clearer", user=admin)

    url = reverse("plans:plan_changes", args=[world.plan.slug])
    text = listed(clients["board"].get(url, {"status_only": "on"}))
    assert "Approved: Update on area 1 as at 1 July 2015" in text
    assert "Status: Open → Complete" in text
    assert "Status: Not started → In progress" in text
    # Edits that change no status, drafts and submissions are left out.
    assert "Reason: Clearer" not in text and "RETITLED" not in text
    assert "Submitted for sign-off" not in text
    assert text.count("Changed: ") == 2, text
    everything = listed(clients["board"].get(url))
    assert everything.count("Changed: ") > 2
