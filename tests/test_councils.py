"""Several councils' plans on one installation: each plan's pages, papers,
downloads and e-mails name the plan's own council and never another's; the
pages outside any plan name whoever runs the installation (INSTALLATION_NAME).

Two councils are built alike, down to the plan's title, so that the council's
name is the only thing that tells their pages apart.
"""

from __future__ import annotations

import csv
import datetime
import io
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from email.utils import parseaddr
from pathlib import Path
from zoneinfo import ZoneInfo

import docx
import openpyxl
import pypdf
import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils.text import slugify

from measures.models import Measure
from plans.models import Meeting, Membership, Organisation, Plan, ProgressUpdate
from plans.roles import BOARD_MEMBER, OFFICER, PLAN_ADMINISTRATOR, SCRUTINY_OFFICER
from reporting import services as papers
from reporting.models import IssuedPaper
from reporting.papers import Kind
from tests import factories
from tests.measures.conftest import add_value, make_measure
from tests.reminders.conftest import FIRST_REMINDER, at, boards
from tests.support.pages import all_patterns
from tests.workbook.helpers import export, to_bytes, upload

# A reminder day (tests/reminders/conftest.py): returns are due before the next board.
pytestmark = [
    pytest.mark.django_db,
    pytest.mark.time_machine(
        datetime.datetime.combine(FIRST_REMINDER, datetime.time(9), ZoneInfo("Europe/London"))
    ),
]

# Neither name contains the other, nor the installation's.
NORTH, SOUTH = "Northmoor City Council", "Southvale District Council"
RUN_BY = "Westcountry Shared Services"
SERVICE = "Improvement Plan Tracker"
ROLES = {
    "admin": PLAN_ADMINISTRATOR,
    "officer": OFFICER,
    "board": BOARD_MEMBER,
    "scrutiny": SCRUTINY_OFFICER,
}


@dataclass
class Council:
    name: str
    plan: Plan
    users: dict
    meeting: Meeting  # the board that met: its board report is issued
    issued: IssuedPaper
    measure: Measure


def make_council(name: str, prefix: str) -> Council:
    council = factories.OrganisationFactory(name=name, short_name=prefix.upper())
    partner = factories.OrganisationFactory(
        name=f"{prefix.title()} Police", kind=Organisation.Kind.POLICE, council=council
    )
    users = {role: factories.UserFactory(username=f"{prefix}-{role}") for role in ROLES}
    plan = factories.PlanFactory(
        organisation=council, slug=f"{prefix}-childrens", title="Children's Services Plan"
    )
    factories.join(plan, {users[role]: kind for role, kind in ROLES.items()})
    theme = factories.ThemeFactory(plan=plan, name="Workforce")
    lead = factories.OwnerFactory(
        job_title="Head of Children's Social Care", organisation=council, user=users["officer"]
    )
    area = factories.ImprovementAreaFactory(plan=plan, number=1, lead=lead, theme=theme)
    action = factories.ActionFactory(area=area, reference="1.1", owner=lead, partners=[partner])
    factories.MilestoneFactory(area=area, action=action, due_date=datetime.date(2026, 9, 30))
    factories.ProgressUpdateFactory(
        area=area,
        approved=True,
        rag="amber",
        author=users["officer"],
        approved_by=users["admin"],
        as_at=datetime.date(2026, 3, 1),
    )
    for state in (ProgressUpdate.State.SUBMITTED, ProgressUpdate.State.DRAFT):
        factories.ProgressUpdateFactory(
            area=area, state=state, author=users["officer"], as_at=datetime.date(2026, 3, 1)
        )
    measure = make_measure(area, lead)
    add_value(measure, datetime.date(2026, 2, 1), 85, user=users["officer"])
    met, _ = boards(plan)
    prepared = papers.prepare(met, Kind.BOARD, users["admin"])
    issued = papers.issue_paper(prepared, user=users["admin"])
    return Council(name, plan, users, met, issued, measure)


@pytest.fixture
def councils(settings) -> tuple[Council, Council]:
    settings.INSTALLATION_NAME = RUN_BY
    return make_council(NORTH, "north"), make_council(SOUTH, "south")


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def other(council: Council) -> str:
    return SOUTH if council.name == NORTH else NORTH


# --- Every page of a plan ----------------------------------------------------------------

