"""Workbooks made by hand, XML part by XML part, to say what no spreadsheet
program would: a <dimension> of the whole of Excel's grid, cells a million
rows down. About 1.5 KB each."""

from __future__ import annotations

import io
import re
import zipfile

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
DOC_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
XML = '<?xml version="1.0" encoding="UTF-8"?>'


def _row(ref: str, text: str) -> str:
    number = re.sub(r"\D", "", ref)
    return f'<row r="{number}"><c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c></row>'


def crafted_xlsx(
    sheet: str = "Sheet1",
    *,
    dimension: str | None = "A1:XFD1048576",
    cells: tuple[tuple[str, str], ...] = (("A1048576", "x"),),
) -> bytes:
    """One sheet called ``sheet`` whose XML claims ``dimension`` (None: no
    claim) and holds ``cells`` (reference, text), one a row, in order."""
    claim = f'<dimension ref="{dimension}"/>' if dimension else ""
    worksheet_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
    book_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
    parts = {
        "[Content_Types].xml": (
            f'{XML}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            f'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            f'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{book_type}"/>'
            f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{worksheet_type}"/>'
            "</Types>"
        ),
        "_rels/.rels": (
            f'{XML}<Relationships xmlns="{RELS}"><Relationship Id="rId1" '
            f'Type="{DOC_RELS}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            f'{XML}<workbook xmlns="{MAIN}" xmlns:r="{DOC_RELS}"><sheets>'
            f'<sheet name="{sheet}" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            f'{XML}<Relationships xmlns="{RELS}"><Relationship Id="rId1" '
            f'Type="{DOC_RELS}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
        ),
        "xl/worksheets/sheet1.xml": (
            f'{XML}<worksheet xmlns="{MAIN}">{claim}<sheetData>'
            + "".join(_row(ref, text) for ref, text in cells)
            + "</sheetData></worksheet>"
        ),
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
    return out.getvalue()
