"""A short excerpt of a hit's text around the first word searched for, with
the words searched for marked (``<mark>``) and everything else escaped."""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

# About two lines of text on a laptop's screen.
EXCERPT_CHARS = 220
# How much of the text before the first word searched for the excerpt keeps.
LEAD_CHARS = 60


def word_pattern(words: list[str]) -> re.Pattern | None:
    """Each word as typed, or (PostgreSQL finds "workload" for "workloads")
    a longer word starting with most of it."""
    alternatives = []
    for word in sorted(set(words), key=len, reverse=True):
        alternatives.append(re.escape(word))
        if len(word) > 4:
            alternatives.append(r"\b" + re.escape(word[: max(4, len(word) - 3)]) + r"\w*")
    if not alternatives:
        return None
    return re.compile("|".join(alternatives), re.IGNORECASE)


def excerpt(texts: Iterable[str], words: list[str]) -> SafeString:
    """Part of the first of ``texts`` that holds a word searched for (else the
    start of the first that is not empty), the words marked."""
    texts = [" ".join(t.split()) for t in texts if t and t.strip()]
    if not texts:
        return mark_safe("")
    pattern = word_pattern(words)
    text, start = texts[0], 0
    for candidate in texts:
        found = pattern.search(candidate) if pattern else None
        if found:
            text, start = candidate, found.start()
            break
    # From a word's start a little before the word found, to a word's end.
    begin = 0
    if start > LEAD_CHARS:
        space = text.find(" ", start - LEAD_CHARS, start)
        begin = space + 1 if space != -1 else start
    end = min(begin + EXCERPT_CHARS, len(text))
    if end < len(text):
        space = text.rfind(" ", start + 1, end)
        end = space if space != -1 else end
    window = text[begin:end]
    parts = ["…" if begin else ""]
    last = 0
    for found in pattern.finditer(window) if pattern else ():
        parts.append(escape(window[last : found.start()]))
        parts.append(f"<mark>{escape(found.group())}</mark>")
        last = found.end()
    parts.append(escape(window[last:]))
    parts.append("…" if end < len(text) else "")
    return mark_safe("".join(parts))  # noqa: S308 - every piece of text is escaped above
