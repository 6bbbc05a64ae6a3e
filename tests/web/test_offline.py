"""The pages work offline: every URL they reference is local (no CDN, no other host)."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from fastapi import FastAPI
from fastapi.testclient import TestClient

from tandem.web.templating import STATIC
from tandem.workspace import Workspace
from tests.web.conftest import Org, sign_in_directly

URL_ATTRIBUTES = {"href", "src", "action", "formaction", "srcset", "poster", "data", "hx-get",
                  "hx-post", "hx-put", "hx-patch", "hx-delete"}  # fmt: skip
ANY_SCHEME = re.compile(r"(?i)\b(?:https?:)?//[a-z0-9.-]+")


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.urls += [value for name, value in attrs if name in URL_ATTRIBUTES and value]


def _assert_local(name: str, html: str) -> None:
    parser = _Links()
    parser.feed(html)
    assert parser.urls, f"{name}: no links at all?"
    for url in parser.urls:
        assert url.startswith(("/", "#", "?")) and not url.startswith("//"), f"{name}: {url}"
    assert not ANY_SCHEME.search(html), f"{name}: {ANY_SCHEME.search(html)}"


def test_every_page_references_only_local_urls(
    app: FastAPI, workspace: Workspace, org: Org
) -> None:
    with TestClient(app) as anonymous:
        for path in ("/login", "/api/docs", "/no/such/page"):
            _assert_local(path, anonymous.get(path).text)
    with TestClient(app) as signed_in:
        sign_in_directly(signed_in, workspace, org.users["admin"])
        for path in ("/", "/account/password", "/api/docs", "/no/such/page"):
            _assert_local(path, signed_in.get(path).text)


def test_first_run_page_is_local_too(app: FastAPI) -> None:
    with TestClient(app) as client:
        _assert_local("/setup", client.get(f"/setup?token={app.state.config.setup_token}").text)


def test_stylesheet_and_vendored_assets_are_local_files() -> None:
    css = (STATIC / "tandem.css").read_text(encoding="utf-8")
    assert "@import" not in css and not ANY_SCHEME.search(css)
    for name in ("htmx.min.js", "vega.min.js", "vega-lite.min.js", "vega-embed.min.js"):
        assert (STATIC / "vendor" / name).stat().st_size > 10_000
    versions = (STATIC / "vendor" / "VERSIONS.md").read_text(encoding="utf-8")
    assert all(package in versions for package in ("htmx.org", "vega-lite", "vega-embed"))
