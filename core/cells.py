"""Text made safe for where it goes: XML (Word and Excel files), a spreadsheet
cell (formula injection) and HTML written in Python (escaping)."""

from __future__ import annotations

import html
import re

# Characters XML 1.0 cannot hold (tab, newline and carriage return are allowed).
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# A cell starting with one of these may be run as a formula by a spreadsheet.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def clean_text(value: object) -> str:
    """``value`` as text with the characters XML cannot hold removed; None is ""."""
    if value is None:
        return ""
    return _INVALID_XML.sub("", str(value))


def safe_cell(value: object) -> object:
    """Neutralise a spreadsheet cell against formula injection (OWASP): a string
    starting with =, +, -, @, tab or carriage return gets a leading ``'``.
    Anything else (numbers, None, safe strings) is returned unchanged."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def escape(value: object) -> str:
    """Django's escape (the same characters, the same entities) without its
    lazy-string wrapper, which cost more than the escaping on pages of
    thousands of cells."""
    return html.escape(str(value))
