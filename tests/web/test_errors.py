"""One error shape: JSON under /api, an HTML page, an HTMX partial — for every kind of error."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import APIRouter, Depends, FastAPI
from fastapi.testclient import TestClient

from tandem.accounts.errors import (
    AuthenticationError,
    CsrfError,
    PermissionDeniedError,
    ThrottledError,
)
from tandem.errors import ConflictError, InputError, NotFoundError, TandemError, WorkspaceError
from tandem.web.permissions import PUBLIC, requires
from tandem.web.security import HEADERS

RAISES: dict[str, Exception] = {
    "input": InputError("the date is not a date", field="since"),
    "notfound": NotFoundError("no team named 'Zeta'"),
    "conflict": ConflictError("a user 'a@x.org' exists already"),
    "workspace": WorkspaceError("not a Tandem workspace"),
    "tandem": TandemError("something the user can fix"),
    "unauthenticated": AuthenticationError("sign in first"),
    "forbidden": PermissionDeniedError("your role does not give access to this page"),
    "csrf": CsrfError("the form expired"),
    "throttled": ThrottledError("too many failed sign-ins", retry_after=90),
    "crash": RuntimeError("a bug with a secret in it"),
}
# kind -> (status, code, field)
EXPECTED: dict[str, tuple[int, str, str | None]] = {
    "input": (400, "invalid_input", "since"),
    "notfound": (404, "not_found", None),
    "conflict": (409, "conflict", None),
    "workspace": (400, "workspace_error", None),
    "tandem": (400, "bad_request", None),
    "unauthenticated": (401, "unauthenticated", None),
    "forbidden": (403, "forbidden", None),
    "csrf": (403, "csrf_failed", None),
    "throttled": (429, "throttled", None),
    "crash": (500, "internal_error", None),
    "validation": (422, "validation_error", "count"),
    "no-such-route": (404, "not_found", None),
    "wrong-method": (405, "method_not_allowed", None),
}


def counted(count: int) -> int:
    return count


@pytest.fixture
def error_client(app: FastAPI) -> Iterator[TestClient]:
    """The app plus public routes raising each kind of error (under /api/boom and /boom)."""
    router = APIRouter(dependencies=[Depends(requires(PUBLIC))])

    def raiser(kind: str) -> None:
        raise RAISES[kind]

    for prefix in ("/api/boom", "/boom"):
        router.add_api_route(prefix + "/validation", counted, methods=["GET"])
        router.add_api_route(prefix + "/wrong-method", lambda: None, methods=["POST"])
        router.add_api_route(prefix + "/raise/{kind}", raiser, methods=["GET"])
    app.include_router(router)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


def _url(prefix: str, kind: str) -> str:
    if kind == "validation":
        return f"{prefix}/validation?count=many"
    if kind == "wrong-method":
        return f"{prefix}/wrong-method"
    return f"{prefix}/raise/{kind}"


@pytest.mark.parametrize("kind", sorted(EXPECTED))
def test_api_errors_have_the_canonical_json_shape(error_client: TestClient, kind: str) -> None:
    status, code, field = EXPECTED[kind]
    url = "/api/nothing/here" if kind == "no-such-route" else _url("/api/boom", kind)
    response = error_client.get(url)
    assert response.status_code == status
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"status", "code", "message", "field"}
    assert body["error"]["status"] == status and body["error"]["code"] == code
    assert body["error"]["field"] == field
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    assert "secret" not in body["error"]["message"]  # no internals leak
    if kind == "throttled":
        assert response.headers["retry-after"] == "90"
    if kind == "wrong-method":
        assert "POST" in response.headers["allow"]


@pytest.mark.parametrize("kind", sorted(set(EXPECTED) - {"unauthenticated"}))
def test_page_errors_are_html_pages_and_htmx_partials(error_client: TestClient, kind: str) -> None:
    status, code, _ = EXPECTED[kind]
    url = "/nothing/here" if kind == "no-such-route" else _url("/boom", kind)
    page = error_client.get(url)
    assert page.status_code == status
    assert page.headers["content-type"].startswith("text/html")
    assert "<html" in page.text and f"{status} ·" in page.text
    partial = error_client.get(url, headers={"HX-Request": "true"})
    assert partial.status_code == status
    assert "<html" not in partial.text
    assert f'data-code="{code}"' in partial.text
    assert "secret" not in page.text + partial.text


def test_unauthenticated_pages_redirect_to_sign_in(error_client: TestClient) -> None:
    page = error_client.get("/boom/raise/unauthenticated", follow_redirects=False)
    assert page.status_code == 303
    assert page.headers["location"] == "/login?next=/boom/raise/unauthenticated"
    partial = error_client.get("/boom/raise/unauthenticated", headers={"HX-Request": "true"})
    assert partial.status_code == 401 and partial.headers["hx-redirect"].startswith("/login")


@pytest.mark.parametrize("url", ["/api/boom/raise/crash", "/boom/raise/crash"])
def test_an_unexpected_error_keeps_the_security_headers(error_client: TestClient, url: str) -> None:
    crashed = error_client.get(url)
    assert crashed.status_code == 500
    for name, value in HEADERS.items():
        assert crashed.headers[name] == value
    assert crashed.headers["cache-control"] == "no-store"
    if url.startswith("/api"):
        assert crashed.json() == {
            "error": {
                "status": 500,
                "code": "internal_error",
                "message": "something went wrong on the server; it was logged",
                "field": None,
            }
        }