# Under a plan but no page of it to GET: each answers a POST (or is a file, below).
NOT_PAGES = {
    "plans:update_submit",
    "plans:milestone_complete",
    "reporting:prepare",
    "reminders:remind",
    "workbook:cancel",
    "measures:upload_confirm",
}
# Files: their names and contents are checked in test_downloads_name_only_their_council.
DOWNLOADS = {
    "reporting:paper_download",
    "reporting:prepared_download",
    "reporting:issued_download",
    "workbook:export",
    "workbook:export_csv",
    "workbook:progress",
    "measures:scorecard_download",
    "measures:figures_template",
    "measures:measure_figures_csv",
}
# Outside any plan: they name whoever runs the installation.
OUTSIDE = {
    "health",
    "login",
    "logout",
    "logged_out",
    "password_change",
    "password_change_done",
    "set_password",
    "plans:home",
    "plans:accessibility",
    "plans:my_work",
    "plans:plan_list",
    "plans:start_plan",
    "reminders:email_settings",
}


def plan_pages(c: Council, admin: Client) -> dict[str, str]:
    """Every page of the plan, by URL name, with real ids of the plan's records."""
    plan, slug = c.plan, c.plan.slug
    area = plan.areas.get()
    action = area.actions.get()
    milestone = area.milestones.get()
    update = area.updates.get(state=ProgressUpdate.State.APPROVED)
    draft = area.updates.get(state=ProgressUpdate.State.DRAFT)
    submitted = area.updates.get(state=ProgressUpdate.State.SUBMITTED)
    membership = Membership.objects.get(plan=plan, user=c.users["officer"])
    theme = plan.themes.get()
    owner = area.lead
    partner = Organisation.objects.get(council=plan.organisation)
    meeting, kind = c.meeting.pk, Kind.BOARD
    # A workbook's preview: the plan's own export, uploaded unchanged.
    response = upload(admin, plan, to_bytes(export(admin, plan)))
    assert response.status_code == 302, response.status_code
    preview = response["Location"]

    def url(name: str, *args: object) -> str:
        return reverse(name, args=args)

    return {
        "plans:plan": url("plans:plan", slug),
        "plans:plan_changes": url("plans:plan_changes", slug),
        "plans:sign_off": url("plans:sign_off", slug),
        "plans:setup": url("plans:setup", slug),
        "plans:setup_details": url("plans:setup_details", slug),
        "plans:setup_themes": url("plans:setup_themes", slug),
        "plans:setup_theme_new": url("plans:setup_theme_new", slug),
        "plans:setup_theme_edit": url("plans:setup_theme_edit", slug, theme.pk),
        "plans:setup_theme_remove": url("plans:setup_theme_remove", slug, theme.pk),
        "plans:setup_owners": url("plans:setup_owners", slug),
        "plans:setup_owner_new": url("plans:setup_owner_new", slug),
        "plans:setup_owner_edit": url("plans:setup_owner_edit", slug, owner.pk),
        "plans:setup_partners": url("plans:setup_partners", slug),
        "plans:setup_partner_new": url("plans:setup_partner_new", slug),
        "plans:setup_partner_edit": url("plans:setup_partner_edit", slug, partner.pk),
        "plans:setup_meetings": url("plans:setup_meetings", slug),
        "plans:setup_meeting_new": url("plans:setup_meeting_new", slug),
        "plans:setup_meeting_edit": url("plans:setup_meeting_edit", slug, meeting),
        "plans:setup_meeting_cancel": url("plans:setup_meeting_cancel", slug, meeting),
        "plans:setup_meeting_reinstate": url("plans:setup_meeting_reinstate", slug, meeting),
        "plans:setup_members": url("plans:setup_members", slug),
        "plans:setup_member_add": url("plans:setup_member_add", slug),
        "plans:setup_member_new_account": url("plans:setup_member_new_account", slug),
        "plans:setup_member_role": url("plans:setup_member_role", slug, membership.pk),
        "plans:setup_member_remove": url("plans:setup_member_remove", slug, membership.pk),
        "plans:setup_member_send_link": url("plans:setup_member_send_link", slug, membership.pk),
        "plans:areas_from_recommendations": url("plans:areas_from_recommendations", slug),
        "plans:area": url("plans:area", slug, 1),
        "plans:area_edit": url("plans:area_edit", slug, 1),
        "plans:area_history": url("plans:area_history", slug, 1),
        "plans:update_new": url("plans:update_new", slug, 1),
        "plans:action_new": url("plans:action_new", slug, 1),
        "plans:milestone_new": url("plans:milestone_new", slug, 1),
        "plans:update": url("plans:update", update.pk),
        "plans:update_edit": url("plans:update_edit", draft.pk),
        "plans:update_review": url("plans:update_review", submitted.pk),
        "plans:action_edit": url("plans:action_edit", action.pk),
        "plans:action_history": url("plans:action_history", action.pk),
        "plans:milestone_edit": url("plans:milestone_edit", milestone.pk),
        "plans:milestone_reforecast": url("plans:milestone_reforecast", milestone.pk),
        "plans:milestone_history": url("plans:milestone_history", milestone.pk),
        "reporting:dashboard": url("reporting:dashboard", slug),
        # One section stands for all: they share the page's frame.
        "reporting:dashboard_section": url("reporting:dashboard_section", slug, "changes"),
        "plans:search": url("plans:search", slug) + "?q=area",
        "reporting:papers": url("reporting:papers", slug),
        "reporting:paper": url("reporting:paper", slug, kind),
        "reporting:meetings": url("reporting:meetings", slug),
        "reporting:meeting": url("reporting:meeting", slug, meeting),
        "reporting:prepared": url("reporting:prepared", slug, meeting, kind),
        "reporting:front_sheet": url("reporting:front_sheet", slug, meeting, kind),
        "reporting:prepared_issue": url("reporting:prepared_issue", slug, meeting, kind),
        "reporting:issued": url("reporting:issued", c.issued.pk),
        "reminders:returns": url("reminders:returns", slug),
        "reminders:return_settings": url("reminders:return_settings", slug),
        "workbook:hub": url("workbook:hub", slug),
        "workbook:import": url("workbook:import", slug),
        "workbook:progress_import": url("workbook:progress_import", slug),
        "workbook:preview": preview,
        "measures:figures": url("measures:figures", slug),
        "measures:upload": url("measures:upload", slug),
        "measures:settings": url("measures:settings", slug),
        "measures:measure_new": url("measures:measure_new", slug, 1),
        "measures:measure_edit": url("measures:measure_edit", c.measure.pk),
        "measures:figure": url("measures:figure", c.measure.pk),
        "measures:measure_history": url("measures:measure_history", c.measure.pk),
        "measures:measure": url("measures:measure", c.measure.pk),
    }


