"""The HOW panel in the browser: charts survive a filter change, a bad date range says so, and
the charts draw without a console message."""

from __future__ import annotations

import re

from playwright.sync_api import ConsoleMessage, Page, expect

from tests.browser.conftest import BROWSER_TESTS, Contexts, sign_in

pytestmark = BROWSER_TESTS

CHARTS = ("#chart-throughput", "#chart-aging")


def _watch_console(page: Page) -> list[str]:
    """Every console error or warning (CSP violations are console errors) the page logs."""
    seen: list[str] = []

    def record(message: ConsoleMessage) -> None:
        if message.type in ("error", "warning"):
            seen.append(f"{message.type}: {message.text}")

    page.on("console", record)
    page.on("pageerror", lambda exc: seen.append(f"pageerror: {exc}"))
    return seen


def _director(contexts: Contexts) -> Page:
    """A page signed in as the director; the first home page computes every team's flow, so
    this page waits longer than the suite's default for it (no timing is asserted)."""
    page = contexts.new().new_page()
    page.set_default_timeout(120_000)
    sign_in(page, "director")
    page.set_default_timeout(30_000)
    return page


def _charts_drawn(page: Page) -> None:
    for chart in CHARTS:
        expect(page.locator(f"{chart} svg").first).to_be_visible()


def test_the_charts_survive_a_filter_change(contexts: Contexts) -> None:
    page = _director(contexts)
    console = _watch_console(page)
    page.goto("/how?team=all", wait_until="networkidle")
    _charts_drawn(page)

    # a filter change swaps the panel in place (htmx): the new panel draws its charts too
    sources = page.locator("#f-source option").all_text_contents()
    source = next(s for s in sources if s != "All sources")
    page.locator("#f-source").select_option(source)
    with page.expect_response(lambda r: "/how?" in r.url and f"source={source}" in r.url):
        page.get_by_role("button", name="Show").click()
    expect(page).to_have_url(re.compile(f"source={re.escape(source)}"))  # pushed by htmx
    _charts_drawn(page)

    # and back to all sources with a window: still drawn
    page.locator("#f-source").select_option("")
    page.locator("#f-from").fill("2000-01-01")  # a window holding all the demo's work
    with page.expect_response(lambda r: "/how?" in r.url and "from=2000-01-01" in r.url):
        page.get_by_role("button", name="Show").click()
    page.wait_for_load_state("networkidle")
    _charts_drawn(page)
    assert console == []


def test_an_inverted_date_range_says_what_is_wrong(contexts: Contexts) -> None:
    page = _director(contexts)
    console = _watch_console(page)
    page.goto("/how?team=all", wait_until="networkidle")
    page.locator("#f-from").fill("2026-03-10")
    page.locator("#f-to").fill("2026-03-01")
    with page.expect_response(lambda r: "/how?" in r.url and "from=2026-03-10" in r.url) as info:
        page.get_by_role("button", name="Show").click()
    assert info.value.status == 400
    alert = page.locator("#how-error")
    expect(alert).to_be_visible()
    expect(alert).to_contain_text("the first day must not be after the last day")
    # the panel that was shown stays (and its charts with it)
    _charts_drawn(page)

    # a good range afterwards clears the message
    page.locator("#f-to").fill("2026-03-20")
    with page.expect_response(lambda r: "/how?" in r.url and "to=2026-03-20" in r.url) as ok:
        page.get_by_role("button", name="Show").click()
    assert ok.value.status == 200
    expect(alert).to_be_hidden()
    # the browser logs the refused request itself (a 400 resource); nothing else is logged
    assert [m for m in console if "400" not in m] == []
