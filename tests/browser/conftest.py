"""Browser tests: Debian's Chromium driven by Playwright, against live_server.

axe-core (from npm, pinned in package.json) runs on every page a test visits,
with the WCAG 2.0, 2.1 and 2.2 A and AA rules; any violation fails the test.

A page whose markup, viewport and scripting are exactly those of one already
passed in this run (the sign-in page, say, that every test opens) is not
checked again: the stylesheets and scripts do not change during a run, so
axe-core would give the same answer. Tokens that differ on every load (the
CSRF token, the script nonce) are left out of the comparison.
"""

import hashlib
import json
import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, sync_playwright

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]

# Fingerprints of the pages that passed axe-core in this run (see above).
PASSED: set[str] = set()
PER_LOAD = re.compile(r'(name="csrfmiddlewaretoken" value|nonce|data-csrf)="[^"]*"')


def fingerprint(page: Page, javascript: bool) -> str:
    markup = page.evaluate("() => document.documentElement.outerHTML")
    size = page.viewport_size or {}
    key = f"{javascript}|{size.get('width')}x{size.get('height')}|" + PER_LOAD.sub(r"\1", markup)
    return hashlib.sha256(key.encode()).hexdigest()


# Playwright's sync API runs an event loop in this thread; the test's own
# database set-up is ordinary synchronous code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: run scripts/setup.sh as root")
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


class A11yPage:
    """A page that checks accessibility after every load."""

    def __init__(self, page: Page, base_url: str, javascript: bool = True) -> None:
        self.page = page
        self.base_url = base_url
        self.javascript = javascript
        self.checked: list[str] = []
        # Anything the browser refuses under the Content Security Policy, or any
        # script error, fails the test at the next check.
        self.errors: list[str] = []
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.errors.append(str(error)))

    def _console(self, message) -> None:
        if message.type == "error" and "Content Security Policy" in message.text:
            self.errors.append(message.text)

    def goto(self, path: str) -> Page:
        self.page.goto(self.base_url + path)
        self.check()
        return self.page

    def check(self) -> None:
        """Run axe-core on the page as it is now; fail on any violation."""
        self.page.wait_for_load_state()
        assert not self.errors, f"{self.page.url}: {self.errors}"
        seen = fingerprint(self.page, self.javascript)
        if seen in PASSED:
            self.checked.append(self.page.url)
            return
        target = self.page
        if not self.javascript:
            # axe-core cannot run where scripts are off: check the same page, as
            # the same user, in a companion tab with scripts on.
            browser = self.page.context.browser
            companion = browser.new_context(storage_state=self.page.context.storage_state())
            target = companion.new_page()
            target.goto(self.page.url)
        # evaluate() is not subject to the page's Content Security Policy.
        target.evaluate(AXE.read_text(encoding="utf-8"))
        result = target.evaluate(
            # Only violations are read: axe-core skips the detail of passes.
            "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags},"
            " resultTypes: ['violations']})",
            WCAG_TAGS,
        )
        if target is not self.page:
            target.context.close()
        violations = [
            {"id": v["id"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]][:5]}
            for v in result["violations"]
        ]
        assert not violations, f"{self.page.url}:\n{json.dumps(violations, indent=1)}"
        PASSED.add(seen)
        self.checked.append(self.page.url)

    def sign_in(self, username: str, password: str = "correct-horse-battery") -> None:
        self.goto("/accounts/login/")
        self.page.get_by_label("User name").fill(username)
        self.page.get_by_label("Password").fill(password)
        self.page.get_by_role("button", name="Sign in").click()
        self.check()


@pytest.fixture
def new_page(browser, live_server):
    """new_page(javascript=True) -> A11yPage in a fresh browser context."""
    contexts = []

    def make(javascript: bool = True) -> A11yPage:
        context = browser.new_context(
            java_script_enabled=javascript, viewport={"width": 1280, "height": 900}
        )
        # Fail in seconds, not minutes, when something does not appear.
        context.set_default_timeout(15_000)
        contexts.append(context)
        return A11yPage(context.new_page(), live_server.url, javascript)

    yield make
    for context in contexts:
        context.close()
