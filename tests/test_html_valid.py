"""Every page every role can reach is valid HTML, checked by the Nu HTML checker.

The test walks the URL patterns (so a new page is checked without anyone
remembering to add it), fills them with real ids from the ``world`` fixture,
fetches each as every role, and validates all the HTML answers in one run of
vnu.jar (one JVM start keeps it quick). A pattern the walk cannot fill fails
the test, rather than going unchecked: give it sample values in ``SAMPLES``
(or ``PK_SAMPLES``), or add it to ``EXCLUDED`` with the reason.
"""

from __future__ import annotations

import datetime
import re

import pytest
from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.db.utils import OperationalError
from django.test import Client, RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from improvement.views import server_error
from plans.models import Membership, ProgressUpdate
from plans.roles import OFFICER
from reporting.build import build_paper
from reporting.models import IssuedPaper
from reporting.papers import Kind
from reporting.services import prepare
from reporting.views import render_body
from tests import factories
from tests.conftest import ROLES
from tests.support.html import validate
from tests.support.workbooks import pending_import

pytestmark = pytest.mark.django_db


# Named URL patterns that are not fetched here, and why.
EXCLUDED = {
    # Files, not pages (their HTML siblings are checked).
    "reporting:paper_download": "download",
    "reporting:issued_download": "download",
    "reporting:prepared_download": "download",
    # POST-only: they answer a GET with 405 and no page. Their outcomes are
    # pages checked here (the meeting page, the update's page).
    "reporting:prepare": "POST only",
    "plans:update_submit": "POST only",
    # POST-only "Remind now"; it leads back to the returns page, checked here.
    "reminders:remind": "POST only",
    # POST-only; the signed-out page it leads to is fetched below.
    "logout": "POST only",
    # JSON for load balancers.
    "health": "not HTML",
    # Workbooks (workbook/): the files, and the POST-only cancel, which leads to the hub.
    "workbook:export": "download",
    "workbook:export_csv": "download",
    "workbook:progress": "download",
    "workbook:cancel": "POST only",
    # Success measures (measures/): files, and the upload's POST-only confirmation,
    # which leads to the figures page, checked here.
    "measures:scorecard_download": "download",
    "measures:figures_template": "download",
    "measures:measure_figures_csv": "download",
    "measures:upload_confirm": "POST only",
}
# Django's own admin site: its templates are Django's, not ours.
EXCLUDED_NAMESPACES = ("admin:",)

# Sample values for URL keywords, by keyword name; ``pk`` goes by the path
# segment before it (``PK_SAMPLES``). Several values mean one URL for each.
SAMPLES = {
    # The dashboard's sections (reporting/dashboard.py).
    "section": lambda w: ["areas", "milestones", "measures", "charts", "changes"],
    "slug": lambda w: [w.plan.slug],
    "number": lambda w: [w.area.number],
    "kind": lambda w: list(Kind.ALL),
    # A set-password link: a good one (it leads on to the form) and a spoilt one.
    "uidb64": lambda w: [urlsafe_base64_encode(force_bytes(w.newcomer.pk))],
    "token": lambda w: [default_token_generator.make_token(w.newcomer), "0-spoilt"],
}
PK_SAMPLES = {
    # Approved, submitted and draft: each role sees a different page (or 404).
    "updates": lambda w: [w.approved.pk, w.submitted.pk, w.draft.pk],
    "actions": lambda w: [w.action.pk],
    "milestones": lambda w: [w.milestone.pk],
    "meetings": lambda w: [w.meeting.pk],
    "issued": lambda w: [w.issued.pk],
    # Plan set-up.
    "themes": lambda w: [w.theme.pk],
    "owners": lambda w: [w.owner.pk],
    "partners": lambda w: [w.partner.pk],
    "members": lambda w: [Membership.objects.get(plan=w.plan, user=w.users["officer"]).pk],
    # A plan administrator's checked import, waiting for confirmation (workbook/).
    "imports": lambda w: [w.pending_import.pk],
    # A success measure with figures (measures/): its figure, edit and history pages.
    "measures": lambda w: [w.measure.pk],
}


def named_patterns(resolver=None, namespace=""):
    for p in (resolver or get_resolver()).url_patterns:
        if isinstance(p, URLResolver):
            yield from named_patterns(p, f"{namespace}{p.namespace}:" if p.namespace else namespace)
        elif isinstance(p, URLPattern) and p.name:
            yield f"{namespace}{p.name}", p


def sample_kwargs(name: str, pattern: URLPattern, world) -> list[dict]:
    """Every combination of sample values for the pattern's keywords."""
    route = str(pattern.pattern)
    combos: list[dict] = [{}]
    for key in getattr(pattern.pattern, "converters", {}):
        if key == "pk":
            before = re.search(r"([\w-]+)/<(?:\w+:)?pk>", route)
            sampler = PK_SAMPLES.get(before.group(1)) if before else None
        else:
            sampler = SAMPLES.get(key)
        if sampler is None:
            pytest.fail(
                f"{name} ({route}): no sample value for <{key}>. Add one to SAMPLES or "
                "PK_SAMPLES in tests/test_html_valid.py, or exclude the page in EXCLUDED."
            )
        combos = [{**c, key: value} for c in combos for value in sampler(world)]
    if not combos[0] and pattern.pattern.regex.groups:
        pytest.fail(f"{name} ({route}): a regular-expression pattern; give it samples or exclude")
    return combos


