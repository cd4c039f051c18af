"""The dashboard and papers, as at any date, from recorded history."""

import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from plans.models import ImprovementArea, Meeting, ProgressUpdate
from plans.saving import save_with_history
from reporting import services
from reporting.build import build_paper
from reporting.forms import FrontSheetForm
from reporting.models import IssuedPaper, PreparedPaper
from reporting.papers import Kind
from tests import factories
from tests.conftest import client_for
from tests.plans.seed_source import seed_rows

pytestmark = pytest.mark.django_db

SEED_DATE = datetime.date(2015, 5, 31)


def paper_html(response) -> str:
    """The paper itself, without the page around it (which carries a fresh CSRF token)."""
    html = response.content.decode()
    return html[html.index("<article") : html.index("</article>")]


def test_the_seed_table_comes_back_out_as_at_its_date(seed):
    plan, _, _ = seed
    paper = build_paper(Kind.SCRUTINY, plan, SEED_DATE)
    assert [(a.number, a.recommendation, a.overview) for a in paper.areas] == seed_rows()
    assert paper.title == "Improvement Plan update on progress"
    # The May 2015 paper gave no statuses: the loader's are marked as assessed.
    assert all(a.rag and a.rag_assessed for a in paper.areas)
    assert all(a.rag_label.endswith("(assessed)") for a in paper.areas)
    assert not paper.recorded_statuses


def test_the_seed_table_in_the_html_paper(seed):
    plan, clients, _ = seed
    url = reverse("reporting:paper", args=[plan.slug, Kind.SCRUTINY]) + "?as_at=2015-05-31"
    html = paper_html(clients["board"].get(url))
    import lxml.html

    root = lxml.html.fragment_fromstring(html + "</article>", create_parent="div")
    tables = {
        tuple(" ".join(th.text_content().split()) for th in t.xpath("./thead/tr/th")): t
        for t in root.iter("table")
    }
    table = tables[("Improvement Area", "Overview")]  # the seed's columns, no status
    rows = [[" ".join(td.text_content().split()) for td in tr] for tr in table.xpath("./tbody/tr")]
    assert rows == [[f"{n} {rec}", ov] for n, rec, ov in seed_rows()]
    facts = {
        tr[0].text_content().strip(): tr[1].text_content().strip()
        for tr in tables[("Item", "Detail")].xpath("./tbody/tr")
    }
    assert facts["Position as at"] == "31 May 2015"
    # The statuses were assessed, not recorded: no status column, so no key.
    assert "RAG key" not in html


def test_before_the_overviews_were_approved_there_is_no_status(seed):
    plan, _, _ = seed
    paper = build_paper(Kind.SCRUTINY, plan, datetime.date(2015, 4, 30))
    assert {a.rag for a in paper.areas} == {None}
    assert {a.rag_label for a in paper.areas} == {"Not yet rated"}
    # The Care First upgrade was complete by the end of March, not before.
    board = build_paper(Kind.BOARD, plan, datetime.date(2015, 3, 30))
    assert not board.areas[2].completed_since_board
    board = build_paper(Kind.BOARD, plan, datetime.date(2015, 4, 30))
    assert [m.title for m in board.areas[2].completed_since_board] == [
        "Care First upgrade completed"
    ]


def test_a_paper_as_at_a_past_date_does_not_change_when_the_data_does(seed):
    plan, clients, users = seed
    url = reverse("reporting:paper", args=[plan.slug, Kind.SCRUTINY]) + "?as_at=2015-05-31"
    before = paper_html(clients["board"].get(url))
    paper_before = build_paper(Kind.BOARD, plan, SEED_DATE)

    # Today: area 3 is reworded and a new update, dated back to May, is approved.
    area = ImprovementArea.objects.get(plan=plan, number=3)
    area.recommendation = "Reworded today"
    save_with_history(area, reason="Reworded", user=users["admin"])
    update = ProgressUpdate(
        area=area,
        as_at=datetime.date(2015, 5, 20),
        rag="red",
        narrative="Written today",
        author=users["officer"],
        state="approved",
        approved_by=users["admin"],
        approved_at=timezone.now(),
        submitted_at=timezone.now(),
    )
    save_with_history(update, reason="Approved", user=users["admin"])

    assert paper_html(clients["board"].get(url)) == before
    assert build_paper(Kind.BOARD, plan, SEED_DATE) == paper_before
    # As at today, the change shows.
    today = build_paper(Kind.SCRUTINY, plan, timezone.localdate())
    assert today.areas[2].recommendation == "Reworded today"
    assert today.areas[2].overview == "Written today"


