"""Browser tests: the real server over the demo workspace, driven by Debian's Chromium.

One demo workspace (``tandem demo --no-serve``), one ``tandem serve`` subprocess on a free
loopback port and one Chromium for the whole package: ``make test`` runs its modules on one
pytest-xdist worker, one after another (tests/conftest.py), so that all its tests
share them, and stops them when the last browser test is done. Every browser
context records the requests its pages make: a test fails if any goes to a host other than
127.0.0.1 or localhost (such requests are also aborted, so none leaves).

Chromium is Debian's (``/usr/bin/chromium``, or ``TANDEM_CHROMIUM``), never Playwright's own
download. Without it the suite is skipped, unless ``TANDEM_TEST_REQUIRE_BROWSER`` is set (as
``make test`` does, after installing it): then it fails.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    Page,
    Playwright,
    Route,
    ViewportSize,
    expect,
    sync_playwright,
)
from sqlalchemy import select

from tandem.db.session import session_scope
from tandem.demo.users import demo_password, planned_accounts
from tandem.people.models import Person, Team
from tandem.workspace import Workspace
from tests.helpers import REPO_ROOT

CHROMIUM = Path(os.environ.get("TANDEM_CHROMIUM", "/usr/bin/chromium"))
SCREENSHOTS = REPO_ROOT / "test-artifacts" / "screenshots"
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost"})
LOCAL_SCHEMES = frozenset({"data", "blob", "about"})
DESKTOP: ViewportSize = {"width": 1280, "height": 800}
PHONE: ViewportSize = {"width": 375, "height": 740}
BROWSER_TESTS = [pytest.mark.browser]
ACCOUNTS = {plan.role: plan.email for plan in planned_accounts()}
TANDEM = Path(sys.executable).with_name("tandem")
HANG_GUARD_MS = 120_000
expect.set_options(timeout=HANG_GUARD_MS)


def _require_chromium() -> None:
    if CHROMIUM.exists():
        return
    message = f"the browser tests need Debian's Chromium at {CHROMIUM} (apt-get install chromium)"
    if os.environ.get("TANDEM_TEST_REQUIRE_BROWSER"):
        pytest.fail(message)
    pytest.skip(message)


# -- the server ---------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_until_up(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    """Wait until the server answers, or fail if it exits: no deadline (a slow machine is fine)."""
    while True:
        if process.poll() is not None:
            pytest.fail(f"tandem serve exited ({process.returncode}):\n{log.read_text()}")
        try:
            with urllib.request.urlopen(f"{url}/login", timeout=30) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            time.sleep(0.2)


@pytest.fixture(scope="package")
def demo_workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo workspace, built once per session by the real command."""
    _require_chromium()
    root = tmp_path_factory.mktemp("browser") / "demo"
    done = subprocess.run(
        [str(TANDEM), "demo", "--no-serve", "--json", "--workspace", str(root)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    built = json.loads(done.stdout)
    assert {a["role"] for a in built["sign_ins"]["accounts"]} == set(ACCOUNTS)
    return root


@pytest.fixture(scope="package")
def base_url(demo_workspace: Path) -> Iterator[str]:
    """``tandem serve`` over the demo workspace, on a free loopback port."""
    port = _free_port()
    log = demo_workspace.parent / "serve.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [str(TANDEM), "serve", "--workspace", str(demo_workspace), "--port", str(port)],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(url, process, log)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@dataclass(frozen=True)
class DemoIds:
    """Database ids of the demo's teams (by name) and people (by email)."""

    teams: dict[str, int]
    people: dict[str, int]


@pytest.fixture(scope="package")
def demo_ids(demo_workspace: Path) -> DemoIds:
    with session_scope(Workspace.open(demo_workspace).engine) as session:
        teams = {str(row.name): int(row.id) for row in session.execute(select(Team.name, Team.id))}
        people = {
            email: person_id
            for email, person_id in session.execute(select(Person.email, Person.id))
            if email
        }
    return DemoIds(teams, people)


# -- the browser --------------------------------------------------------------------------------


@pytest.fixture(scope="package")
def playwright() -> Iterator[Playwright]:
    _require_chromium()
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="package")
def browser(playwright: Playwright) -> Iterator[Browser]:
    """Debian's Chromium, headless (Playwright's bundled browsers are never downloaded)."""
    chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True)
    yield chromium
    chromium.close()


@dataclass
class Contexts:
    """Makes browser contexts that refuse, and record, requests leaving localhost."""

    browser: Browser
    base_url: str
    off_host: list[str] = field(default_factory=list)
    made: list[BrowserContext] = field(default_factory=list)

    def _is_local(self, url: str) -> bool:
        parts = urlsplit(url)
        return parts.scheme in LOCAL_SCHEMES or parts.hostname in LOCAL_HOSTS

    def _on_request(self, request: Any) -> None:
        if not self._is_local(request.url):
            self.off_host.append(request.url)

    def _route(self, route: Route) -> None:
        if self._is_local(route.request.url):
            route.continue_()
        else:
            route.abort()

    def new(self, *, viewport: ViewportSize | None = None) -> BrowserContext:
        context = self.browser.new_context(
            base_url=self.base_url, viewport=viewport or DESKTOP, locale="en-GB"
        )
        # Playwright waits for conditions; its bound is only a guard against a hang, set far
        # above anything a loaded 2-core machine needs, so it never decides a passing test.
        context.set_default_timeout(HANG_GUARD_MS)
        context.on("request", self._on_request)
        context.route("**/*", self._route)
        self.made.append(context)
        return context

    def signed_in(self, role: str, *, viewport: ViewportSize | None = None) -> Page:
        """A new context signed in as the demo account of ``role``; its page."""
        page = self.new(viewport=viewport).new_page()
        sign_in(page, role)
        return page


@pytest.fixture(scope="package")
def contexts(browser: Browser, base_url: str) -> Iterator[Contexts]:
    made = Contexts(browser, base_url)
    yield made
    for context in made.made:
        context.close()


@pytest.fixture(scope="package")
def as_role(contexts: Contexts) -> Callable[[str], Page]:
    """A page signed in as the demo account of a role, shared by the session's tests."""
    pages: dict[str, Page] = {}

    def get(role: str) -> Page:
        if role not in pages or pages[role].is_closed():
            pages[role] = contexts.signed_in(role)
        page = pages[role]
        page.set_viewport_size(DESKTOP)
        return page

    return get


@pytest.fixture(autouse=True)
def _stays_on_localhost(request: pytest.FixtureRequest) -> Iterator[None]:
    """Fail the test when one of its pages asked a host other than localhost for anything."""
    if "contexts" not in request.fixturenames:
        yield
        return
    made: Contexts = request.getfixturevalue("contexts")
    before = len(made.off_host)
    yield
    leaked = made.off_host[before:]
    assert not leaked, f"requests outside localhost: {leaked}"


# -- helpers ------------------------------------------------------------------------------------


def sign_in(page: Page, role: str) -> None:
    """Sign in through the real form as the demo account of ``role``."""
    page.goto("/login")
    page.get_by_label("Email").fill(ACCOUNTS[role])
    page.get_by_label("Password").fill(demo_password(role))
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()
    assert not urlsplit(page.url).path.startswith("/login"), page.content()[:2000]


def screenshot(page: Page, name: str) -> Path:
    """Save a full-page screenshot as ``test-artifacts/screenshots/NAME.png`` (stable names)."""
    if not re.fullmatch(r"[a-z0-9-]+", name):
        raise ValueError(f"screenshot names are lower-case words and dashes, not {name!r}")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True, animations="disabled")
    return path