def page_urls(world) -> dict[str, str]:
    """{url: pattern name} for every pattern not excluded."""
    urls = {}
    for name, pattern in named_patterns():
        if name in EXCLUDED or name.startswith(EXCLUDED_NAMESPACES):
            continue
        for kwargs in sample_kwargs(name, pattern, world):
            urls[reverse(name, kwargs=kwargs)] = name
    assert len(urls) > 25
    return urls


def add_records(world) -> None:
    """A submitted and a draft update, a meeting with an issued paper, the
    plan's set-up records, and a new account that has never signed in (so that
    its set-password link stays good while everyone else signs in)."""
    officer = world.users["officer"]
    world.theme = factories.ThemeFactory(plan=world.plan)
    council = world.plan.organisation
    world.owner = factories.OwnerFactory(organisation=council, job_title="Director of Children's")
    world.partner = factories.OrganisationFactory(council=council, kind="health")
    world.newcomer = factories.UserFactory(username="newcomer")
    factories.join(world.plan, {world.newcomer: OFFICER})
    world.submitted = factories.ProgressUpdateFactory(
        area=world.area, author=officer, state=ProgressUpdate.State.SUBMITTED
    )
    world.draft = factories.ProgressUpdateFactory(area=world.area, author=officer)
    world.meeting = factories.MeetingFactory(plan=world.plan, date=datetime.date(2015, 6, 1))
    # A success measure with two months' figures: its chart, table and forms.
    from tests.measures.conftest import add_value, make_measure

    world.measure = make_measure(world.area, world.area.lead)
    last = timezone.localdate().replace(day=1) - datetime.timedelta(days=1)
    add_value(world.measure, last.replace(day=1), 70, comment="First count")
    earlier = add_value(
        world.measure, (last.replace(day=1) - datetime.timedelta(days=1)).replace(day=1), 60
    )
    # … one of them corrected: the measure's page lists the correction.
    from measures.services import record_value

    record_value(
        measure=world.measure,
        period=earlier.period,
        value=earlier.value + 2,
        comment="",
        user=world.users["admin"],
        reason="Recounted",
    )
    # The board report prepared for it: its page and front sheet form are pages too.
    prepare(world.meeting, Kind.BOARD, world.users["admin"])
    as_at = datetime.date(2015, 5, 31)
    paper = build_paper(Kind.SCRUTINY, world.plan, as_at)
    # The page shows the stored HTML; the files themselves are never parsed here.
    world.issued = IssuedPaper.objects.create(
        meeting=world.meeting,
        kind=Kind.SCRUTINY,
        version=1,
        as_at=as_at,
        title=paper.title,
        html=render_body(paper),
        docx=b"-",
        pdf=b"-",
        issued_by=world.users["admin"],
        issued_at=timezone.now(),
    )
    world.pending_import = pending_import(world)


def is_html(response) -> bool:
    # Redirects and 405s are text/html too, with an empty body: not pages.
    html = response["Content-Type"].startswith("text/html") and response.content.strip()
    return bool(html) and response.status_code < 500


def fetch(client: Client, url: str):
    """GET, following redirects to pages (the "already done" answers, the
    set-password link) but not the many to the sign-in page."""
    response = client.get(url)
    for _ in range(5):
        location = response.get("Location", "")
        if response.status_code not in (301, 302, 303, 307, 308) or location.startswith(
            reverse("login")
        ):
            break
        response = client.get(location)
    return response


