"""Reads the council's May 2015 scrutiny paper (OCR text) into clean rows.

The seed plan in fixtures/ is checked against this: each area's number,
recommendation and overview must match the paper once the OCR artefacts are
mended. The artefacts, and only these, are mended:

- area numbers read as letters: "I" is 1 and "П" is 11;
- area 15's row is split across a page break (a "_" line between halves);
- "June Ist" is "June 1st" (the digit 1 read as a capital I);
- a hyphen left with a space after it where a line broke ("child- focused");
- the table's first heading read as "lm provement Area" (an "I" read as "l",
  a tab where the line was split).

The officers' own spelling ("Buisness", "Transfromation", …) is kept.
"""

import os
import re
from pathlib import Path

# shared/ lies beside the checkout, for developers and CI alike.
SHARED = Path(os.environ.get("SHARED_DIR", Path(__file__).resolve().parents[3] / "shared"))
SEED_FILE = SHARED / "seed" / "000_8bdf68733229ae37.txt"

OCR_NUMBERS = {"I": "1", "П": "11"}


def clean(text: str) -> str:
    text = re.sub(r"\bIst\b", "1st", text)
    text = re.sub(r"(\w)- (\w)", r"\1-\2", text)
    return " ".join(text.split())


def seed_rows(path: Path = SEED_FILE) -> list[tuple[int, str, str]]:
    """(number, recommendation, overview) for each of the paper's 17 areas."""
    if not path.exists():
        raise FileNotFoundError(f"The seed paper is not at {path}: set SHARED_DIR to shared/")
    lines = path.read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("lm\tprovement Area"))
    rows: list[list[str]] = []
    for line in lines[start + 1 :]:
        if not line.strip() or line.strip() == "_":
            continue
        cells = line.split("\t")
        if cells[0].strip():
            rows.append([cells[0].strip(), cells[1], cells[2] if len(cells) > 2 else ""])
        else:
            # The second half of a row split across a page break.
            rows[-1][1] += " " + cells[1]
            rows[-1][2] += " " + (cells[2] if len(cells) > 2 else "")
    return [(int(OCR_NUMBERS.get(n, n)), clean(rec), clean(ov)) for n, rec, ov in rows]


def _lines(path: Path) -> list[str]:
    if not path.exists():
        raise FileNotFoundError(f"The seed paper is not at {path}: set SHARED_DIR to shared/")
    return path.read_text(encoding="utf-8").splitlines()


def seed_title_block(path: Path = SEED_FILE) -> list[str]:
    """The paper's title block: the lines before "Overview Briefing", as printed
    ("AMBITIOUS PLYMOUTH SCRUTINY", then the paper's title)."""
    lines = _lines(path)
    end = next(i for i, line in enumerate(lines) if line.strip() == "Overview Briefing")
    return [clean(line) for line in lines[:end] if line.strip()]


def seed_briefing(path: Path = SEED_FILE) -> list[str]:
    """The "Overview Briefing" paragraphs, one a line in the source, with only the
    OCR mends above (none of which the briefing needs: its spelling is the officers')."""
    lines = _lines(path)
    start = next(i for i, line in enumerate(lines) if line.strip() == "Overview Briefing")
    end = next(i for i, line in enumerate(lines) if line.startswith("lm\tprovement Area"))
    return [clean(line) for line in lines[start + 1 : end] if line.strip()]


def seed_columns(path: Path = SEED_FILE) -> list[str]:
    """The table's column headings, with the OCR split "lm provement" mended."""
    lines = _lines(path)
    header = next(line for line in lines if line.startswith("lm\tprovement Area"))
    first, *rest = header.split("\t", 1)[1].split("\t")
    return ["Im" + first, *rest]
