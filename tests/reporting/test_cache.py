"""Repeat downloads of an unchanged paper are served from the cache of rendered
papers; any change to the plan's data, the front sheet or the as-at date
renders it again."""

import datetime

import pytest
from django.urls import reverse

from plans.services import save_with_history
from reporting import exports, views
from reporting.papers import Kind
from reporting.services import prepare
from tests import factories
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def renders(monkeypatch):
    """Counts the papers actually rendered behind the views."""
    calls = []
    real = exports.render_file

    def counting(paper, fmt, body=None):
        calls.append((paper.kind, fmt, paper.as_at))
        return real(paper, fmt, body)

    monkeypatch.setattr(views, "render_file", counting)
    return calls


def test_an_unchanged_paper_is_rendered_once(world, renders):
    client = client_for(world.users["board"])
    url = reverse("reporting:paper_download", args=[world.plan.slug, Kind.BOARD, "docx"])
    first = client.get(url)
    second = client.get(url)
    assert first.status_code == second.status_code == 200
    assert first.content == second.content
    assert len(renders) == 1

    # A change to the plan's data renders it again.
    world.area.recommendation = "Ensure that practitioners have reasonable workloads."
    save_with_history(world.area, reason="Reworded", user=world.users["admin"])
    third = client.get(url)
    assert len(renders) == 2
    assert third.status_code == 200 and third.content != first.content


def test_a_changed_front_sheet_renders_the_preview_again(world, renders):
    meeting = factories.MeetingFactory(plan=world.plan, date=datetime.date(2015, 6, 30))
    prepared = prepare(meeting, Kind.BOARD, world.users["admin"])
    client = client_for(world.users["admin"])
    url = reverse(
        "reporting:prepared_download", args=[world.plan.slug, meeting.pk, Kind.BOARD, "pdf"]
    )
    assert client.get(url).status_code == 200
    assert client.get(url).status_code == 200
    assert len(renders) == 1
    prepared.author = "Sam Scrutiny"
    save_with_history(prepared, reason="Author", user=world.users["admin"])
    response = client.get(url)
    assert len(renders) == 2
    assert b"%PDF" in response.content[:8]


def test_a_new_release_renders_again(world, renders, monkeypatch):
    """The key carries a digest of the code that lays papers out: a file
    rendered by an earlier release is never served by a later one."""
    from reporting import cache

    assert all((cache.Path(cache.__file__).parent.parent / name).is_file() for name in cache.CODE)
    client = client_for(world.users["board"])
    url = reverse("reporting:paper_download", args=[world.plan.slug, Kind.BOARD, "docx"])
    client.get(url)
    client.get(url)
    assert len(renders) == 1
    monkeypatch.setattr(cache, "code_stamp", lambda: "the next release")
    client.get(url)
    assert len(renders) == 2
