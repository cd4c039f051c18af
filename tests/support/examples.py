"""How hard hypothesis tries: a quick profile by default, the full one for the
nightly-size run (``HYPOTHESIS_PROFILE=full make test``).

Each property test names the examples it takes in the full run,
``@settings(max_examples=examples(200))``; the quick profile tries a fifth of
them (never fewer than 10). Both profiles keep hypothesis's example database,
so a failure found once is tried first the next time.
"""

import os

from hypothesis import settings

PROFILES = {"quick": 0.2, "full": 1.0}
PROFILE = os.environ.get("HYPOTHESIS_PROFILE") or "quick"
if PROFILE not in PROFILES:
    raise RuntimeError(f"HYPOTHESIS_PROFILE={PROFILE!r}: use one of {sorted(PROFILES)}")

settings.register_profile("quick", max_examples=20, deadline=None)
settings.register_profile("full", max_examples=100, deadline=None)
settings.load_profile(PROFILE)


def examples(full: int) -> int:
    """How many examples to try, out of ``full`` in the full profile."""
    return full if PROFILE == "full" else max(10, round(full * PROFILES[PROFILE]))
