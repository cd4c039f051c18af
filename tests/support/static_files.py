"""WhiteNoise's list of static files, made once a session.

Every test Client builds the middleware afresh, and WhiteNoise's middleware
walks the ~5,500 collected static files each time (about half a second a
client). The files do not change while the tests run, so the first walk for a
given configuration is kept and handed to every later middleware; each
middleware is still built from the settings of its own test.
"""

from __future__ import annotations

import contextlib

from django.conf import settings
from whitenoise.base import WhiteNoise

_walked: dict[tuple, dict] = {}


def _key(whitenoise: WhiteNoise, root: str, prefix: str) -> tuple:
    return (
        type(whitenoise),
        root,
        prefix,
        whitenoise.autorefresh,
        whitenoise.max_age,
        whitenoise.allow_all_origins,
        whitenoise.charset,
        whitenoise.index_file,
        whitenoise.add_headers_function,
        getattr(whitenoise, "static_prefix", None),
        settings.STATIC_URL,
        repr(settings.STORAGES.get("staticfiles")),
        repr(getattr(settings, "WHITENOISE_MIMETYPES", None)),
    )


@contextlib.contextmanager
def walked_once():
    original = WhiteNoise.update_files_dictionary

    def update_files_dictionary(self, root, prefix):
        key = _key(self, root, prefix)
        if key not in _walked:
            before = dict(self.files)
            original(self, root, prefix)
            _walked[key] = {url: f for url, f in self.files.items() if before.get(url) is not f}
        self.files.update(_walked[key])

    WhiteNoise.update_files_dictionary = update_files_dictionary
    try:
        yield
    finally:
        WhiteNoise.update_files_dictionary = original
        _walked.clear()
