"""Every main page opens for its role, logs no console error or warning (a CSP violation is
one), passes the accessibility checks and is screenshotted.

Each page is opened at desktop width (1280 × 800) and at phone width (375 × 740); both are saved
under ``test-artifacts/screenshots/`` as ``NAME-desktop.png`` and ``NAME-phone.png``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from playwright.sync_api import ConsoleMessage, Page

from tests.browser.checks import (
    contrast_failures,
    horizontal_overflow,
    settle_layout,
    unlabelled_controls,
)
from tests.browser.conftest import BROWSER_TESTS, DESKTOP, PHONE, Contexts, screenshot

pytestmark = BROWSER_TESTS


@dataclass(frozen=True)
class MainPage:
    """A main page, the demo role that opens it, and a heading it shows."""

    name: str
    path: str
    role: str | None  # None: signed out
    heading: str


MAIN_PAGES = (
    MainPage("login", "/login", None, "Sign in"),
    MainPage("home", "/", "leader", ""),
    MainPage("how", "/how", "leader", ""),
    MainPage("people-me", "/people/me", "member", ""),
    MainPage("plan", "/people/me/plan", "member", ""),
    MainPage("assessment", "/people/me/assessment", "member", ""),
    MainPage("rate", "/people/rate", "member", ""),
    MainPage("duos", "/duos", "leader", ""),
    MainPage("coverage", "/coverage", "manager", ""),
    MainPage("coverage-org", "/coverage/org", "director", ""),
    MainPage("premise", "/premise", "director", "Do few people excel at both sides?"),
    MainPage("why", "/why", "leader", ""),
    MainPage("why-alignment", "/why/alignment", "leader", ""),
    MainPage("why-stories", "/why/stories", "leader", ""),
    MainPage("why-recognition", "/why/recognition", "member", ""),
    MainPage("why-change", "/why/change", "leader", ""),
    MainPage("why-delegation", "/why/delegation", "leader", ""),
    MainPage("feedback", "/manage/feedback", "leader", ""),
    MainPage("one-on-ones", "/manage/one-on-ones", "member", ""),
    MainPage("check-ins", "/manage/check-ins", "manager", ""),
    MainPage("concerns", "/manage/concerns", "member", ""),
    MainPage("conflicts", "/manage/conflicts", "member", ""),
    MainPage("allocation", "/manage/allocation", "manager", ""),
    MainPage("admin", "/admin", "admin", ""),
    MainPage("audit", "/admin/audit", "admin", "Audit log"),
)


def _open(page: Page, path: str) -> None:
    response = page.goto(path, wait_until="networkidle")
    assert response is not None and response.status == 200, (path, response and response.status)


@pytest.mark.parametrize("main", MAIN_PAGES, ids=lambda p: p.name)
def test_main_page(main: MainPage, contexts: Contexts, as_role: Callable[[str], Page]) -> None:
    page = contexts.new().new_page() if main.role is None else as_role(main.role)
    logged: list[str] = []

    def record(message: ConsoleMessage) -> None:
        if message.type in ("error", "warning"):
            logged.append(f"{message.type}: {message.text}")

    page.on("console", record)
    _open(page, main.path)
    page.remove_listener("console", record)
    assert logged == [], main.path
    heading = page.locator("main h1").first
    assert heading.is_visible()
    if main.heading:
        assert main.heading in heading.inner_text()

    assert unlabelled_controls(page) == []
    contrast = contrast_failures(page)
    assert contrast["checked"] > 0
    assert contrast["failures"] == []
    screenshot(page, f"{main.name}-desktop")

    page.set_viewport_size(PHONE)
    settle_layout(page)  # let responsive charts re-measure
    screenshot(page, f"{main.name}-phone")  # before the check: a failure leaves its picture
    overflow = horizontal_overflow(page)
    page.set_viewport_size(DESKTOP)
    assert overflow <= 0, f"{main.path} scrolls sideways at 375 px by {overflow} px"
