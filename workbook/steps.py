"""How far a long step has got: reading a file, checking it, saving it.

The slow functions (reading.read_steps, engine.check_steps, engine.confirm_steps
and their progress-update twins) are generators: they ``yield`` a ``Step``
every so often and ``return`` their result. ``run`` drains one and returns the
result, for callers that do not show progress (the small files, the tests, the
benchmark); workbook/streaming.py turns the steps into lines on the page.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator, Sequence
from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")

# Rows between two steps: small enough for a line a second, big enough to cost nothing.
BATCH = 500


@dataclass(frozen=True)
class Step:
    verb: str  # "Read", "Checked", "Saved"
    done: int
    total: int | None = None
    what: str = "rows"

    def __str__(self) -> str:
        if self.total is None:
            return f"{self.verb} {self.done:,} {self.what}"
        return f"{self.verb} {min(self.done, self.total):,} of {self.total:,} {self.what}"


Steps = Generator[Step, None, T]


def run(steps: Steps[T]) -> T:
    """The generator's result, its steps ignored."""
    while True:
        try:
            next(steps)
        except StopIteration as done:
            return done.value


def batches(items: Sequence[T], size: int = BATCH) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