def service_patterns() -> set[str]:
    """Every URL name of the service's own (the operators' admin site aside)."""
    return {name for name, _ in all_patterns() if not name.startswith("admin:")}


def header(html: str) -> tuple[str, str]:
    """The page's <title> and the name in its header."""
    title = re.search(r"<title>(.*?)</title>", html, re.S).group(1)
    name = re.search(r'<span class="app-header__council">(.*?)</span>', html, re.S).group(1)
    return title, name


def test_every_page_is_accounted_for(councils):
    north, _ = councils
    pages = plan_pages(north, signed_in(north.users["admin"]))
    listed = set(pages) | NOT_PAGES | DOWNLOADS | OUTSIDE
    assert not set(pages) & (NOT_PAGES | DOWNLOADS | OUTSIDE)
    # A new page joins one of the lists above, and so the walk below.
    assert service_patterns() == listed, service_patterns() ^ listed


def test_every_page_of_a_plan_names_its_own_council_only(councils):
    for c in councils:
        clients = {role: signed_in(user) for role, user in c.users.items()}
        pages = plan_pages(c, clients["admin"])
        shown = set()
        for page, url in pages.items():
            for role, client in clients.items():
                response = client.get(url)
                html = response.content.decode()
                # Refusals (403, 404) and redirects too.
                assert other(c) not in html, (c.name, page, role, response.status_code)
                if response.status_code != 200:
                    continue
                shown.add(page)
                title, name = header(html)
                assert title.endswith(f"– {SERVICE} – {c.name}"), (page, role, title)
                assert name == c.name, (page, role, name)
                assert f"{c.name} keeps this plan in {SERVICE}." in html, (page, role)
        # Each page was shown to one of the plan's members at least.
        assert shown == set(pages), set(pages) - shown


