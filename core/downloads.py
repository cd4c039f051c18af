"""The file formats the service offers downloads in."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PaperFormat:
    """A download format: its name is the file extension, the address's last
    part and the issued paper's field that stores the file."""

    name: str
    content_type: str


# Every format a paper or a table can be downloaded (and a paper issued) in:
# the one registry, read by the views, the exports and the issued-paper model.
FORMATS: dict[str, PaperFormat] = {
    f.name: f
    for f in [
        PaperFormat(
            "docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        ),
        PaperFormat("pdf", "application/pdf"),
        PaperFormat("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        PaperFormat("csv", "text/csv; charset=utf-8"),
    ]
}