@pytest.mark.parametrize(
    ("as_at", "message"),
    [
        ("2015-02-30", "The as-at date must be a real date"),
        ("banana", "The as-at date must be a real date"),
        ("2015-01-01", "The as-at date must be on or after 11 March 2015"),
        # Tomorrow on the test's clock: a date here would be read at collection.
        pytest.param(None, "The as-at date must be today or in the past", id="tomorrow"),
    ],
)
def test_bad_as_at_dates_get_a_clear_message_and_a_400(seed, as_at, message):
    plan, clients, _ = seed
    as_at = as_at or (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    for url in (
        reverse("reporting:dashboard", args=[plan.slug]),
        reverse("reporting:papers", args=[plan.slug]),
        reverse("reporting:paper", args=[plan.slug, Kind.BOARD]),
        reverse("reporting:paper_download", args=[plan.slug, Kind.SCRUTINY, "csv"]),
    ):
        response = clients["board"].get(url, {"as_at": as_at})
        assert response.status_code == 400, url
        html = response.content.decode()
        assert message in html and "govuk-error-summary" in html and "<title>Error: " in html


def test_the_as_at_form_boxes_work_too(seed):
    plan, clients, _ = seed
    url = reverse("reporting:dashboard", args=[plan.slug])
    response = clients["board"].get(url, {"as_at_0": "31", "as_at_1": "5", "as_at_2": "2015"})
    assert response.status_code == 200
    assert "As at the end of 31 May 2015" in response.content.decode()
    areas = reverse("reporting:dashboard_section", args=[plan.slug, "areas"])
    bad = clients["board"].get(areas, {"stale_days": "-3"})
    assert bad.status_code == 400


def test_dashboard_shows_movement_since_the_previous_board(seed):
    plan, clients, users = seed
    # A board meeting after the overviews, then area 1 goes red.
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    factories.MeetingFactory(plan=plan, date=yesterday, title="Board (this week)")
    area = ImprovementArea.objects.get(plan=plan, number=1)
    update = ProgressUpdate(
        area=area,
        as_at=datetime.date(2015, 6, 1),
        rag="red",
        narrative="Caseloads rose.",
        rag_reason="Vacancies",
        author=users["officer"],
        state="approved",
        approved_by=users["admin"],
        approved_at=timezone.now(),
        submitted_at=timezone.now(),
    )
    save_with_history(update, reason="Approved", user=users["admin"])
    html = clients["board"].get(reverse("reporting:dashboard", args=[plan.slug])).content.decode()
    assert f"compared with the Board (this week), {yesterday.day} {yesterday:%B %Y}" in html
    assert "Worse:" in html and "Red – off track)" in html
    paper = build_paper(Kind.ASSURANCE, plan, timezone.localdate())
    first = paper.exceptions[0]
    assert (first.area_number, first.what, first.reason) == (
        1,
        "Rated Red – off track",
        "Vacancies",
    )
    assert first.latest_update == "1 June 2015"


def as_at(day: int, month: int, year: int) -> dict:
    """The as-at date, as the prepare form for a month-only meeting posts it."""
    return {"as_at_0": str(day), "as_at_1": str(month), "as_at_2": str(year)}


def test_a_meeting_known_only_to_the_month_asks_for_the_as_at_date(seed):
    plan, clients, users = seed
    meeting = Meeting.objects.get(
        plan=plan, kind="improvement_board", date=datetime.date(2015, 6, 30)
    )
    assert meeting.date_precision == "month"
    prepare = reverse("reporting:prepare", args=[plan.slug, meeting.pk, Kind.BOARD])
    scrutiny = clients["scrutiny"]
    # Asked, not guessed: the end of June may be after the meeting.
    page = scrutiny.post(prepare)
    assert page.status_code == 200 and not PreparedPaper.objects.exists()
    assert "recorded as June 2015, without its day" in page.content.decode()
    with pytest.raises(services.AsAtNeeded):
        services.prepare(meeting, Kind.BOARD, users["scrutiny"])
    # After the month, or not a date: the GOV.UK error summary, nothing prepared.
    refused = scrutiny.post(prepare, as_at(1, 7, 2015))
    assert refused.status_code == 400 and not PreparedPaper.objects.exists()
    assert "must be on or before the end of June 2015" in refused.content.decode()
    assert "govuk-error-summary" in refused.content.decode()
    assert scrutiny.post(prepare, as_at(31, 2, 2015)).status_code == 400
    # Within the month: prepared as at that day, with a warning to check the day it meets.
    response = scrutiny.post(prepare, as_at(12, 6, 2015))
    assert response.status_code == 302
    prepared = PreparedPaper.objects.get()
    assert prepared.as_at == datetime.date(2015, 6, 12)
    page = scrutiny.get(response.url).content.decode()
    assert "known only to the month (June 2015)" in page and "12 June 2015" in page
    # Prepared once: preparing again opens it, asking nothing.
    assert scrutiny.post(prepare).status_code == 302
    # A meeting whose day is known is prepared at once, as at its day.
    dated = factories.MeetingFactory(
        plan=plan, kind="improvement_board", date=datetime.date(2015, 9, 10), title="Board"
    )
    response = scrutiny.post(reverse("reporting:prepare", args=[plan.slug, dated.pk, Kind.BOARD]))
    assert response.status_code == 302
    assert PreparedPaper.objects.get(meeting=dated).as_at == datetime.date(2015, 9, 10)


def test_permissions_read_for_all_members_issue_for_scrutiny_and_administrators(seed):
    plan, clients, _ = seed
    meeting = Meeting.objects.get(plan=plan, kind="safeguarding_assurance")
    read = [
        reverse("reporting:dashboard", args=[plan.slug]),
        reverse("reporting:papers", args=[plan.slug]),
        reverse("reporting:paper", args=[plan.slug, Kind.ASSURANCE]),
        reverse("reporting:paper_download", args=[plan.slug, Kind.SCRUTINY, "csv"]),
        reverse("reporting:meetings", args=[plan.slug]),
        reverse("reporting:meeting", args=[plan.slug, meeting.pk]),
    ]
    for role in ("board", "scrutiny", "admin", "officer"):
        for url in read:
            assert clients[role].get(url).status_code == 200, (role, url)
    for url in read:
        assert clients["outsider"].get(url).status_code == 404, url
    # Preparing and issuing are for scrutiny officers and plan administrators.
    args = [plan.slug, meeting.pk, Kind.ASSURANCE]
    prepare = reverse("reporting:prepare", args=args)
    issue = reverse("reporting:prepared_issue", args=args)
    assert clients["board"].post(prepare).status_code == 403
    assert clients["officer"].post(prepare).status_code == 403
    assert clients["outsider"].post(prepare).status_code == 404
    # The meeting is known only to the month (June 2015): preparing asks the as-at date.
    assert clients["scrutiny"].post(prepare).status_code == 200
    assert not PreparedPaper.objects.exists()
    assert clients["scrutiny"].post(prepare, as_at(30, 6, 2015)).status_code == 302
    for role, status in (("board", 403), ("officer", 403), ("outsider", 404)):
        assert clients[role].get(reverse("reporting:prepared", args=args)).status_code == status
        assert clients[role].post(issue).status_code == status
        assert clients[role].get(issue).status_code == status
    assert IssuedPaper.objects.count() == 0
    assert clients["scrutiny"].get(issue).status_code == 200
    confirmed = {"version": PreparedPaper.objects.get().version}
    assert clients["scrutiny"].post(issue, confirmed).status_code == 302
    assert clients["admin"].post(issue, confirmed).status_code == 302
    assert list(IssuedPaper.objects.values_list("version", flat=True).order_by("version")) == [1, 2]
    # Unknown papers and formats.
    assert (
        clients["board"]
        .get(reverse("reporting:paper_download", args=[plan.slug, Kind.BOARD, "xlsx"]))
        .status_code
        == 404
    )
    assert (
        clients["board"].get(reverse("reporting:paper", args=[plan.slug, "minutes"])).status_code
        == 404
    )


def test_papers_are_prepared_for_a_meeting_of_this_plan_and_of_its_kind(seed):
    plan, clients, _ = seed
    elsewhere = factories.MeetingFactory(kind="scrutiny_panel")
    response = clients["scrutiny"].post(
        reverse("reporting:prepare", args=[plan.slug, elsewhere.pk, Kind.SCRUTINY])
    )
    assert response.status_code == 404
    board = Meeting.objects.get(
        plan=plan, kind="improvement_board", date=datetime.date(2015, 6, 30)
    )
    response = clients["scrutiny"].post(
        reverse("reporting:prepare", args=[plan.slug, board.pk, Kind.SCRUTINY]), follow=True
    )
    assert "is written for a meeting of the Scrutiny panel" in response.content.decode()
    assert IssuedPaper.objects.count() == 0
    assert not PreparedPaper.objects.exists()


def test_issuing_shows_what_goes_out_and_never_issues_what_was_not_seen(seed):
    plan, clients, users = seed
    meeting = Meeting.objects.get(plan=plan, kind="scrutiny_panel")
    args = [plan.slug, meeting.pk, Kind.SCRUTINY]
    scrutiny = clients["scrutiny"]
    scrutiny.post(reverse("reporting:prepare", args=args), as_at(31, 5, 2015))
    prepared = PreparedPaper.objects.get()
    meeting_page = reverse("reporting:meeting", args=[plan.slug, meeting.pk])
    assert "is being prepared" in scrutiny.get(meeting_page).content.decode()
    # The prepared page leads to the confirmation; the confirmation says what goes out.
    issue = reverse("reporting:prepared_issue", args=args)
    assert issue in scrutiny.get(reverse("reporting:prepared", args=args)).content.decode()
    page = scrutiny.get(issue).content.decode()
    for said in (
        "What will be issued",
        prepared.title,
        "Version 1",
        meeting.title,
        "31 May 2015",  # the as-at date
        "Word, PDF, Excel, CSV, and a web page",
        f'name="version" value="{prepared.version}"',
    ):
        assert said in page, said
    # A post that did not come from the confirmation issues nothing.
    response = scrutiny.post(issue)
    assert response.status_code == 409 and IssuedPaper.objects.count() == 0
    # The front sheet changed after the confirmation was shown: shown again, not issued.
    seen = prepared.version
    scrutiny.post(
        reverse("reporting:front_sheet", args=args),
        {**front_sheet_data(prepared), "briefing": "Changed meanwhile."},
    )
    prepared.refresh_from_db()
    assert prepared.version == seen + 1 and prepared.briefing == "Changed meanwhile."
    response = scrutiny.post(issue, {"version": seen})
    assert response.status_code == 409 and IssuedPaper.objects.count() == 0
    assert "The front sheet has changed since this page was opened" in response.content.decode()
    # Confirmed as it now stands: issued, and the meeting page says so.
    response = scrutiny.post(issue, {"version": prepared.version})
    assert response.status_code == 302 and IssuedPaper.objects.count() == 1
    after = scrutiny.get(meeting_page).content.decode()
    assert "Version 1 of the" in after and "is being prepared" not in after
    assert "Changed meanwhile." in IssuedPaper.objects.get().html
    # The next confirmation offers version 2 and names the one already issued.
    assert "Version 2" in scrutiny.get(issue).content.decode()


def front_sheet_data(prepared) -> dict:
    """The front sheet form's fields as the prepared paper has them."""
    data = FrontSheetForm.initial_for(prepared)
    day, month, year = data.pop("as_at")
    return {**data, "as_at_0": day, "as_at_1": month, "as_at_2": year}


def test_an_issued_paper_never_changes_and_reissuing_keeps_the_old(seed):
    import docx

    plan, clients, users = seed
    meeting = Meeting.objects.get(plan=plan, kind="scrutiny_panel")
    args = [plan.slug, meeting.pk, Kind.SCRUTINY]
    clients["scrutiny"].post(reverse("reporting:prepare", args=args), as_at(31, 5, 2015))
    prepared = PreparedPaper.objects.get()
    prepared.briefing = "First issue."
    save_with_history(prepared, reason="Briefing", user=users["scrutiny"])
    issue = reverse("reporting:prepared_issue", args=args)
    clients["scrutiny"].post(issue, {"version": prepared.version})
    first = IssuedPaper.objects.get()
    files = {fmt: first.file(fmt) for fmt in ("docx", "pdf", "xlsx", "csv")}
    html = first.html
    assert all(files.values()) and "First issue." in html
    assert first.issued_by == users["scrutiny"]
    assert first.history.get().history_user == users["scrutiny"]

    # The plan changes; the issued paper does not.
    area = ImprovementArea.objects.get(plan=plan, number=2)
    area.recommendation = "Changed after issue"
    save_with_history(area, reason="Edited", user=users["admin"])
    first.refresh_from_db()
    assert {fmt: first.file(fmt) for fmt in files} == files and first.html == html
    with pytest.raises(ValueError, match="cannot be changed"):
        first.briefing = "tampered"
        first.save()
    with pytest.raises(ValueError, match="cannot be deleted"):
        first.delete()

    # Re-issued: a new version, the old one kept as it was.
    clients["scrutiny"].post(issue, {"version": prepared.version})
    second = IssuedPaper.objects.get(version=2)
    # Both as at 31 May 2015: a change recorded since is in neither.
    assert "Changed after issue" not in second.html and "Changed after issue" not in first.html
    assert "Version 2, issued" in second.html and "Version 1, issued" in first.html
    doc = docx.Document(io.BytesIO(first.file("docx")))
    assert "Changed after issue" not in "\n".join(p.text for p in doc.paragraphs) + "".join(
        c.text for t in doc.tables for r in t.rows for c in r.cells
    )

    page = clients["board"].get(reverse("reporting:meeting", args=[plan.slug, meeting.pk]))
    text = page.content.decode()
    assert text.count("Improvement Plan update on progress") >= 2
    assert users["scrutiny"].get_full_name() in text
    shown = clients["board"].get(reverse("reporting:issued", args=[first.pk])).content.decode()
    assert "First issue." in shown and "Changed after issue" not in shown
    download = clients["board"].get(reverse("reporting:issued_download", args=[first.pk, "pdf"]))
    assert download.content == files["pdf"]
    assert download["Content-Disposition"].endswith('-v1-OFFICIAL.pdf"')


def test_every_download_opens_and_carries_the_seed_table(seed):
    import csv

    import docx
    import openpyxl
    import pypdf

    plan, clients, _ = seed
    rows = seed_rows()

    def get(kind, fmt):
        url = reverse("reporting:paper_download", args=[plan.slug, kind, fmt])
        response = clients["board"].get(url, {"as_at": "2015-05-31"})
        assert response.status_code == 200
        disposition = response["Content-Disposition"]
        prefix = f'attachment; filename="plymouth-city-council-{kind}-2015-05-31'
        assert disposition.startswith(prefix)
        assert disposition.endswith(f'.{fmt}"')
        return response.content

    document = docx.Document(io.BytesIO(get(Kind.SCRUTINY, "docx")))
    table = next(t for t in document.tables if t.rows[0].cells[0].text == "Improvement Area")
    assert [c.text for c in table.rows[0].cells] == ["Improvement Area", "Overview"]
    assert [[c.text for c in r.cells] for r in table.rows[1:]] == [
        [f"{n} {rec}", ov] for n, rec, ov in rows
    ]
    # The statuses were assessed, not recorded: not shown, so no key.
    assert not any("RAG key" in p.text for p in document.paragraphs)

    sheet = openpyxl.load_workbook(io.BytesIO(get(Kind.SCRUTINY, "xlsx")))["Summary"]
    assert [c.value for c in sheet[6]] == ["No.", "Improvement Area", "Overview"]
    data = [[c.value for c in r] for r in sheet.iter_rows(min_row=7) if r[0].value is not None]
    assert [(r[0], r[1], r[2]) for r in data] == rows

    lines = list(csv.reader(io.StringIO(get(Kind.SCRUTINY, "csv").decode("utf-8-sig"))))
    assert lines[0] == ["Number", "Improvement Area", "Overview"]
    assert [(int(r[0]), r[1], r[2]) for r in lines[1:]] == rows

    for kind in Kind.ALL:
        pdf = pypdf.PdfReader(io.BytesIO(get(kind, "pdf")))
        text = " ".join(page.extract_text() for page in pdf.pages)
        title = Kind.TITLES[kind].upper() if kind == Kind.SCRUTINY else Kind.TITLES[kind]
        assert title in text and ("RAG key" in text) is (kind != Kind.SCRUTINY)
        assert "Page 1 of" in text
        docx.Document(io.BytesIO(get(kind, "docx")))  # opens
    pdf = pypdf.PdfReader(io.BytesIO(get(Kind.SCRUTINY, "pdf")))
    text = " ".join(" ".join(page.extract_text().split()) for page in pdf.pages)
    assert "Care First upgrade was completed" in text and "Amber – at risk" not in text


def test_the_rag_chart_agrees_with_the_status_at_each_month_end(seed):
    from plans import snapshot as snap
    from reporting import charts

    plan, _, _ = seed
    area_ids = list(ImprovementArea.objects.filter(plan=plan).values_list("pk", flat=True))
    chart = charts.rag_over_time(area_ids, datetime.date(2015, 7, 31), datetime.date(2015, 3, 11))
    assert [b.label for b in chart.bars] == [
        "Mar 2015",
        "Apr 2015",
        "May 2015",
        "Jun 2015",
        "Jul 2015",
    ]
    month_days = charts.month_ends(datetime.date(2015, 7, 31), 12, None)[-5:]
    for bar, day in zip(chart.bars, month_days, strict=True):
        current = snap.approved_updates(area_ids, snap.end_of_day(day))
        by_rag = {s.key: s.count for s in bar.segments}
        assert by_rag["none"] == 17 - len(current)
        for rag in ("blue", "green", "amber", "red"):
            assert by_rag[rag] == sum(1 for row in current.values() if row.rag == rag)
    assert {s.key: s.count for s in chart.bars[-1].segments} == {
        "blue": 0,
        "green": 9,
        "amber": 8,
        "red": 0,
        "none": 0,
    }


def test_the_admin_site_cannot_change_an_approved_update(seed):
    plan, _, users = seed
    from django.contrib.auth.models import User

    admin = User.objects.create_superuser("super", "super@example.org", "x-Very-long-pass-1")
    client = client_for(admin)
    update = ProgressUpdate.objects.filter(area__plan=plan).first()
    url = reverse("admin:plans_progressupdate_change", args=[update.pk])
    response = client.post(url, {"narrative": "Rewritten", "rag": "red"})
    update.refresh_from_db()
    assert update.narrative != "Rewritten" and update.rag != "red"
    assert response.status_code == 403
    delete = client.post(
        reverse("admin:plans_progressupdate_delete", args=[update.pk]), {"post": "yes"}
    )
    assert delete.status_code == 403 and ProgressUpdate.objects.filter(pk=update.pk).exists()


def test_the_dashboard_lists_the_most_overdue_milestones_and_counts_the_rest(seed):
    from plans.models import Milestone

    plan, clients, users = seed
    area = ImprovementArea.objects.get(plan=plan, number=5)
    for i in range(30):
        save_with_history(
            Milestone(
                area=area,
                title=f"Late step {i:02d}",
                due_date=datetime.date(2016, 1, 1) + datetime.timedelta(days=i),
            ),
            reason="Added",
            user=users["admin"],
            # Recorded in 2015, so that the plan as at the end of 2016 holds them.
            when=timezone.make_aware(datetime.datetime(2015, 6, 1, 12)),
        )
    url = reverse("reporting:dashboard_section", args=[plan.slug, "milestones"])
    html = clients["board"].get(url, {"as_at": "2016-12-31"}).content.decode()
    # The seed's open milestones are all due before 2016, so they come first.
    seed_overdue = Milestone.objects.filter(
        area__plan=plan, status="open", due_date__lt=datetime.date(2016, 1, 1)
    ).count()
    assert html.count("Late step") == 25 - seed_overdue
    assert f"Late step {24 - seed_overdue:02d}" in html
    assert f"Late step {25 - seed_overdue:02d}" not in html
    all_seed_overdue = (
        Milestone.objects.filter(
            area__plan=plan, status="open", due_date__lt=datetime.date(2016, 12, 31)
        )
        .exclude(title__startswith="Late step")
        .count()
    )
    assert f"And {all_seed_overdue + 30 - 25} more overdue" in html