def test_pages_outside_any_plan_name_the_installation(councils):
    north, _ = councils
    member = signed_in(north.users["admin"])
    pages = {
        "login": (Client(), reverse("login")),
        "accessibility": (Client(), reverse("plans:accessibility")),
        "plans": (member, reverse("plans:plan_list")),
        "my work": (member, reverse("plans:my_work")),
        "start a plan": (member, reverse("plans:start_plan")),
        "password": (member, reverse("password_change")),
        "e-mails": (member, reverse("reminders:email_settings")),
        "not found": (member, "/plans/no-such-plan/"),
    }
    for page, (client, url) in pages.items():
        response = client.get(url)
        html = response.content.decode()
        assert response.status_code in (200, 404), (page, response.status_code)
        title, name = header(html)
        assert title.endswith(f"– {SERVICE} – {RUN_BY}"), (page, title)
        assert name == RUN_BY, page
        assert f"{SERVICE} is run by {RUN_BY}." in html, page
        assert SOUTH not in html, page


def test_without_an_installation_name_outside_pages_name_the_service_alone(councils, settings):
    settings.INSTALLATION_NAME = ""
    html = Client().get(reverse("login")).content.decode()
    title, name = header(html)
    assert title.endswith(f"– {SERVICE}") and name == SERVICE
    assert "is run by" not in html and NORTH not in html and SOUTH not in html
    # A plan's pages still name its council, and only that.
    north, _ = councils
    html = signed_in(north.users["board"]).get(reverse("plans:plan", args=[north.plan.slug]))
    title, name = header(html.content.decode())
    assert title.endswith(f"– {SERVICE} – {NORTH}") and name == NORTH


# --- Papers and downloads ------------------------------------------------------------------


def docx_text(data: bytes) -> str:
    document = docx.Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    for section in document.sections:
        parts += [p.text for p in section.header.paragraphs + section.footer.paragraphs]
    parts += [document.core_properties.author, document.core_properties.last_modified_by]
    return "\n".join(parts)


def pdf_text(data: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(data))
    text = "\n".join(page.extract_text() for page in reader.pages)
    return f"{text}\n{reader.metadata.title}"


def xlsx_text(data: bytes) -> str:
    book = openpyxl.load_workbook(io.BytesIO(data))
    cells = [
        str(value)
        for sheet in book.worksheets
        for row in sheet.iter_rows(values_only=True)
        for value in row
        if value is not None
    ]
    return "\n".join([*cells, book.properties.creator or "", book.properties.lastModifiedBy or ""])


def csv_text(data: bytes) -> str:
    rows = csv.reader(io.StringIO(data.decode("utf-8-sig")))
    return "\n".join(",".join(row) for row in rows)


READ = {"docx": docx_text, "pdf": pdf_text, "xlsx": xlsx_text, "csv": csv_text}


def file_name(response) -> str:
    return re.search(r'filename="([^"]+)"', response["Content-Disposition"]).group(1)


def names_own_council(c, response) -> bool:
    """The file's name starts with its own council, and names no other."""
    name = file_name(response)
    return name.startswith(slugify(c.name) + "-") and slugify(other(c)) not in name


def test_papers_name_only_their_council(councils):
    for c in councils:
        client = signed_in(c.users["scrutiny"])
        slug = c.plan.slug
        for kind in Kind.ALL:
            html = client.get(reverse("reporting:paper", args=[slug, kind])).content.decode()
            assert c.name in html and other(c) not in html, kind
        # The board report as issued to the meeting, in every format it offers.
        issued = client.get(reverse("reporting:issued", args=[c.issued.pk])).content.decode()
        assert c.name in issued and other(c) not in issued
        for fmt in Kind.FORMATS[Kind.BOARD]:
            response = client.get(reverse("reporting:issued_download", args=[c.issued.pk, fmt]))
            assert response.status_code == 200, fmt
            text = READ[fmt](response.content)
            assert c.name in text and other(c) not in text, (c.name, fmt)
            assert names_own_council(c, response), file_name(response)
        # The scrutiny summary, downloaded as it stands, in every format.
        for fmt in Kind.FORMATS[Kind.SCRUTINY]:
            url = reverse("reporting:paper_download", args=[slug, Kind.SCRUTINY, fmt])
            response = client.get(url)
            assert response.status_code == 200, fmt
            text = READ[fmt](response.content)
            assert other(c) not in text and names_own_council(c, response), (c.name, fmt)
            if fmt != "csv":  # the CSV is the table alone
                assert c.name in text, (c.name, fmt)


