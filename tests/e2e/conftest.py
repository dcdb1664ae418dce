"""End-to-end tests: the real site on a live server, driven by the machine's Chromium.

Playwright drives Debian's Chromium (never a downloaded browser). Every page a
journey visits is checked for console errors, CSP violations and serious
accessibility problems (axe-core), and screenshotted for reviewers.
"""

import os
import re
import shutil
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.management import call_command
from playwright.sync_api import Page

from menus.defaults import add_default_links
from menus.models import MenuLink
from tests.worker import worker_process

CHROMIUM = os.environ.get("CHROMIUM", shutil.which("chromium") or "/usr/bin/chromium")
SCREENSHOTS = Path(__file__).parent / "screenshots"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture(scope="session", autouse=True)
def allow_orm_beside_playwright():
    """Playwright's sync API runs an event loop in the test's thread; the ORM calls the
    tests make there (loading data, flushing the database) are still plain synchronous
    calls. From the first browser test to the end of the session, which only browser
    tests are left in (tests/conftest.py runs them last)."""
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield
    del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]


@pytest.fixture(scope="session")
def browser_type_launch_args():
    return {
        "executable_path": CHROMIUM,
        "headless": True,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--no-first-run",
            "--disable-sync",
        ],
    }


@pytest.fixture
def site(live_server, settings, tmp_path):
    """The live site with the demo content, and the worker sending its mail to files."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = tmp_path / "mail"
    settings.SITE_URL = live_server.url
    settings.DEBUG = False
    call_command("load_demo", verbosity=0)
    if not MenuLink.objects.exists():  # made by a migration: gone with an earlier test's flush
        add_default_links(MenuLink)
    with worker_process(
        EMAIL_BACKEND=settings.EMAIL_BACKEND,
        EMAIL_FILE_PATH=str(settings.EMAIL_FILE_PATH),
        SITE_URL=live_server.url,
    ):
        yield live_server.url


class Watcher:
    """Collects what a page says in the console, and checks pages as a journey goes."""

    def __init__(self, page: Page, name: str) -> None:
        self.page, self.name, self.problems = page, name, []
        self.expected: set[tuple[int, str]] = set()
        self.auditing = False
        self.axe = Axe()
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))
        page.on("response", self._response)

    def _console(self, message) -> None:
        # A failed load is reported with its address by _response.
        if "Failed to load resource" in message.text:
            return
        # axe's own script, injected while it audits, has no address; on some admin pages
        # (list_editable) it trips the CSP itself. The page's scripts all have one.
        if self.auditing and not message.location.get("url"):
            return
        if message.type == "error" or "Content Security Policy" in message.text:
            self.problems.append(f"console {message.type}: {message.text}")

    def expect(self, status: int, path: str) -> None:
        """A status of 400 or more this address is meant to answer (a link gone, say)."""
        self.expected.add((status, path))

    def _response(self, response) -> None:
        if (response.status, urlsplit(response.url).path) in self.expected:
            return
        if response.status >= 400:
            self.problems.append(f"{response.status} for {response.url}")

    def check(self, shot: str) -> None:
        """Screenshot the page, then fail on console errors or serious axe violations."""
        SCREENSHOTS.mkdir(exist_ok=True)
        self.page.screenshot(path=SCREENSHOTS / f"{self.name}-{shot}.png", full_page=True)
        self.auditing = True
        try:
            results = self.axe.run(self.page)
        finally:
            self.auditing = False
        serious = [
            f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
            for v in results.response["violations"]
            if v["impact"] in {"serious", "critical"}
        ]
        assert serious == [], f"{shot}: {serious}"
        assert self.problems == [], f"{shot}: {self.problems}"


@pytest.fixture
def watch(page: Page):
    def start(name: str, viewport: dict = DESKTOP) -> Watcher:
        page.set_viewport_size(viewport)
        return Watcher(page, name)

    return start


def tab_through(page: Page, expected_names: list[str]) -> None:
    """Tab from the top of the form; every field and the button must be reached, visibly."""
    reached = []
    page.locator(f"[name={expected_names[0]}]").first.focus()  # the page's own, before the footer's
    for _ in range(len(expected_names) + 5):
        name = page.evaluate(
            "() => { const e = document.activeElement;"
            " return e.name || (e.tagName === 'BUTTON' ? 'submit' : e.tagName) }"
        )
        outline = page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
        assert outline != "none", f"{name} has no visible focus"
        reached.append(name)
        if name == "submit":
            break
        page.keyboard.press("Tab")
    assert [n for n in reached if n in expected_names] == expected_names, reached


def latest_mail_link(mail_dir: Path, pattern: str, wait: float = 20) -> str:
    """The newest link matching `pattern` in the mail the worker wrote, once it has."""
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        texts = sorted(mail_dir.glob("*.log"), key=lambda f: f.stat().st_mtime)
        for text in reversed([f.read_text() for f in texts]):
            if found := re.findall(pattern, text):
                return found[-1]
        time.sleep(0.1)
    raise AssertionError(f"no mail holds {pattern}")
