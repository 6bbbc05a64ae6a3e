"""Hostile requests: bodies over the cap are refused before parsing, in the canonical shape.

The cap is ``web.max_body_bytes`` (tandem.toml). A declared Content-Length over it is refused
without reading a byte; a chunked body is counted as it streams and refused at the limit. The
app is driven through ASGI directly where the test must see how much of the body was read.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tandem.web.app import create_app
from tandem.web.security import HEADERS
from tandem.workspace import Workspace
from tests.web.conftest import Org, sign_in_directly
from tests.web.db_counts import row_counts

LIMIT = 4096
CHUNK = 1024
TOO_LARGE = {
    "error": {
        "status": 413,
        "code": "too_large",
        "message": "the request body is larger than 4,096 bytes; send less",
        "field": None,
    }
}


@pytest.fixture
def capped(workspace: Workspace) -> FastAPI:
    (workspace.root / "tandem.toml").write_text(f"[web]\nmax_body_bytes = {LIMIT}\n")
    return create_app(Workspace.open(workspace.root))


@pytest.fixture
def capped_client(capped: FastAPI) -> Iterator[TestClient]:
    with TestClient(capped) as client:
        yield client


def _scope(path: str, headers: dict[str, str]) -> dict[str, Any]:
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
        "state": {},
    }


def post_streamed(
    app: FastAPI, path: str, chunks: int, headers: dict[str, str]
) -> tuple[int, dict[str, str], bytes, int]:
    """POST ``chunks`` × 1 KiB through ASGI; (status, headers, body, chunks the app read)."""
    read = 0
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        nonlocal read
        if read == chunks:  # never reached in a pass: the app answers before the body ends;
            return {"type": "http.disconnect"}  # a broken cap fails the test, never hangs it
        read += 1
        return {"type": "http.request", "body": b"[" * CHUNK, "more_body": read < chunks}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    asyncio.run(app(_scope(path, headers), receive, send))
    start = next(m for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    answer_headers = {k.decode().lower(): v.decode() for k, v in start["headers"]}
    return start["status"], answer_headers, body, read


def _has_security_headers(headers: Any) -> bool:
    return all(headers.get(name.lower()) == value for name, value in HEADERS.items())


def test_a_declared_length_over_the_cap_is_refused_unread(
    capped: FastAPI, workspace: Workspace
) -> None:
    before = row_counts(workspace)
    # an anonymous client announcing 300 MB: answered before a byte of the body is read
    status, headers, body, read = post_streamed(
        capped, "/api/admin/users", 300_000,
        {"content-type": "application/json", "content-length": str(300 * 2**20)},
    )  # fmt: skip
    assert (status, json.loads(body), read) == (413, TOO_LARGE, 0)
    assert _has_security_headers(headers)
    assert row_counts(workspace) == before


def test_a_chunked_body_is_counted_and_refused_at_the_cap(
    capped: FastAPI, workspace: Workspace
) -> None:
    before = row_counts(workspace)
    status, headers, body, read = post_streamed(
        capped, "/api/admin/users", 3_000, {"content-type": "application/json"}
    )
    assert (status, json.loads(body)) == (413, TOO_LARGE)
    assert read == LIMIT // CHUNK + 1  # the chunk passing the limit is the last one read
    assert _has_security_headers(headers)
    assert row_counts(workspace) == before


def test_forms_over_the_cap_get_the_error_page(
    capped_client: TestClient, workspace: Workspace
) -> None:
    before = row_counts(workspace)
    page = capped_client.post(
        "/login", data={"email": "a@x.org", "password": "p" * LIMIT, "csrf_token": "x"}
    )
    assert page.status_code == 413 and page.headers["content-type"].startswith("text/html")
    assert "the request body is larger than 4,096 bytes; send less" in page.text
    assert _has_security_headers(page.headers)
    assert row_counts(workspace) == before


def test_bodies_under_the_cap_still_work(
    capped_client: TestClient, workspace: Workspace, org: Org
) -> None:
    token = sign_in_directly(capped_client, workspace, org.users["admin"])
    added = capped_client.post(
        "/api/admin/users",
        json={"email": "new@example.org", "role": "member", "password": "correct horse battery"},
        headers={"X-CSRF-Token": token},
    )
    assert added.status_code == 201, added.text


def test_the_default_cap_is_one_mebibyte(client: TestClient) -> None:
    refused = client.post(
        "/api/admin/users", content=b"{" * (2**20 + 1), headers={"content-type": "application/json"}
    )
    assert refused.status_code == 413
    assert refused.json()["error"]["message"] == (
        "the request body is larger than 1,048,576 bytes; send less"
    )
