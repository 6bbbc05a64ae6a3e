"""The brief opens offline in Chromium: the demo's Beacon brief, written by the real command and
opened from ``file://`` with every request recorded, draws its charts, asks for nothing, and
prints on more than one A4 page."""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page

from tests.browser.conftest import BROWSER_TESTS, DESKTOP, TANDEM, screenshot

pytestmark = BROWSER_TESTS
OFFLINE_SCHEMES = frozenset({"data", "blob", "about"})


@pytest.fixture(scope="module")
def brief_file(demo_workspace: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("brief") / "beacon-brief.html"
    done = subprocess.run(
        [str(TANDEM), "brief", "--team", "Beacon", "-o", str(out), "--json",
         "--workspace", str(demo_workspace)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["file"] == str(out)
    return out


@pytest.fixture
def offline_page(browser: Browser) -> Iterator[tuple[Page, list[str]]]:
    """A page in a context that records every request and lets none leave the machine."""
    context = browser.new_context(viewport=DESKTOP, locale="en-GB")
    requests: list[str] = []
    context.on("request", lambda request: requests.append(request.url))
    context.route(
        "**/*",
        lambda route: (
            route.continue_()
            if urlsplit(route.request.url).scheme in {"file", *OFFLINE_SCHEMES}
            else route.abort()
        ),
    )
    try:
        yield context.new_page(), requests
    finally:
        context.close()


def test_the_brief_opens_offline_with_its_charts(
    brief_file: Path, offline_page: tuple[Page, list[str]]
) -> None:
    page, requests = offline_page
    page.goto(brief_file.as_uri())
    page.wait_for_load_state("load")
    assert page.locator("h1").inner_text() == "Brief: Beacon"
    others = [
        url
        for url in requests
        if url != brief_file.as_uri() and urlsplit(url).scheme not in OFFLINE_SCHEMES
    ]
    assert others == [], f"the brief asked for {others}"
    charts = page.locator("figure.chart")
    assert charts.count() >= 3  # timing, forecast, coverage at least
    names = charts.evaluate_all("els => els.map(e => e.dataset.chart)")
    assert {"timing", "forecast", "coverage"} <= set(names)
    for i in range(charts.count()):
        chart = charts.nth(i)
        assert chart.locator("svg, canvas").count() >= 1
        box = chart.locator("svg, canvas").first.bounding_box()
        assert box is not None and box["width"] > 100 and box["height"] > 20
    screenshot(page, "brief-beacon")


def test_the_brief_prints_a_page_per_section(
    brief_file: Path, offline_page: tuple[Page, list[str]]
) -> None:
    page, _ = offline_page
    page.goto(brief_file.as_uri())
    page.emulate_media(media="print")
    breaks = page.locator("section.part").evaluate_all(
        "els => els.map(e => getComputedStyle(e).breakBefore)"
    )
    assert breaks == ["page", "page", "page"]
    pdf = page.pdf(format="A4", print_background=True)
    assert pdf.startswith(b"%PDF")
    pages = len(re.findall(rb"/Type\s*/Page(?!s)", pdf))
    assert pages >= 3  # the header page with the why, then how and people on pages of their own
