"""The RAG table (core/rag.py): the stylesheet's partial is the one it writes,
its colours are GOV.UK Frontend's, and the tag and labels every page and paper
shows come from it."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from core import rag
from core.management.commands.write_rag_scss import PARTIAL

BASE = Path(settings.BASE_DIR)
PALETTE = BASE / "node_modules/govuk-frontend/dist/govuk/settings/_colours-palette.scss"


def test_the_committed_scss_partial_is_the_one_the_table_writes():
    committed = (BASE / PARTIAL).read_text()
    assert committed == rag.scss(), (
        f"{PARTIAL} differs from core/rag.py: run `python manage.py write_rag_scss` "
        "and rebuild the stylesheet"
    )
    call_command("write_rag_scss", "--check")


def test_the_check_fails_on_a_partial_out_of_date(settings, tmp_path):
    (tmp_path / PARTIAL).parent.mkdir(parents=True)
    (tmp_path / PARTIAL).write_text("$app-rag-statuses: ();\n")
    settings.BASE_DIR = tmp_path
    with pytest.raises(CommandError, match="differs"):
        call_command("write_rag_scss", "--check")
    call_command("write_rag_scss")
    assert (tmp_path / PARTIAL).read_text() == rag.scss()


@pytest.mark.skipif(not PALETTE.exists(), reason="GOV.UK Frontend is not installed (npm ci)")
def test_every_colour_is_the_govuk_palettes():
    """The PDF, Word and Excel write the values; the stylesheet asks Sass for
    the names: they must be the same colours."""
    palette = dict(re.findall(r'"([a-z-]+)": #([0-9a-f]{6})', PALETTE.read_text()))
    for status in (*rag.STATUSES, rag.NOT_RATED):
        for colour in (status.background, status.text, status.border, status.bar):
            if colour:
                assert palette[colour.name] == colour.hex, (status.key, colour.name)


def test_a_tag_is_the_word_on_its_status_colours_escaped():
    assert rag.rag_tag("amber", "Amber – at risk") == (
        '<strong class="app-rag app-rag--amber">Amber – at risk</strong>'
    )
    assert rag.rag_tag(None, "<b>") == '<strong class="app-rag app-rag--none">&lt;b&gt;</strong>'


def test_labels_and_choices_come_from_the_table():
    assert rag.RAG.choices == [(s.value, s.label) for s in rag.STATUSES]
    assert rag.rag_label(None) == "Not yet rated"
    assert rag.rag_label("red", assessed=True) == "Red – off track (assessed)"
    assert [rag.RAG.severity(s.value) for s in rag.STATUSES] == [0, 1, 2, 3]
    assert rag.RAG.is_worse("red", "amber") and not rag.RAG.is_worse("green", None)