def collect_pages(world) -> dict[str, str]:
    """{"role URL (status)": html} for every HTML page the walk reaches."""
    add_records(world)
    pages: dict[str, str] = {}

    def keep(label: str, response) -> None:
        if is_html(response):
            pages[f"{label} ({response.status_code})"] = response.content.decode()

    # (A 500 from a page would have raised here; this is the page itself.)
    pages["500 page"] = server_error(RequestFactory().get("/")).content.decode()
    try:
        raise OperationalError("could not connect to server")
    except OperationalError:
        # The database outage page (handler500 answers 503 for these).
        pages["503 page"] = server_error(RequestFactory().get("/")).content.decode()

    urls = page_urls(world)
    statuses: dict[str, set[int]] = {}
    for role in [*ROLES, "anonymous"]:
        client = Client()
        if role != "anonymous":
            client.force_login(world.users[role])
        for url, name in urls.items():
            response = fetch(client, url)
            if role != "anonymous":  # (anonymous is sent to sign in, whatever the method)
                statuses.setdefault(name, set()).add(response.status_code)
            keep(f"{role} {url}", response)
        keep(f"{role} 404", client.get("/no-such-page/"))
        # The 400 page: a request for a host name this service does not answer to.
        keep(f"{role} 400", client.get("/", HTTP_HOST="elsewhere.example"))
        if role != "anonymous":
            # Signing out, and the page it leads to.
            keep(f"{role} signed out", client.post(reverse("logout"), follow=True))
    # A page nobody can GET is POST-only: it belongs in EXCLUDED, saying so.
    post_only = sorted(name for name, got in statuses.items() if got == {405})
    assert not post_only, f"POST-only; add to EXCLUDED in tests/test_html_valid.py: {post_only}"

    admin = Client()
    admin.force_login(world.users["admin"])
    bad = reverse("reporting:dashboard", args=[world.plan.slug]) + "?as_at=2015-13-45"
    keep("admin bad as-at date", admin.get(bad))
    # The plan overview filtered and sorted, and with filters not the plan's (400).
    overview = reverse("plans:plan", args=[world.plan.slug])
    lead, theme = world.area.lead_id, world.theme.pk
    keep(
        "admin overview filtered and sorted",
        admin.get(f"{overview}?rag=green&rag=none&theme={theme}&lead={lead}&sort=rag&dir=desc"),
    )
    keep("admin overview no areas match", admin.get(f"{overview}?rag=red&overdue=yes"))
    keep("admin overview bad filters", admin.get(f"{overview}?rag=purple&overdue=1&sort=x"))
    # The plan's search: hits with excerpts and "and M more", none, and too long (400).
    for i in range(12):
        factories.MilestoneFactory(
            area=world.area,
            title=f"Kingfisher survey {i}",
            note="A <b>nest</b> by the kingfisher's river.",
        )
    search = reverse("plans:search", args=[world.plan.slug])
    for q in ("kingfisher", "workloads", "no such words", "x" * 201, '"<&>'):
        keep(f"admin search {q[:20]}", admin.get(search, {"q": q}))
    measure = reverse("measures:measure", args=[world.measure.pk])
    keep("admin measure bad as-at date", admin.get(measure + "?as_at=2015-13-45"))
    # Preparing a paper for a meeting known only to the month asks its as-at date.
    month_only = factories.MeetingFactory(
        plan=world.plan, date=datetime.date(2015, 7, 31), date_precision="month"
    )
    prepare = reverse("reporting:prepare", args=[world.plan.slug, month_only.pk, Kind.BOARD])
    keep("admin prepare: the as-at date asked", admin.post(prepare))
    wrong = {"as_at_0": "1", "as_at_1": "8", "as_at_2": "2015"}
    keep("admin prepare: the as-at date refused", admin.post(prepare, wrong))

    anonymous = Client()
    login = reverse("login")
    keep("anonymous sign-in with errors", anonymous.post(login, {"username": "x", "password": ""}))
    for _ in range(settings.AXES_FAILURE_LIMIT + 1):
        response = anonymous.post(login, {"username": "board", "password": "wrong-password"})
    keep("anonymous locked out", response)
    return pages


def get_forms(html: str) -> list[str]:
    return re.findall(r"<form\b(?=[^>]*method=\"get\")[^>]*>.*?</form>", html, re.S | re.I)


def test_every_page_is_valid_html(world, tmp_path):
    pages = collect_pages(world)
    roles_seen = {label.split()[0] for label in pages}
    assert set(ROLES) <= roles_seen
    assert {
        "admin overview filtered and sorted (200)",
        "admin overview no areas match (200)",
        "admin overview bad filters (400)",
    } <= set(pages)
    errors = validate(pages, tmp_path)
    assert not errors, f"{len(errors)} HTML errors:\n" + "\n".join(errors)
    # No GET form puts the CSRF token into the address bar (and the logs).
    leaky = [label for label, html in pages.items() if "csrfmiddleware" in "".join(get_forms(html))]
    assert not leaky, leaky


def test_get_forms_carry_no_csrf_token(world):
    client = Client()
    client.force_login(world.users["admin"])
    slug = world.plan.slug
    urls = [
        reverse("plans:plan", args=[slug]) + "?rag=red&sort=rag&dir=desc",
        reverse("reporting:dashboard", args=[slug]),
        *(
            reverse("reporting:dashboard_section", args=[slug, section])
            for section in ("areas", "milestones", "measures", "charts", "changes")
        ),
        reverse("reporting:papers", args=[slug]),
        reverse("reporting:paper", args=[slug, Kind.SCRUTINY]),
        reverse("reporting:dashboard", args=[slug]) + "?as_at=2015-13-45",
        # The plan's search, and the search box on a plan's page.
        reverse("plans:search", args=[slug]) + "?q=workloads",
        reverse("plans:plan", args=[slug]),
    ]
    for url in urls:
        forms = get_forms(client.get(url).content.decode())
        assert forms, url
        for form in forms:
            assert "csrfmiddlewaretoken" not in form, url
            assert 'action=""' not in form, url
