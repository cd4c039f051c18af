"""A change as the pages show it (``ChangeEntry``), and a page of them."""

from __future__ import annotations

import datetime
import math
from dataclasses import dataclass, field


@dataclass
class FieldChange:
    label: str
    old: str  # "" when there was nothing before (or the row before is not shown)
    new: str
    text: str  # the change in a line: "Due date moved from … to …"
    long: bool = False  # free text: shown in full below ``text``, before and after


@dataclass
class ChangeEntry:
    when: datetime.datetime
    who: str
    event: str  # "Created", "Changed", "Deleted", "Approved", "Submitted for sign-off"…
    subject: str
    url: str  # "" when the viewer has no page to open (deleted, or not theirs to read)
    reason: str
    changes: list[FieldChange] = field(default_factory=list)
    # The record's version after this change, for records that keep one.
    version: int | None = None


@dataclass
class ChangePage:
    entries: list[ChangeEntry]
    number: int
    per_page: int
    has_next: bool
    total: int | None = None  # None when not counted

    @property
    def num_pages(self) -> int:
        if self.total is None:
            return self.number + int(self.has_next)
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def first(self) -> int:
        """The position of the page's first entry in the whole list (from 1)."""
        return (self.number - 1) * self.per_page + 1

    @property
    def last(self) -> int:
        return self.first + len(self.entries) - 1