def test_downloads_name_no_other_council(councils):
    for c in councils:
        client = signed_in(c.users["admin"])
        slug, meeting = c.plan.slug, c.meeting.pk
        files = {
            "preview": reverse(
                "reporting:prepared_download", args=[slug, meeting, Kind.BOARD, "pdf"]
            ),
            "workbook": reverse("workbook:export", args=[slug]),
            "progress": reverse("workbook:progress", args=[slug]),
            "owners sheet": reverse("workbook:export_csv", args=[slug, "owners"]),
            "scorecard": reverse("measures:scorecard_download", args=[slug, "xlsx"]),
            "scorecard csv": reverse("measures:scorecard_download", args=[slug, "csv"]),
            "figures": reverse("measures:figures_template", args=[slug]),
            "a measure's figures": reverse("measures:measure_figures_csv", args=[c.measure.pk]),
        }
        for what, url in files.items():
            response = client.get(url)
            assert response.status_code == 200, (what, response.status_code)
            fmt = file_name(response).rsplit(".", 1)[-1]
            text = READ[fmt](response.content)
            assert other(c) not in text and names_own_council(c, response), (c.name, what)
        # The paper's preview is the board report: it names its council.
        response = client.get(files["preview"])
        assert c.name in pdf_text(response.content)


# --- E-mails -------------------------------------------------------------------------------


def test_reminders_name_only_their_council(councils):
    call_command("send_reminders", "--now", at(FIRST_REMINDER).isoformat(), stdout=io.StringIO())
    by_address = {}
    for message in mail.outbox:
        (to,) = message.to
        by_address.setdefault(to, []).append(message)
    for c in councils:
        # The officer's return is due; the administrator has the week's summary.
        for role in ("officer", "admin"):
            received = by_address.pop(c.users[role].email)
            for message in received:
                name, _ = parseaddr(message.from_email)
                assert name == c.name, (role, message.subject)
                html = message.alternatives[0][0] if message.alternatives else ""
                for text in (message.subject, message.body, html):
                    assert other(c) not in text, (role, message.subject)
                assert c.name in message.body, (role, message.subject)


def test_set_password_email_names_the_plans_council(councils):
    for c in councils:
        officer = Membership.objects.get(plan=c.plan, user=c.users["officer"])
        url = reverse("plans:setup_member_send_link", args=[c.plan.slug, officer.pk])
        response = signed_in(c.users["admin"]).post(url, {"reason": ""})
        assert response.status_code == 302, response.status_code
        message = mail.outbox.pop()
        assert message.to == [c.users["officer"].email]
        assert f"an administrator of {c.name}'s Children's Services Plan" in message.body
        assert other(c) not in message.body and other(c) not in message.subject
        assert parseaddr(message.from_email)[0] == c.name


# --- The settings, and a plan set up in the admin site ------------------------------------


def installation_name(**env: str) -> str:
    """INSTALLATION_NAME as a fresh process reads it from ``env``."""
    clean = {k: v for k, v in os.environ.items() if k not in ("INSTALLATION_NAME", "COUNCIL_NAME")}
    result = subprocess.run(
        [sys.executable, "-c", "import improvement.settings as s; print(s.INSTALLATION_NAME)"],
        cwd=Path(__file__).resolve().parent.parent,
        env={**clean, "DEBUG": "true", **env},  # no SECRET_KEY needed
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_an_existing_deployments_council_name_still_names_the_installation():
    assert installation_name() == ""
    assert installation_name(COUNCIL_NAME="Plymouth City Council") == "Plymouth City Council"
    assert installation_name(INSTALLATION_NAME=RUN_BY, COUNCIL_NAME="Plymouth") == RUN_BY


def test_a_plan_whose_organisation_is_a_partner_names_the_partners_council(db):
    council = factories.OrganisationFactory(name=NORTH)
    partner = factories.OrganisationFactory(name="Northmoor Police", council=council)
    assert factories.PlanFactory(organisation=partner).council == council
    assert factories.PlanFactory(organisation=council).council == council
