"""What the formats share: the paper font and header shade, the statuses'
colours in Word and Excel, the areas table as data (Excel and CSV) and dating
a zip archive's entries (Word and Excel)."""

from __future__ import annotations

import datetime
import io
import re
import zipfile

from core.cells import clean_text, safe_cell
from core.rag import STATUS

from ..papers import Paper

FONT = "Arial"
HEADER_FILL = "d9d9d9"


def rag_colours(value: str | None) -> tuple[str, str] | None:
    """A status's (background, text colour) in Word and Excel, from the RAG
    table; None where it has none (not yet rated: the word alone). The word is
    always printed too."""
    status = STATUS.get(value or "")
    return (status.background.office, status.text.office) if status else None


def deterministic_zip(data: bytes, moment: datetime.datetime) -> bytes:
    """The archive again with every entry dated ``moment``: Word and Excel files
    are zip archives, and the libraries date each entry with the time of writing."""
    stamp = max(moment.timetuple()[:6], (1980, 1, 1, 0, 0, 0))
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=stamp)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = info.external_attr
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                # openpyxl stamps "modified" with the time of saving, whatever was set.
                content = re.sub(
                    rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                    rb"\g<1>" + moment.strftime("%Y-%m-%dT%H:%M:%SZ").encode() + rb"\g<2>",
                    content,
                )
            target.writestr(entry, content)
    return out.getvalue()


def area_columns(paper: Paper) -> list[str]:
    """The summary's columns as data: the May 2015 paper's two, with the number
    in a column of its own, and a status where someone recorded statuses."""
    return ["No.", "Improvement Area", "Overview"] + (
        ["RAG status"] if paper.recorded_statuses else []
    )


def area_rows(paper: Paper) -> list[list[object]]:
    """One row per area: number (int), recommendation, overview (and status); cells made safe."""
    with_status = paper.recorded_statuses
    return [
        [
            area.number,
            safe_cell(clean_text(area.recommendation)),
            safe_cell(clean_text(area.overview)),
        ]
        + ([safe_cell(clean_text(area.rag_label))] if with_status else [])
        for area in paper.areas
    ]
