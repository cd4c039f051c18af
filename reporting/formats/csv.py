"""A paper's areas as CSV, cells neutralised against formula injection."""

from __future__ import annotations

import csv
import io

from ..papers import Paper
from .common import area_columns, area_rows


def to_csv(paper: Paper) -> bytes:
    """The areas table as CSV: UTF-8 with a byte-order mark, so Excel reads it right.
    Data only: a CSV file has no place for a marking or a front sheet."""
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(["Number", *area_columns(paper)[1:]])
    writer.writerows(area_rows(paper))
    return out.getvalue().encode("utf-8-sig")
